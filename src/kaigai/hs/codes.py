"""HS code normalisation and validation (pure functions on strings)."""

from __future__ import annotations

import re

from kaigai.core.errors import HSCodeError

_SEP = re.compile(r"[\s.\-_/]")


def digits(text: str | int) -> str:
    """Strip separators: "8471.30", "8471 30 00", "8471-30" -> digits only."""
    s = str(text).strip()
    d = _SEP.sub("", s)
    if not d.isdigit():
        raise HSCodeError(
            f"HS code '{s}' contains characters other than digits and separators.",
            hint="Write it like 847130, 8471.30 or 8471 30 00.",
            hs=s,
        )
    return d


def normalize_hs6(text: str | int) -> str:
    """Normalise a code to 6 digits; national 8-10 digit lines map to their HS6.

    Raises
    ------
    HSCodeError
        if fewer than 6 digits (a 2/4-digit code is a chapter/heading, not a subheading).

    Examples
    --------
    >>> normalize_hs6("8471.30")
    '847130'
    >>> normalize_hs6("8471 30 00")
    '847130'
    """
    s = str(text).strip()
    d = digits(s)
    if len(d) == 5 and isinstance(text, int):  # an integer lost its leading zero, e.g. 30722
        d = "0" + d
    if len(d) < 6:
        pad = (d + "000000")[:6] if len(d) in (2, 4) else None
        hint = (
            f"did you mean {pad} or another subheading of {d}?"
            if pad
            else "An HS6 code has 6 digits, e.g. 847130."
        )
        raise HSCodeError(f"HS code {s} is not 6 digits.", hint=hint, hs=s)
    if len(d) > 10:
        raise HSCodeError(
            f"HS code {s} has {len(d)} digits; national lines have at most 10.",
            hint="Give the HS6 part, e.g. 847130.",
            hs=s,
        )
    return d[:6]


def normalize_prefix(text: str | int) -> str:
    """A chapter (2), heading (4) or subheading (6) code as digits; odd lengths rejected."""
    d = digits(text)
    if len(d) not in (2, 4, 6):
        raise HSCodeError(
            f"HS code {text} should have 2, 4 or 6 digits.",
            hint="e.g. 84, 8471 or 847130.",
            hs=str(text),
        )
    return d


__all__ = ["digits", "normalize_hs6", "normalize_prefix"]
