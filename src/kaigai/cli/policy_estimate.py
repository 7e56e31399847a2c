"""``kaigai policy estimate``: PPML with high-dimensional fixed effects from a data file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from kaigai.cli.common import JsonOpt, console, esc, output, table
from kaigai.cli.policy import policy_app
from kaigai.core.errors import InputError


def _read(path: Path) -> Any:
    import pandas as pd

    if not path.exists():
        raise InputError(f"data file {path} does not exist", hint="give a .parquet or .csv file")
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            return pd.read_parquet(path)
        if suffix in (".csv", ".txt"):
            return pd.read_csv(path)
    except Exception as exc:  # unreadable file: report, never a traceback
        raise InputError(
            f"cannot read {path}: {exc}", hint="check that the file is valid parquet or CSV"
        ) from exc
    raise InputError(f"unsupported data file type {suffix!r}", hint="use .parquet or .csv")


def estimate(
    data: Annotated[Path, typer.Option("--data", help="Input table (.parquet or .csv).")],
    formula: Annotated[
        str,
        typer.Option(
            "--formula", help='e.g. "trade ~ ln_dist + cntg + rta | exp_year + imp_year + pair"'
        ),
    ],
    cluster: Annotated[
        str | None,
        typer.Option("--cluster", help="Cluster variable(s), e.g. pair or exporter+importer."),
    ] = None,
    vcov: Annotated[
        str, typer.Option("--vcov", help="hetero (default) when --cluster is not given.")
    ] = "hetero",
    small_sample: Annotated[
        str,
        typer.Option(
            "--small-sample", help="Small-sample convention: fixest (default), ppmlhdfe or none."
        ),
    ] = "fixest",
    separation: Annotated[
        str,
        typer.Option("--separation", help="Separation checks: fe,ir (default), fe, ir or none."),
    ] = "fe,ir",
    keep_singletons: Annotated[
        bool,
        typer.Option(
            "--keep-singletons",
            help="Keep observations alone in a fixed-effect level (ppmlhdfe keepsing).",
        ),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Estimate a PPML gravity model and print coefficients, sample and convergence."""
    import time

    from kaigai.policy.ppml import fepois

    t0 = time.perf_counter()
    df = _read(data)
    t_read = time.perf_counter() - t0
    sep = tuple(s.strip() for s in separation.split(",") if s.strip() and s.strip() != "none")
    spec: str | dict[str, str] = {"CRV1": cluster} if cluster else vcov
    with console.status("Estimating PPML...", spinner="dots") if not as_json else _null():
        res = fepois(
            df,
            formula,
            spec,
            separation=sep,
            small_sample=small_sample,
            singletons=not keep_singletons,
        )
    t_est = time.perf_counter() - t0 - t_read

    def human() -> None:
        rows = [
            (
                n,
                f"{res.coef[n]:.6f}",
                f"{res.se[n]:.6f}",
                f"{res.tstat[n]:.2f}",
                f"{res.pvalue[n]:.4f}",
            )
            for n in res.coef.index
        ]
        console.print(table(f"PPML: {formula}", ["term", "estimate", "std. error", "z", "p"], rows))
        d = res.dropped
        console.print(f"Observations: {res.n_obs:,} used of {res.n_input:,}")
        console.print(
            f"Dropped: {d['missing']:,} missing, {d['singletons']:,} singletons, {d['separated']:,} separated"
            f" ({d['separated_fe']:,} by fixed effects, {d['separated_ir']:,} by the IR check)"
        )
        if res.collinear:
            console.print(esc(f"Dropped as collinear: {', '.join(res.collinear)}"))
        if res.fe_names:
            console.print(
                esc(
                    "Fixed effects: "
                    + ", ".join(
                        f"{n} ({s:,})" for n, s in zip(res.fe_names, res.fe_sizes, strict=True)
                    )
                )
            )
        console.print(
            esc(f"Standard errors: {res.vcov_type}, small-sample convention {small_sample}")
        )
        console.print(
            f"Converged: {res.converged} after {res.iterations} iterations (deviance {res.deviance:.6g})"
        )

    payload = res.to_dict()
    if as_json:
        t_out = time.perf_counter() - t0 - t_read - t_est
        payload["timings"] = {
            "read": t_read,
            "estimate": t_est,
            "separation": res.timings["separation"],
            "fit": res.timings["fit"],
            "output": t_out,
            "overhead": t_read + res.timings["separation"] + t_out,
            "total": time.perf_counter() - t0,
        }
    output(payload, as_json, human)


class _null:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def register(app: typer.Typer) -> None:
    """Attach ``estimate`` to the ``policy`` group."""
    policy_app.command("estimate")(estimate)
