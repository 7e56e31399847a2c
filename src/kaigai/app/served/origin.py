"""Origin service: cached rule books, BOM validation via the origin engine, checks kept as claims."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Mapping
from typing import Any

from kaigai.app import origin as app_origin
from kaigai.core.countries import normalize_country
from kaigai.core.errors import InputError
from kaigai.hs.codes import normalize_hs6
from kaigai.origin.api import check
from kaigai.origin.bom import BOM, Product, parse_bom
from kaigai.origin.provisions import Agreement, load_agreements
from kaigai.origin.store import RuleBook
from kaigai.service.state import AppState
from kaigai.storage import records

# Stored BOM line keys = the origin engine's BOM columns.
LINE_KEYS = ("part_id", "part", "hs_code", "origin", "value", "currency", "quantity",
             "originating", "supplier_declaration", "parent", "weight_kg", "component",
             "wholly_obtained")  # fmt: skip


def context(
    state: AppState,
) -> tuple[dict[str, Agreement], Mapping[str, RuleBook], frozenset[str], frozenset[str]]:
    """(agreements, rule books, HS2022 set, HS2017 set): the application layer's prepared inputs."""
    c = app_origin.context(state.settings)
    return c.agreements, c.books, c.hs22, c.hs17


def agreements(state: AppState | None = None) -> list[str]:
    ags = load_agreements() if state is None else context(state)[0]
    return sorted(ags)


def agreement_list(state: AppState) -> list[dict[str, Any]]:
    ags, books, _, _ = context(state)
    return [
        {"id": a.id, "parties": list(a.parties), "has_rules": a.id in books}
        for a in sorted(ags.values(), key=lambda x: x.id)
    ]


def validate_lines(
    state: AppState, raw: list[dict[str, Any]], currency: str
) -> list[dict[str, Any]]:
    """Check raw BOM records with the origin engine (every problem named) and normalise them."""
    _, _, hs22, _ = context(state)
    bom = parse_bom(raw, currency, hs_codes=hs22, source="BOM")
    return [
        {
            "part_id": ln.part_id,
            "part": ln.part,
            "hs_code": ln.hs6,
            "origin": ln.origin,
            "value": ln.source_value,
            "currency": ln.source_currency,
            "quantity": ln.quantity,
            "originating": "" if ln.originating is None else ("yes" if ln.originating else "no"),
            "supplier_declaration": ";".join(ln.declaration),
            "parent": ln.parent or "",
            "weight_kg": ln.weight_kg,
            "component": "yes" if ln.component else "",
            "wholly_obtained": "yes" if ln.wholly_obtained else "",
        }  # fmt: skip
        for ln in bom.lines
    ]


def to_bom(state: AppState, lines: list[dict[str, Any]], currency: str) -> BOM:
    _, _, hs22, _ = context(state)
    return parse_bom(lines, currency, hs_codes=hs22, source="BOM")


def rule(state: AppState, agreement: str, hs6: str) -> dict[str, Any]:
    return app_origin.rule(state.settings, agreement, hs6)


def check_stored_bom(
    state: AppState,
    user_id: int,
    workspace_id: int,
    bom_id: int,
    *,
    importer: str,
    exporter: str = "JPN",
    agreement_ids: list[str] | None = None,
    on: dt.date | None = None,
    keep: bool = True,
    price_factor: float | None = None,
) -> dict[str, Any]:
    """Evaluate a stored BOM for every applicable (or named) agreement; keep each verdict as a claim.

    ``price_factor`` scales the product's prices for a what-if (then nothing is kept).
    """
    with state.db.session() as s:
        b = records.get_bom(s, user_id, workspace_id, bom_id)
        lines, currency, version = list(b.lines or []), b.currency, b.version
        hs6, fob, exw = b.product_hs6, b.fob_price, b.ex_works_price
    if fob is None and exw is None:
        raise InputError("The BOM has no product price.",
                         hint="Set the ex-works or FOB price of one unit on the BOM.")  # fmt: skip
    if price_factor is not None:
        keep = False
        fob = None if fob is None else fob * price_factor
        exw = None if exw is None else exw * price_factor
    ags, books, _, hs17 = context(state)
    bom = to_bom(state, lines, currency)
    exp = normalize_country(exporter)
    # every material wholly obtained in the exporting country: the product is (the WO criterion)
    product = Product(normalize_hs6(hs6), exp, normalize_country(importer), currency, fob, exw,
                      wholly_obtained=bom.wholly_obtained_in(exp))  # fmt: skip
    # The verdict is a pure function of the BOM version and the product facts: memoise it per
    # (workspace, BOM, version, product, agreements, date). Storing the claim still happens.
    key = ("origin-check", workspace_id, bom_id, version, tuple(product.__dict__.items()),
           tuple(agreement_ids or ()), on or dt.date.today())  # fmt: skip

    def evaluate() -> list[dict[str, Any]]:
        verdicts = check(bom, product, books, ags, hs17, agreement_ids, on=on)
        return [v.to_dict() for v in verdicts]

    out = copy.deepcopy(state.cached(key, evaluate, max_items=8192))
    claim_ids: list[int] = []
    if keep:
        with state.db.session() as s:
            for v in out:
                c = records.create_claim(s, user_id, workspace_id, {
                    "bom_id": bom_id, "bom_version": version, "agreement": v["agreement"],
                    "importer": product.importer, "verdict": v["status"],
                    "result": {"product": product.__dict__, "verdict": v,
                               "evaluated_on": (on or dt.date.today()).isoformat()},
                })  # fmt: skip
                claim_ids.append(c.id)
    return {"product": {**product.__dict__}, "bom_version": version, "verdicts": out,
            "claim_ids": claim_ids}  # fmt: skip


__all__ = ["LINE_KEYS", "agreement_list", "agreements", "check_stored_bom", "context", "rule",
           "to_bom", "validate_lines"]  # fmt: skip
