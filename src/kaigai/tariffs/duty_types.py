"""Query and result types of the duty-options engine (:func:`kaigai.tariffs.options.duty_options`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kaigai.core.provenance import Provenance
from kaigai.tariffs.expr import Basis, Interval

MFN = "MFN"
RuleLookup = Callable[[str, str], dict[str, Any]]


@dataclass(frozen=True)
class DutyQuery:
    hs: str
    origin: str
    destination: str
    on: dt.date
    basis: Basis = field(default_factory=Basis)
    line: str | None = None
    path_years: int | None = None  # None: until every option is at its final rate
    rule_lookup: RuleLookup | None = None  # origin-engine adapter (shell supplies it)
    lang: str = "en"  # agreement names: "en" or "ja"


@dataclass(frozen=True)
class OptionRow:
    option: str
    name: str
    kind: str  # "mfn" | "preferential" | "scenario"
    status: (
        str  # "ok" | "needs_input" | "no_preference" | "excluded" | "unparsed" | "origin_excluded"
    )
    rate: str
    rate_text: str
    rate_pct: float | None
    rate_is_ave: bool
    duty: Interval | None
    margin_pct: float | None
    margin_amount: float | None
    message: str | None
    origin_rule: dict[str, Any]
    provenance: Provenance
    staging: dict[str, Any] | None = None


@dataclass(frozen=True)
class LineOptions:
    national_code: str
    description: str
    options: tuple[OptionRow, ...]
    best: str | None
    best_reason: str


@dataclass(frozen=True)
class DutyOptions:
    hs: str
    origin: str
    destination: str
    on: dt.date
    schedule: Provenance
    lines: tuple[LineOptions, ...]
    path: tuple[dict[str, Any], ...]
    tax: dict[str, Any] | None
    missing: tuple[str, ...]
    notes: tuple[str, ...]
    surcharges: tuple[dict[str, Any], ...] = ()  # additional duties kept apart (US Chapter 99)

    def to_dict(self) -> dict[str, Any]:
        from kaigai.tariffs.render import options_to_dict

        return options_to_dict(self)


__all__ = ["MFN", "DutyOptions", "DutyQuery", "LineOptions", "OptionRow", "RuleLookup"]
