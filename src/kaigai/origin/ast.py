"""Typed tree of a product-specific rule of origin.

Every node is a frozen dataclass. ``Or`` holds alternatives (any one qualifies), ``And`` holds
requirements that must all be met. Leaves are the rule kinds agreements use: wholly obtained
(:class:`WO`), produced entirely from originating materials (:class:`PE`), change in tariff
classification (:class:`Shift`), regional value content (:class:`RVC`), maximum non-originating
content (:class:`MaxNOM`), limits on named non-originating materials (:class:`MaterialLimit`),
wholly-obtained materials (:class:`WOMaterials`), specific processes (:class:`Process`) and
verbatim conditions that a person must confirm (:class:`Condition`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

Level = Literal["chapter", "heading", "subheading"]
ShiftLevel = Literal["CC", "CTH", "CTSH"]
RVCMethod = Literal["build-down", "build-up", "net cost", "focused value"]
Basis = Literal["FOB", "EXW", "EXW or FOB"]

LEVEL_DIGITS: dict[str, int] = {"chapter": 2, "heading": 4, "subheading": 6}
SHIFT_DIGITS: dict[str, int] = {"CC": 2, "CTH": 4, "CTSH": 6}


@dataclass(frozen=True)
class CodeRange:
    """HS codes ``start``..``end`` (digits, 2/4/6 long) at one level, optionally only some goods.

    ``qualifier`` keeps words that narrow the range ("inner or outer rings or races"); the
    evaluator then applies the range to every material of those codes and says so.
    """

    level: Level
    start: str
    end: str | None = None
    qualifier: str | None = None

    def contains(self, hs6: str) -> bool:
        n = LEVEL_DIGITS[self.level]
        code = hs6[:n]
        return self.start <= code <= (self.end or self.start)


@dataclass(frozen=True)
class WO:
    """The good is wholly obtained."""


@dataclass(frozen=True)
class PE:
    """The good is produced entirely from originating materials."""


@dataclass(frozen=True)
class Shift:
    """Change in tariff classification (CC/CTH/CTSH) with excluded source codes."""

    level: ShiftLevel
    exceptions: tuple[CodeRange, ...] = ()


@dataclass(frozen=True)
class RVC:
    """Regional value content of at least ``threshold`` per cent.

    ``method`` None means any method the agreement allows; ``focus`` lists the materials counted
    by the focused value method.
    """

    threshold: float
    method: RVCMethod | None = None
    basis: Basis | None = None
    focus: tuple[CodeRange, ...] = ()


@dataclass(frozen=True)
class MaxNOM:
    """Value of non-originating materials at most ``threshold`` per cent of the price."""

    threshold: float
    basis: Basis | None = None


@dataclass(frozen=True)
class MaterialLimit:
    """Value or weight of (named) non-originating materials at most ``threshold`` per cent."""

    measure: Literal["value", "weight"]
    threshold: float
    materials: tuple[CodeRange, ...] = ()
    basis: Basis | None = None
    allowance: bool = (
        False  # "However, ... may be used, provided ..." relaxes the other requirement
    )
    fob_threshold: float | None = (
        None  # "50% of the EXW or 45% of the FOB": the FOB figure when it differs
    )


@dataclass(frozen=True)
class WOMaterials:
    """All materials of the given codes used are wholly obtained."""

    materials: tuple[CodeRange, ...]


@dataclass(frozen=True)
class Process:
    """A specific production process (chemical reaction, textile stages ...), text kept verbatim."""

    description: str
    operations: tuple[str, ...] = ()


@dataclass(frozen=True)
class Condition:
    """A requirement stated in words that the producer must confirm (never inferred)."""

    text: str


@dataclass(frozen=True)
class And:
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class ForProduct:
    """The rule applies only to the goods described (a sub-split of the HS line)."""

    description: str
    rule: Node


@dataclass(frozen=True)
class Dated:
    """The rule applies only between ``start`` and ``end`` (inclusive; None = open)."""

    rule: Node
    start: dt.date | None = None
    end: dt.date | None = None

    def applies(self, on: dt.date) -> bool:
        return (self.start is None or self.start <= on) and (self.end is None or on <= self.end)


Node = (
    WO
    | PE
    | Shift
    | RVC
    | MaxNOM
    | MaterialLimit
    | WOMaterials
    | Process
    | Condition
    | And
    | Or
    | ForProduct
    | Dated
)


def walk(node: Node) -> list[Node]:
    """All nodes of a tree, depth first."""
    out: list[Node] = [node]
    if isinstance(node, And | Or):
        for p in node.parts:
            out += walk(p)
    elif isinstance(node, ForProduct | Dated):
        out += walk(node.rule)
    return out


def kinds(node: Node) -> list[str]:
    """Short names of the leaf kinds in a tree (e.g. ``["CTH", "RVC"]``)."""
    out: list[str] = []
    for n in walk(node):
        k = n.level if isinstance(n, Shift) else type(n).__name__
        if not isinstance(n, And | Or | ForProduct | Dated) and k not in out:
            out.append(k)
    return out


def to_dict(node: Node) -> dict[str, object]:
    """JSON-ready form of a tree with a ``type`` key per node."""
    d: dict[str, object] = {"type": type(node).__name__}
    for k, v in node.__dict__.items():
        if isinstance(v, tuple):
            d[k] = [
                to_dict(x) if _is_node(x) else (x.__dict__ if isinstance(x, CodeRange) else x)
                for x in v
            ]
        elif _is_node(v):
            d[k] = to_dict(v)  # type: ignore[arg-type]
        elif isinstance(v, dt.date):
            d[k] = v.isoformat()
        else:
            d[k] = v
    return d


def from_dict(d: dict[str, object]) -> Node:
    """The tree :func:`to_dict` wrote (``from_dict(to_dict(n)) == n`` for every node)."""
    cls = _TYPES[str(d["type"])]
    kw: dict[str, object] = {}
    for k, v in d.items():
        if k == "type":
            continue
        if isinstance(v, list):
            kw[k] = tuple(
                (from_dict(x) if "type" in x else CodeRange(**x)) if isinstance(x, dict) else x
                for x in v
            )
        elif isinstance(v, dict):
            kw[k] = from_dict(v)
        elif k in ("start", "end") and cls is Dated and isinstance(v, str):
            kw[k] = dt.date.fromisoformat(v)
        else:
            kw[k] = v
    return cls(**kw)  # type: ignore[no-any-return]


def _is_node(x: object) -> bool:
    return isinstance(
        x,
        WO
        | PE
        | Shift
        | RVC
        | MaxNOM
        | MaterialLimit
        | WOMaterials
        | Process
        | Condition
        | And
        | Or
        | ForProduct
        | Dated,
    )


_TYPES: dict[str, type] = {
    c.__name__: c
    for c in (WO, PE, Shift, RVC, MaxNOM, MaterialLimit, WOMaterials, Process, Condition, And, Or,
              ForProduct, Dated)
}  # fmt: skip

__all__ = [
    "PE",
    "RVC",
    "WO",
    "And",
    "Basis",
    "CodeRange",
    "Condition",
    "Dated",
    "ForProduct",
    "Level",
    "MaterialLimit",
    "MaxNOM",
    "Node",
    "Or",
    "Process",
    "RVCMethod",
    "Shift",
    "WOMaterials",
    "from_dict",
    "kinds",
    "to_dict",
    "walk",
]
