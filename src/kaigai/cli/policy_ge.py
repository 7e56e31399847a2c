"""``kaigai policy ge``: GE counterfactual of switching an agreement dummy on for a set of
countries (structural gravity, exact hat algebra), with optional Monte Carlo bands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kaigai.cli import common
from kaigai.cli.common import emit_json, esc
from kaigai.cli.options import shared, takes
from kaigai.core.errors import ScenarioError


def _coefs(items: list[str]) -> dict[str, float]:
    out: dict[str, float] = {}
    for it in items:
        for part in it.split(","):
            if not part.strip():
                continue
            name, sep, val = part.partition("=")
            try:
                if not sep:
                    raise ValueError
                out[name.strip()] = float(val)
            except ValueError:
                raise ScenarioError(
                    f"Bad --coef {part!r}.", hint="Write NAME=VALUE, e.g. --coef pta=0.47"
                ) from None
    return out


def register(app: typer.Typer) -> None:
    from kaigai.cli.policy import policy_app

    @policy_app.command("ge")
    @takes("json", "lang", "config")
    def ge(
        agreement: Annotated[
            str,
            typer.Option(
                "--agreement", help="Countries of the new agreement, e.g. CAN,JPN or ASEAN,JPN."
            ),
        ],
        coef: Annotated[
            list[str],
            typer.Option(
                "--coef", help="Cost coefficient NAME=VALUE (repeat); must include --variable."
            ),
        ],
        variable: Annotated[
            str, typer.Option("--variable", help="Agreement dummy switched on.")
        ] = "pta",
        sigma: Annotated[float, typer.Option("--sigma", help="Elasticity of substitution.")] = 5.0,
        kind: Annotated[
            str, typer.Option("--kind", help="full, conditional or one_step (gegravity).")
        ] = "full",
        baseline: Annotated[
            str, typer.Option("--baseline", help="model (cost levels) or observed flows.")
        ] = "model",
        dataset: Annotated[
            str, typer.Option("--dataset", help="Catalog dataset with the gravity data.")
        ] = "gravity_gegravity_sample",
        data: Annotated[
            Path | None, typer.Option("--data", help="Gravity data file instead of --dataset.")
        ] = None,
        year: Annotated[
            int | None, typer.Option("--year", help="Year to use when the data is a panel.")
        ] = None,
        reference: Annotated[
            str | None, typer.Option("--reference", help="Numeraire country (its inward MR = 1).")
        ] = None,
        constant: Annotated[
            float, typer.Option("--constant", help="Constant of the cost function.")
        ] = 0.0,
        draws: Annotated[int, typer.Option("--draws", help="Monte Carlo draws (needs --se).")] = 0,
        se: Annotated[
            float | None, typer.Option("--se", help="Standard error of the --variable coefficient.")
        ] = None,
        seed: Annotated[
            int, typer.Option("--seed", help="Random seed: the same seed gives the same draws.")
        ] = 0,
        shock: Annotated[
            str, typer.Option("--shock", help="rta (dummy on), tariff (cut tariffs) or both.")
        ] = "rta",
        tariff: Annotated[
            float | None,
            typer.Option("--tariff", help="MFN tariff removed between the parties (0.05 = 5%)."),
        ] = None,
        tariff_column: Annotated[
            str | None, typer.Option("--tariff-column", help="Data column with each pair's tariff.")
        ] = None,
        tariff_elasticity: Annotated[
            float | None,
            typer.Option("--tariff-elasticity", help="Coefficient on ln(1 + tariff), e.g. -5."),
        ] = None,
    ) -> None:
        """Welfare, trade and multilateral-resistance effects of a new agreement."""
        opts = shared()
        from kaigai.core.countries import renamed_codes
        from kaigai.data.panels import read_panel
        from kaigai.data.store import load, provenance
        from kaigai.policy.scenarios import Agreement, Scenario, scenario_from_dict
        from kaigai.policy.scenarios_run import run_ge

        coefs = _coefs(coef)
        parties = [c.strip() for c in agreement.split(",") if c.strip()]
        notes = renamed_codes(parties)
        renamed = [f"--agreement: {n}" for n in notes]
        doc = {
            "id": "cli",
            "title": f"{variable} = 1 for {', '.join(parties)}",
            "year": 2000,
            "agreements": [{"id": "CLI", "parties": parties, "start_year": 2000}],
            "ge": {
                "dataset": dataset,
                "year": year,
                "sigma": sigma,
                "variable": variable,
                "kind": kind,
                "reference": reference,
                "baseline": baseline,
                "coefficients": coefs,
                "standard_errors": {variable: se} if se is not None else {},
                "constant": constant,
                "mc_draws": draws,
                "seed": seed,
                "shock": shock,
                "tariff": tariff,
                "tariff_column": tariff_column,
                "tariff_elasticity": tariff_elasticity,
            },
        }
        scn: Scenario = scenario_from_dict(doc, source="command line")
        assert isinstance(scn.agreements[0], Agreement)
        s = opts.settings()
        frame = read_panel(data) if data is not None else load(dataset, s)
        prov = str(data) if data is not None else str(provenance(dataset, s))
        res, mc, shocked, trace = run_ge(scn, frame)
        if opts.json:
            out = res.to_dict()
            out["monte_carlo"] = mc.to_dict() if mc else None
            out["shocked_pairs"] = [
                {"exporter": i, "importer": j, "change": v} for i, j, v in shocked
            ]
            out["trace"] = [*renamed, *trace, *res.trace]
            out["provenance"] = prov
            emit_json(out)
            return
        from kaigai.cli.policy_view import ge_table, print_trace, renamed_line
        from kaigai.core.i18n import join_list, t, term

        lg = opts.lg
        title = t("GE ({kind}, sigma={sigma}): {title}", lg, kind=term("ge", res.kind, lg),
                  sigma=f"{res.sigma:g}", title=scn.title if lg == "en" else t(
                      "{variable} = 1 for {parties}", lg, variable=variable,
                      parties=join_list(parties, lg)))  # fmt: skip
        common.console.print(ge_table(res, mc, title, lg))
        for n in notes:
            common.console.print(f"[dim]{esc(renamed_line('--agreement', n, lg))}[/dim]")
        print_trace([*trace, *res.trace], lg, dim=True)
        common.console.print(f"[dim]{esc(t('source: {line}', lg, line=prov))}[/dim]")
