"""Typed, frozen results of the export plan (what the report layer renders, never recomputes)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from kaigai.core.provenance import Figure, Provenance

Status = Literal["ok", "partial", "not_available", "error"]


@dataclass(frozen=True)
class Part:
    """Status of one link of the chain for one product or market."""

    key: str  # "markets" | "duty" | "origin" | "readiness" | "data"
    status: Status
    detail: str
    engine: str = ""  # the public function used, e.g. "kaigai.markets.rank_markets"

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "status": self.status,
            "detail": self.detail,
            "engine": self.engine,
        }


@dataclass(frozen=True)
class DutyView:
    """Duty & FTA options for one market, copied from the duty engine's result."""

    status: Status
    detail: str
    best_option: str | None = None
    figures: dict[str, Figure] = field(default_factory=dict)
    options: tuple[dict[str, Any], ...] = ()
    engine: str = ""
    lines: tuple[dict[str, Any], ...] = ()  # several national lines: MFN and best per line

    @property
    def best_options(self) -> tuple[str, ...]:
        """The best option of each national line (one entry per distinct option)."""
        if not self.lines:
            return (self.best_option,) if self.best_option else ()
        out: list[str] = []
        for ln in self.lines:
            if ln.get("best") and ln["best"] not in out:
                out.append(str(ln["best"]))
        return tuple(out)

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "detail": self.detail,
            "best_option": self.best_option,
            "figures": {k: v.to_dict() for k, v in self.figures.items()},
            "options": list(self.options),
            "engine": self.engine,
            "lines": list(self.lines),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> DutyView:
        """The view :meth:`to_dict` wrote (equal fields)."""
        return cls(
            d["status"],
            d["detail"],
            d["best_option"],
            {k: Figure.from_dict(v) for k, v in d["figures"].items()},
            tuple(d["options"]),
            d["engine"],
            tuple(d["lines"]),
        )


@dataclass(frozen=True)
class OriginView:
    """Origin check of the product's BOM for the best agreement of one market."""

    status: Status
    detail: str
    agreement: str | None = None
    qualifies: bool | None = None
    rule: str | None = None
    reasons: tuple[str, ...] = ()
    figures: dict[str, Figure] = field(default_factory=dict)
    documents: tuple[str, ...] = ()
    engine: str = ""
    rule_is_wo: bool = False  # the rule is the "wholly obtained" criterion
    reason: str = ""  # why not checked: "no_bom" | "no_fta" | "no_rules" | "no_preference" | ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "detail": self.detail,
            "rule_is_wo": self.rule_is_wo,
            "reason": self.reason,
            "agreement": self.agreement,
            "qualifies": self.qualifies,
            "rule": self.rule,
            "reasons": list(self.reasons),
            "figures": {k: v.to_dict() for k, v in self.figures.items()},
            "documents": list(self.documents),
            "engine": self.engine,
        }


@dataclass(frozen=True)
class MarketPlan:
    iso3: str
    name: str
    rank: int | None  # rank in the market finder's list (None when it did not rank it)
    considered: bool  # listed by the firm in preferences.target_markets
    selected_by: str  # "ranking" | "firm"
    figures: dict[str, Figure]
    explanation: str
    duty: DutyView
    origin: OriginView

    def to_dict(self) -> dict[str, Any]:
        return {
            "iso3": self.iso3,
            "name": self.name,
            "rank": self.rank,
            "considered": self.considered,
            "selected_by": self.selected_by,
            "figures": {k: v.to_dict() for k, v in self.figures.items()},
            "explanation": self.explanation,
            "duty": self.duty.to_dict(),
            "origin": self.origin.to_dict(),
        }


@dataclass(frozen=True)
class ProductPlan:
    name: str
    hs6: str
    description: str
    bom: str | None
    markets: tuple[MarketPlan, ...]
    parts: tuple[Part, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "hs6": self.hs6,
            "description": self.description,
            "bom": self.bom,
            "markets": [m.to_dict() for m in self.markets],
            "parts": [p.to_dict() for p in self.parts],
        }


@dataclass(frozen=True)
class SourceRef:
    label: str
    url: str = ""


@dataclass(frozen=True)
class Action:
    """One entry of the prioritised action list."""

    rank: int
    horizon: str  # "now" (0-3 months) | "next" (3-12 months) | "later"
    kind: str  # "readiness" | "market" | "duty" | "origin" | "data"
    title: str
    why: str
    priority: float
    sources: tuple[SourceRef, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "horizon": self.horizon,
            "kind": self.kind,
            "title": self.title,
            "why": self.why,
            "priority": self.priority,
            "sources": [{"label": s.label, "url": s.url} for s in self.sources],
        }


@dataclass(frozen=True)
class ExportPlan:
    """The one-command export plan for a firm."""

    firm: dict[str, Any]
    lang: str
    generated_on: str
    data_source: str  # "starter" | "catalog"
    products: tuple[ProductPlan, ...]
    readiness: Any  # kaigai.readiness.ReadinessResult
    actions: tuple[Action, ...]
    summary: tuple[str, ...]
    assumptions: tuple[str, ...]
    missing: tuple[str, ...]
    provenance: tuple[Provenance, ...]
    # the engines' own result objects computed for this plan (None for a duty view read back
    # from the stored results of an earlier plan, see kaigai.app.plan_engines.run_duty)
    engine_outputs: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    # "what changed since your last plan": one entry per (product, market), see run_changes
    changes: tuple[dict[str, Any], ...] = ()
    changes_since: str | None = None  # date of the last plan (None: first plan)
    gaps: tuple[Any, ...] = ()  # kaigai.plan.gaps.Gap: what the plan could not check + how to fill

    def to_dict(self) -> dict[str, Any]:
        return {
            "kaigai_plan_version": 1,
            "changes_since_last_plan": {"since": self.changes_since, "markets": list(self.changes)},
            "firm": self.firm,
            "lang": self.lang,
            "generated_on": self.generated_on,
            "data_source": self.data_source,
            "summary": list(self.summary),
            "products": [p.to_dict() for p in self.products],
            "readiness": self.readiness.to_dict(self.lang),
            "actions": [a.to_dict() for a in self.actions],
            "assumptions": list(self.assumptions),
            "missing": list(self.missing),
            "gaps": [g.to_dict() for g in self.gaps],
            "provenance": [p.to_dict() for p in self.provenance],
        }


__all__ = [
    "Action",
    "DutyView",
    "ExportPlan",
    "MarketPlan",
    "OriginView",
    "Part",
    "ProductPlan",
    "SourceRef",
    "Status",
]
