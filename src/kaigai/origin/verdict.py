"""Results of a rules-of-origin evaluation: materials, per-node outcomes, the verdict.

:class:`Context` is what every rule node is evaluated against (the product, the agreement,
the rolled-up materials and the date); :mod:`kaigai.origin.evaluator` produces the rest.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

from kaigai.origin.bom import BOMLine, Product
from kaigai.origin.provisions import Agreement

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


def money(x: float, cur: str) -> str:
    """An amount as shown in reasons and margins (no decimals from 100 up)."""
    return f"{cur} {x:,.0f}" if abs(x) >= 100 else f"{cur} {x:,.2f}"


__all__ = ["Context", "Material", "Outcome", "Status", "Verdict", "money"]
