"""What changed between dated versions of one importer's schedule (pure).

A :class:`Version` is one dated schedule reduced to its rate texts per (national line, column).
Versions come from Japan's four dated snapshots (tariffs_staging/), the schedules in the tariff
index, user-imported schedule files (one per ``valid_from``) and catalog versions kept on
re-import. :func:`changes` compares the version in force on ``since`` with the one in force on
``until`` (default: the latest) and lists every line of the products whose rate text changed,
with each intermediate step.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from kaigai.core.errors import TariffError
from kaigai.hs.codes import digits
from kaigai.tariffs.schedule import Schedule, format_jp_code

SNAPSHOT_DATES = ("2025_04_01", "2026_01_01", "2026_04_01", "2026_07_09")


@dataclass(frozen=True)
class Version:
    importer: str
    valid_from: dt.date
    label: str  # dataset and edition
    cells: Mapping[tuple[str, str], str] = field(repr=False)  # (national line, column) -> text


@dataclass(frozen=True)
class Change:
    national_line: str
    column: str
    option: str  # registry agreement id or "MFN" component
    before: str | None  # None: no cell / line absent
    after: str | None
    steps: tuple[tuple[str, str | None], ...]  # (version date, text) for every version between

    def to_dict(self) -> dict[str, Any]:
        return {
            "national_line": self.national_line,
            "column": self.column,
            "option": self.option,
            "before": self.before,
            "after": self.after,
            "steps": [{"valid_from": d, "rate_text": t} for d, t in self.steps],
        }


def versions_from_snapshots(frame: pd.DataFrame, importer: str = "JPN") -> list[Version]:
    """Japan's four dated versions (``rate_<date>`` columns of jp_tariff_snapshots)."""
    coded = frame[frame["national_code_9"].astype(str).str.fullmatch(r"\d{9}")]
    keys = [  # a code printed on two rows (seasonal pairs) keeps its repeat marker: "#2"
        (format_jp_code(c) + (k[k.index("#") :] if "#" in k else ""), str(col))
        for c, k, col in zip(
            coded["national_code_9"].astype(str),
            coded["line_key"].astype(str),
            coded["rate_column"],
            strict=True,
        )
    ]
    out = []
    for d in SNAPSHOT_DATES:
        texts = coded[f"rate_{d}"].tolist()
        cells = {k: str(t) for k, t in zip(keys, texts, strict=True) if isinstance(t, str) and t}
        out.append(
            Version(
                importer,
                dt.date.fromisoformat(d.replace("_", "-")),
                f"jp_tariff_snapshots {d.replace('_', '-')}",
                cells,
            )
        )
    return out


def version_from_schedule(s: Schedule) -> Version:
    """The rate texts of a built schedule (inherited cells included)."""
    cells = {
        (ln.national_code, col): c.text
        for lines in s.lines.values()
        for ln in lines
        for col, c in ln.cells.items()
    }
    return Version(s.importer, s.valid_from, f"{s.dataset} {s.edition}", cells)


def _in_force(versions: list[Version], on: dt.date) -> Version | None:
    ok = [v for v in versions if v.valid_from <= on]
    return ok[-1] if ok else None


def option_names(agreements: Iterable[Any], importer: str) -> dict[str, str]:
    """Schedule column -> what it is (registry agreement id, MFN components)."""
    out = {
        "general_rate": "MFN: general (基本)", "temporary_rate": "MFN: temporary (暫定)",
        "wto_rate": "MFN: WTO (協定)", "gsp_rate": "GSP", "ldc_gsp_rate": "LDC-GSP", "mfn": "MFN",
    }  # fmt: skip
    for a in agreements:
        ref = a.schedules.get(importer)
        if ref is None:
            continue
        by_col: dict[str, list[str]] = {}
        for origin, col in ref.columns.items():
            by_col.setdefault(col, []).append(origin)
        for col, origins in by_col.items():
            out[col] = a.id if len(by_col) == 1 else f"{a.id} ({', '.join(origins)})"
        out.setdefault(a.id, a.id)
    return out


def changes(
    versions: Iterable[Version],
    hs: Iterable[str],
    since: dt.date,
    until: dt.date | None = None,
    option_of: Mapping[str, str] | None = None,
) -> tuple[Version, Version, list[Change]]:
    """Lines under the HS codes ``hs`` whose rate text differs between the version in force on
    ``since`` and the one in force on ``until`` (default: the latest version).

    Raises
    ------
    TariffError
        no version on or before ``since`` (names the earliest), or fewer than two versions.
    """
    # one version per date: the first source given for a date wins (callers list the most
    # line-faithful source first, e.g. Japan's dated snapshots before the built schedule)
    by_date: dict[dt.date, Version] = {}
    for v in versions:
        by_date.setdefault(v.valid_from, v)
    vs = [by_date[d] for d in sorted(by_date)]
    if not vs:
        raise TariffError("No dated schedule versions.", hint="Import a schedule first.")
    base = _in_force(vs, since)
    if base is None:
        raise TariffError(
            f"No {vs[0].importer} schedule version on or before {since.isoformat()}: the earliest "
            f"is {vs[0].valid_from.isoformat()} ({vs[0].label}).",
            hint=f"Use --since {vs[0].valid_from.isoformat()} or later.",
        )
    target = _in_force(vs, until) if until else vs[-1]
    assert target is not None
    between = [v for v in vs if base.valid_from <= v.valid_from <= target.valid_from]
    prefixes = tuple(digits(h) for h in hs)
    keys = {
        k
        for v in (base, target)
        for k in v.cells
        if k[0].split("#")[0].replace(".", "").startswith(prefixes)
    }
    out = []
    for k in sorted(keys):
        b, a = base.cells.get(k), target.cells.get(k)
        if b == a:
            continue
        steps = tuple((v.valid_from.isoformat(), v.cells.get(k)) for v in between)
        opt = (option_of or {}).get(k[1], k[1])
        out.append(Change(k[0], k[1], opt, b, a, steps))
    return base, target, out


__all__ = [
    "Change",
    "SNAPSHOT_DATES",
    "Version",
    "changes",
    "version_from_schedule",
    "versions_from_snapshots",
]
