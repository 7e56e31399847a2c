"""Map a product's HS 2022 code to the HS edition a rule set is written in, and say how sure that is."""

from __future__ import annotations


def edition_mapping(hs6: str, edition: str, hs17_codes: frozenset[str]) -> tuple[str, bool]:
    """A note on how ``hs6`` (HS 2022) relates to ``edition``, and whether the mapping is ambiguous.

    No HS concordance is bundled. A code that also exists in HS 2017 is taken as unchanged; a code
    absent from HS 2017 was created or split in 2022, so the older rule may belong to another code.

    Examples
    --------
    >>> edition_mapping("847130", "HS2017", frozenset({"847130"}))
    ('HS2022 847130 exists unchanged in HS2017; rule looked up by the same code', False)
    """
    if edition in ("", "HS2022"):
        return ("rule set is written in HS2022; no mapping needed", False)
    if hs6 not in hs17_codes:
        return (
            f"HS2022 {hs6} does not exist in HS2017: it was created or split in 2022, so the {edition} rule "
            "for this good is ambiguous (no concordance bundled); the rule shown is the one whose "
            "current-code range holds it — check the correlation table",
            True,
        )
    if edition == "HS2017":
        return (f"HS2022 {hs6} exists unchanged in HS2017; rule looked up by the same code", False)
    return (
        f"HS2022 {hs6} exists in HS2017; assumed unchanged back to {edition} (no {edition} list bundled); "
        "the UK tariff maps its rule ranges to current codes",
        False,
    )


__all__ = ["edition_mapping"]
