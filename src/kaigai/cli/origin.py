"""`kaigai origin …`: rule lookup, BOM check, what-if, draft documents, parse coverage."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from kaigai.cli.common import (
    console,
    emit_json,
    esc,
    output,
    settings,
    table,
)
from kaigai.cli.options import shared, takes

origin_app = typer.Typer(
    help="Rules of origin: rule lookup, BOM qualification, what-if, documents.",
    no_args_is_help=True,
)

AgreementOpt = Annotated[
    str,
    typer.Option(
        "--agreement", "-a", help="Agreement id or alias (CPTPP, RCEP, UK-JP, EU-JP, 日EU…)."
    ),
]
AgreementsOpt = Annotated[
    list[str] | None,
    typer.Option("--agreement", "-a", help="Limit to these agreements (repeatable)."),
]
HsOpt = Annotated[
    str, typer.Option("--hs", help="HS 2022 code of the finished product, e.g. 848210.")
]
BomOpt = Annotated[
    Path, typer.Option("--bom", help="BOM file (.csv, .xlsx or .json); see docs/origin.md.")
]
FromOpt = Annotated[
    str, typer.Option("--from", help="Exporting country, ISO3 or name (default JPN).")
]
ToOpt = Annotated[str, typer.Option("--to", help="Importing country (ISO3 or name).")]
FobOpt = Annotated[
    float | None, typer.Option("--fob", help="FOB price of one unit, in --currency.")
]
ExwOpt = Annotated[
    float | None, typer.Option("--exw", help="Ex-works price of one unit, in --currency.")
]
CurOpt = Annotated[
    str, typer.Option("--currency", help="Currency of the prices and of the evaluation.")
]
RateOpt = Annotated[
    list[str] | None,
    typer.Option("--rate", help="Exchange rate BASE/QUOTE=VALUE, e.g. USD/JPY=150 (repeatable)."),
]
ProcOpt = Annotated[
    list[str] | None, typer.Option("--process", help="A specific process you perform (repeatable).")
]
ConfOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--confirm", help="Condition or product description you confirm (repeatable; 'all')."
    ),
]
OpsOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--operations",
        help="Operation performed on non-originating materials (repeatable): ids of the agreement's "
        "minimal-operations list (e.g. simple-packing, marking) or your own words.",
    ),
]
DateOpt = Annotated[
    str | None, typer.Option("--date", help="Evaluation date for date-staged rules (YYYY-MM-DD).")
]
RulesOpt = Annotated[
    Path | None,
    typer.Option("--agreements-file", help="Extra agreements YAML (adds or overrides)."),
]


def _ctx(config: Path | None, lang: str | None, extra: Path | None) -> tuple[Any, Any]:
    """(settings, prepared origin inputs) for one command."""
    from kaigai.app.origin import context

    s = settings(config, lang)
    return s, context(s, extra)


@origin_app.command("rule")
def rule_cmd(agreement: AgreementOpt, hs: HsOpt, extra: RulesOpt = None) -> None:
    """Show the product-specific rule of an agreement for an HS code: text, Japanese labels and AST."""
    opts = shared()
    from kaigai.app.origin import rule

    data = rule(opts.settings(), agreement, hs, extra)

    def human() -> None:
        from kaigai.core.i18n import t, tr

        lg = opts.settings().lang
        console.print(
            f"[bold]{esc(data['agreement'])}[/bold] HS {data['hs6']} ({data['hs_edition']}) — {esc(tr(data['edition_note'], lg))}"
        )
        for n in data["notes"]:
            console.print(f"[yellow]{esc(t('note:', lg))}[/yellow] {esc(tr(n, lg))}")
        if lg == "en":
            console.print(f"[bold]Rule:[/bold] {esc(data['rule_text'])}")
        console.print(f"[bold]規則:[/bold] {esc(data['rule_text_ja'])}")
        if lg != "en":  # the treaty's wording, quoted
            console.print(esc(t("Rule as written: {text}", lg, text=data["rule_text"])))
        for r in data["unparsed_rows"]:
            console.print(
                f"[red]{esc(t('needs manual review:', lg))}[/red] {esc(r['text'][:200])} ({esc(r['error'])})"
            )
        if lg == "en":
            console.print_json(json.dumps(data["ast"], ensure_ascii=False))
        else:
            console.print(esc(t("The rule's structure (AST) is in the --json output.", lg)))

    output(data, opts.json, human)


@origin_app.command("check")
def check_cmd(bom: BomOpt, hs: HsOpt, to: ToOpt, frm: FromOpt = "JPN", agreement: AgreementsOpt = None,
              fob: FobOpt = None, exw: ExwOpt = None, currency: CurOpt = "JPY", rate: RateOpt = None,
              net_cost: Annotated[float | None, typer.Option("--net-cost", help="Net cost of one unit in --currency (for RVC net-cost methods, e.g. CPTPP autos).")] = None,
              weight: Annotated[float | None, typer.Option("--weight-kg", help="Net weight of one unit in kg (for weight-based tolerances).")] = None,
              description: Annotated[str, typer.Option("--description", help="Product description, used in the output and for rules that depend on it.")] = "",
              wholly_obtained: Annotated[bool, typer.Option("--wholly-obtained", help="Declare the good wholly obtained or produced in the exporting party (grown, harvested, mined there; no imported materials). Such goods qualify under the agreement's wholly-obtained criterion without a product-specific rule.")] = False,
              process: ProcOpt = None, confirm: ConfOpt = None, date: DateOpt = None, operations: OpsOpt = None,
              rule: Annotated[str | None, typer.Option("--rule", help="Evaluate this rule text instead (one --agreement gives the provisions).")] = None,
              extra: RulesOpt = None) -> None:  # fmt: skip
    """Check whether a product made from a BOM qualifies under every applicable agreement (or one --rule)."""
    opts = shared()
    from kaigai.app import origin as ao

    st = opts.settings()
    b = ao.load_bom_file(st, bom, currency, ao.parse_rates(rate), extra)
    p = ao.product(hs, frm, to, currency, fob, exw, net_cost, weight, description, wholly_obtained,
                   process, confirm, operations)  # fmt: skip
    p = ao.declared_by_bom(b, p)
    verdicts = ao.check(st, b, p, agreement, on=ao.parse_date(date), rule_text=rule, extra=extra)
    data = {"product": p.__dict__, "verdicts": [v.to_dict() for v in verdicts]}
    wo = _wo_criterion(verdicts, p, wholly_obtained, st.lang)
    if wo:
        data["wholly_obtained_criterion"] = wo

    def human() -> None:
        from kaigai.core.i18n import t, tr

        lg = st.lang

        def why(v: Any) -> str:
            if v.status == "qualifies":
                return tr(v.reasons[0], lg) if v.reasons else ""
            sep = "; " if lg == "en" else "。"
            return sep.join(tr(r, lg) for r in v.reasons)[:160]

        rows = [(v.agreement, t(f"verdict:{v.status}", lg) if lg != "en" else v.status,
                 tr(v.path, lg) or "—", why(v)) for v in verdicts]  # fmt: skip
        cols = ["Agreement", "Verdict", "Rule path", "Margin / reasons"]
        title = t("Origin check {hs6} {exporter}->{importer}", lg, hs6=p.hs6,
                  exporter=p.exporter, importer=p.importer)  # fmt: skip
        console.print(table(title, [t(c, lg) for c in cols], rows))
        for v in verdicts:
            if opts.lang == "ja" and v.rule_text_ja:
                console.print(f"[bold]{esc(v.agreement)} 規則:[/bold] {esc(v.rule_text_ja)}")
            if v.agreement in wo:
                console.print(
                    f"[cyan]{esc(v.agreement)}:[/cyan] {esc(wo[v.agreement]['explanation'])}"
                )
            for n in v.notes:
                console.print(f"[yellow]{esc(v.agreement)}:[/yellow] {esc(tr(n, lg)[:700])}")

    output(data, opts.json, human)


def _wo_criterion(verdicts: list[Any], p: Any, flag: bool, lang: str) -> dict[str, Any]:
    """Per agreement whose rule is the wholly-obtained criterion: its article, whether and how
    the product is declared, and the explanation shown (issue 15 item 2)."""
    from kaigai.app.origin import wo_criterion
    from kaigai.core.countries import country_label
    from kaigai.core.i18n import t
    from kaigai.origin.wholly import uses_wo, wo_article

    how = ("--wholly-obtained" if flag else "bom") if p.wholly_obtained else None
    out: dict[str, Any] = {}
    for v in verdicts:
        if not uses_wo(v):
            continue
        text = wo_criterion(v.agreement, lang)
        if how == "--wholly-obtained":
            text += " " + t("Declared wholly obtained with --wholly-obtained.", lang)
        elif how == "bom":
            text += " " + t(
                "Declared wholly obtained: every BOM line has wholly_obtained = yes.", lang
            )
        else:
            text += " " + t(
                "Not declared. If the product is made only from what is grown, harvested or "
                "extracted in {country}, add a column wholly_obtained = yes to every line of the BOM "
                "file or pass --wholly-obtained, and keep farm or production records as proof.",
                lang, country=country_label(p.exporter, lang),
            )  # fmt: skip
        out[v.agreement] = {"article": wo_article(v.agreement), "declared": how is not None,
                            "declared_by": how, "explanation": text}  # fmt: skip
    return out


@origin_app.command("whatif")
def whatif_cmd(bom: BomOpt, hs: HsOpt, to: ToOpt, agreement: AgreementOpt, frm: FromOpt = "JPN",
               fob: FobOpt = None, exw: ExwOpt = None, currency: CurOpt = "JPY", rate: RateOpt = None,
               premium: Annotated[float, typer.Option("--premium", help="Assumed extra cost (%) of originating supply.")] = 10.0,
               process: ProcOpt = None, confirm: ConfOpt = None, date: DateOpt = None, operations: OpsOpt = None,
               extra: RulesOpt = None) -> None:  # fmt: skip
    """Cheapest changes that make the product qualify, and sensitivity to FX and input prices."""
    opts = shared()
    from kaigai.app import origin as ao

    st = opts.settings()
    b = ao.load_bom_file(st, bom, currency, ao.parse_rates(rate), extra)
    p = ao.product(
        hs, frm, to, currency, fob, exw, None, None, "", False, process, confirm, operations
    )
    w = ao.whatif(st, b, p, agreement, premium_pct=premium, on=ao.parse_date(date), extra=extra)

    def human() -> None:
        console.print(f"[bold]{esc(w.agreement)}[/bold]: {esc(w.status_before)}")
        if w.changes:
            console.print(table("Changes that make it qualify (cheapest first)", ["Change", f"Cost ({w.currency})", "Then"],
                                [(c.description, f"{c.cost:,.0f}", f"{c.status_after}: {c.path_after}") for c in w.changes]))  # fmt: skip
        console.print(table("Sensitivity (break-even moves)", ["Item", "Break-even %", "Note"],
                            [(s.item, "" if s.break_even_pct is None else f"{s.break_even_pct:+.1f}", s.note) for s in w.sensitivity]))  # fmt: skip
        for a in w.assumptions:
            console.print(f"[dim]assumption: {esc(a)}[/dim]")

    output(w.to_dict(), opts.json, human)


@origin_app.command("docs")
def docs_cmd(bom: BomOpt, hs: HsOpt, to: ToOpt, out: Annotated[Path, typer.Option("--out", help="Output folder.")],
             agreement: Annotated[str | None, typer.Option("--agreement", "-a", help="Agreement id or alias (CPTPP, RCEP, UK-JP, EU-JP, 日EU…). Default: the first agreement the product qualifies under, in `origin check` order.")] = None,
             frm: FromOpt = "JPN", fob: FobOpt = None, exw: ExwOpt = None, currency: CurOpt = "JPY", rate: RateOpt = None,
             exporter_name: Annotated[str, typer.Option("--exporter-name", help="Exporter name printed on the documents.")] = "",
             description: Annotated[str, typer.Option("--description", help="Goods description printed on the documents.")] = "",
             fmt: Annotated[str, typer.Option("--format", help="Comma list of json, html, pdf.")] = "json,html,pdf",
             supplier_part: Annotated[str | None, typer.Option("--supplier-declaration-for", help="part_id: draft a supplier declaration for it instead.")] = None,
             process: ProcOpt = None, confirm: ConfOpt = None, date: DateOpt = None, operations: OpsOpt = None,
             extra: RulesOpt = None) -> None:  # fmt: skip
    """Draft the self-declaration / certificate data (or a supplier declaration) with the worksheet."""
    opts = shared()
    from kaigai.app import documents

    formats = documents.formats_of(fmt)
    st, _ = _ctx(opts.config, opts.lang, extra)
    docs = documents.draft(
        st, bom, hs, to, agreement=agreement, frm=frm, fob=fob, exw=exw, currency=currency,
        rates=rate, exporter_name=exporter_name, description=description,
        supplier_part=supplier_part, process=process, confirm=confirm, date=date,
        operations=operations, extra=extra,
    )  # fmt: skip
    written = documents.write(docs, out, formats, opts.lang or "en")
    chosen_note, data = docs.note, docs.data
    if opts.json:
        emit_json({"agreement": docs.agreement, "agreement_note": chosen_note, "written": written,
                   "retention": data["retention"]})  # fmt: skip
    else:
        if chosen_note:
            console.print(esc(chosen_note))
        for w in written:
            console.print(esc(f"wrote {w}"))
        console.print(esc(data["retention"]))


@origin_app.command("coverage")
@takes("json", "config")
def coverage_cmd(extra: RulesOpt = None) -> None:
    """Rule rows parsed per agreement, and which general provisions are applied per agreement."""
    opts = shared()
    from kaigai.origin.general import provisions_table

    _, c = _ctx(opts.config, None, extra)
    data = {
        k: {**b.coverage(), "dataset": b.dataset, "hs_edition": b.hs_edition}
        for k, b in c.books.items()
    }
    prov = {k: provisions_table(a) for k, a in c.agreements.items() if a.has_rules}

    def human() -> None:
        console.print(table("Rule parse coverage", ["Agreement", "Rows", "Parsed", "Share"],
                            [(k, d["rows"], d["parsed"], f"{100 * float(d['share_parsed']):.2f}%") for k, d in data.items()]))  # fmt: skip
        names = [r["provision"] for r in next(iter(prov.values()))]
        console.print(table("General provisions applied", ["Provision", *prov],
                            [(n, *(rows[i]["status"] for rows in prov.values())) for i, n in enumerate(names)]))  # fmt: skip

    output({"parse_coverage": data, "provisions": prov}, opts.json, human)


def register(app: typer.Typer) -> None:
    app.add_typer(origin_app, name="origin")


__all__ = ["origin_app", "register"]
