"""``kaigai policy run SCENARIO``: run a scenario file (GE + firm simulator), report."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer

from kaigai.cli.common import console, emit_json, esc, table
from kaigai.cli.options import shared, takes
from kaigai.core.errors import ScenarioError


def _human(res: Any) -> None:
    from kaigai.policy.scenarios_run import ScenarioResult

    assert isinstance(res, ScenarioResult)
    s = res.scenario
    console.print(f"[bold]{esc(s.title)}[/bold] ({esc(s.id)}), evaluated in {s.year}")
    for t in res.trace:
        console.print(f"  {esc(t)}")
    if res.ge is not None:
        g = res.ge
        band = res.ge_mc.band("real_gdp") if res.ge_mc is not None else None
        order = sorted(range(len(g.countries)), key=lambda k: -abs(g.real_gdp_pct[k]))[:12]
        rows = []
        for k in order:
            r = [
                g.countries[k],
                f"{g.real_gdp_pct[k]:+.3f}",
                f"{g.exports_pct[k]:+.2f}",
                f"{g.imports_pct[k]:+.2f}",
            ]
            if band is not None:
                r.append(f"{band['lower'][k]:+.3f} … {band['upper'][k]:+.3f}")
            rows.append(r)
        cols = ["country", "real GDP %", "exports %", "imports %"] + (
            ["95% band"] if band is not None else []
        )
        console.print(table(f"GE ({g.kind}): largest real GDP changes", cols, rows))
        b, sv = res.baseline, res.sensitivity
        if b:
            console.print(
                f"  baseline: {b['dataset']}, year {b['year']}, {b['countries']} countries; "
                f"parties not modelled: {', '.join(b['parties_not_modelled']) or 'none'}; "
                f"domestic flows imputed for {len(b.get('imputed_domestic') or [])} countries "
                f"(parties: {', '.join(b.get('parties_imputed_domestic') or []) or 'none'})"
            )
        if sv and sv["headline"]:
            h = sv["headline"]
            console.print(
                f"  sensitivity: {sv['headline_country']} real GDP {h['full']:+.3f}% -> "
                f"{h['excluded']:+.3f}% without the {len(sv['imputed_countries'])} imputed-domestic "
                f"countries ({h['excluded_diff']:+.3f} pp); {h['domestic_x0.5']:+.3f}% / "
                f"{h['domestic_x2']:+.3f}% with their domestic flows x0.5 / x2"
            )
    if res.firms is not None:
        frows: list[list[str]] = []
        for row in [{"size_class": "all", **res.firms.summary}, *res.firms.by_size]:
            frows.append(
                [
                    row["size_class"],
                    f"{row['firms']:,.0f}",
                    f"{100 * (row['exporter_share_base'] or 0):.2f}% → {100 * (row['exporter_share_new'] or 0):.2f}%",
                    f"{row['new_exporters']:,.0f}",
                    "–"
                    if row["fta_utilisation_firms_base"] is None
                    else f"{100 * row['fta_utilisation_firms_base']:.1f}% → {100 * (row['fta_utilisation_firms_new'] or 0):.1f}%",
                    f"{row['jobs_in_exporters_base']:,.0f} → {row['jobs_in_exporters_new']:,.0f}",
                    f"{row['fdi_firms_base']:,.0f} → {row['fdi_firms_new']:,.0f}",
                ]
            )
        console.print(
            table(
                "Small firms: baseline → scenario",
                [
                    "size",
                    "firms",
                    "exporter share",
                    "new exporters",
                    "FTA utilisation",
                    "jobs in exporters",
                    "plants abroad",
                ],
                frows,
            )
        )


def print_fta_use(block: dict[str, Any] | None) -> None:
    """Observed EPA use by agreement (selected years) and the simulator's target."""
    if not block:
        return
    years = [
        y for y in (2012, 2015, 2019, 2021) if any(r["year"] == y for r in block["by_agreement"])
    ]
    val = {(r["agreement"], r["year"]): r["value_bn_jpy"] for r in block["by_agreement"]}
    names = sorted({(r["agreement"], r["name"]) for r in block["by_agreement"]})
    rows = [
        [n, *("–" if (a, y) not in val else f"{val[a, y]:,.0f}" for y in years)] for a, n in names
    ]
    console.print(
        table("Japan's imports under EPAs (billion yen)", ["agreement", *map(str, years)], rows)
    )
    if block.get("calibration_label"):
        console.print(f"  FTA-use target: {esc(block['calibration_label'])}")


def register(app: typer.Typer) -> None:
    from kaigai.cli.policy import policy_app

    @policy_app.command("run")
    @takes("json", "lang", "config")
    def run(
        scenario: Annotated[
            str | None, typer.Argument(help="Scenario file (.toml/.yaml) or bundled id.")
        ] = None,
        report: Annotated[
            Path | None, typer.Option("--report", help="Write a self-contained HTML report.")
        ] = None,
        firms: Annotated[
            int | None, typer.Option("--firms", help="Override the number of simulated firms.")
        ] = None,
        draws: Annotated[
            int | None,
            typer.Option("--draws", help="Override the GE Monte Carlo draws (0 = none)."),
        ] = None,
        list_: Annotated[bool, typer.Option("--list", help="List the bundled scenarios.")] = False,
    ) -> None:
        """Run a policy scenario: GE counterfactual of its agreements and the small-firm simulator."""
        opts = shared()
        from kaigai.app.policy import run_scenario
        from kaigai.policy.scenarios import bundled_scenarios, load_scenario
        from kaigai.policy.scenarios_report import render_html

        if list_ or scenario is None:
            from kaigai.core.i18n import t

            ids = bundled_scenarios()
            scns = [load_scenario(i) for i in ids]
            if opts.json:
                emit_json({"bundled": [{"id": x.id, "title": x.title, "title_ja": x.title_ja}
                                       for x in scns]})  # fmt: skip
            else:
                lg = opts.settings().lang
                rows = [[x.id, x.title] if lg == "en" else [f"`{x.id}`", x.title_ja or x.title]
                        for x in scns]  # fmt: skip
                cols = [t("id", lg), t("title", lg)]
                console.print(table(t("Bundled scenarios", lg), cols, rows))
            return
        s = opts.settings()
        scn = load_scenario(scenario)
        if firms is not None:
            if scn.firms is None:
                raise ScenarioError(
                    f"Scenario {scn.id} has no [firms] section; --firms does not apply."
                )
            if firms < 1000:
                raise ScenarioError(f"--firms must be at least 1000 (got {firms}).")
            scn = replace(scn, firms=replace(scn.firms, n_firms=firms))
        if draws is not None:
            if scn.ge is None:
                raise ScenarioError(
                    f"Scenario {scn.id} has no [ge] section; --draws does not apply."
                )
            if draws < 0:
                raise ScenarioError("--draws must be >= 0.")
            scn = replace(scn, ge=replace(scn.ge, mc_draws=draws))
        if console.is_terminal and not opts.json:
            with console.status("Running scenario…"):
                res, prov = run_scenario(scn, s)
        else:
            res, prov = run_scenario(scn, s)
        if report is not None:
            report.write_text(render_html(res, prov), encoding="utf-8")
        if opts.json:
            out = res.to_dict()
            out["provenance"] = prov
            out["report"] = str(report) if report else None
            emit_json(out)
        else:
            _human(res)
            print_fta_use(res.fta_use)
            for line in prov:
                console.print(f"[dim]source: {esc(line)}[/dim]")
            if report is not None:
                console.print(esc(f"Report written to {report}"))
