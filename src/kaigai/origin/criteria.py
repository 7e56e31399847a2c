"""Value and tariff-shift criteria of a rule node: tariff shift (with de minimis), RVC, material limits.

Formulas (cited per agreement in agreements.yaml):

* build-down RVC = (P - VNM) / P; build-up RVC = VOM / P; net cost RVC = (NC - VNM) / NC;
  focused value RVC = (P - FVNM) / P, with P the FOB (or EXW) price.
* A tariff shift fails for a non-originating material of the same chapter/heading/subheading as
  the product or of an excluded code; de minimis forgives failing materials whose total value is
  at most the agreement's percentage of the price.
* A material limit caps the non-originating materials in scope as a share of EXW/FOB (or weight).
"""

from __future__ import annotations

from dataclasses import replace

from kaigai.origin.ast import RVC, SHIFT_DIGITS, CodeRange, MaterialLimit, Shift
from kaigai.origin.general import exclusions, is_textile, textile_tolerance
from kaigai.origin.render import fmt_code
from kaigai.origin.verdict import Context, Material, Outcome, money


def eval_shift(node: Shift, ctx: Context, noms: list[Material], text: str) -> Outcome:
    """Tariff-shift criterion over the non-originating inputs ``noms`` (de minimis applied)."""
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
    excl = exclusions(ctx.agreement, p.hs6, [m for m, _ in bad])
    if excl:
        return Outcome("fail", text, "; ".join(r for _, r in bad) + "; no tolerance for "
                       + ", ".join(f"{m.line.part_id} ({e})" for m, e in excl), failing=ids)  # fmt: skip
    if is_textile(ctx.agreement, p.hs6):
        tol = textile_tolerance(
            ctx.agreement, p.hs6, p.weight_kg, [m for m, _ in bad], ctx.materials, text
        )
        if tol.status == "pass":
            return tol
        return replace(tol, reason="; ".join(r for _, r in bad) + "; " + tol.reason)
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
                margin = f"de minimis: failing inputs {share:.1f}% of {basis} vs {dm['percent']}% allowed; headroom {money(limit - total, cur)}"
                return Outcome(
                    "pass", text, margin, margin, float(dm["percent"]) - share, limit - total, ids
                )
            reason = (
                "; ".join(r for _, r in bad)
                + f" (total {money(total, cur)} = {share:.1f}% of {basis}, above the {dm['percent']}% de minimis)"
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


def eval_rvc(node: RVC, ctx: Context, noms: list[Material], vnm: float, text: str) -> Outcome:
    """Regional value content: the best of the allowed methods against the threshold."""
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
        f"{head:.1f} points of headroom = {money(amt, cur)}"
        if ok
        else f"short by {-head:.1f} points = {money(-amt, cur)}"
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


def eval_limit(node: MaterialLimit, ctx: Context, noms: list[Material], text: str) -> Outcome:
    """Share of non-originating materials in scope (value on EXW/FOB, or weight) against a cap."""
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
        f"headroom {money(amt, cur)}" if ok else f"over by {money(-amt, cur)}"
    )
    return Outcome("pass" if ok else "fail", text, margin, margin, thr - share, amt)


__all__ = ["eval_limit", "eval_rvc", "eval_shift"]
