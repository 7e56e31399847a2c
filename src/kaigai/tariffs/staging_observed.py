"""Japan's observed yearly staging step (tariffs_staging/) checked against the staging model (pure).

Japan's schedule at 2025-04-01 and 2026-04-01 shows one full staging step (Japan cuts on
1 April). For every (EPA column, national line) with an ad valorem rate at both dates the step
is *observed*. Lines whose staging category was inferred (see :mod:`staging_check`) are checked:
the model's rates for the agreement years of both dates must equal the observed ones (Japan
rounds down to 0.1 point). Agreeing lines keep their category (marked confirmed); disagreeing
lines lose it, so the printed rates stand and no projected path is shown for them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from kaigai.tariffs.agreements import Agreement
from kaigai.tariffs.index import StagingInfo
from kaigai.tariffs.schedule import format_jp_code
from kaigai.tariffs.staging import staged_rate, year_index

if TYPE_CHECKING:
    import pandas as pd

BEFORE, AFTER = dt.date(2025, 4, 1), dt.date(2026, 4, 1)
SOURCE = "Japan Customs schedule 2025-04-01 and 2026-04-01 (tariffs_staging, jp_tariff_snapshots)"


@dataclass(frozen=True)
class ObservedStep:
    column: str
    national_line: str
    before: float  # % on 2025-04-01
    after: float  # % on 2026-04-01

    def to_dict(self) -> dict[str, object]:
        return {
            BEFORE.isoformat(): self.before,
            AFTER.isoformat(): self.after,
            "source": SOURCE,
        }


def observed_steps(frame: pd.DataFrame) -> dict[tuple[str, str], ObservedStep]:
    """(rate column, national line ``0201.30.010``) -> the observed step, for ad valorem pairs."""
    df = frame[
        frame["rate_column"].astype(str).str.startswith(("epa_", "us_japan"))
        & frame["pct_2025_04_01"].notna()
        & frame["pct_2026_04_01"].notna()
    ]
    out: dict[tuple[str, str], ObservedStep] = {}
    for col, code, b, a in zip(
        df["rate_column"].astype(str),
        df["national_code_9"].astype(str),
        df["pct_2025_04_01"].astype(float),
        df["pct_2026_04_01"].astype(float),
        strict=True,
    ):
        if len(code) != 9 or not code.isdigit():
            continue
        out.setdefault((col, format_jp_code(code)), ObservedStep(col, format_jp_code(code), b, a))
    return out


@dataclass(frozen=True)
class ModelCheck:
    key: tuple[str, str, str]  # (importer, agreement, national line)
    category: str
    model: tuple[float | None, float | None]
    observed: tuple[float, float] | None
    agrees: bool | None  # None: not observed


def jp_columns(agreements: Iterable[Agreement]) -> dict[str, str]:
    """Agreement id -> its single Japanese schedule column (agreements with one column only)."""
    out = {}
    for a in agreements:
        ref = a.schedules.get("JPN")
        cols = set(ref.columns.values()) if ref else set()
        if len(cols) == 1:
            out[a.id] = cols.pop()
    return out


def check_model(
    staging: Mapping[tuple[str, str, str], StagingInfo],
    steps: Mapping[tuple[str, str], ObservedStep],
    agreements: Iterable[Agreement],
) -> list[ModelCheck]:
    """Each Japanese line with a staging category: does the model give the observed step?"""
    ags = {a.id: a for a in agreements}
    cols = jp_columns(ags.values())
    out = []
    for key, info in sorted(staging.items()):
        imp, ag, nl = key
        a = ags.get(ag)
        if imp != "JPN" or a is None or ag not in cols or "JPN" not in a.parties:
            continue
        ref = a.schedules["JPN"]
        start = a.parties["JPN"]
        m = tuple(
            staged_rate(info.base_pct, info.category, year_index(start, d, ref.year_start),
                        decimals=1, rounding="down")
            for d in (BEFORE, AFTER)
        )  # fmt: skip
        st = steps.get((cols[ag], nl))
        if st is None:
            out.append(ModelCheck(key, info.category, m, None, None))  # type: ignore[arg-type]
            continue
        ok = all(
            x is not None and abs(x - y) < 1e-6
            for x, y in zip(m, (st.before, st.after), strict=True)
        )
        out.append(ModelCheck(key, info.category, m, (st.before, st.after), ok))  # type: ignore[arg-type]
    return out


def apply_checks(
    staging: Mapping[tuple[str, str, str], StagingInfo], checks: Iterable[ModelCheck]
) -> dict[tuple[str, str, str], StagingInfo]:
    """Confirmed categories are marked; categories the observed step contradicts are dropped."""
    out = dict(staging)
    for c in checks:
        if c.agrees is True:
            out[c.key] = replace(
                out[c.key], source=out[c.key].source + "; confirmed by the observed 2025-04-01 -> "
                "2026-04-01 step"
            )  # fmt: skip
        elif c.agrees is False:
            out.pop(c.key, None)
    return out


def summary(checks: Iterable[ModelCheck]) -> dict[str, int]:
    """Counts: lines checked, agreeing, disagreeing, not observed."""
    cs = list(checks)
    return {
        "lines": len(cs),
        "agree": sum(c.agrees is True for c in cs),
        "disagree": sum(c.agrees is False for c in cs),
        "not_observed": sum(c.agrees is None for c in cs),
    }


__all__ = [
    "AFTER",
    "BEFORE",
    "ModelCheck",
    "ObservedStep",
    "apply_checks",
    "check_model",
    "jp_columns",
    "observed_steps",
    "summary",
]
