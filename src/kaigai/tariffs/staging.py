"""Staging: the rate of a line in a given year of an agreement.

Formulas (documented in docs/tariffs.md):

* year index ``k`` on date ``D``: ``k = 1`` from entry into force, ``+1`` on every
  ``year_start`` (e.g. 1 April for Japan, 1 January for Viet Nam) after it, up to ``D``;
* ``EIF``: 0 from year 1;
* ``B<N>`` linear elimination in N equal annual stages, first cut at entry into force:
  ``rate_k = base * max(N - k, 0) / N``;
* ``R<N>`` linear reduction to a final rate: ``rate_k = base - (base - final) * min(k, N) / N``;
* ``X``: excluded, MFN applies.

:func:`match_category` infers a line's category only by matching a printed rate; it never
assigns one otherwise.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from kaigai.tariffs.expr import (
    AdValorem,
    Branch,
    Choice,
    Compound,
    Conditional,
    Range,
    RateExpr,
    Specific,
)


def year_index(entry_into_force: dt.date, on: dt.date, year_start: tuple[int, int] = (1, 1)) -> int:
    """Agreement year (1-based) on ``on``; 0 before entry into force."""
    if on < entry_into_force:
        return 0
    k = 1
    for y in range(entry_into_force.year, on.year + 1):
        cut = dt.date(y, *year_start)
        if entry_into_force < cut <= on:
            k += 1
    return k


def year_start_date(entry_into_force: dt.date, k: int, year_start: tuple[int, int]) -> dt.date:
    """First day of agreement year ``k``."""
    if k <= 1:
        return entry_into_force
    first = dt.date(entry_into_force.year, *year_start)
    if first <= entry_into_force:
        first = dt.date(entry_into_force.year + 1, *year_start)
    return dt.date(first.year + k - 2, *year_start)


def stages(category: str) -> int:
    """Number of stages of a category (0 for EIF/X)."""
    c = category.upper()
    return int(c[1:]) if c[:1] in "BR" and c[1:].isdigit() else 0


def staged_factor(category: str, k: int) -> float | None:
    """Share of the base rate remaining in year ``k`` (``None`` = excluded, MFN applies)."""
    c = category.upper()
    if c == "X":
        return None
    if k <= 0:
        return 1.0
    if c == "EIF":
        return 0.0
    n = stages(c)
    return max(n - k, 0) / n


def staged_rate(
    base: float,
    category: str,
    k: int,
    final: float = 0.0,
    decimals: int | None = None,
    rounding: str = "half_up",
) -> float | None:
    """Rate (%) in year ``k`` from ``base`` under ``category``; optional rounding."""
    c = category.upper()
    if c == "X":
        return None
    if c.startswith("R"):
        n = stages(c)
        r = base - (base - final) * min(max(k, 0), n) / n
    else:
        f = staged_factor(c, k)
        r = base * (f if f is not None else 1.0)
    if decimals is None:
        return r
    scale = 10**decimals
    if rounding == "down":
        return math.floor(r * scale + 1e-9) / scale
    return math.floor(r * scale + 0.5 + 1e-9) / scale


def scale_expr(expr: RateExpr, factor: float) -> RateExpr:
    """Multiply every rate component by ``factor`` (a staged share of an MFN expression)."""
    if isinstance(expr, AdValorem):
        return AdValorem(expr.pct * factor)
    if isinstance(expr, Specific):
        return Specific(expr.amount * factor, expr.unit, expr.currency)
    if isinstance(expr, Compound):
        return Compound(tuple(scale_expr(p, factor) for p in expr.parts))
    if isinstance(expr, Choice):
        return Choice(
            tuple(scale_expr(o, factor) for o in expr.options),
            expr.mode,
            scale_expr(expr.floor, factor) if expr.floor else None,
            scale_expr(expr.cap, factor) if expr.cap else None,
        )
    if isinstance(expr, Range):
        return Range(tuple(scale_expr(o, factor) for o in expr.options))
    if isinstance(expr, Conditional):
        return Conditional(
            tuple(
                Branch(b.condition, b.text, scale_expr(b.expr, factor), b.parties, b.season)
                for b in expr.branches
            )
        )
    if factor == 0:
        return AdValorem(0.0)
    return expr  # formulas / reference prices: not scalable; shown as is


@dataclass(frozen=True)
class CategoryMatch:
    category: str | None  # e.g. "B11"; None when nothing reproduces the printed rate
    candidates: tuple[str, ...]  # every category that reproduces it


def match_category(
    base: float,
    printed: float,
    k: int,
    *,
    max_stages: int = 21,
    tol: float = 0.05,
    decimals: int | None = 1,
    rounding: str = "half_up",
) -> CategoryMatch:
    """Categories (EIF, B1..B<max_stages>) whose year-``k`` rate from ``base`` equals ``printed``.

    The first candidate in the order EIF, B1, B2, ... is returned as ``category``; when
    ``printed`` is 0 every category with ``N <= k`` matches (the line is already free), so the
    result is ambiguous and says so through ``candidates``.
    """
    cands = []
    for cat in ["EIF", *[f"B{n}" for n in range(1, max_stages + 1)]]:
        r = staged_rate(base, cat, k, decimals=decimals, rounding=rounding)
        if r is not None and abs(r - printed) <= tol:
            cands.append(cat)
    return CategoryMatch(cands[0] if cands else None, tuple(cands))


__all__ = [
    "CategoryMatch",
    "match_category",
    "scale_expr",
    "staged_factor",
    "staged_rate",
    "stages",
    "year_index",
    "year_start_date",
]
