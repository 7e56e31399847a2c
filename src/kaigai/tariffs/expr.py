"""Rate-expression model: what a tariff cell means, and the duty it gives for a shipment.

A cell is parsed once into a tree of frozen nodes (:class:`AdValorem`, :class:`Specific`,
:class:`Compound`, :class:`Choice`, :class:`Formula`, :class:`Conditional`, :class:`Range`,
:class:`Unbound`, :class:`ReferencePrice`). :func:`evaluate` turns a node and a
:class:`Basis` (customs value, quantity, origin, quota position) into a duty
:class:`Interval` in the currency of the value. Nothing is guessed: a specific duty without
a quantity, or a value-dependent duty without a value, raises :class:`TariffError` naming
what is missing.
"""

from __future__ import annotations

import ast
import datetime as dt
import operator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Union

from kaigai.core.errors import TariffError

# unit -> (dimension, factor to the dimension's base unit)
UNITS: dict[str, tuple[str, float]] = {
    "kg": ("mass", 1.0), "g": ("mass", 0.001), "t": ("mass", 1000.0), "ton": ("mass", 1000.0),
    "tonne": ("mass", 1000.0), "l": ("volume", 1.0), "kl": ("volume", 1000.0), "ml": ("volume", 0.001),
    "m2": ("area", 1.0), "㎡": ("area", 1.0), "head": ("head", 1.0), "頭": ("head", 1.0),
    "pair": ("pair", 1.0), "足": ("pair", 1.0), "u": ("unit", 1.0), "unit": ("unit", 1.0),
    "pcs": ("unit", 1.0), "piece": ("unit", 1.0), "本": ("unit", 1.0), "個": ("unit", 1.0),
    "枚": ("unit", 1.0), "sheet": ("unit", 1.0),
}  # fmt: skip


def unit_factor(from_unit: str, to_unit: str) -> float:
    """Factor turning a quantity in ``from_unit`` into ``to_unit`` (same dimension only)."""
    a, b = UNITS.get(from_unit.lower()), UNITS.get(to_unit.lower())
    if a is None or b is None:
        bad = from_unit if a is None else to_unit
        raise TariffError(
            f"Unknown quantity unit '{bad}'.", hint="Units: " + ", ".join(sorted(UNITS))
        )
    if a[0] != b[0]:
        raise TariffError(
            f"The duty is per {to_unit} but the quantity is in {from_unit}.",
            hint=f"Give the quantity in {to_unit} (--quantity N --unit {to_unit}).",
        )
    return a[1] / b[1]


@dataclass(frozen=True)
class AdValorem:
    pct: float
    kind: str = "ad_valorem"


@dataclass(frozen=True)
class Specific:
    amount: float
    unit: str
    currency: str = "JPY"
    kind: str = "specific"


@dataclass(frozen=True)
class Compound:
    """Sum of parts, e.g. ``3% + 10円/kg``."""

    parts: tuple[RateExpr, ...]
    kind: str = "compound"


@dataclass(frozen=True)
class Choice:
    """ "A or B, whichever is higher/lower" (のうちいずれか高い/低い税率), optional floor/cap."""

    options: tuple[RateExpr, ...]
    mode: str  # "max" | "min"
    floor: RateExpr | None = None
    cap: RateExpr | None = None
    kind: str = "choice"


@dataclass(frozen=True)
class Formula:
    """A per-unit duty computed from the customs value per unit ``P`` (gate-price systems)."""

    source: str  # arithmetic in P, e.g. "393*1.002-P"
    unit: str
    currency: str = "JPY"
    kind: str = "formula"


@dataclass(frozen=True)
class ReferencePrice:
    """A duty defined against a reference price that the schedule does not print."""

    text: str
    kind: str = "reference_price"


@dataclass(frozen=True)
class Unbound:
    """非譲許: no WTO binding (the cell gives no rate)."""

    kind: str = "unbound"


@dataclass(frozen=True)
class Range:
    """Rates varying over sub-lines (``無税〜(5%)``): ``low`` to ``high``."""

    options: tuple[RateExpr, ...]
    kind: str = "range"


@dataclass(frozen=True)
class Branch:
    condition: str  # "in_quota" | "out_quota" | "seasonal" | "party" | "product" | "other"
    text: str
    expr: RateExpr
    parties: tuple[str, ...] = ()  # ISO3 for condition == "party"; () with "other parties"
    season: tuple[tuple[int, int], tuple[int, int]] | None = None  # ((m, d), (m, d))


@dataclass(frozen=True)
class Conditional:
    """Rates that depend on a condition: quota position, season, origin party or product."""

    branches: tuple[Branch, ...]
    kind: str = "conditional"


RateExpr = Union[  # noqa: UP007 - runtime alias used by isinstance-free dispatch
    AdValorem, Specific, Compound, Choice, Formula, ReferencePrice, Unbound, Range, Conditional
]

FREE = AdValorem(0.0)


@dataclass(frozen=True)
class Basis:
    """What the user told us about the shipment. Missing fields stay ``None``."""

    value: float | None = None  # customs value, in ``currency``
    currency: str | None = None
    quantity: float | None = None
    unit: str | None = None
    origin: str | None = None
    quota: str | None = None  # "in" | "out" | None (both shown)
    date: dt.date | None = None
    fx_to: dict[str, float] = field(
        default_factory=dict
    )  # schedule currency -> units per value currency


@dataclass(frozen=True)
class Interval:
    """Duty amount (currency of the value); ``low == high`` when the cell is unconditional."""

    low: float
    high: float
    notes: tuple[str, ...] = ()

    @property
    def exact(self) -> bool:
        return self.high - self.low < 1e-9  # high >= low by construction

    def __add__(self, other: Interval) -> Interval:
        return Interval(self.low + other.low, self.high + other.high, self.notes + other.notes)


def pure_ad_valorem(expr: RateExpr) -> float | None:
    """The percentage when ``expr`` is a plain ad valorem rate, else ``None``."""
    return expr.pct if isinstance(expr, AdValorem) else None


def is_value_free(expr: RateExpr) -> bool:
    """True when the duty is 0 whatever the shipment (so no value is needed)."""
    return isinstance(expr, AdValorem) and expr.pct == 0.0


@lru_cache(maxsize=16384)
def describe(expr: RateExpr) -> str:
    """Short English rendering, e.g. ``"3% or JPY 10.9/kg, whichever is higher"``."""
    if isinstance(expr, AdValorem):
        return "free" if expr.pct == 0 else f"{expr.pct:g}%"
    if isinstance(expr, Specific):
        return f"{expr.currency} {expr.amount:g}/{expr.unit}"
    if isinstance(expr, Compound):
        return " + ".join(describe(p) for p in expr.parts)
    if isinstance(expr, Choice):
        word = "higher" if expr.mode == "max" else "lower"
        s = " or ".join(describe(o) for o in expr.options) + f", whichever is {word}"
        if expr.floor is not None:
            s += f" (at least {describe(expr.floor)})"
        if expr.cap is not None:
            s += f" (at most {describe(expr.cap)})"
        return s
    if isinstance(expr, Formula):
        return (
            f"{expr.currency} ({expr.source})/{expr.unit} where P = customs value per {expr.unit}"
        )
    if isinstance(expr, ReferencePrice):
        return f"reference-price duty: {expr.text}"
    if isinstance(expr, Unbound):
        return "unbound"
    if isinstance(expr, Range):
        return " to ".join(describe(o) for o in expr.options) + " (varies by sub-line)"
    return "; ".join(f"[{b.condition}: {b.text}] {describe(b.expr)}" for b in expr.branches)


_OPS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}


def eval_formula(source: str, p: float) -> float:
    """Evaluate a :class:`Formula` source (numbers, ``P``, + - * / and brackets only)."""

    def walk(node: ast.AST) -> float:
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
            return float(node.value)
        if isinstance(node, ast.Name) and node.id == "P":
            return p
        if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
            return float(_OPS[type(node.op)](walk(node.left), walk(node.right)))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -walk(node.operand)
        raise TariffError(f"Unsupported formula '{source}'.")

    return walk(ast.parse(source, mode="eval"))


def _need_value(basis: Basis, what: str) -> float:
    if basis.value is None:
        raise TariffError(
            f"This rate ({what}) depends on the customs value, which was not given.",
            hint="Give the value: --value 10000 --currency JPY",
            missing="value",
        )
    return basis.value


def _to_value_currency(amount: float, currency: str, basis: Basis) -> float:
    """A duty amount in schedule currency converted to the value's currency."""
    if basis.currency is None or basis.currency == currency:
        return amount
    rate = basis.fx_to.get(currency)
    if rate is None:
        raise TariffError(
            f"The duty is in {currency} per unit but the value is in {basis.currency}; "
            f"no {basis.currency}/{currency} exchange rate was given.",
            hint=f"Give the value in {currency} (--currency {currency}) or an exchange rate.",
            missing="exchange_rate",
        )
    return amount / rate


def _need_quantity(basis: Basis, unit: str, what: str) -> float:
    if basis.quantity is None or basis.unit is None:
        raise TariffError(
            f"This rate ({what}) is charged per {unit}; no quantity was given.",
            hint=f"Give the quantity: --quantity 5 --unit {unit}",
            missing="quantity",
        )
    return basis.quantity * unit_factor(basis.unit, unit)


def evaluate(expr: RateExpr, basis: Basis) -> Interval:
    """Duty for one shipment as an :class:`Interval` in the value's currency.

    Raises
    ------
    TariffError
        when the value, quantity or an exchange rate the cell needs is missing, or the cell
        gives no computable rate (unbound, reference price not printed).
    """
    if isinstance(expr, AdValorem):
        if expr.pct == 0:
            return Interval(0.0, 0.0)
        v = _need_value(basis, describe(expr)) * expr.pct / 100.0
        return Interval(v, v)
    if isinstance(expr, Specific):
        q = _need_quantity(basis, expr.unit, describe(expr))
        v = _to_value_currency(q * expr.amount, expr.currency, basis)
        return Interval(v, v)
    if isinstance(expr, Compound):
        out = Interval(0.0, 0.0)
        for part in expr.parts:
            out = out + evaluate(part, basis)
        return out
    if isinstance(expr, Choice):
        vals = [evaluate(o, basis) for o in expr.options]
        pick = max if expr.mode == "max" else min
        lo, hi = pick(v.low for v in vals), pick(v.high for v in vals)
        if expr.floor is not None:
            f = evaluate(expr.floor, basis)
            lo, hi = max(lo, f.low), max(hi, f.high)
        if expr.cap is not None:
            c = evaluate(expr.cap, basis)
            lo, hi = min(lo, c.low), min(hi, c.high)
        return Interval(lo, hi)
    if isinstance(expr, Formula):
        q = _need_quantity(basis, expr.unit, describe(expr))
        value = _need_value(basis, describe(expr))
        value_sched = (
            value
            if basis.currency in (None, expr.currency)
            else value * basis.fx_to.get(expr.currency, 0)
        )
        if basis.currency not in (None, expr.currency) and expr.currency not in basis.fx_to:
            _to_value_currency(1.0, expr.currency, basis)  # raises naming the missing rate
        per_unit = max(0.0, eval_formula(expr.source, value_sched / q))
        v = _to_value_currency(per_unit * q, expr.currency, basis)
        return Interval(v, v)
    if isinstance(expr, Range):
        vals = [evaluate(o, basis) for o in expr.options if not isinstance(o, Unbound)]
        if not vals:
            raise TariffError("The cell gives no bound rate (非譲許).")
        return Interval(
            min(v.low for v in vals), max(v.high for v in vals), ("rate varies by sub-line",)
        )
    if isinstance(expr, Conditional):
        return _evaluate_conditional(expr, basis)
    if isinstance(expr, Unbound):
        raise TariffError("The cell gives no rate: the line is unbound (非譲許).")
    raise TariffError(
        f"The rate depends on a reference price the schedule does not print: {expr.text}",
        hint="Japan Customs publishes the reference prices; kaigai cannot compute this duty.",
        missing="reference_price",
    )


def _evaluate_conditional(expr: Conditional, basis: Basis) -> Interval:
    branches = list(expr.branches)
    party = [b for b in branches if b.condition == "party"]
    if party and basis.origin:
        mine = [b for b in party if basis.origin in b.parties]
        branches = mine or [b for b in party if not b.parties] or branches
    if basis.quota in ("in", "out"):
        want = "in_quota" if basis.quota == "in" else "out_quota"
        q = [b for b in branches if b.condition == want]
        if not q and basis.quota == "out":  # a within-quota-only preference: MFN applies outside
            q = [b for b in branches if b.condition == "otherwise"]
        branches = q or branches
    if basis.date is not None:
        seasonal = [b for b in branches if b.season is not None]
        hit = [b for b in seasonal if _in_season(b.season, basis.date)]  # type: ignore[arg-type]
        if seasonal:
            branches = hit + [b for b in branches if b.season is None and b.condition != "seasonal"]
    vals: list[Interval] = []
    errors: list[TariffError] = []
    for b in branches:
        try:
            vals.append(evaluate(b.expr, basis))
        except TariffError as exc:
            errors.append(exc)
    if not vals:
        raise errors[0] if errors else TariffError("No branch of the conditional rate applies.")
    notes = tuple(f"{b.condition}: {b.text}" for b in branches) if len(branches) > 1 else ()
    return Interval(min(v.low for v in vals), max(v.high for v in vals), notes)


def _in_season(season: tuple[tuple[int, int], tuple[int, int]], day: dt.date) -> bool:
    (m1, d1), (m2, d2) = season
    key, a, b = (day.month, day.day), (m1, d1), (m2, d2)
    return a <= key <= b if a <= b else (key >= a or key <= b)


__all__ = [
    "FREE",
    "AdValorem",
    "Basis",
    "Branch",
    "Choice",
    "Compound",
    "Conditional",
    "Formula",
    "Interval",
    "Range",
    "RateExpr",
    "ReferencePrice",
    "Specific",
    "UNITS",
    "Unbound",
    "describe",
    "eval_formula",
    "evaluate",
    "is_value_free",
    "pure_ad_valorem",
    "unit_factor",
]
