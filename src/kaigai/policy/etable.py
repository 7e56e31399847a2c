"""Regression tables of several models side by side (as pyfixest's ``etable``).

``etable([m1, m2, m3], fmt="md")`` -> Markdown; ``fmt="html"`` -> an HTML ``<table>``;
``fmt="tex"`` -> a LaTeX ``tabular``. One column per model, one row pair per coefficient
(estimate with significance stars, standard error in parentheses below), then a
"Fixed effects" block (``x`` where the model has that fixed effect), observations,
R-squared (OLS) or pseudo R-squared (PPML: 1 - deviance / null deviance) and the
standard-error type. Stars: ``*** p<0.01, ** p<0.05, * p<0.1`` from the models' two-sided
p-values (Student's t for OLS, the normal distribution for PPML, as pyfixest).
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from kaigai.core.errors import InputError
from kaigai.policy.results import PPMLResult

FORMATS = ("md", "html", "tex")
STARS = ((0.01, "***"), (0.05, "**"), (0.1, "*"))
#: The table's own row labels and its note (English); ``etable(label=...)`` may rewrite them.
LABELS = ("Dependent variable", "Fixed effects", "Observations", "R2 / pseudo R2", "Within R2",
          "Estimator", "S.E. type")  # fmt: skip
NOTE = "Standard errors in parentheses. *** p<0.01, ** p<0.05, * p<0.1 (OLS: t, PPML: normal)."


def _stars(p: float) -> str:
    for cut, s in STARS:
        if p < cut:
            return s
    return ""


def table_cells(
    models: Sequence[PPMLResult], *, digits: int = 3
) -> tuple[list[str], list[list[str]]]:
    """(row labels, cells per row) shared by every output format."""
    coefs: list[str] = []
    for m in models:
        coefs += [c for c in m.coef.index if c not in coefs]
    labels: list[str] = []
    rows: list[list[str]] = []
    for c in coefs:
        est, se = [], []
        for m in models:
            if c in m.coef.index:
                est.append(f"{m.coef[c]:.{digits}f}{_stars(float(m.pvalue[c]))}")
                se.append(f"({m.se[c]:.{digits}f})")
            else:
                est.append("")
                se.append("")
        labels += [c, ""]
        rows += [est, se]
    fes: list[str] = []
    for m in models:
        fes += [f for f in m.fe_names if f not in fes]
    if fes:
        labels.append("Fixed effects")
        rows.append([""] * len(models))
        for f in fes:
            labels.append(f)
            rows.append(["x" if f in m.fe_names else "-" for m in models])
    labels.append("Observations")
    rows.append([f"{m.n_obs:,}" for m in models])
    labels.append("R2 / pseudo R2")
    rows.append([f"{m.pseudo_r2:.{digits}f}" if np.isfinite(m.pseudo_r2) else "" for m in models])
    if any(m.model == "ols" and m.fe_names for m in models):
        labels.append("Within R2")
        rows.append(
            [
                f"{m.stats['r2_within']:.{digits}f}" if m.model == "ols" and m.fe_names else ""
                for m in models
            ]
        )
    labels.append("Estimator")
    rows.append([m.model.upper() for m in models])
    labels.append("S.E. type")
    rows.append([m.vcov_type for m in models])
    return labels, rows


def etable(
    models: Sequence[PPMLResult] | Mapping[str, PPMLResult],
    fmt: str = "md",
    *,
    digits: int = 3,
    caption: str | None = None,
    label: Callable[[str], str] | None = None,
) -> str:
    """Several fitted models side by side; ``models`` as a list (columns ``(1)``, ``(2)``,
    ...) or a mapping of column titles to models. ``label`` rewrites each row label, the
    dependent variables, the ``S.E. type`` cells and the note as a shell wants them shown (e.g. in another language);
    by default they are shown as they are (English)."""
    if fmt not in FORMATS:
        raise InputError(f"unknown table format {fmt!r}", hint=f"use one of {', '.join(FORMATS)}")
    if isinstance(models, Mapping):
        titles, ms = list(models.keys()), list(models.values())
    else:
        ms = list(models)
        titles = [f"({i + 1})" for i in range(len(ms))]
    if not ms:
        raise InputError("no model to tabulate")
    labels, rows = table_cells(ms, digits=digits)
    depvars = [m.formula.split("~")[0].strip() for m in ms]
    note = NOTE
    if label is not None:
        se_row = labels.index("S.E. type")
        rows[se_row] = [label(c) for c in rows[se_row]]
        shown = {lab: label(lab) for lab in [*labels, "Dependent variable"] if lab}
        note = label(note)
        depvars = [label(d) for d in depvars]
    else:
        shown = {lab: lab for lab in [*labels, "Dependent variable"]}
    fe_head = shown.get("Fixed effects", "Fixed effects")
    if fmt == "md":
        out = [f"**{caption}**", ""] if caption else []
        out.append("| | " + " | ".join(titles) + " |")
        out.append("|---|" + "---:|" * len(ms))
        out.append(f"| {shown['Dependent variable']} | " + " | ".join(depvars) + " |")
        for lab, r in zip(labels, rows, strict=True):
            name = (
                f"*{fe_head}*"
                if lab == "Fixed effects"
                else shown.get(lab, lab).replace("|", "\\|")
            )
            out.append(f"| {name} | " + " | ".join(c.replace("|", "\\|") for c in r) + " |")
        out += ["", note]
        return "\n".join(out) + "\n"
    if fmt == "html":
        e = html.escape
        out = ['<table class="etable">']
        if caption:
            out.append(f"<caption>{e(caption)}</caption>")
        out.append("<thead><tr><th></th>" + "".join(f"<th>{e(t)}</th>" for t in titles) + "</tr>")
        out.append(
            f"<tr><th>{e(shown['Dependent variable'])}</th>"
            + "".join(f"<th>{e(d)}</th>" for d in depvars)
            + "</tr></thead><tbody>"
        )
        for lab, r in zip(labels, rows, strict=True):
            out.append(
                f"<tr><th>{e(shown.get(lab, lab))}</th>"
                + "".join(f"<td>{e(c)}</td>" for c in r)
                + "</tr>"
            )
        out.append(f'</tbody><tfoot><tr><td colspan="{len(ms) + 1}">{e(note)}</td></tr></tfoot>')
        out.append("</table>")
        return "\n".join(out) + "\n"
    t = _tex
    out = ["\\begin{tabular}{l" + "c" * len(ms) + "}", "\\hline"]
    if caption:
        out.insert(0, f"% {caption}")
    out.append(" & " + " & ".join(t(x) for x in titles) + " \\\\")
    out.append(f"{t(shown['Dependent variable'])} & " + " & ".join(t(d) for d in depvars) + " \\\\")
    out.append("\\hline")
    for lab, r in zip(labels, rows, strict=True):
        if lab in ("Fixed effects", "Observations"):
            out.append("\\hline")
        cells = [_tex_star(c) for c in r]
        out.append(f"{t(shown.get(lab, lab))} & " + " & ".join(cells) + " \\\\")
    out += ["\\hline", "\\end{tabular}", f"% {note}"]
    return "\n".join(out) + "\n"


_TEX = {"\\": "\\textbackslash{}", "&": "\\&", "%": "\\%", "$": "\\$", "#": "\\#",
        "_": "\\_", "{": "\\{", "}": "\\}", "^": "\\^{}", "~": "\\~{}"}  # fmt: skip


def _tex(s: str) -> str:
    return "".join(_TEX.get(ch, ch) for ch in s)


def _tex_star(c: str) -> str:
    body = c.rstrip("*")
    stars = c[len(body) :]
    return _tex(body) + (f"$^{{{stars}}}$" if stars else "")
