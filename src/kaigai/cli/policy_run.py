"""``kaigai policy run SCENARIO``: run a scenario file (GE + firm simulator), report."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer

from kaigai.cli import common
from kaigai.cli.common import emit_json, esc, table
from kaigai.cli.options import shared, takes
from kaigai.core.errors import ScenarioError


def _human(res: Any, lg: str) -> None:
    from kaigai.cli.policy_view import firms_table, print_trace
    from kaigai.core.i18n import join_list, t, term
    from kaigai.policy.scenarios_run import ScenarioResult
    from kaigai.policy.scenarios_sensitivity import flagged_flows

    assert isinstance(res, ScenarioResult)
    s = res.scenario
    title = s.title if lg == "en" else s.title_ja or s.title
    when = t(" ({id}), evaluated in {year}", lg, id=s.id, year=s.year)
    common.console.print(f"[bold]{esc(title)}[/bold]{esc(when)}")
    # the first trace line repeats the heading (with the English title)
    print_trace(res.trace if lg == "en" else res.trace[1:], lg, indent="  ")
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
        head = t("GE ({kind}): largest real GDP changes", lg, kind=term("ge", g.kind, lg))
        common.console.print(table(head, [t(c, lg) for c in cols], rows))
        b, sv = res.baseline, res.sensitivity
        none = t("none", lg)
        if b:
            common.console.print("  " + esc(t(
                "baseline: {dataset}, year {year}, {n} countries; parties not modelled: {absent}; "
                "domestic flows imputed for {k} countries (parties: {parties})", lg,
                dataset=b["dataset"], year=b["year"], n=b["countries"],
                absent=join_list(b["parties_not_modelled"], lg) or none,
                k=len(b.get("imputed_domestic") or []),
                parties=join_list(b.get("parties_imputed_domestic") or [], lg) or none,
            )))  # fmt: skip
        if b and b.get("implausible_domestic"):
            common.console.print("  " + esc(t(
                "domestic flows flagged as implausible, replaced by the imputation: {flows}", lg,
                flows=flagged_flows(b["implausible_domestic"]),
            )))  # fmt: skip
        if sv and sv["headline"]:
            h = sv["headline"]
            common.console.print("  " + esc(t(
                "sensitivity: {country} real GDP {full}% -> {excluded}% without the {k} "
                "imputed-domestic countries ({diff} pp); {half}% / {double}% with their "
                "domestic flows x0.5 / x2", lg,
                country=sv["headline_country"], full=f"{h['full']:+.3f}",
                excluded=f"{h['excluded']:+.3f}", k=len(sv["imputed_countries"]),
                diff=f"{h['excluded_diff']:+.3f}", half=f"{h['domestic_x0.5']:+.3f}",
                double=f"{h['domestic_x2']:+.3f}",
            )))  # fmt: skip
    if res.firms is not None:
        head = t("Small firms: baseline → scenario", lg)
        common.console.print(firms_table(res.firms, head, lg, sales=False))


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
        from kaigai.reports.scenario import render_html

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
                common.console.print(table(t("Bundled scenarios", lg), cols, rows))
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
        from kaigai.core.i18n import t

        lang = opts.lg
        if common.console.is_terminal and not opts.json:
            with common.console.status(t("Running scenario…", lang)):
                res, prov = run_scenario(scn, s)
        else:
            res, prov = run_scenario(scn, s)
        if report is not None:
            report.write_text(render_html(res, prov, lang), encoding="utf-8")
        if opts.json:
            out = res.to_dict()
            out["provenance"] = prov
            out["report"] = str(report) if report else None
            emit_json(out)
        else:
            from kaigai.cli.policy_view import print_fta_use
            from kaigai.core.i18n import tr

            _human(res, lang)
            print_fta_use(res.fta_use, lang)
            for line in prov:
                common.console.print(
                    f"[dim]{esc(t('source: {line}', lang, line=tr(line, lang)))}[/dim]"
                )
            if report is not None:
                common.console.print(esc(t("Report written to {path}", lang, path=report)))
