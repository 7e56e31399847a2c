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
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from kaigai.origin.ast import (
    PE,
    RVC,
    SHIFT_DIGITS,
    WO,
    And,
    CodeRange,
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
from kaigai.origin.provisions import Agreement
from kaigai.origin.render import fmt_code, to_text, to_text_ja
from kaigai.origin.store import RuleMatch

Status = Literal["pass", "fail", "unknown"]


@dataclass(frozen=True)
class Material:
    """A direct input of the product after roll-up, with its originating status for one agreement."""

    line: BOMLine
    originating: bool
    why: str

    @property
    def value(self) -> float:
        return self.line.value


@dataclass(frozen=True)
class Outcome:
    """Result of one rule node."""

    status: Status
    rule: str
    reason: str
    margin: str = ""
    headroom_points: float | None = None
    headroom_amount: float | None = None
    failing: tuple[str, ...] = ()
    children: tuple[Outcome, ...] = ()
    figures: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "rule": self.rule,
            "reason": self.reason,
            "margin": self.margin,
            "headroom_points": self.headroom_points,
            "headroom_amount": self.headroom_amount,
            "failing_parts": list(self.failing),
            "figures": self.figures,
            "children": [c.to_dict() for c in self.children],
        }


@dataclass(frozen=True)
class Verdict:
    """Per-agreement answer."""

    agreement: str
    hs6: str
    status: Literal["qualifies", "does not qualify", "needs confirmation", "no rule data"]
    rule_text: str
    rule_text_ja: str
    path: str
    reasons: tuple[str, ...]
    margins: tuple[str, ...]
    outcome: Outcome | None
    materials: tuple[Material, ...]
    trace: tuple[str, ...]
    provenance: tuple[dict[str, str], ...]
    notes: tuple[str, ...]
    currency: str
    hs_edition: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "agreement": self.agreement,
            "hs_edition": self.hs_edition,
            "hs6": self.hs6,
            "status": self.status,
            "rule_text": self.rule_text,
            "rule_text_ja": self.rule_text_ja,
            "path": self.path,
            "reasons": list(self.reasons),
            "margins": list(self.margins),
            "currency": self.currency,
            "materials": [
                {
                    "part_id": m.line.part_id,
                    "part": m.line.part,
                    "hs6": m.line.hs6,
                    "origin": m.line.origin,
                    "value": round(m.value, 4),
                    "originating": m.originating,
                    "why": m.why,
                }  # fmt: skip
                for m in self.materials
            ],
            "outcome": self.outcome.to_dict() if self.outcome else None,
            "trace": list(self.trace),
            "provenance": list(self.provenance),
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class Context:
    product: Product
    agreement: Agreement
    materials: tuple[Material, ...]
    on: dt.date
    excused: frozenset[str] = frozenset()  # part ids forgiven by an allowance


def _money(x: float, cur: str) -> str:
    return f"{cur} {x:,.0f}" if abs(x) >= 100 else f"{cur} {x:,.2f}"


def line_originating(
    line: BOMLine, agreement: Agreement, exporter: str, importer: str
) -> tuple[bool, str]:
    """Originating status of a purchased line under one agreement (with cumulation)."""
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
            ok, why = line_originating(ln, agreement, product.exporter, product.importer)
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
        why = f"intermediate {ln.hs6} made by the producer: {'qualifies' if ok else 'does not qualify'} under {to_text(m.rule) if m.rule else 'no parsed rule'}"
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
        return _shift(node, ctx, noms, text)
    if isinstance(node, RVC):
        return _rvc(node, ctx, noms, vnm, text)
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
            f"{head:.1f} points of headroom = {_money(amt, cur)}"
            if ok
            else f"over by {-head:.1f} points = {_money(-amt, cur)}"
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
        return _limit(node, ctx, noms, text)
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
            else f"confirm the process: {node.description}",
        )
    if isinstance(node, Condition):
        ok = node.text in p.confirmed or "all" in p.confirmed
        return Outcome(
            "pass" if ok else "unknown",
            text,
            "condition confirmed" if ok else f"confirm: {node.text}",
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
            o = _limit(a, ctx, noms, to_text(a))
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


def _shift(node: Shift, ctx: Context, noms: list[Material], text: str) -> Outcome:
    n = SHIFT_DIGITS[node.level]
    p, cur = ctx.product, ctx.product.currency
    bad: list[tuple[Material, str]] = []
    for m in noms:
        if m.line.part_id in ctx.excused:
            continue
        exc = next((r for r in node.exceptions if r.contains(m.line.hs6)), None)
        if m.line.hs6[:n] == p.hs6[:n]:
            bad.append(
                (
                    m,
                    f"{m.line.part_id} {m.line.part} ({fmt_code(m.line.hs6)}, {m.line.origin}) does not change {_LVL[node.level]}",
                )
            )
        elif exc is not None:
            q = (
                f"; qualifier '{exc.qualifier}' applied to all materials of that code"
                if exc.qualifier
                else ""
            )
            bad.append(
                (
                    m,
                    f"{m.line.part_id} {m.line.part} ({fmt_code(m.line.hs6)}, {m.line.origin}) is in the excluded range {_rng(exc)}{q}",
                )
            )
    if not bad:
        return Outcome(
            "pass", text, f"all {len(noms)} non-originating inputs change {_LVL[node.level]}"
        )
    total = sum(m.value for m, _ in bad)
    ids = tuple(m.line.part_id for m, _ in bad)
    dm = ctx.agreement.de_minimis
    if dm and ctx.agreement.de_minimis_applies(p.hs6):
        allowed = (
            ("EXW", "FOB") if dm.get("basis") == "EXW or FOB" else (str(dm.get("basis", "FOB")),)
        )
        priced = [(b, p.price(b)) for b in allowed if p.price(b)]
        # with two allowed bases the higher price gives the larger allowance; both are lawful choices
        basis, price = max(priced, key=lambda bp: bp[1] or 0.0) if priced else (allowed[0], None)
        if price:
            limit = float(dm["percent"]) / 100 * price
            share = total / price * 100
            if total <= limit + 1e-9:
                margin = f"de minimis: failing inputs {share:.1f}% of {basis} vs {dm['percent']}% allowed; headroom {_money(limit - total, cur)}"
                return Outcome(
                    "pass", text, margin, margin, float(dm["percent"]) - share, limit - total, ids
                )
            reason = (
                "; ".join(r for _, r in bad)
                + f" (total {_money(total, cur)} = {share:.1f}% of {basis}, above the {dm['percent']}% de minimis)"
            )
            return Outcome(
                "fail",
                text,
                reason,
                failing=ids,
                figures={"failing_value": total, "de_minimis_limit": limit},
            )
    return Outcome(
        "fail", text, "; ".join(r for _, r in bad), failing=ids, figures={"failing_value": total}
    )


_LVL = {"CC": "chapter", "CTH": "heading", "CTSH": "subheading"}


def _rng(r: CodeRange) -> str:
    return f"{r.level} {fmt_code(r.start)}" + (f"-{fmt_code(r.end)}" if r.end else "")


def _rvc(node: RVC, ctx: Context, noms: list[Material], vnm: float, text: str) -> Outcome:
    p, cur = ctx.product, ctx.product.currency
    basis = node.basis or ctx.agreement.value_basis
    price = p.price(basis)
    methods = [node.method] if node.method else list(ctx.agreement.rvc_methods)
    if not price:
        return Outcome("unknown", text, f"{basis} price of the product not given")
    vom = sum(m.value for m in ctx.materials if m.originating)
    vals: dict[str, float] = {}
    for meth in methods:
        if meth == "build-down":
            vals[meth] = (price - vnm) / price * 100
        elif meth == "build-up":
            vals[meth] = vom / price * 100
        elif meth == "net cost" and p.net_cost:
            vals[meth] = (p.net_cost - vnm) / p.net_cost * 100
        elif meth == "focused value" and node.focus:  # needs the focus list the rule names
            fvnm = sum(m.value for m in noms if any(r.contains(m.line.hs6) for r in node.focus))
            vals[meth] = (price - fvnm) / price * 100
    if not vals:
        return Outcome("unknown", text, "net cost of the product not given")
    best = max(vals, key=lambda k: vals[k])
    v = vals[best]
    head = v - node.threshold
    amt = head / 100 * (p.net_cost if best == "net cost" and p.net_cost else price)
    both = ", ".join(f"{k} {x:.1f}%" for k, x in vals.items())
    ok = v >= node.threshold - 1e-9
    margin = f"RVC {v:.1f}% ({best}, {basis}) vs {node.threshold:g}% required; " + (
        f"{head:.1f} points of headroom = {_money(amt, cur)}"
        if ok
        else f"short by {-head:.1f} points = {_money(-amt, cur)}"
    )
    figs = {
        "price": price,
        "vnm": vnm,
        "vom": vom,
        **{f"rvc_{k.replace(' ', '_').replace('-', '_')}": round(x, 4) for k, x in vals.items()},
    }
    return Outcome(
        "pass" if ok else "fail", text, f"{margin} [{both}]", margin, head, amt, figures=figs
    )


def _limit(node: MaterialLimit, ctx: Context, noms: list[Material], text: str) -> Outcome:
    p, cur = ctx.product, ctx.product.currency
    scope = [
        m for m in noms if not node.materials or any(r.contains(m.line.hs6) for r in node.materials)
    ]
    if node.measure == "weight":
        if p.weight_kg is None or any(m.line.weight_kg is None for m in scope):
            return Outcome(
                "unknown", text, "weights of the product and of the materials in scope are needed"
            )
        share = sum(m.line.weight_kg or 0.0 for m in scope) / p.weight_kg * 100
        ok = share <= node.threshold + 1e-9
        return Outcome(
            "pass" if ok else "fail", text, f"weight share {share:.1f}% vs max {node.threshold:g}%"
        )
    total = sum(m.value for m in scope)
    tries = []
    if node.basis in (None, "EXW", "EXW or FOB") and p.exw:
        tries.append(("EXW", p.exw, node.threshold))
    if node.basis in ("FOB", "EXW or FOB") and p.fob:
        tries.append(
            ("FOB", p.fob, node.fob_threshold if node.fob_threshold is not None else node.threshold)
        )
    if node.basis is None and not p.exw and p.fob:
        tries.append(("FOB", p.fob, node.threshold))
    if not tries:
        return Outcome("unknown", text, "EXW/FOB price of the product not given")
    best = min(tries, key=lambda t: total / t[1] * 100 - t[2])
    b, price, thr = best
    share = total / price * 100
    ok = share <= thr + 1e-9
    amt = (thr - share) / 100 * price
    margin = f"non-originating materials in scope {share:.1f}% of {b} vs max {thr:g}%; " + (
        f"headroom {_money(amt, cur)}" if ok else f"over by {_money(-amt, cur)}"
    )
    return Outcome("pass" if ok else "fail", text, margin, margin, thr - share, amt)


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
            reason=f"applies only to: {node.description} — confirm; {inner.reason}",
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
                     f"{_money(m.value, bom.currency)}: {'originating' if m.originating else 'non-originating'} — {m.why}")  # fmt: skip
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
