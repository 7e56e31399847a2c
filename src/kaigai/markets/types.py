"""Option sets and parameter objects of the market finder (validated at run time)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from kaigai.core.errors import InputError

Variant = Literal["projected", "static"]
SortKey = Literal["score", "untapped", "potential", "risk", "growth", "distance"]

VARIANTS: tuple[str, ...] = get_args(Variant)
SORT_KEYS: tuple[str, ...] = get_args(SortKey)

#: World Bank high-income threshold (GNI per capita, Atlas, FY2025: USD 14,005); we apply it
#: to WEO GDP per capita in current USD of the base year to split "high" from "developing".
HIGH_INCOME_USD = 14_005.0


@dataclass(frozen=True)
class EPIParams:
    """Parameters of the export-potential pipeline.

    ``base_year`` is the trade year (only 2024 exists; ITC would average five years).
    ``target_year`` is the projection horizon (WEO Oct 2023 ends in 2028).
    ``sigma`` is the trade elasticity used to turn tariff gaps into market-share factors.
    ``coverage_min`` is the share of a market's imports that must be present as bilateral
    rows for its supplier structure to count as complete.
    """

    base_year: int = 2024
    target_year: int = 2028
    variant: Variant = "projected"
    sigma: float = 5.0
    coverage_min: float = 0.999

    def __post_init__(self) -> None:
        if self.variant not in VARIANTS:
            raise InputError(
                f"Unknown variant '{self.variant}'.", hint=f"Use one of {', '.join(VARIANTS)}."
            )
        if self.target_year < self.base_year:
            raise InputError(
                f"Target year {self.target_year} is before base year {self.base_year}.",
                hint="The projection horizon must be at or after the trade year.",
            )

    @property
    def horizon(self) -> int:
        return 0 if self.variant == "static" else self.target_year - self.base_year


def check_choice(value: str, allowed: tuple[str, ...], what: str) -> str:
    """Validate a Literal option at run time."""
    if value not in allowed:
        raise InputError(f"Unknown {what} '{value}'.", hint=f"Use one of {', '.join(allowed)}.")
    return value


__all__ = [
    "HIGH_INCOME_USD",
    "SORT_KEYS",
    "VARIANTS",
    "EPIParams",
    "SortKey",
    "Variant",
    "check_choice",
]
