"""``kaigai duty``: duty options (MFN and agreements) for one product, origin and destination."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer

from kaigai.cli.common import ConfigOpt, JsonOpt, LangOpt, console, esc, output, settings, table
from kaigai.core.countries import normalize_country
from kaigai.core.errors import InputError
from kaigai.core.money import currency_code


def resolve_date(year: int | None, as_of: str | None, today: dt.date | None = None) -> dt.date:
    """``--as-of`` wins; ``--year Y`` means 31 Dec of Y (after Japan's 1 April and VN's 1 Jan cuts)."""
    if as_of:
        try:
            return dt.date.fromisoformat(as_of)
        except ValueError as exc:
            raise InputError(f"--as-of '{as_of}' is not a date.", hint="Use YYYY-MM-DD.") from exc
    if year is not None:
        if year < 1900 or year > 2100:
            raise InputError(f"--year {year} is out of range.", hint="e.g. --year 2027")
        return dt.date(year, 12, 31)
    return today or dt.date.today()


def origin_lookup(st: Any) -> Any:
    """Adapter to the origin engine's rule_for (None when the package or its data is absent)."""
    try:
        from kaigai.data.origin import build_books, hs_sets
        from kaigai.origin.api import rule_for
        from kaigai.origin.provisions import load_agreements
        from kaigai.origin.render import to_text

        books, ags = build_books(st), load_agreements()
        hs17 = hs_sets(st)[1]
    except Exception:  # noqa: BLE001 - optional engine: absent or without data
        return None

    def look(agreement: str, hs6: str) -> dict[str, Any]:
        m = rule_for(agreement, hs6, books, ags, hs17)
        return {
            "rule": to_text(m.rule) if m.rule is not None else None,
            "rule_text": [r.text for r in m.rows],
            "hs_edition": m.hs_edition,
            "edition_note": m.edition_note,
            "provenance": [p.to_dict() for p in m.provenance],
        }

    return look


def _benefit(
    res: Any, annual_value: float, shipments: float, costs_file: Path | None
) -> list[dict[str, Any]]:
    from kaigai.tariffs.benefit import load_costs, option_net_benefit, require_one_line

    require_one_line(res)  # before reading the cost file
    costs = load_costs(costs_file)
    out = []
    for r in res.lines[0].options:
        if r.option == "MFN" or r.status != "ok" or r.rate_pct is None:
            continue
        nb = option_net_benefit(res, r.option, annual_value, shipments, costs)
        out.append({"option": r.option, **{k: getattr(nb, k) for k in nb.__dataclass_fields__}})
    return out


def duty(
    hs: Annotated[str, typer.Option("--hs", help="HS6 code or national line, e.g. 847130")],
    origin: Annotated[str, typer.Option("--from", help="Origin (exporter) country, e.g. JPN")],
    destination: Annotated[str, typer.Option("--to", help="Destination (importer), e.g. VNM")],
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
    as_json: JsonOpt = False,
    lang: LangOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Every duty option side by side: MFN and each agreement in force, best option, staging path."""
    from kaigai.data.tariffs import cached_index
    from kaigai.tariffs.expr import Basis
    from kaigai.tariffs.options import DutyQuery, duty_options
    from kaigai.tariffs.render import text_chart

    st = settings(config, lang)
    if quota not in (None, "in", "out"):
        raise InputError(f"--quota must be 'in' or 'out', not '{quota}'.")
    if (quantity is None) != (unit is None):
        raise InputError("Give --quantity and --unit together.", hint="e.g. --quantity 5 --unit kg")
    if jpy_per_unit is not None and jpy_per_unit <= 0:
        raise InputError("--jpy-rate must be positive.", hint="e.g. --currency USD --jpy-rate 150")
    o, d = normalize_country(origin), normalize_country(destination)
    on = resolve_date(year, as_of)
    cur = currency_code(currency)
    index = cached_index(st, tuple(scenario or ()))
    q = DutyQuery(
        hs,
        o,
        d,
        on,
        Basis(
            value,
            cur if value is not None else None,
            quantity,
            unit,
            quota=quota,
            fx_to={"JPY": jpy_per_unit} if jpy_per_unit else {},
        ),
        line,
        rule_lookup=origin_lookup(st),
    )
    res = duty_options(index, q, st.lang)
    data = res.to_dict()
    if annual_value is not None:
        if annual_value <= 0 or shipments <= 0:
            raise InputError(
                "--annual-value and --shipments must be positive.",
                hint="e.g. --annual-value 3000000 --shipments 6",
            )
        bres = res
        if value is None:
            # Without --value the MFN duty of a shipment is unknown (status needs_input) and the
            # margin path would be empty: price one average shipment (annual value / shipments).
            per = annual_value / shipments
            bres = duty_options(
                index, replace(q, basis=replace(q.basis, value=per, currency="JPY")), st.lang
            )
            data["notes"].append(
                f"Net benefit priced on an average shipment of JPY {per:,.0f} "
                f"(--annual-value {annual_value:,.0f} / --shipments {shipments:g})."
            )
        data["net_benefit"] = _benefit(bres, annual_value, shipments, costs)

    def human() -> None:
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
                    roo = r["origin_rule"].get("rule") or r["origin_rule"].get("status", "")
                rows.append(
                    [
                        r["option"],
                        r["status"],
                        rate[:60],
                        pct,
                        duty_s,
                        margin,
                        roo,
                        r["provenance"]["dataset"]
                        + ":"
                        + r["provenance"]["locator"].split("column=")[-1].split(" ")[0],
                    ]
                )
            console.print(
                table(
                    f"{data['hs6']} {o}→{d} {ln['national_line']} {ln['description'][:50]} (as of {on})",
                    [
                        "option",
                        "status",
                        "rate",
                        "%",
                        f"duty ({cur})",
                        "margin pp",
                        "rules of origin",
                        "source",
                    ],
                    rows,
                )
            )
            console.print(esc(f"best: {ln['best']} ({ln['best_reason']})"))
        for m in data["missing"]:
            console.print(f"[yellow]missing input:[/yellow] {esc(m)}")
        tax = data["import_tax"]
        if tax:
            amounts = ", ".join(f"{k} {v:,.0f}" for k, v in tax["by_option"].items())
            console.print(
                esc(
                    f"{tax['name']} {tax['rate_pct']}% on duty-paid value (stated separately): {amounts or ('give --value' if value is None else 'pick one national line with --line')}"
                )
            )
        for line_s in text_chart(data["path"]):
            console.print(esc(line_s))
        for n in data["notes"]:
            console.print(esc(f"note: {n}"))
        for nb in data.get("net_benefit", []):
            console.print(esc(f"{nb['option']}: {nb['statement']}"))

    output(data, as_json, human)


def duty_import(
    path: Annotated[
        Path, typer.Argument(help="Schedule file (CSV/Parquet, format in docs/tariffs.md)")
    ],
    as_json: JsonOpt = False,
    config: ConfigOpt = None,
) -> None:
    """Import a national tariff schedule file (the documented kaigai schedule format)."""
    from kaigai.tariffs.user_schedule import import_schedule_file

    written = import_schedule_file(path, settings(config))
    output(
        {"imported": [str(p) for p in written]},
        as_json,
        lambda: console.print(esc(f"imported: {', '.join(map(str, written))}")),
    )


def register(app: typer.Typer) -> None:
    app.command("duty")(duty)
    app.command("duty-import")(duty_import)
