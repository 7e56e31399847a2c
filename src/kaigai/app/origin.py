"""Rules-of-origin questions: the rule for a product, a BOM check, what-if, the duty table's rules.

Loads rule books and HS code sets through :mod:`kaigai.data.origin` (memoised per catalog state,
:mod:`kaigai.app.cache`), checks the user's input, and calls the pure engine
(:mod:`kaigai.origin.api`). The CLI, the service and the export plan all come through here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kaigai.app.cache import memo
from kaigai.core.errors import InputError

if TYPE_CHECKING:
    from kaigai.core.config import Settings
    from kaigai.core.money import Rates
    from kaigai.origin.bom import BOM, Product
    from kaigai.origin.evaluator import Verdict
    from kaigai.origin.provisions import Agreement
    from kaigai.origin.store import RuleBook
    from kaigai.origin.whatif import WhatIf


@dataclass(frozen=True)
class OriginContext:
    """Prepared inputs of the origin engine for one catalog state."""

    agreements: dict[str, Agreement]
    books: Mapping[str, RuleBook]
    hs22: frozenset[str]
    hs17: frozenset[str]


def context(settings: Settings, extra: Path | None = None) -> OriginContext:
    """Agreements, rule books and HS sets, built once per catalog state (and extra YAML)."""
    from kaigai.data.origin import hs_sets
    from kaigai.data.rulebooks import agreements, prepared_books

    def make() -> OriginContext:
        hs22, hs17 = hs_sets(settings)
        ags = agreements(settings, extra)
        return OriginContext(ags, prepared_books(settings, ags, extra), hs22, hs17)

    return memo("origin.context", settings, make, str(extra or ""))


def rule(settings: Settings, agreement: str, hs6: str, extra: Path | None = None) -> dict[str, Any]:
    """The product-specific rule of ``agreement`` for ``hs6``: text (EN/JA), AST, source rows."""
    from kaigai.origin.api import rule_for
    from kaigai.origin.ast import to_dict
    from kaigai.origin.render import to_text, to_text_ja

    c = context(settings, extra)
    m = rule_for(agreement, hs6, c.books, c.agreements, c.hs17)
    return {
        "agreement": m.agreement,
        "hs6": m.hs6,
        "hs_edition": m.hs_edition,
        "edition_note": m.edition_note,
        "edition_ambiguous": m.edition_ambiguous,
        "rule_text": to_text(m.rule) if m.rule else None,
        "rule_text_ja": to_text_ja(m.rule) if m.rule else None,
        "ast": to_dict(m.rule) if m.rule else None,
        "source_rows": [{"text": r.text, "provenance": r.provenance.to_dict()} for r in m.rows],
        "unparsed_rows": [
            {"text": r.text, "error": r.error, "provenance": r.provenance.to_dict()}
            for r in m.unparsed
        ],
        "notes": list(m.notes),
    }


RuleLookup = Callable[[str, str], dict[str, Any]]


def rule_lookup(settings: Settings) -> RuleLookup | None:
    """The duty table's rules-of-origin column: (agreement, hs6) -> rule summary.

    None when the origin engine has no data here (the duty table then says so per option).
    """
    from kaigai.core.errors import KaigaiError

    try:
        context(settings)
    except KaigaiError:
        return None

    def look(agreement: str, hs6: str) -> dict[str, Any]:
        r = rule(settings, agreement, hs6)
        return {
            "rule": r["rule_text"],
            "rule_ja": r.get("rule_text_ja") or "",
            "rule_text": [x["text"] for x in r["source_rows"]],
            "hs_edition": r["hs_edition"],
            "edition_note": r["edition_note"],
            "provenance": [x["provenance"] for x in r["source_rows"] + r["unparsed_rows"]],
        }

    return look


def parse_rates(items: list[str] | None) -> Rates:
    """Exchange rates from ``BASE/QUOTE=VALUE`` strings (e.g. ``USD/JPY=150``)."""
    from kaigai.core.money import Rate, Rates

    out = []
    for it in items or []:
        try:
            pair, val = it.split("=")
            base, quote = pair.split("/")
            out.append(Rate(base, quote, Decimal(val), dt.date.today(), "command line --rate"))
        except ValueError as exc:
            raise InputError(f"--rate '{it}' should look like USD/JPY=150.") from exc
    return Rates.of(out)


def parse_date(text: str | None) -> dt.date | None:
    """An evaluation date ``YYYY-MM-DD`` (None: today's rules)."""
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise InputError(f"--date '{text}' is not YYYY-MM-DD.") from exc


def product(
    hs: str,
    exporter: str,
    importer: str,
    currency: str,
    fob: float | None,
    exw: float | None,
    net_cost: float | None = None,
    weight_kg: float | None = None,
    description: str = "",
    wholly_obtained: bool = False,
    processes: list[str] | None = None,
    confirmed: list[str] | None = None,
    operations: list[str] | None = None,
) -> Product:
    """The finished product to check, with the input checks every shell needs.

    ``operations``: what was done to the non-originating materials (minimal-operations check).
    """
    from kaigai.core.countries import normalize_country
    from kaigai.hs.codes import normalize_hs6
    from kaigai.origin.bom import Product

    for name, v in (("--fob", fob), ("--exw", exw), ("--net-cost", net_cost)):
        if v is not None and v <= 0:
            raise InputError(f"{name} must be positive, got {v:g}.")
    if fob is None and exw is None:
        raise InputError(
            "Give the product price: --fob and/or --exw.", hint="e.g. --fob 1000 --exw 950"
        )
    return Product(normalize_hs6(hs), normalize_country(exporter), normalize_country(importer),
                   currency.upper(), fob, exw, net_cost, weight_kg, description, wholly_obtained,
                   tuple(processes or ()), tuple(confirmed or ()), tuple(operations or ()))  # fmt: skip


def load_bom_file(
    settings: Settings, path: Path, currency: str, rates: Rates | None = None,
    extra: Path | None = None,
) -> BOM:  # fmt: skip
    """Read and validate a BOM file (.csv, .xlsx, .json) against the HS 2022 subheadings."""
    from kaigai.origin.bom import load_bom

    return load_bom(path, currency.upper(), rates=rates, hs_codes=context(settings, extra).hs22)


def declared_by_bom(bom: BOM, prod: Product) -> Product:
    """``prod`` declared wholly obtained when every BOM line is ``wholly_obtained = yes`` in the
    exporting country (the BOM column does what ``--wholly-obtained`` does)."""
    from dataclasses import replace

    if not prod.wholly_obtained and bom.wholly_obtained_in(prod.exporter):
        return replace(prod, wholly_obtained=True)
    return prod


def check(
    settings: Settings,
    bom: BOM,
    prod: Product,
    agreement_ids: list[str] | None = None,
    *,
    on: dt.date | None = None,
    rule_text: str | None = None,
    extra: Path | None = None,
) -> list[Verdict]:
    """Verdicts for every applicable (or named) agreement, or for one user ``rule_text``.

    A BOM whose every line is marked ``wholly_obtained = yes`` in the exporting country declares
    the product wholly obtained, as ``--wholly-obtained`` does.
    """
    from kaigai.origin.api import check as engine_check
    from kaigai.origin.api import check_rule

    prod = declared_by_bom(bom, prod)
    c = context(settings, extra)
    if rule_text is not None:
        if not agreement_ids or len(agreement_ids) != 1:
            raise InputError(
                "--rule needs exactly one --agreement (its de minimis, cumulation and RVC methods apply)."
            )
        return [check_rule(bom, prod, rule_text, agreement_ids[0], c.agreements, c.books, c.hs17,
                           on=on)]  # fmt: skip
    return engine_check(bom, prod, c.books, c.agreements, c.hs17, agreement_ids, on=on)


def whatif(
    settings: Settings, bom: BOM, prod: Product, agreement: str, *, premium_pct: float = 10.0,
    on: dt.date | None = None, extra: Path | None = None,
) -> WhatIf:  # fmt: skip
    """Cheapest changes that make ``prod`` qualify under ``agreement``, and sensitivities."""
    from kaigai.origin.whatif import whatif as engine_whatif

    if premium_pct < 0:
        raise InputError(f"--premium must be >= 0, got {premium_pct:g}.")
    c = context(settings, extra)
    return engine_whatif(bom, prod, c.books, c.agreements, c.hs17, agreement,
                         premium_pct=premium_pct, on=on)  # fmt: skip


def check_file(
    bom_path: Path,
    hs6: str,
    exporter: str,
    importer: str,
    settings: Settings,
    *,
    fob: float | None = None,
    exw: float | None = None,
    currency: str = "JPY",
    rates: Rates | None = None,
    agreement_ids: list[str] | None = None,
    extra: Path | None = None,
) -> list[Verdict]:
    """Load the rules and the BOM file, then check it (one call for scripts and the plan).

    Raises the same errors as :func:`kaigai.origin.bom.load_bom` and :func:`kaigai.origin.api.check`.
    """
    from kaigai.core.countries import normalize_country
    from kaigai.hs.codes import normalize_hs6
    from kaigai.origin.bom import Product

    bom = load_bom_file(settings, bom_path, currency, rates, extra)
    prod = Product(normalize_hs6(hs6), normalize_country(exporter), normalize_country(importer),
                   currency.upper(), fob, exw)  # fmt: skip
    return check(settings, bom, prod, agreement_ids, extra=extra)


def wo_criterion(agreement: str, lang: str) -> str:
    """The wholly-obtained criterion of ``agreement``, with its article, in ``lang`` (what an
    origin check shows beside a WO rule: ``kaigai origin check`` and the dashboard's BOM page)."""
    from kaigai.core.i18n import t
    from kaigai.origin.wholly import wo_article

    return t(
        "Wholly obtained (WO), {article}: the good must be wholly obtained in the exporting "
        "Party (plants grown and harvested there, animals born and raised there, minerals "
        "extracted there), with no imported or non-originating material; no product-specific "
        "rule is then needed.", lang, article=t(wo_article(agreement), lang),
    )  # fmt: skip


__all__ = [
    "OriginContext",
    "check",
    "check_file",
    "context",
    "load_bom_file",
    "parse_date",
    "parse_rates",
    "product",
    "rule",
    "rule_lookup",
    "whatif",
    "wo_criterion",
]
