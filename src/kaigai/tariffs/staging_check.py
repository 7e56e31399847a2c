"""Reproduce Japan's printed CPTPP rates from APFC base rates by linear staging.

The data has no year-by-year schedule. For each HS6 with an APFC CPTPP base rate > 0 and
final rate 0, where every Japanese national line under it prints the same ad valorem CPTPP
rate in the 2026 schedule, we search the categories EIF, B1..B21 whose year-k rate (k = agreement
year on the schedule date, Japan's years starting 1 April) equals the printed rate. A category
is *inferred by matching only*; lines already free in 2026 match every category with N <= k and
are reported as ambiguous, not assigned.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

import pandas as pd

from kaigai.tariffs.expr import AdValorem
from kaigai.tariffs.schedule import Schedule
from kaigai.tariffs.staging import match_category, year_index

CPTPP_EIF_JPN = dt.date(2018, 12, 30)
JAPAN_YEAR_START = (4, 1)


@dataclass(frozen=True)
class LineMatch:
    hs6: str
    base: float
    printed: float
    category: str | None
    candidates: tuple[str, ...]
    status: str  # "matched" | "free_ambiguous" | "no_match"
    national_lines: tuple[str, ...]


@dataclass(frozen=True)
class StagingCheck:
    year_index: int
    rounding: str
    matches: tuple[LineMatch, ...]
    skipped: dict[str, int]

    def counts(self) -> dict[str, int]:
        c: Counter[str] = Counter()
        for m in self.matches:
            c[m.category if m.status == "matched" and m.category else m.status] += 1
        return dict(c.most_common())

    def inferred(self) -> dict[str, str]:
        """National line -> category for every uniquely matched line."""
        return {
            nl: m.category
            for m in self.matches
            if m.status == "matched" and m.category
            for nl in m.national_lines
        }


def check_cptpp_staging(
    schedule: Schedule,
    apfc: pd.DataFrame,
    *,
    on: dt.date | None = None,
    decimals: int = 1,
    rounding: str = "down",
) -> StagingCheck:
    """Match APFC base rates + linear categories against the CPTPP column of ``schedule``."""
    on = on or schedule.valid_from
    k = year_index(CPTPP_EIF_JPN, on, JAPAN_YEAR_START)
    skipped: Counter[str] = Counter()
    out: list[LineMatch] = []
    rows = zip(
        apfc["hs6"].astype(str).tolist(),
        apfc["base_rate_pct"].tolist(),
        apfc["final_rate_pct"].tolist(),
        strict=True,
    )
    for hs6, base_raw, final_raw in rows:
        base = None if base_raw is None or pd.isna(base_raw) else float(base_raw)
        final = None if final_raw is None or pd.isna(final_raw) else float(final_raw)
        if base is None or base <= 0:
            skipped["base_free_or_missing"] += 1
            continue
        if final is None or final != 0:
            skipped["final_not_zero_or_text"] += 1
            continue
        lines = schedule.lines.get(hs6)
        if not lines:
            skipped["hs6_not_in_schedule"] += 1
            continue
        exprs = [ln.cells["epa_cptpp"].expr if "epa_cptpp" in ln.cells else None for ln in lines]
        if not all(isinstance(e, AdValorem) for e in exprs):
            skipped["not_ad_valorem"] += 1
            continue
        vals = {e.pct for e in exprs}  # type: ignore[union-attr]
        if len(vals) != 1:
            skipped["national_lines_differ"] += 1
            continue
        printed = vals.pop()
        m = match_category(base, printed, k, decimals=decimals, rounding=rounding, tol=1e-6)
        if m.category is None:
            status = "no_match"
        elif printed == 0 and len(m.candidates) > 1:
            status = "free_ambiguous"
        else:
            status = "matched"
        out.append(
            LineMatch(
                hs6,
                base,
                printed,
                m.category if status == "matched" else None,
                m.candidates,
                status,
                tuple(ln.national_code for ln in lines),
            )
        )
    return StagingCheck(k, f"{rounding} to {decimals} dp", tuple(out), dict(skipped))


__all__ = ["CPTPP_EIF_JPN", "JAPAN_YEAR_START", "LineMatch", "StagingCheck", "check_cptpp_staging"]
