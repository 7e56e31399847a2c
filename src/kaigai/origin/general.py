"""General provisions an origin audit checks besides the product-specific rule.

* textile tolerance by weight (CPTPP ORD Art. 11(4)-(6), RCEP Art. 3.7(1)(b), EU-JP/UK-JP Annex 3-A
  Notes 7-8, JVEPA Art. 28): for goods of Chapters 50-63 the value de minimis is replaced by a
  weight tolerance on a stated basis (the good, the component that determines classification,
  or all basic textile materials);
* de minimis exclusions (CPTPP ORD Art. 11(7)): failing materials that no tolerance may forgive;
* minimal (insufficient / non-qualifying) operations per agreement: a good whose only production
  is on the list does not originate even when it meets its rule;
* the provisions table: which general provisions kaigai applies per agreement, and which not.

The numbers and lists live in ``origin/data/agreements.yaml`` with a citation each.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kaigai.origin.provisions import Agreement, in_ranges
from kaigai.origin.render import fmt_code
from kaigai.origin.verdict import Material, Outcome

_FIBRES_YARNS = (
    "5001-5006",
    "5101-5110",
    "5201-5207",
    "5301-5308",
    "5401-5406",
    "5501-5511",
    "5604-5607",
)


def exclusions(a: Agreement, hs6: str, failing: Iterable[Material]) -> list[tuple[Material, str]]:
    """Failing materials that the de minimis may not forgive for product ``hs6`` (with the cite)."""
    out: list[tuple[Material, str]] = []
    for ex in (a.de_minimis or {}).get("exclusions", []) or []:
        if not in_ranges(hs6, ex.get("product", [])) or in_ranges(
            hs6, ex.get("product_except", [])
        ):
            continue
        for m in failing:
            if in_ranges(m.line.hs6, ex.get("materials", [])) and all(m is not x for x, _ in out):
                out.append((m, str(ex.get("cite", ""))))
    return out


def is_textile(a: Agreement, hs6: str) -> bool:
    tt = a.textile_tolerance
    return bool(tt) and in_ranges(hs6, tt.get("chapters", []))


def textile_tolerance(
    a: Agreement, hs6: str, product_weight: float | None, failing: list[Material],
    materials: tuple[Material, ...], text: str,
) -> Outcome:  # fmt: skip
    """Weight tolerance for a textile good whose ``failing`` materials miss the tariff shift."""
    tt = a.textile_tolerance
    pct = float(tt["percent"])
    cite = str(tt.get("cite", ""))
    basis = str(tt.get("basis", "good"))
    if basis == "component" and not in_ranges(hs6, tt.get("component_chapters", [])):
        basis = "good"
    free = [m for m in failing if in_ranges(hs6, tt.get("free_non_textile_for", []))
            and not in_ranges(m.line.hs6, ["50-63"])]  # fmt: skip
    failing = [m for m in failing if m not in free]
    if not failing:
        return Outcome("pass", text, "non-textile materials may be used without restriction in goods of "
                       f"Chapters 61-63 ({tt.get('free_cite', cite)})")  # fmt: skip
    elastic = set(tt.get("elastomeric", []) or [])
    blocked: list[str] = []
    eligible: list[Material] = []
    for m in failing:
        tag = f"{m.line.part_id} {m.line.part} ({fmt_code(m.line.hs6)}, {m.line.origin})"
        if m.line.hs6 in elastic:
            blocked.append(
                f"{tag} is elastomeric yarn: it must be wholly formed in the Parties, no tolerance"
            )
        elif basis == "component" and not (
            m.line.component and in_ranges(m.line.hs6, _FIBRES_YARNS)
        ):
            blocked.append(
                f"{tag} is not a fibre or yarn of the component that determines classification"
            )
        elif basis == "basic_textile" and not in_ranges(m.line.hs6, tt.get("basic_textile", [])):
            blocked.append(f"{tag} is not a basic textile material")
        else:
            eligible.append(m)
    if blocked:
        return Outcome(
            "fail",
            text,
            "; ".join(blocked) + f" ({cite})",
            failing=tuple(m.line.part_id for m in failing),
        )
    if basis == "component":
        comp = [m for m in materials if m.line.component]
        base = (
            sum(m.line.weight_kg or 0.0 for m in comp)
            if comp and all(m.line.weight_kg is not None for m in comp)
            else None
        )
        what = "the component that determines classification (BOM lines marked component=yes)"
    elif basis == "basic_textile":
        basic = [m for m in materials if in_ranges(m.line.hs6, tt.get("basic_textile", []))]
        kinds = {m.line.hs6[:2] if m.line.hs6[:2] != "56" else m.line.hs6[:4] for m in basic}
        if len(kinds) < 2:
            return Outcome("fail", text, "textile tolerance needs two or more basic textile materials; the BOM has "
                           f"{len(kinds)} ({cite})", failing=tuple(m.line.part_id for m in failing))  # fmt: skip
        base = (
            sum(m.line.weight_kg or 0.0 for m in basic)
            if all(m.line.weight_kg is not None for m in basic)
            else None
        )
        what = "all basic textile materials used"
    else:
        base, what = product_weight, "the good (--weight-kg)"
    if base is None or base <= 0 or any(m.line.weight_kg is None for m in eligible):
        return Outcome("unknown", text, f"textile tolerance is by weight ({cite}): give weight_kg for the failing "
                       f"materials and the weight of {what}")  # fmt: skip
    w = sum(m.line.weight_kg or 0.0 for m in eligible)
    share = w / base * 100
    ok = share <= pct + 1e-9
    margin = (f"textile tolerance: failing materials {w:g} kg = {share:.1f}% of the weight of {what} "
              f"({base:g} kg) vs {pct:g}% allowed")  # fmt: skip
    return Outcome("pass" if ok else "fail", text, margin + f" ({cite})", margin if ok else "", pct - share,
                   failing=tuple(m.line.part_id for m in eligible), figures={"weight_share": share})  # fmt: skip


def minimal_operations(
    a: Agreement, declared: tuple[str, ...], mats: tuple[Material, ...]
) -> tuple[str, str]:
    """(failure reason, question): the good does not originate if only listed operations were done.

    ``declared`` are the operations the producer says it performed (ids of the agreement's list, or
    free text). Empty failure reason = no finding; the question is asked when nothing was declared.
    """
    spec = a.minimal_operations
    if not spec or not spec.get("operations") or all(m.originating for m in mats):
        return "", ""
    ops = {str(o["id"]): str(o["text"]) for o in spec["operations"]}
    cite = str(spec.get("cite", ""))
    if not declared:
        return "", (
            f"Which operations were performed on the non-originating materials? Under {a.id} a good does not "
            f"originate if only minimal operations were done: {', '.join(ops)} ({cite}). "
            "Declare them with --operations (these ids, or your own words for other operations)."
        )
    norm = [d.strip().lower() for d in declared if d.strip()]
    if norm and all(d in ops for d in norm):
        return (f"only minimal operations were performed ({', '.join(norm)}): the good does not originate "
                f"under {a.id} even though it meets the rule ({cite})"), ""  # fmt: skip
    return "", ""


def _rows(a: Agreement) -> list[tuple[str, str, str]]:
    dm, tt, mo, cu = a.de_minimis, a.textile_tolerance, a.minimal_operations, a.cumulation
    rows: list[tuple[str, str, str]] = []
    rows.append(("product-specific rules", "implemented" if a.has_rules else "not implemented",
                 (a.rules or {}).get("note", "no rule data") if a.rules else "no rule data"))  # fmt: skip
    rows.append(("HS edition concordance", "implemented" if a.has_rules else "not implemented",
                 f"{(a.rules or {}).get('hs_edition', '-')} rules; HS2022 codes mapped through HS2017, ambiguous splits said"))  # fmt: skip
    rows.append(("value de minimis", "implemented" if dm.get("percent") else "not implemented",
                 str(dm.get("cite", ""))))  # fmt: skip
    ex = dm.get("exclusions")
    rows.append(("de minimis exclusions", "implemented" if ex else str(dm.get("exclusions_status", "not in agreement")),
                 "; ".join(str(e.get("cite", "")) for e in ex) if ex else str(dm.get("exclusions_cite", ""))))  # fmt: skip
    rows.append(
        (
            "textile tolerance by weight",
            "implemented" if tt else "not implemented",
            str(tt.get("cite", "")),
        )
    )
    rows.append(("minimal operations", "implemented" if mo.get("operations") else str(mo.get("status", "not implemented")),
                 str(mo.get("cite", ""))))  # fmt: skip
    rows.append(("cumulation of originating materials", f"implemented ({cu.get('type')})" if cu else "not implemented",
                 str(cu.get("cite", ""))))  # fmt: skip
    proc = cu.get("processing")
    rows.append(("cumulation of production in a partner", "implemented" if proc else str(cu.get("processing_status", "not in agreement")),
                 str(cu.get("processing_cite", ""))))  # fmt: skip
    ext = cu.get("extended")
    rows.append(("extended/diagonal cumulation", str(ext.get("status", "implemented")) if ext else "not in agreement",
                 str(ext.get("cite", "")) if ext else ""))  # fmt: skip
    rows.append(("direct transport / non-alteration", "stated, not checked", a.direct_transport))
    rows.append(
        ("proofs of origin", "documents drafted" if a.proofs else "not implemented", a.proofs_cite)
    )
    rows.append(
        (
            "record keeping",
            "stated" if a.retention.get("years") else "not implemented",
            str(a.retention.get("cite", "")),
        )
    )
    for name in ("accessories, spare parts and tools", "packing materials and containers", "indirect materials / neutral elements",
                 "sets", "accounting segregation of fungible materials"):  # fmt: skip
        rows.append((name, "not implemented", "the BOM lists what counts; these are not modelled"))
    return rows


def provisions_table(a: Agreement) -> list[dict[str, Any]]:
    """One row per general provision: name, status, citation/detail."""
    return [{"provision": p, "status": s, "detail": d} for p, s, d in _rows(a)]


__all__ = [
    "exclusions",
    "is_textile",
    "minimal_operations",
    "provisions_table",
    "textile_tolerance",
]
