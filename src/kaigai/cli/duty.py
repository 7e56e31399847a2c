"""``kaigai duty``: duty options (MFN and agreements) for one product, origin and destination."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from kaigai.cli import common
from kaigai.cli.common import esc, output, table
from kaigai.cli.options import shared, takes


def duty(
    hs: Annotated[str, typer.Option("--hs", help="HS6 code or national line, e.g. 847130")],
    destination: Annotated[str, typer.Option("--to", help="Destination (importer), e.g. VNM")],
    origin: Annotated[
        str, typer.Option("--from", help="Origin (exporter) country, ISO3 or name (default JPN)")
    ] = "JPN",
    year: Annotated[
        int | None, typer.Option("--year", help="Rates in force on 31 Dec of this year")
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Rates in force on this date (YYYY-MM-DD)")
    ] = None,
    value: Annotated[
        float | None, typer.Option("--value", help="Customs value of the shipment")
    ] = None,
    currency: Annotated[str, typer.Option("--currency", help="Currency of --value")] = "JPY",
    jpy_per_unit: Annotated[
        float | None,
        typer.Option(
            "--jpy-rate",
            help="JPY per 1 unit of --currency (for yen specific duties); you supply it",
        ),
    ] = None,
    quantity: Annotated[
        float | None, typer.Option("--quantity", help="Quantity (for specific duties)")
    ] = None,
    unit: Annotated[
        str | None, typer.Option("--unit", help="Unit of --quantity: kg, l, m2, u, pair, head")
    ] = None,
    line: Annotated[
        str | None, typer.Option("--line", help="National line, e.g. 8471.30.000")
    ] = None,
    quota: Annotated[
        str | None, typer.Option("--quota", help="Tariff-rate quota position: in or out")
    ] = None,
    scenario: Annotated[
        list[Path] | None, typer.Option("--scenario", help="Scenario agreement file (TOML/YAML)")
    ] = None,
    annual_value: Annotated[
        float | None,
        typer.Option("--annual-value", help="Exports per year (JPY) for the FTA net benefit"),
    ] = None,
    shipments: Annotated[
        float, typer.Option("--shipments", help="Shipments (certificates) per year")
    ] = 12,
    costs: Annotated[
        Path | None, typer.Option("--costs", help="TOML with an [fta_costs] table")
    ] = None,
) -> None:
    """Every duty option side by side: MFN and each agreement in force, best option, staging path."""
    opts = shared()
    from kaigai.app.duty import DutyRequest, duty_options, net_benefit_for, resolve_date
    from kaigai.tariffs.render import text_chart

    st = opts.settings()
    req = DutyRequest(
        hs, origin, destination, resolve_date(year, as_of), value, currency, quantity, unit,
        line, quota, jpy_per_unit, tuple(scenario or ()), st.lang,
    ).checked()  # fmt: skip
    o, d, on, cur = req.origin, req.destination, req.on, req.currency
    res = duty_options(st, req)
    data = res.to_dict()
    if annual_value is not None:
        data["net_benefit"], note = net_benefit_for(st, req, res, annual_value, shipments, costs)
        if note:
            data["notes"].append(note)

    def human() -> None:
        from kaigai.core.i18n import t, tr

        lg = st.lang
        for ln in data["lines"]:
            rows = []
            for r in ln["options"]:
                duty_s = ""
                if r["duty"]:
                    lo, hi = r["duty"]["low"], r["duty"]["high"]
                    duty_s = f"{lo:,.0f}" if r["duty"]["exact"] else f"{lo:,.0f}–{hi:,.0f}"
                rate = r["rate"] or r["message"] or ""
                pct = (
                    ""
                    if r["rate_pct"] is None
                    else f"{r['rate_pct']:.4g}%" + (" (AVE)" if r["rate_is_ave"] else "")
                )
                margin = "" if r["margin_pct_points"] is None else f"{r['margin_pct_points']:+.4g}"
                roo = ""
                if r["origin_rule"]:
                    roo = _rule_cell(r["origin_rule"], lg)
                rows.append(
                    [
                        r["option"],
                        t(f"duty-status:{r['status']}", lg) if lg != "en" else r["status"],
                        tr(rate, lg)[:60],
                        pct,
                        duty_s,
                        margin,
                        roo,
                        r["provenance"]["dataset"]
                        + ":"
                        + r["provenance"]["locator"].split("column=")[-1].split(" ")[0],
                    ]
                )
            title = t("{hs6} {origin}→{destination} {line} {description} (as of {on})", lg,
                      hs6=data["hs6"], origin=o, destination=d, line=ln["national_line"],
                      description=ln["description"][:50], on=on)  # fmt: skip
            cols = ["option", "status", "rate", "%", f"duty ({cur})", "margin pp",
                    "rules of origin", "source"]  # fmt: skip
            if lg != "en":
                cols = [t(f"duty-col:{c}", lg) for c in cols[:4]] + [
                    t("duty ({currency})", lg, currency=cur)
                ] + [t(f"duty-col:{c}", lg) for c in cols[5:]]  # fmt: skip
            common.console.print(table(title, cols, rows))
            common.console.print(esc(t("best: {option} ({reason})", lg, option=ln["best"],
                                reason=tr(ln["best_reason"], lg))))  # fmt: skip
        for sc in data.get("surcharges", []):
            common.console.print(
                "[magenta]additional duty (Chapter 99, NOT added above):[/magenta] "
                + esc(
                    f"{sc['national_line']} {sc['hts_number']} '{sc['rate_text']}' - "
                    f"{sc['applies']}; scope: {sc['scope']} ({sc['provenance']['locator']})"
                )
            )
        for m in data["missing"]:
            common.console.print(
                f"[yellow]{esc(t('missing input:', lg))}[/yellow] {esc(tr(m, lg))}"
            )
        tax = data["import_tax"]
        if tax:
            amounts = ", ".join(f"{k} {v:,.0f}" for k, v in tax["by_option"].items())
            if lg == "en":
                common.console.print(
                    esc(
                        f"{tax['name']} {tax['rate_pct']}% on duty-paid value (stated separately): {amounts or ('give --value' if value is None else 'pick one national line with --line')}"
                    )
                )
            else:
                fill = amounts or (t("give --value", lg) if value is None
                                   else t("pick one national line with --line", lg))  # fmt: skip
                common.console.print(esc(t("{tax} {pct}% on duty-paid value (stated separately): {amounts}",
                                    lg, tax=tr(tax["name"], lg), pct=tax["rate_pct"], amounts=fill)))  # fmt: skip
        for line_s in text_chart(data["path"]):
            common.console.print(esc(line_s))
        for n in data["notes"]:
            common.console.print(esc(t("note: {text}", lg, text=tr(n, lg))))
        for nb in data.get("net_benefit", []):
            statement = nb["statement"] if lg == "en" else _benefit_ja(nb, lg)
            common.console.print(esc(f"{nb['option']}: {statement}"))

    output(data, opts.json, human)


def _rule_cell(rule: dict[str, Any], lang: str) -> str:
    """The rules-of-origin cell: the rule (Japanese labels in Japanese) or why there is none."""
    from kaigai.core.i18n import tr

    if lang == "ja" and rule.get("rule_ja"):
        return str(rule["rule_ja"])
    return tr(str(rule.get("rule") or rule.get("status", "")), lang)


def _benefit_ja(nb: dict[str, Any], lang: str) -> str:
    """The net-benefit verdict in ``lang`` from its figures (money in 万円 style)."""
    from kaigai.core.i18n import format_money, t

    def yen(v: float) -> str:
        return format_money(v, "JPY", lang)

    be = nb["break_even_annual_value"]
    if be is None:
        return t("No tariff margin over MFN on this path: using the agreement saves nothing.", lang)
    below = t("Not worth it below {amount} of exports per year.", lang, amount=yen(be))
    if nb["npv"] >= 0:
        head = t("Worth it: NPV {npv} over {years} years.", lang, npv=yen(nb["npv"]),
                 years=len(nb["margins_pct"]))  # fmt: skip
    else:
        head = t("Not worth it at {amount}/year (NPV {npv}).", lang,
                 amount=yen(nb["annual_value"]), npv=yen(nb["npv"]))  # fmt: skip
    return f"{head} {below}" if lang != "ja" else head + below


@takes("json", "config")
def duty_import(
    path: Annotated[
        Path, typer.Argument(help="Schedule file (CSV/Parquet, format in docs/tariffs.md)")
    ],
) -> None:
    """Import a national tariff schedule file (the documented kaigai schedule format)."""
    opts = shared()
    from kaigai.tariffs.user_schedule import import_schedule_file

    written = import_schedule_file(path, opts.settings())
    output(
        {"imported": [str(p) for p in written]},
        opts.json,
        lambda: common.console.print(esc(f"imported: {', '.join(map(str, written))}")),
    )


@takes("json", "config")
def duty_changes(
    hs: Annotated[
        list[str], typer.Option("--hs", help="HS code(s) or national line(s); repeatable")
    ],
    destination: Annotated[str, typer.Option("--to", help="Destination (importer), e.g. JPN")],
    since: Annotated[str, typer.Option("--since", help="Compare from the version in force on")],
    until: Annotated[
        str | None, typer.Option("--until", help="... to the version in force on (default: latest)")
    ] = None,
) -> None:
    """Every line whose rate changed between two dated schedule versions (`kaigai duty changes`)."""
    opts = shared()
    from kaigai.app.duty import resolve_date, tariff_index
    from kaigai.core.countries import normalize_country
    from kaigai.data.tariff_versions import schedule_versions
    from kaigai.tariffs.changes import changes, option_names

    st = opts.settings()
    d = normalize_country(destination)
    start = resolve_date(None, since)
    end = resolve_date(None, until) if until else None
    index = tariff_index(st)
    base, target, rows = changes(
        schedule_versions(st, d, index), hs, start, end, option_names(index.agreements, d)
    )
    data = {
        "destination": d,
        "hs": list(hs),
        "since": {"requested": start.isoformat(), "version": base.valid_from.isoformat(),
                  "source": base.label},
        "until": {"requested": end.isoformat() if end else None,
                  "version": target.valid_from.isoformat(), "source": target.label},
        "changes": [c.to_dict() for c in rows],
    }  # fmt: skip

    def human() -> None:
        common.console.print(
            table(
                f"{d} rate changes {base.valid_from} ({base.label}) -> {target.valid_from} "
                f"({target.label}): {len(rows)} line x column",
                ["national line", "option", "before", "after", "steps"],
                [
                    [
                        c.national_line,
                        c.option,
                        c.before or "(none)",
                        c.after or "(none)",
                        " → ".join(f"{dd}: {tt or '-'}" for dd, tt in c.steps),
                    ]  # fmt: skip
                    for c in rows
                ],
            )
        )

    output(data, opts.json, human)


def register(app: typer.Typer) -> None:
    app.command("duty")(duty)
    app.command("duty-import")(duty_import)
    app.command("duty-changes")(duty_changes)  # also `kaigai duty changes` (alias in cli.app)
