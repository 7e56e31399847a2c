"""Parser for Viet Nam's 2026 schedule cells (``vn_tariff``): ``5``, ``10,9``, ``*``,
``0 (-KH, MY)``, ``28; M: 35`` (CPTPP Mexico rate), ``0/20`` (in/out of quota)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from kaigai.core.errors import RateParseError
from kaigai.tariffs.expr import AdValorem, Branch, Conditional, RateExpr

_NUM = r"\d+(?:[.,]\d+)?"
_ISO2 = {"KH": "KHM", "MY": "MYS", "LA": "LAO", "ID": "IDN", "TH": "THA", "MM": "MMR", "PH": "PHL",
         "SG": "SGP", "BN": "BRN", "VN": "VNM", "CN": "CHN", "KR": "KOR", "JP": "JPN", "AU": "AUS",
         "NZ": "NZL", "IN": "IND"}  # fmt: skip


@dataclass(frozen=True)
class VnCell:
    """Parsed VN cell: expression (``None`` when excluded ``*``) and origins it does not cover."""

    text: str
    expr: RateExpr | None
    excluded: bool
    excluded_origins: tuple[str, ...]


def _pct(s: str) -> AdValorem:
    s = s.strip()
    if not re.fullmatch(_NUM, s):
        raise RateParseError(f"unrecognised rate '{s}'")
    return AdValorem(float(s.replace(",", ".")))


def _plain(s: str) -> RateExpr | None:
    s = s.strip()
    if s == "*":
        return None
    if "/" in s:
        parts = s.split("/")
        if len(parts) != 2:
            raise RateParseError(f"more than two quota rates in '{s}'")
        a, b = (_plain(p) for p in parts)
        br: list[Branch] = []
        if a is not None:
            br.append(Branch("in_quota", "in-quota rate", a))
        if b is not None:
            br.append(Branch("out_quota", "out-of-quota rate", b))
        if not br:
            return None
        return Conditional(tuple(br))
    return _pct(s)


@lru_cache(maxsize=8192)
def parse_vn_rate(text: str) -> VnCell:
    """Parse one VN cell. ``*`` -> excluded (MFN applies).

    Raises
    ------
    RateParseError
        for text such as ``150% thuế MFN`` or chapter-98 instructions.
    """
    t = text.strip()
    excl: tuple[str, ...] = ()
    m = re.search(r"\(\s*-\s*([A-Z]{2}(?:\s*,\s*[A-Z]{2})*)\s*\)", t)
    if m:
        codes = [c.strip() for c in m.group(1).split(",")]
        unknown = [c for c in codes if c not in _ISO2]
        if unknown:
            raise RateParseError(f"unknown excluded origin {unknown}")
        excl = tuple(_ISO2[c] for c in codes)
        t = (t[: m.start()] + t[m.end() :]).strip()
    if ";" in t:
        head, tail = t.split(";", 1)
        mm = re.fullmatch(r"\s*M\s*:\s*(.+)", tail)
        if not mm:
            raise RateParseError(f"unrecognised suffix '{tail}'")
        base, mex = _plain(head), _plain(mm.group(1))
        br = []
        if mex is not None:
            br.append(Branch("party", "Mexico (M)", mex, ("MEX",)))
        if base is not None:
            br.append(Branch("party", "other parties", base, ()))
        return VnCell(text, Conditional(tuple(br)) if br else None, not br, excl)
    expr = _plain(t)
    return VnCell(text, expr, expr is None, excl)


__all__ = ["VnCell", "parse_vn_rate"]
