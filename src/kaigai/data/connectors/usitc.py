"""USITC Harmonized Tariff Schedule CSV export -> the duty engine's schedule format for USA.

Published format (the "Export -> CSV" of hts.usitc.gov, the same file as each release's
``hts_<year>_revision_<n>_csv.csv``): columns ``HTS Number, Indent, Description, Unit of
Quantity, General Rate of Duty, Special Rate of Duty, Column 2 Rate of Duty, Quota Quantity,
Additional Duties``. Rates sit on the 8-digit legal lines (or a 10-digit line that coincides
with one). The Special column lists ``rate (program codes)`` groups, e.g.
``Free (A+,AU,B,...,JP,KR,...)``; ``JP`` is the US-Japan Trade Agreement (HTS General Note
3(c)(i)).

The schedule gets ``mfn`` (the General rate) and ``US-JP`` (the rate of program ``JP``, where
listed) for every rate line of Chapters 1-97. Chapter 98/99 rows (special provisions and the
additional duties of Sections 232/301 and the 2025 country measures) are not merged into any
line: they are counted and reported, and shown apart by the duty engine where it reads them.
The HTS is a US Government work (public domain in the US).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from kaigai.core.errors import ImportFormatError

EXPORT_URL = "https://hts.usitc.gov/reststop/exportList?from=0100&to=9999&format=CSV&styles=false"
COLUMNS = (
    "HTS Number",
    "Indent",
    "Description",
    "General Rate of Duty",
    "Special Rate of Duty",
)
_GROUP = re.compile(r"([^()]+?)\s*\(([^()]*)\)")


def special_programs(text: str) -> dict[str, str]:
    """Program code -> rate text of a Special column (``Free (A,AU,JP) 1.2% (KR)``)."""
    out: dict[str, str] = {}
    for rate, codes in _GROUP.findall(text or ""):
        rate = rate.strip()
        if rate.lower().startswith("see") or not rate:
            continue
        for code in codes.split(","):
            c = code.strip().rstrip("*+").strip()
            if c and c not in out:
                out[c] = rate
    return out


def _rate(text: str) -> str:
    t = text.strip()
    return "free" if t.lower() == "free" else t


@dataclass(frozen=True)
class HtsConversion:
    schedule: pd.DataFrame
    rate_lines: int
    jp_lines: int
    ch98_99_rows: int


def convert(data: bytes | Path, *, edition: str, valid_from: str) -> HtsConversion:
    """Convert a USITC CSV export (bytes or a path) into schedule rows."""
    raw = data.read_bytes() if isinstance(data, Path) else data
    df = pd.read_csv(io.BytesIO(raw), dtype=str, keep_default_na=False, encoding="utf-8-sig")
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise ImportFormatError(
            f"Not a USITC HTS CSV export: columns {missing} are missing.",
            hint="Export the whole schedule as CSV from hts.usitc.gov (see docs/connectors.md).",
        )
    rows = []
    ch9899 = jp = n = 0
    for r in df.itertuples(index=False):
        code = str(r[0]).strip()
        digits = code.replace(".", "")
        general = str(r[4]).strip()
        if not general or len(digits) < 8:
            continue
        if digits[:2] in ("98", "99"):
            ch9899 += 1
            continue
        n += 1
        base = {
            "importer": "USA",
            "national_code": code,
            "hs6": digits[:6],
            "description": str(r[2]).strip(),
            "valid_from": valid_from,
        }
        src = f"USITC HTS {edition} (CSV export)"
        rows.append({**base, "column": "mfn", "rate_text": _rate(general), "source": src})
        jp_rate = special_programs(str(r[5])).get("JP")
        if jp_rate is not None:
            jp += 1
            rows.append(
                {**base, "column": "US-JP", "rate_text": _rate(jp_rate), "source": src + " (JP)"}
            )
    cols = ["importer", "national_code", "hs6", "description", "column", "rate_text"]
    out = pd.DataFrame(rows, columns=[*cols, "valid_from", "source"])
    return HtsConversion(out, n, jp, ch9899)


__all__ = ["EXPORT_URL", "HtsConversion", "convert", "special_programs"]
