"""``kaigai policy estimate``: PPML / OLS with high-dimensional fixed effects from a data
file; several ``--formula`` give a regression table side by side."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from kaigai.cli import common
from kaigai.cli.common import output, to_jsonable
from kaigai.cli.options import shared, takes
from kaigai.cli.policy import policy_app
from kaigai.core.errors import InputError


def _needed_columns(formulas: list[str], extra: list[str | None]) -> list[str] | None:
    from kaigai.policy.formula import parse_formula

    try:
        cols = [c for f in formulas for c in parse_formula(f).columns()]
    except Exception:  # a bad formula is reported by the estimator, with its hint
        return None
    return list(dict.fromkeys(cols + [c for c in extra if c]))


@takes("json", "lang", "config")
def estimate(
    data: Annotated[Path, typer.Option("--data", help="Input table (.parquet or .csv).")],
    formula: Annotated[
        list[str],
        typer.Option(
            "--formula",
            help='e.g. "trade ~ ln_dist + cntg + rta | exp_year + imp_year + pair";'
            " repeat for several models side by side",
        ),
    ],
    model: Annotated[
        str, typer.Option("--model", help="ppml (Poisson PML, default) or ols.")
    ] = "ppml",
    cluster: Annotated[
        str | None,
        typer.Option("--cluster", help="Cluster variable(s), e.g. pair or exporter+importer+year."),
    ] = None,
    vcov: Annotated[
        str | None,
        typer.Option(
            "--vcov", help="hetero (PPML default) or iid (OLS default) without --cluster."
        ),
    ] = None,
    weights: Annotated[str | None, typer.Option("--weights", help="Weight column.")] = None,
    offset: Annotated[
        str | None, typer.Option("--offset", help="Offset column (coefficient 1).")
    ] = None,
    small_sample: Annotated[
        str,
        typer.Option(
            "--small-sample", help="Small-sample convention: fixest (default), ppmlhdfe or none."
        ),
    ] = "fixest",
    separation: Annotated[
        str | None,
        typer.Option(
            "--separation",
            help="PPML separation checks: fe,ir (default), fe, ir or none"
            " (--engine spark: fe only).",
        ),
    ] = None,
    keep_singletons: Annotated[
        bool,
        typer.Option(
            "--keep-singletons",
            help="Keep observations alone in a fixed-effect level (ppmlhdfe keepsing).",
        ),
    ] = False,
    delta: Annotated[
        list[str] | None,
        typer.Option(
            "--delta",
            help='Derived quantity with delta-method SE, e.g. "100*(b2006-b1986)/b1986".',
        ),
    ] = None,
    wald: Annotated[
        list[str] | None,
        typer.Option("--wald", help='Joint Wald test: coefficient names or "a + b = 1" (repeat).'),
    ] = None,
    table_fmt: Annotated[
        str | None,
        typer.Option("--table", help="Print the regression table as md, html or tex."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Write the regression table (.md, .html or .tex)."),
    ] = None,
    engine: Annotated[
        str,
        typer.Option(
            "--engine",
            help="memory (default) or spark: PPML on PySpark for panels larger than memory.",
        ),
    ] = "memory",
) -> None:
    """Estimate gravity models (PPML or OLS) and print coefficients, sample and fit."""
    opts = shared()
    import time

    from kaigai.policy.etable import FORMATS, etable
    from kaigai.policy.inference import delta_method, wald_test

    if model not in ("ppml", "ols"):
        raise InputError(f"unknown model {model!r}", hint="use --model ppml or --model ols")
    fmt = table_fmt or (out.suffix.lstrip(".").lower() if out else None)
    if fmt == "markdown":
        fmt = "md"
    if fmt is not None and fmt not in FORMATS:
        raise InputError(f"unknown table format {fmt!r}", hint="use md, html or tex")
    if engine not in ("memory", "spark"):
        raise InputError(f"unknown engine {engine!r}", hint="use --engine memory or spark")
    if engine == "spark" and (model != "ppml" or weights):
        raise InputError(
            "--engine spark estimates PPML without weights",
            hint="drop --model ols / --weights, or use --engine memory",
        )
    sep_checks = tuple(
        s.strip()
        for s in ("fe,ir" if separation is None else separation).split(",")
        if s.strip() and s.strip() != "none"
    )
    if engine == "spark" and separation is not None and set(sep_checks) != {"fe"}:
        # Spark runs the fixed-effect separation check only (no IR check, always the FE one)
        raise InputError(
            f"--engine spark runs the fixed-effect separation check only, not {separation!r}",
            hint="use --separation fe (or leave it out) with --engine spark,"
            " or --engine memory for the IR check or none",
        )
    from kaigai.data.panels import PendingColumns, parquet_reader, spark_panel

    # "exporter + importer" is "exporter+importer": the spaces are not part of the names
    if cluster is not None and not "".join(cluster.split()).strip("+^"):
        raise InputError(
            f"--cluster {cluster!r} names no column",
            hint="e.g. --cluster pair or exporter+importer",
        )
    cluster = "".join(cluster.split()) if cluster else None
    cl_cols = cluster.replace("^", "+").split("+") if cluster else []
    t_load, t_reader = time.perf_counter(), 0.0
    pending = None
    if engine == "memory":  # libraries' one-off start-up, timed apart from the estimation
        parquet_reader()  # the file reader's import
        t_reader = time.perf_counter() - t_load
        # the file is read on a thread (pyarrow decodes without the GIL) while the estimator's
        # modules and compiled kernels load: C twins (milliseconds) or numba (a second)
        pending = PendingColumns(data, _needed_columns(formula, [*cl_cols, weights, offset]))
        from kaigai.policy import ppml_kernels

        ppml_kernels.warm()
        if model == "ppml":
            import kaigai.policy.ppml
        else:
            import kaigai.policy.ols  # noqa: F401
    t0 = time.perf_counter()
    t_load = t0 - t_load - (pending.open_seconds if pending else 0.0)  # the opening is read's
    df = spark_panel(data) if pending is None else pending.result()
    t_wait = time.perf_counter() - t0
    t_read = t_wait if pending is None else pending.seconds
    spec: str | dict[str, str] = (
        {"CRV1": cluster} if cluster else (vcov or ("hetero" if model == "ppml" else "iid"))
    )
    results = []
    from kaigai.core.i18n import t

    with (
        common.console.status(t("Estimating...", opts.lg), spinner="dots")
        if not opts.json
        else _null()
    ):
        for fml in formula:
            if engine == "spark":
                from kaigai.policy.ppml_spark import fepois_spark

                res = fepois_spark(
                    df, fml, spec, small_sample=small_sample,
                    singletons=not keep_singletons, offset=offset,
                )  # fmt: skip
            elif model == "ppml":
                from kaigai.policy.ppml import fepois

                res = fepois(
                    df, fml, spec, separation=sep_checks, small_sample=small_sample,
                    singletons=not keep_singletons, weights=weights, offset=offset,
                )  # fmt: skip
            else:
                from kaigai.policy.ols import feols

                res = feols(
                    df, fml, spec, small_sample=small_sample, singletons=not keep_singletons,
                    weights=weights, offset=offset,
                )  # fmt: skip
            results.append(res)
    t_est = time.perf_counter() - t0 - t_wait
    payloads: list[dict[str, Any]] = []
    for res in results:
        p = res.to_dict()
        if delta:
            p["delta"] = [delta_method(res, d).to_dict() for d in delta]
        if wald:
            p["wald"] = wald_test(res, wald).to_dict()
        payloads.append(p)
    text = None
    if fmt:
        from kaigai.cli.policy_view import etable_label

        text = etable(results, fmt, label=etable_label(opts.lg, fmt))
    if out is not None and text is not None:
        out.write_text(text, encoding="utf-8")
    payload: dict[str, Any] = payloads[0] if len(payloads) == 1 else {"models": payloads}
    if text is not None:
        payload["table"] = text
    if opts.json:  # the answer is written as JSON first: the output's time includes it
        body = json.dumps(to_jsonable(payload), ensure_ascii=False, indent=2)
        t_out = time.perf_counter() - t0 - t_wait - t_est
        sep_t = sum(r.timings["separation"] for r in results)
        timings = {
            "load_kernels": t_load - t_reader,
            "load_reader": t_reader,
            "read": t_read,
            "read_wait": t_wait,
            "estimate": t_est,
            "separation": sep_t,
            "fit": sum(r.timings["fit"] for r in results),
            "output": t_out,
            "overhead": t_wait + sep_t + t_out,
            "total": time.perf_counter() - t0,
        }
        typer.echo(_with_key(body, "timings", timings))
        return

    def human() -> None:
        from kaigai.cli.policy_view import delta_line, estimate_lines, wald_line
        from kaigai.core.i18n import t

        lg = opts.lg
        if text is not None and out is None:
            common.console.print(text, markup=False, highlight=False)
        for res, p in zip(results, payloads, strict=True):
            if text is None:
                tbl, lines = estimate_lines(res, small_sample, lg)
                common.console.print(tbl)
                for line in lines:
                    common.console.print(line, markup=False)
            for d in p.get("delta", []):
                common.console.print(delta_line(d, lg), markup=False)
            if "wald" in p:
                common.console.print(wald_line(p["wald"], lg), markup=False)
        if out is not None:
            common.console.print(t("Table written to {path}", lg, path=out), markup=False)

    output(payload, opts.json, human)


def _with_key(body: str, key: str, value: Any) -> str:
    """``body``, a JSON object as :func:`~kaigai.cli.common.emit_json` writes it, with
    ``key: value`` added last: the text emit_json writes for the object with that key."""
    inner = json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n  ")
    return f"{body[:-2]},\n  {json.dumps(key)}: {inner}\n}}"


class _null:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def register(app: typer.Typer) -> None:
    """Attach ``estimate`` to the ``policy`` group."""
    policy_app.command("estimate")(estimate)
