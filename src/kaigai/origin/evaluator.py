"""Evaluate a finished product's BOM against a rule tree: verdict, path, margins and trace.

Three-valued: each node passes, fails, or is ``unknown`` (a condition, process or product split
that the producer must confirm). Alternatives (``Or``) pass if any passes; ``And`` fails if any
part fails. Formulas (cited per agreement in agreements.yaml):

* build-down RVC = (P - VNM) / P; build-up RVC = VOM / P; net cost RVC = (NC - VNM) / NC;
  focused value RVC = (P - FVNM) / P, with P the FOB (or EXW) price.
* MaxNOM = VNM / EXW.
* A tariff shift fails for a non-originating material of the same chapter/heading/subheading as
  the product or of an excluded code; de minimis forgives failing materials whose total value is
  at most the agreement's percentage of the price.

Node criteria (shift, RVC, material limits) are in :mod:`kaigai.origin.criteria`; the result
types (:class:`Verdict`, :class:`Outcome`, :class:`Material`, :class:`Context`) in
:mod:`kaigai.origin.verdict`, re-exported here.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import replace

from kaigai.origin.ast import (
    PE,
    RVC,
    WO,
    And,
    Condition,
    Dated,
    ForProduct,
    MaterialLimit,
    MaxNOM,
    Node,
    Or,
    Process,
    Shift,
    WOMaterials,
)
from kaigai.origin.bom import BOM, BOMLine, Product
from kaigai.origin.criteria import eval_limit, eval_rvc, eval_shift
from kaigai.origin.general import minimal_operations
from kaigai.origin.provisions import Agreement
from kaigai.origin.render import fmt_code, to_text, to_text_ja
from kaigai.origin.store import RuleMatch
from kaigai.origin.verdict import Context, Material, Outcome, Status, Verdict, money


def line_originating(
    line: BOMLine,
    agreement: Agreement,
    exporter: str,
    importer: str,
    product: Product | None = None,
) -> tuple[bool, str]:
    """Originating status of a purchased line under one agreement (with cumulation).

    Extended cumulation (UK-JP ORD Art. 4(2): EU-originating materials for the goods of Annex C)
    needs the supplier declaration and the producer's confirmation that the good is in the list.
    """
    if line.origin == "UNKNOWN":
        return False, "undetermined origin counts as non-originating"
    if line.originating is not True:
        return False, "not declared originating"
    if not line.declaration:
        return False, "declared originating but no supplier declaration on file"
    if not ({"ALL", "*", agreement.id.upper()} & set(line.declaration)):
        return (
            False,
            f"supplier declaration covers {', '.join(line.declaration)}, not {agreement.id}",
        )
    zone = agreement.cumulation_zone(exporter, importer)
    if line.origin not in zone and line.origin in agreement.extended_zone():
        ext = agreement.cumulation.get("extended") or {}
        need = str(ext.get("confirm", ""))
        cite = str(ext.get("cite", ""))
        if product is not None and (need in product.confirmed or "all" in product.confirmed):
            return (
                True,
                f"originating in {line.origin} with supplier declaration (extended cumulation: {cite})",
            )
        return False, (f"{line.origin} materials count only under extended cumulation for the listed goods ({cite}): "
                       f"confirm with --confirm \"{need}\" if the product is listed")  # fmt: skip
    if line.origin not in zone:
        return False, f"{line.origin} is outside the {agreement.id} cumulation zone"
    how = (
        "" if line.origin == exporter else f" (cumulation: {agreement.cumulation.get('type', '')})"
    )
    return True, f"originating in {line.origin} with supplier declaration{how}"


def roll_up(
    bom: BOM,
    product: Product,
    agreement: Agreement,
    lookup: Callable[[str], RuleMatch] | None,
    on: dt.date,
    parent: str | None = None,
    trace: list[str] | None = None,
) -> tuple[Material, ...]:
    """Direct inputs of ``parent`` with originating status; intermediates are evaluated first."""
    out: list[Material] = []
    for ln in bom.children(parent):
        kids = bom.children(ln.part_id)
        if not kids:
            ok, why = line_originating(ln, agreement, product.exporter, product.importer, product)
            out.append(Material(ln, ok, why))
            continue
        if ln.origin != product.exporter:
            # an intermediate made by a supplier elsewhere: its production counts only under
            # cumulation of production (e.g. CPTPP ORD Art. 10(3), EU-JP Art. 3.5(2)) with a declaration
            cu = agreement.cumulation
            in_zone = ln.origin in agreement.cumulation_zone(product.exporter, product.importer)
            declared = bool({"ALL", "*", agreement.id.upper()} & set(ln.declaration))
            if not (cu.get("processing") and in_zone and declared):
                ok, why = line_originating(
                    ln, agreement, product.exporter, product.importer, product
                )
                why = (f"{why}; its own materials are not credited (production in {ln.origin} counts only under "
                       f"cumulation of production with a supplier declaration: "
                       f"{cu.get('processing_cite') or 'not provided by ' + agreement.id})")  # fmt: skip
                out.append(Material(ln, ok, why))
                continue
        sub_mats = roll_up(bom, product, agreement, lookup, on, ln.part_id, trace)
        if lookup is None:
            out.append(
                Material(
                    ln, False, "intermediate: no rule lookup given, treated as non-originating"
                )
            )
            continue
        try:
            m = lookup(ln.hs6)
        except Exception as exc:  # noqa: BLE001 - missing rule data means non-originating, reported
            out.append(Material(ln, False, f"intermediate: {exc}"))
            continue
        sub = Product(ln.hs6, product.exporter, product.importer, bom.currency, fob=ln.value, exw=ln.value,
                      processes=product.processes, confirmed=product.confirmed)  # fmt: skip
        res = evaluate_node(m.rule, Context(sub, agreement, sub_mats, on)) if m.rule else None
        ok = res is not None and res.status == "pass"
        who = (
            "the producer"
            if ln.origin == product.exporter
            else f"a supplier in {ln.origin} (cumulation of production, supplier declaration)"
        )
        why = f"intermediate {ln.hs6} made by {who}: {'qualifies' if ok else 'does not qualify'} under {to_text(m.rule) if m.rule else 'no parsed rule'}"
        if trace is not None:
            trace.append(f"roll-up {ln.part_id} ({ln.part}): {why}")
        out.append(Material(ln, ok, why))
    return tuple(out)


def evaluate_node(node: Node, ctx: Context) -> Outcome:
    """Evaluate one rule tree against the materials in ``ctx``."""
    p, cur = ctx.product, ctx.product.currency
    text = to_text(node)
    noms = [m for m in ctx.materials if not m.originating]
    vnm = sum(m.value for m in noms)
    if isinstance(node, WO):
        ok = p.wholly_obtained
        return Outcome(
            "pass" if ok else "fail",
            text,
            "declared wholly obtained" if ok else "product not declared wholly obtained",
        )
    if isinstance(node, PE):
        bad = tuple(m.line.part_id for m in noms)
        return Outcome(
            "fail" if bad else "pass",
            text,
            "non-originating inputs: " + ", ".join(bad) if bad else "all inputs originating",
            failing=bad,
        )
    if isinstance(node, Shift):
        return eval_shift(node, ctx, noms, text)
    if isinstance(node, RVC):
        return eval_rvc(node, ctx, noms, vnm, text)
    if isinstance(node, MaxNOM):
        basis = node.basis or "EXW"
        price = p.price(basis)
        if not price:
            return Outcome("unknown", text, f"{basis} price of the product not given")
        share = vnm / price * 100
        head = node.threshold - share
        amt = head / 100 * price
        ok = share <= node.threshold + 1e-9
        margin = f"non-originating {share:.1f}% of {basis} vs max {node.threshold:g}%; " + (
            f"{head:.1f} points of headroom = {money(amt, cur)}"
            if ok
            else f"over by {-head:.1f} points = {money(-amt, cur)}"
        )
        return Outcome(
            "pass" if ok else "fail",
            text,
            margin,
            margin,
            head,
            amt,
            figures={"vnm": vnm, "price": price, "share": share},
        )
    if isinstance(node, MaterialLimit):
        return eval_limit(node, ctx, noms, text)
    if isinstance(node, WOMaterials):
        bad = tuple(
            m.line.part_id for m in noms if any(r.contains(m.line.hs6) for r in node.materials)
        )
        if bad:
            return Outcome(
                "fail",
                text,
                "non-originating materials in a wholly-obtained scope: " + ", ".join(bad),
                failing=bad,
            )
        used = any(any(r.contains(m.line.hs6) for r in node.materials) for m in ctx.materials)
        return Outcome("unknown" if used else "pass", text,
                       "confirm the originating materials in scope are wholly obtained" if used else "no materials of these codes used")  # fmt: skip
    if isinstance(node, Process):
        declared = {x.strip().lower() for x in p.processes}
        ok = node.description.lower() in declared or (
            bool(node.operations) and set(node.operations) <= declared
        )
        return Outcome(
            "pass" if ok else "unknown",
            text,
            "process declared by the producer"
            if ok
            else f'do you perform the process "{node.description}"? If so, declare it: --process "{node.description}"',
        )
    if isinstance(node, Condition):
        ok = node.text in p.confirmed or "all" in p.confirmed
        return Outcome(
            "pass" if ok else "unknown",
            text,
            "condition confirmed"
            if ok
            else f'is this met: "{node.text}"? If so, confirm it: --confirm "{node.text}"',
        )
    if isinstance(node, ForProduct):
        return _for_product(node, ctx, text)
    if isinstance(node, Dated):
        if not node.applies(ctx.on):
            return Outcome("fail", text, f"not in force on {ctx.on.isoformat()}")
        inner = evaluate_node(node.rule, ctx)
        return replace(inner, rule=text, children=(inner,))
    if isinstance(node, Or):
        kids = tuple(evaluate_node(x, ctx) for x in node.parts)
        for want in ("pass", "unknown"):
            hit = next((k for k in kids if k.status == want), None)
            if hit is not None:
                return Outcome(
                    hit.status,
                    text,
                    hit.reason,
                    hit.margin,
                    hit.headroom_points,
                    hit.headroom_amount,
                    children=kids,
                )  # type: ignore[arg-type]
        return Outcome("fail", text, "; ".join(k.reason for k in kids), children=kids)
    if isinstance(node, And):
        allow = [x for x in node.parts if isinstance(x, MaterialLimit) and x.allowance]
        excused: set[str] = set(ctx.excused)
        kids_a: list[Outcome] = []
        for a in allow:
            o = eval_limit(a, ctx, noms, to_text(a))
            kids_a.append(o)
            if o.status == "pass":
                excused |= {
                    m.line.part_id for m in noms if any(r.contains(m.line.hs6) for r in a.materials)
                }
        sub = replace(ctx, excused=frozenset(excused))
        kids = tuple(evaluate_node(x, sub) for x in node.parts if x not in allow) + tuple(kids_a)
        st: Status = (
            "fail"
            if any(k.status == "fail" for k in kids)
            else "unknown"
            if any(k.status == "unknown" for k in kids)
            else "pass"
        )
        focus = [k for k in kids if k.status == st] or list(kids)
        margins = [k.margin for k in kids if k.margin]
        return Outcome(
            st, text, "; ".join(k.reason for k in focus), "; ".join(margins), children=kids
        )
    raise TypeError(f"not a rule node: {node!r}")


def _for_product(node: ForProduct, ctx: Context, text: str) -> Outcome:
    m = re.match(r"goods imported from (.+) \(country-specific rule\)", node.description)
    inner = evaluate_node(node.rule, ctx)
    if m:
        from kaigai.core.countries import normalize_country

        try:
            iso = normalize_country(m.group(1))
        except Exception:  # noqa: BLE001
            iso = m.group(1)
        if iso != ctx.product.exporter:
            return Outcome(
                "fail", text, f"rule applies only to goods from {m.group(1)}", children=(inner,)
            )
        return replace(inner, rule=text, children=(inner,))
    if node.description in ctx.product.confirmed or node.description == ctx.product.description:
        return replace(inner, rule=text, children=(inner,))
    if inner.status == "pass":
        return replace(
            inner,
            status="unknown",
            rule=text,
            reason=f'applies only to: {node.description} — is the product this? If so: --confirm "{node.description}"; {inner.reason}',
            children=(inner,),
        )
    return replace(
        inner, rule=text, reason=f"[{node.description}] {inner.reason}", children=(inner,)
    )


def _path(o: Outcome) -> str:
    """Text of the alternative that decided the outcome (deepest passing/unknown branch)."""
    if o.children and o.rule.startswith("(") is False:
        for k in o.children:
            if k.status == o.status and k.rule != o.rule:
                return _path(k) if k.children and " or " in k.rule else k.rule
    return o.rule


def evaluate(
    bom: BOM,
    product: Product,
    match: RuleMatch,
    agreement: Agreement,
    *,
    lookup: Callable[[str], RuleMatch] | None = None,
    on: dt.date | None = None,
) -> Verdict:
    """Evaluate ``product`` made from ``bom`` against the rule of ``match`` under ``agreement``.

    Parameters
    ----------
    lookup
        HS6 -> RuleMatch of the same agreement, used to roll up intermediates (lines with children).
    on
        date for date-staged rules (default: today).
    """
    on = on or dt.date.today()
    trace: list[str] = [
        f"{agreement.id}: product {product.hs6} {product.exporter}->{product.importer}, {match.hs_edition} rules"
    ]
    if match.edition_note:
        trace.append("HS edition: " + match.edition_note)
    mats = roll_up(bom, product, agreement, lookup, on, None, trace)
    for m in mats:
        trace.append(f"input {m.line.part_id} {m.line.part} {fmt_code(m.line.hs6)} {m.line.origin} "
                     f"{money(m.value, bom.currency)}: {'originating' if m.originating else 'non-originating'} — {m.why}")  # fmt: skip
    notes = list(match.notes)
    if match.edition_ambiguous:
        notes.append("HS edition mapping is ambiguous: " + match.edition_note)
    if match.unparsed:
        notes.append(f"{len(match.unparsed)} alternative(s) could not be parsed and need manual review: "
                     + " | ".join(f"{r.text[:120]} ({r.error})" for r in match.unparsed))  # fmt: skip
    prov = tuple(
        {k: str(v) for k, v in r.provenance.to_dict().items()}
        for r in (*match.rows, *match.unparsed)
    )
    if match.rule is None:
        return Verdict(agreement.id, product.hs6, "needs confirmation", "", "", "", ("no parsed rule; manual review",), (),
                       None, mats, tuple(trace), prov, tuple(notes), bom.currency, match.hs_edition)  # fmt: skip
    out = evaluate_node(match.rule, Context(product, agreement, mats, on))
    _walk_trace(out, trace, 0)
    status = {"pass": "qualifies", "fail": "does not qualify", "unknown": "needs confirmation"}[
        out.status
    ]
    if out.status == "fail" and match.unparsed:
        status = "needs confirmation"
    fail_ops, question = minimal_operations(agreement, product.operations, mats)
    if question:
        notes.append(question)
    if fail_ops and status != "does not qualify":
        status = "does not qualify"
        trace.append("minimal operations: " + fail_ops)
        return Verdict(agreement.id, product.hs6, status, to_text(match.rule), to_text_ja(match.rule), "",  # type: ignore[arg-type]
                       (fail_ops,), (), out, mats, tuple(trace), prov, tuple(notes), bom.currency, match.hs_edition)  # fmt: skip
    if status == "qualifies" and (match.edition_ambiguous or match.substitute):
        status = "needs confirmation"
        notes.append("qualifies under the rule shown, but " + (
            "the HS edition mapping is ambiguous" if match.edition_ambiguous else "the rule is a substitute")
            + ": confirm the rule against the agreement's annex")  # fmt: skip
    reasons = (
        tuple(k.reason for k in (out.children or (out,)) if k.status != "pass")[:5]
        if out.status != "pass"
        else (out.reason,)
    )
    margins = tuple(dict.fromkeys(([out.margin] if out.margin else []) + _margins(out)))
    return Verdict(agreement.id, product.hs6, status, to_text(match.rule), to_text_ja(match.rule),  # type: ignore[arg-type]
                   _path(out) if out.status != "fail" else "", reasons, margins, out, mats, tuple(trace), prov,
                   tuple(notes), bom.currency, match.hs_edition)  # fmt: skip


def _margins(o: Outcome) -> list[str]:
    out = [o.margin] if o.margin and not o.children else []
    for k in o.children:
        out += _margins(k)
    return out


def _walk_trace(o: Outcome, trace: list[str], depth: int) -> None:
    trace.append("  " * depth + f"[{o.status}] {o.rule} — {o.reason}")
    for k in o.children:
        _walk_trace(k, trace, depth + 1)


__all__ = [
    "Context",
    "Material",
    "Outcome",
    "Verdict",
    "evaluate",
    "evaluate_node",
    "line_originating",
    "roll_up",
]
