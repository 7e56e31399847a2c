"""Where a figure came from: dataset, edition, row and any transformation applied."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Provenance:
    """Origin of one figure shown to a user.

    ``dataset`` is the catalog name (e.g. ``"trade_hs6"``), ``edition`` its year/version,
    ``locator`` identifies the row(s) (e.g. ``"exporter=JPN importer=VNM hs6=847130"``),
    ``source`` is the upstream publisher/URL and ``note`` says how the figure was derived.
    """

    dataset: str
    edition: str = ""
    locator: str = ""
    source: str = ""
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def __str__(self) -> str:
        parts = [self.dataset + (f" ({self.edition})" if self.edition else "")]
        if self.locator:
            parts.append(self.locator)
        if self.note:
            parts.append(self.note)
        return "; ".join(parts)


@dataclass(frozen=True)
class Figure:
    """A number together with its unit and provenance. ``value is None`` means missing."""

    value: float | None
    unit: str = ""
    provenance: tuple[Provenance, ...] = field(default_factory=tuple)

    @property
    def missing(self) -> bool:
        return self.value is None

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "unit": self.unit,
            "missing": self.missing,
            "provenance": [p.to_dict() for p in self.provenance],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Figure:
        """The figure :meth:`to_dict` wrote."""
        return cls(d["value"], d["unit"], tuple(Provenance(**p) for p in d["provenance"]))


__all__ = ["Figure", "Provenance"]
