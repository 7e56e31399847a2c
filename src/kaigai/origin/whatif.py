"""What-if: the cheapest changes that make a failing product qualify, and sensitivity to FX and prices.

Every candidate change is re-evaluated with the real evaluator; nothing is estimated from the
failing figures alone. Costs: re-sourcing an input from an originating supplier costs
``premium_pct`` per cent of its value (a user assumption, shown in the output); a price change
costs the increase in the product price.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from kaigai.origin.api import rule_for
from kaigai.origin.bom import BOM, BOMLine, Product
from kaigai.origin.evaluator import Verdict, evaluate
from kaigai.origin.provisions import Agreement, resolve_agreement
from kaigai.origin.store import RuleBook, RuleMatch


@dataclass(frozen=True)
class Change:
    kind: str  # "re-source" or "price"
    description: str
    parts: tuple[str, ...]
    cost: float
    value_affected: float
    status_after: str
    path_after: str

    def to_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


@dataclass(frozen=True)
class Sensitivity:
    item: str
    break_even_pct: float | None
    note: str

    def to_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


@dataclass(frozen=True)
class WhatIf:
    agreement: str
    status_before: str
    changes: tuple[Change, ...]
    sensitivity: tuple[Sensitivity, ...]
    assumptions: tuple[str, ...]
    currency: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "agreement": self.agreement,
            "status_before": self.status_before,
            "currency": self.currency,
            "changes": [c.to_dict() for c in self.changes],
            "sensitivity": [s.to_dict() for s in self.sensitivity],
            "assumptions": list(self.assumptions),
        }


def _resourced(bom: BOM, ids: set[str], exporter: str) -> BOM:
    lines = tuple(
        replace(
            ln,
            originating=True,
            declaration=("ALL",),
            origin=exporter if ln.origin not in ("",) else ln.origin,
        )
        if ln.part_id in ids
        else ln
        for ln in bom.lines
    )
    return BOM(lines, bom.currency)


def _purchased_noms(v: Verdict, bom: BOM) -> list[BOMLine]:
    parents = {ln.parent for ln in bom.lines if ln.parent}
    return [m.line for m in v.materials if not m.originating and m.line.part_id not in parents]


def whatif(
    bom: BOM,
    product: Product,
    books: Mapping[str, RuleBook],
    agreements: dict[str, Agreement],
    hs17: frozenset[str],
    agreement_id: str,
    *,
    premium_pct: float = 10.0,
    on: dt.date | None = None,
    max_changes: int = 5,
) -> WhatIf:
    """Ranked changes that make ``product`` qualify under one agreement, plus break-even sensitivities."""
    a = resolve_agreement(agreement_id, agreements)

    def lk(code: str) -> RuleMatch:
        return rule_for(a.id, code, books, agreements, hs17)

    match = lk(product.hs6)

    def run(b: BOM, p: Product) -> Verdict:
        return evaluate(b, p, match, a, lookup=lk, on=on)

    base = run(bom, product)
    assumptions = (f"re-sourcing from an originating supplier (exporter country or {a.id} partner with a supplier "
                   f"declaration) costs {premium_pct:g}% of the input's value",)  # fmt: skip
    changes: list[Change] = []
    if base.status != "qualifies":
        noms = sorted(_purchased_noms(base, bom), key=lambda ln: ln.value)
        tried: set[frozenset[str]] = set()
        candidates: list[set[str]] = [{ln.part_id} for ln in noms]
        if base.outcome is not None:
            for k in (*base.outcome.children, base.outcome):
                if k.failing:
                    candidates.append(set(k.failing))
        acc: set[str] = set()
        for ln in sorted(noms, key=lambda x: -x.value):
            acc = acc | {ln.part_id}
            candidates.append(set(acc))
        for ids in candidates:
            key = frozenset(ids)
            if not ids or key in tried:
                continue
            tried.add(key)
            v = run(_resourced(bom, ids, product.exporter), product)
            if v.status == "qualifies":
                val = sum(ln.value for ln in bom.lines if ln.part_id in ids)
                names = ", ".join(sorted(ids))
                changes.append(Change("re-source", f"source {names} from an originating supplier with a supplier declaration",
                                      tuple(sorted(ids)), val * premium_pct / 100, val, v.status, v.path))  # fmt: skip
        price_change = _price_change(run, bom, product)
        if price_change is not None:
            changes.append(price_change)
        changes.sort(key=lambda c: (c.cost, len(c.parts)))
        # drop supersets of a cheaper qualifying re-sourcing
        kept: list[Change] = []
        for c in changes:
            if c.kind == "re-source" and any(
                k.kind == "re-source" and set(k.parts) < set(c.parts) for k in kept
            ):
                continue
            kept.append(c)
        changes = kept[:max_changes]
    return WhatIf(
        a.id, base.status, tuple(changes), sensitivity(base, bom), assumptions, bom.currency
    )


def _price_change(run: Any, bom: BOM, product: Product) -> Change | None:
    """Smallest proportional increase of the product price (FOB and EXW) that qualifies, if any up to 3x."""
    lo, hi = 1.0, 3.0

    def ok(k: float) -> bool:
        p = replace(
            product,
            fob=product.fob * k if product.fob else None,
            exw=product.exw * k if product.exw else None,
        )
        return bool(run(bom, p).status == "qualifies")

    if not ok(hi):
        return None
    for _ in range(30):
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if ok(mid) else (mid, hi)
    price = product.fob or product.exw or 0.0
    inc = (hi - 1) * price
    p2 = replace(
        product,
        fob=product.fob * hi if product.fob else None,
        exw=product.exw * hi if product.exw else None,
    )
    v = run(bom, p2)
    return Change(
        "price",
        f"raise the product price by {100 * (hi - 1):.1f}% (+{bom.currency} {inc:,.0f})",
        (),
        inc,
        inc,
        v.status,
        v.path,
    )


def sensitivity(v: Verdict, bom: BOM) -> tuple[Sensitivity, ...]:
    """How far FX rates or input prices can move before the decisive value test flips."""
    out: list[Sensitivity] = []
    o = v.outcome
    head = None
    if o is not None:
        dec = [k for k in _leaves(o) if k.status == o.status and k.headroom_amount is not None]
        head = max(k.headroom_amount for k in dec) if dec else None
    if o is not None and o.status == "pass":
        steady = [
            k
            for k in (o.children or (o,))
            if k.status == "pass" and k.headroom_amount is None and not k.children
        ]
        if steady:
            return (
                Sensitivity(
                    "all",
                    None,
                    f"qualifies under '{steady[0].rule}', which does not depend on prices or FX",
                ),
            )
    if head is None:
        return (
            Sensitivity(
                "all",
                None,
                "decisive rule is not a value test (tariff shift/process); prices and FX do not move it except via de minimis",
            ),
        )
    noms = [m for m in v.materials if not m.originating]
    by_cur: dict[str, float] = {}
    for m in noms:
        by_cur[m.line.source_currency] = by_cur.get(m.line.source_currency, 0.0) + m.value
    for cur, val in sorted(by_cur.items()):
        if cur == bom.currency or val <= 0:
            continue
        out.append(
            Sensitivity(
                f"FX {cur}/{bom.currency}",
                100 * head / val,
                _note(f"{cur} against {bom.currency}", 100 * head / val),
            )
        )
    for m in sorted(noms, key=lambda x: -x.value)[:10]:
        if m.value > 0:
            out.append(
                Sensitivity(
                    f"price of {m.line.part_id}",
                    100 * head / m.value,
                    _note(m.line.part, 100 * head / m.value),
                )
            )
    return tuple(out)


def _note(what: str, pct: float) -> str:
    if pct >= 0:
        return f"{what} may rise {pct:.1f}% before the verdict flips (other things equal)"
    if pct < -100:
        return f"{what}: even a fall to zero would not make it qualify on its own"
    return f"{what} must fall {-pct:.1f}% to qualify on this value test (other things equal)"


def _leaves(o: Any) -> list[Any]:
    if not o.children:
        return [o]
    out: list[Any] = []
    for k in o.children:
        out += _leaves(k)
    return out


__all__ = ["Change", "Sensitivity", "WhatIf", "sensitivity", "whatif"]
