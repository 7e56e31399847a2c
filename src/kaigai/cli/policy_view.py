"""What ``kaigai policy firms``, ``run``, ``ge`` and ``estimate`` print, in English or Japanese.

The engines' results and their trace lines are English; each line is translated here through the
message catalogue (:func:`kaigai.core.i18n.tr`), numbers formatted the same way in both languages.
"""

from __future__ import annotations

import re
from typing import Any

from kaigai.cli import common
from kaigai.cli.common import esc, table
from kaigai.core.i18n import join_list, t, tr

#: the policy levers of ``kaigai policy firms`` in the order they are described
LEVERS = {
    "export_cost_factor": "export fixed cost x",
    "fta_cost_factor": "FTA fixed cost x",
    "staff_share": "global staff share",
    "immigration_share": "skilled-immigrant hiring share",
    "fdi_cost_factor": "FDI fixed cost x",
}


def describe_policy(policy: dict[str, Any], lg: str = "en") -> str:
    """``{'staff_share': 0.4}`` -> ``global staff share 0.4`` (readable, in the order given)."""
    parts = [f"{t(LEVERS[k], lg)} {v:g}" for k, v in policy.items() if k in LEVERS]
    if policy.get("fdi_enabled"):
        parts.append(t("FDI (shared parks) enabled", lg))
    return join_list(parts, lg) or t("none (baseline)", lg)


def _change(a: Any, b: Any, pct: bool = False, digits: int = 0) -> str:
    if pct:
        return f"{100 * (a or 0):.{digits}f}% → {100 * (b or 0):.{digits}f}%"
    return f"{a:,.0f} → {b:,.0f}"


def firms_table(res: Any, title: str, lg: str, *, sales: bool) -> Any:
    """The simulator's table: every size class, baseline → scenario (``sales``: new
    exporters' export sales column)."""
    from kaigai.reports.scenario_charts import size_label  # pandas: not for `policy estimate`

    rows = []
    sme = [res.sme] if getattr(res, "sme", None) else []
    for r in [{"size_class": "all", **res.summary}, *res.by_size, *sme]:
        fta = (
            "–"
            if r["fta_utilisation_firms_base"] is None
            else _change(r["fta_utilisation_firms_base"], r["fta_utilisation_firms_new"], True, 1)
        )
        name = r["size_class"]
        if "+" in name:  # the population of the FTA-use target
            name = "SME (small + medium)" if lg == "en" else t("size:small+medium", lg)
        else:
            name = size_label(name, lg)
        rows.append(
            [
                name,
                f"{r['firms']:,.0f}",
                _change(r["exporter_share_base"], r["exporter_share_new"], True, 2),
                f"{r['new_exporters']:,.0f}",
                *([f"{r['new_exporters_sales']:,.0f}"] if sales else []),
                fta,
                _change(r["jobs_in_exporters_base"], r["jobs_in_exporters_new"]),
                _change(r["fdi_firms_base"], r["fdi_firms_new"]),
            ]
        )
    cols = ["size", "firms", "exporter share", "new exporters",
            *(["their export sales"] if sales else []),
            "FTA use, firms-based", "jobs in exporters", "plants abroad"]  # fmt: skip
    return table(title, [t(c, lg) for c in cols], rows)


def calibration_line(cal: dict[str, Any], target: float, lg: str) -> str:
    """How the simulator was calibrated (fixed costs, exporter share, FTA use)."""
    measure = cal.get("fta_utilisation_measure")
    return t(
        "calibrated: medium-firm exporter share {share} (target {target}), f_x = {fx}, "
        "FTA cost = {fta} x f_x; FTA use {measure}-based {use} (target {fta_target}) of SME "
        "(small + medium) exporters to preference markets; the table's FTA column is "
        "firms-based (share of exporters to preference markets that use a preference)",
        lg,
        share=f"{100 * cal['achieved_share']:.2f}%",
        target=f"{100 * target:.1f}%",
        fx=f"{cal['export_fixed_cost']:.4g}",
        fta=f"{cal['fta_fixed_cost']:.4g}",
        measure=t(f"measure:{measure}", lg) if lg != "en" else measure,
        use=f"{100 * (cal.get('fta_utilisation_achieved') or float('nan')):.1f}%",
        fta_target=f"{100 * (cal.get('fta_utilisation_target') or float('nan')):.1f}%",
    )


def print_trace(lines: Any, lg: str, indent: str = "", dim: bool = False) -> None:
    """Engine trace lines, each translated."""
    for line in lines:
        text = esc(indent + tr(line, lg))
        common.console.print(f"[dim]{text}[/dim]" if dim else text)


def print_fta_use(block: dict[str, Any] | None, lg: str = "en") -> None:
    """Observed EPA use by agreement (selected years) and the simulator's target."""
    if not block:
        return
    years = [
        y for y in (2012, 2015, 2019, 2021) if any(r["year"] == y for r in block["by_agreement"])
    ]
    val = {(r["agreement"], r["year"]): r["value_bn_jpy"] for r in block["by_agreement"]}
    names = sorted({(r["agreement"], r["name"]) for r in block["by_agreement"]})
    rows = [
        [tr(n, lg), *("–" if (a, y) not in val else f"{val[a, y]:,.0f}" for y in years)]
        for a, n in names
    ]
    title = t("Japan's imports under EPAs (billion yen)", lg)
    common.console.print(table(title, [t("agreement", lg), *map(str, years)], rows))
    if block.get("calibration_label"):
        label = tr(block["calibration_label"], lg)
        common.console.print("  " + esc(t("FTA-use target: {label}", lg, label=label)))


def ge_table(res: Any, mc: Any, title: str, lg: str) -> Any:
    """``kaigai policy ge``'s table: every country, largest real GDP change first (with the
    Monte Carlo band when there are draws); the same figures in every language."""
    band = mc.band("real_gdp") if mc else None
    rows = []
    for k in sorted(range(len(res.countries)), key=lambda k: -abs(res.real_gdp_pct[k])):
        r = [
            res.countries[k],
            f"{res.real_gdp_pct[k]:+.4f}",
            f"{res.exports_pct[k]:+.3f}",
            f"{res.imports_pct[k]:+.3f}",
            f"{res.factory_price_pct[k]:+.4f}",
            f"{res.imr_pct[k]:+.4f}",
            f"{res.omr_pct[k]:+.4f}",
        ]
        if band is not None:
            r.append(f"{band['lower'][k]:+.4f} … {band['upper'][k]:+.4f}")
        rows.append(r)
    cols = ["country", "real GDP %", "exports %", "imports %", "factory price %", "inward MR %",
            "outward MR %", *(["95% band"] if band is not None else [])]  # fmt: skip
    return table(title, [t(c, lg) for c in cols], rows)


_RENAMED = re.compile(r"(?P<raw>\S+) read as (?P<iso3>[A-Z]{3}) \((?P<name>.+)\)")


def renamed_line(option: str, note: str, lg: str) -> str:
    """A code read as another (``ROM read as ROU (Romania)``, from
    :func:`kaigai.core.countries.renamed_codes`), for ``option``, with the country's name in
    ``lg``."""
    m = _RENAMED.fullmatch(note)
    if lg == "en" or m is None:
        return f"{option}: {note}"
    from kaigai.core.countries import country

    name = country(m["iso3"]).name(lg)
    return t("{option}: {raw} read as {iso3} ({name})", lg, option=option, raw=m["raw"],
             iso3=m["iso3"], name=name)  # fmt: skip


def _vcov(label: str, lg: str) -> str:
    """``hetero`` / ``iid`` / ``CRV1 by pair`` in ``lg`` (cluster columns as code)."""
    if lg == "en":
        return label
    if label.startswith("CRV1 by "):
        return t("CRV1 by {columns}", lg, columns=f"`{label[len('CRV1 by ') :]}`")
    text = t(f"vcov:{label}", lg)
    return f"`{label}`" if text == f"vcov:{label}" else text


def _code(name: str, lg: str) -> str:
    """A name the user typed (formula, column, term): as code in Japanese, plain in English."""
    return name if lg == "en" else f"`{name}`"


def estimate_lines(res: Any, small_sample: str, lg: str) -> tuple[Any, list[str]]:
    """``kaigai policy estimate``'s coefficient table for one model and the lines under it."""
    rows = [
        (_code(n, lg), f"{b:.6f}", f"{s:.6f}", f"{z:.2f}", f"{p:.4f}")
        for n, b, s, z, p in res.coefficient_rows()
    ]
    title = f"{res.model.upper()}: {_code(res.formula, lg)}"
    # OLS: t statistics and Student's t p-values (df_t); PPML: z and the normal distribution
    cols = ["term", "estimate", "std. error", res.stat_name, "p"]
    d = res.dropped
    lines = [
        t("Observations: {used} used of {n}", lg, used=f"{res.n_obs:,}", n=f"{res.n_input:,}"),
        t("Dropped: {missing} missing, {singletons} singletons, {separated} separated "
          "({fe} by fixed effects, {ir} by the IR check)", lg,
          missing=f"{d['missing']:,}", singletons=f"{d['singletons']:,}",
          separated=f"{d['separated']:,}", fe=f"{d['separated_fe']:,}",
          ir=f"{d['separated_ir']:,}"),
    ]  # fmt: skip
    if res.collinear:
        names = join_list([_code(c, lg) for c in res.collinear], lg)
        lines.append(t("Dropped as collinear: {names}", lg, names=names))
    if res.fe_names:
        fes = [f"{n} ({s:,})" if lg == "en" else t("fe:{name} ({n})", lg, name=_code(n, lg), n=f"{s:,}")
               for n, s in zip(res.fe_names, res.fe_sizes, strict=True)]  # fmt: skip
        lines.append(t("Fixed effects: {names}", lg, names=join_list(fes, lg)))
    lines.append(
        t(
            "Standard errors: {vcov}, small-sample convention {convention}",
            lg,
            vcov=_vcov(res.vcov_type, lg),
            convention=_code(small_sample, lg),
        )  # fmt: skip
    )
    if res.model == "ols":
        stats = [f"{t(f'stat:{k}', lg) if lg != 'en' else k} {v:.6g}" for k, v in res.stats.items()]
        lines.append(join_list(stats, lg))
    else:
        lines.append(
            t(
                "Converged: {converged} after {n} iterations (deviance {deviance})",
                lg,
                converged=t("yes" if res.converged else "no", lg) if lg != "en" else res.converged,
                n=res.iterations,
                deviance=f"{res.deviance:.6g}",
            )  # fmt: skip
        )
    return table(title, [t(c, lg) for c in cols], rows), lines


#: the regression table's own row labels and note (policy/etable.py), translated
def etable_label(lg: str, fmt: str) -> Any:
    """How :func:`kaigai.policy.etable.etable` shows its labels in ``lg`` (``None``: as they
    are); names the user typed (terms, fixed effects) are code in a Markdown table."""
    if lg == "en":
        return None
    from kaigai.policy.etable import LABELS, NOTE

    own = {*LABELS, NOTE}

    def label(text: str) -> str:
        if text in own:
            return t(text, lg)
        if text in ("hetero", "iid") or text.startswith("CRV1 by "):
            return _vcov(text, lg)
        return _code(text, lg) if fmt == "md" else text

    return label


def delta_line(d: dict[str, Any], lg: str) -> str:
    """A derived quantity with its delta-method standard error."""
    return t("Delta method: {expression} = {estimate} (se {se}, z {z}, p {p})", lg,
             expression=_code(d["expression"], lg), estimate=f"{d['estimate']:.6g}",
             se=f"{d['se']:.6g}", z=f"{d['z']:.2f}", p=f"{d['p']:.4f}")  # fmt: skip


def wald_line(w: dict[str, Any], lg: str) -> str:
    """A joint Wald test: chi2 and F statistics with their p-values."""
    return t("Wald test ({restrictions}): chi2({df}) = {chi2}, p {p_chi2}; "
             "F({df}, {df_denom}) = {f}, p {p_f}", lg,
             restrictions=join_list([_code(r, lg) for r in w["restrictions"]], lg),
             df=w["df"], chi2=f"{w['statistic']:.4f}", p_chi2=f"{w['p_chi2']:.4g}",
             df_denom=w["df_denom"], f=f"{w['f']:.4f}", p_f=f"{w['p_f']:.4g}")  # fmt: skip


__all__ = [
    "LEVERS",
    "calibration_line",
    "delta_line",
    "describe_policy",
    "estimate_lines",
    "etable_label",
    "firms_table",
    "ge_table",
    "print_fta_use",
    "print_trace",
    "renamed_line",
    "wald_line",
]
