"""``kaigai policy firms``: the small-firm export simulator with policy levers."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any

import typer

from kaigai.cli import common
from kaigai.cli.common import emit_json
from kaigai.cli.options import shared, takes


def register(app: typer.Typer) -> None:
    from kaigai.cli.policy import policy_app

    @policy_app.command("firms")
    @takes("json", "lang", "config")
    def firms(
        markets_from: Annotated[
            str,
            typer.Option(
                "--markets-from",
                help="Scenario (file or bundled id) whose markets and baseline agreements to use.",
            ),
        ] = "jpn-rcep",
        target: Annotated[
            float,
            typer.Option(
                "--target",
                help="Exporter share of medium-sized firms to calibrate to (Japan 0.10, US 0.15, EU 0.32).",
            ),
        ] = 0.10,
        fta_target: Annotated[
            str | None,
            typer.Option(
                "--fta-target",
                help="FTA utilisation to calibrate to: a share of SME exporters (e.g. 0.289, "
                "the JETRO survey assumption) or 'observed' (Japan's EPA-use statistics, "
                "value-based; the bundled scenarios' default).",
            ),
        ] = None,
        fta: Annotated[
            str | None,
            typer.Option("--fta", help="New agreement partners of the home country, e.g. CHN,KOR."),
        ] = None,
        cut: Annotated[
            float, typer.Option("--cut", help="Share of the MFN duty the new agreement removes.")
        ] = 1.0,
        export_cost_factor: Annotated[
            float | None,
            typer.Option("--export-cost-factor", help="Multiply the fixed export cost."),
        ] = None,
        fta_cost_factor: Annotated[
            float | None,
            typer.Option(
                "--fta-cost-factor", help="Multiply the cost of proving origin (0.5 = halve)."
            ),
        ] = None,
        staff_share: Annotated[
            float | None,
            typer.Option(
                "--staff-share",
                help="Share of non-exporting firms with global staff (baseline 0.25).",
            ),
        ] = None,
        immigration_share: Annotated[
            float | None,
            typer.Option(
                "--immigration-share",
                help="Share of firms without such staff that hire a skilled immigrant.",
            ),
        ] = None,
        fdi_cost_factor: Annotated[
            float | None,
            typer.Option(
                "--fdi-cost-factor", help="Multiply the FDI fixed cost (shared parks); enables FDI."
            ),
        ] = None,
        n_firms: Annotated[int, typer.Option("--n-firms", help="Simulated firms.")] = 1_000_000,
        population: Annotated[
            float | None,
            typer.Option("--population", help="Firms the simulation represents (scales counts)."),
        ] = None,
        seed: Annotated[
            int, typer.Option("--seed", help="Random seed: the same seed gives the same draws.")
        ] = 0,
    ) -> None:
        """New exporters, their sales, FTA utilisation and jobs, by firm size."""
        opts = shared()
        from kaigai.app.policy import observed_fta_use
        from kaigai.cli.common import esc
        from kaigai.cli.policy_view import (
            calibration_line,
            describe_policy,
            firms_table,
            print_fta_use,
            print_trace,
        )
        from kaigai.core.errors import ScenarioError
        from kaigai.core.i18n import t
        from kaigai.policy.scenarios import Agreement, load_scenario
        from kaigai.policy.scenarios_run import run_firms

        base = load_scenario(markets_from)
        if base.firms is None:
            raise ScenarioError(
                f"Scenario {base.id} has no [firms] markets.",
                hint="Use e.g. --markets-from jpn-rcep.",
            )
        agreements = tuple(a for a in base.agreements if a.in_baseline)
        if fta:
            parties = tuple(
                dict.fromkeys([base.home, *[c.strip() for c in fta.split(",") if c.strip()]])
            )
            if not 0 <= cut <= 1:
                raise ScenarioError(f"--cut must be between 0 and 1 (got {cut}).")
            agreements += (Agreement("CLI-FTA", parties, base.year, cut, 1, False),)
        policy: dict[str, Any] = {}
        for key, val in (
            ("export_cost_factor", export_cost_factor),
            ("fta_cost_factor", fta_cost_factor),
            ("staff_share", staff_share),
            ("immigration_share", immigration_share),
            ("fdi_cost_factor", fdi_cost_factor),
        ):
            if val is not None:
                if val < 0 or (key in ("staff_share", "immigration_share") and val > 1):
                    raise ScenarioError(f"--{key.replace('_', '-')} = {val} is out of range.")
                policy[key] = val
        params = base.firms.params
        if population is not None:
            if population <= 0:
                raise ScenarioError(f"--population must be > 0 (got {population}).")
            params = params.with_(population=population)
        if fdi_cost_factor is not None:
            params = params.with_(fdi_enabled=True)
            policy["fdi_enabled"] = True
        if not 0 < target < 1:
            raise ScenarioError(f"--target must be in (0, 1) (got {target}).")
        if n_firms < 1000:
            raise ScenarioError(f"--n-firms must be at least 1000 (got {n_firms}).")
        fta_opts: dict[str, Any] = {}
        if fta_target is not None and fta_target != "observed":
            try:
                value = float(fta_target)
            except ValueError:
                raise ScenarioError(
                    f"--fta-target must be a share in (0, 1) or 'observed' (got {fta_target!r})."
                ) from None
            fta_opts = {
                "fta_utilisation_target": value,
                "fta_utilisation_observed": False,
                "fta_utilisation_measure": "firms",
                "fta_utilisation_label": "given on the command line (share of SME exporters)",
            }
        elif fta_target == "observed":
            fta_opts = {"fta_utilisation_target": None, "fta_utilisation_observed": True}
        spec = replace(
            base.firms,
            n_firms=n_firms,
            seed=seed,
            target_exporter_share=target,
            params=params,
            policy=policy,
            **fta_opts,
        )
        # the baseline's preferences decide which partners' observed use is the target
        scn = replace(base, agreements=agreements, firms=spec, ge=None)
        scn, block, _ = observed_fta_use(scn, opts.settings())
        assert scn.firms is not None
        res = run_firms(scn, scn.firms)
        if opts.json:
            emit_json(
                {
                    "policy": policy,
                    "agreements": [a.id for a in agreements],
                    **res.to_dict(),
                    "fta_use": block,
                }
            )
            return
        lg = opts.lg
        title = t(
            "Small-firm simulator ({n} simulated firms, seed {seed}); policy: {policy}",
            lg, n=f"{n_firms:,}", seed=seed, policy=describe_policy(policy, lg),
        )  # fmt: skip
        common.console.print(firms_table(res, title, lg, sales=True))
        common.console.print(f"[dim]{esc(calibration_line(res.calibration, target, lg))}[/dim]")
        print_trace(res.trace, lg, dim=True)
        print_fta_use(block, lg)
