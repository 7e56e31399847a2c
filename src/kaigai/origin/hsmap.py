"""Map a product's HS 2022 code to the HS edition a rule set is written in, and say how sure that is.

The HS 2017 <-> HS 2022 step follows :mod:`kaigai.hs.concordance`: a code present in both
editions is carried over under the same code and a code new in 2022 is "changed between
editions" — an ambiguous mapping that is said, never guessed. Official UNSD pairs can be passed
as ``official`` (the shells do not load that table yet). Editions older
than HS 2017 (CPTPP HS 2012, JP-VN HS 2007) have no list in the data: the HS 2017 step is done
and the note says that the older step cannot be checked (it is not assumed unchanged).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from kaigai.hs.concordance import CHANGED_NOTE, SAME_NOTE


@dataclass(frozen=True)
class EditionMap:
    """Where an HS 2022 product code sits in the rule set's edition."""

    edition: str
    status: str  # "same", "same_code", "official", "changed"
    codes: tuple[str, ...]  # candidate codes in the rule edition (empty when unknown)
    note: str
    ambiguous: bool


def map_edition(
    hs6: str,
    edition: str,
    hs17_codes: frozenset[str],
    official: Mapping[str, tuple[str, ...]] | None = None,
) -> EditionMap:
    """Map HS 2022 ``hs6`` to ``edition`` through the HS 2017 concordance.

    ``official`` maps HS 2022 codes to their HS 2017 targets (UNSD table), when it was pulled.

    Examples
    --------
    >>> map_edition("847130", "HS2017", frozenset({"847130"})).status
    'same_code'
    >>> map_edition("852411", "HS2017", frozenset({"847130"})).ambiguous
    True
    """
    if edition in ("", "HS2022", "as given"):
        return EditionMap(
            edition, "same", (hs6,), "rule set is written in HS2022; no mapping needed", False
        )
    older = (
        ""
        if edition == "HS2017"
        else (
            f"; {edition} -> HS2017 cannot be checked: no {edition} nomenclature or correlation table "
            "is in the data, so a change between "
            f"{edition} and HS2017 is not ruled out (the rule is not assumed unchanged)"
        )
    )
    targets = tuple((official or {}).get(hs6, ()))
    if targets:
        amb = len(targets) > 1
        note = (
            f"HS2022 {hs6} -> HS2017 {', '.join(targets)} (official correlation table)"
            + (
                ": several HS2017 codes, so the rule depends on which one the good was"
                if amb
                else ""
            )
            + older
        )
        return EditionMap(edition, "official", targets, note, amb)
    if hs6 not in hs17_codes:
        note = (
            f"HS2022 {hs6} does not exist in HS2017 ({CHANGED_NOTE}): it was created or split in "
            f"2022, so which {edition} rule applies is ambiguous; check the correlation table"
        )
        return EditionMap(edition, "changed", (), note, True)
    note = f"HS2022 {hs6} -> HS2017 {hs6}: {SAME_NOTE}" + older
    return EditionMap(edition, "same_code", (hs6,), note, False)


def edition_mapping(hs6: str, edition: str, hs17_codes: frozenset[str]) -> tuple[str, bool]:
    """(note, ambiguous) of :func:`map_edition` (kept for callers of the old API)."""
    m = map_edition(hs6, edition, hs17_codes)
    return m.note, m.ambiguous


__all__ = ["EditionMap", "edition_mapping", "map_edition"]
