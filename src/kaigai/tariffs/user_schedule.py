"""User-supplied national schedules: the documented import format (docs/tariffs.md).

A schedule file is CSV or Parquet, one row per (national line, rate column)::

    importer,national_code,description,column,rate_text,valid_from,source
    THA,8471.30.10,Laptops,mfn,0,2026-01-01,WITS TRAINS export 2026-02
    THA,8471.30.10,Laptops,RCEP,0,2026-01-01,...

``column`` is ``mfn`` or an agreement id of the registry (``RCEP``, ``AJCEP``, ``JP-TH``...);
``rate_text`` accepts ``5``, ``5%``, ``free``/``無税``, ``*`` (excluded), ``0/20`` (in/out of
quota) and the Japanese forms (``10.9円/kg``, ``3%又は10.9円/kgのうちいずれか高い税率``).
``hs6`` is optional (first 6 digits of ``national_code``).

Hook for ``kaigai data import``: call :func:`is_schedule_file` on a path and, when true,
:func:`import_schedule_file` (it validates, then writes a normalised Parquet under
``<data_dir>/tariff_schedules/``, which :func:`load_imported_schedules` reads).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from kaigai.core.countries import normalize_country
from kaigai.core.errors import CountryError, ImportFormatError, RateParseError
from kaigai.hs.codes import digits
from kaigai.tariffs.expr import FREE
from kaigai.tariffs.jp_parse import parse_jp_rate
from kaigai.tariffs.schedule import RateCell, Schedule, TariffLine
from kaigai.tariffs.vn_parse import parse_vn_rate

if TYPE_CHECKING:
    from kaigai.core.config import Settings

REQUIRED = ("importer", "national_code", "column", "rate_text", "valid_from")
SUBDIR = "tariff_schedules"


def _read(path: Path) -> pd.DataFrame:
    if path.suffix.lower() == ".parquet":
        return pd.read_parquet(path)
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def is_schedule_file(path: Path) -> bool:
    """True when ``path`` is a CSV/Parquet with the schedule columns."""
    if not path.is_file() or path.suffix.lower() not in (".csv", ".parquet"):
        return False
    try:
        cols = set(
            pd.read_parquet(path).columns
            if path.suffix.lower() == ".parquet"
            else pd.read_csv(path, nrows=0).columns
        )
    except Exception:  # noqa: BLE001 - unreadable means "not ours"
        return False
    return set(REQUIRED) <= cols


def _cell(column: str, text: str, row: int) -> RateCell:
    t = text.strip()
    if t.lower() in ("free", "0%", "無税"):
        return RateCell(column, text, FREE, row)
    try:
        v = parse_vn_rate(t.rstrip("%") if t.endswith("%") and "/" not in t else t)
        return RateCell(
            column, text, v.expr, row, excluded=v.excluded, excluded_origins=v.excluded_origins
        )
    except RateParseError:
        pass
    try:
        return RateCell(column, text, parse_jp_rate(t).expr, row)
    except RateParseError as exc:
        return RateCell(column, text, None, row, error=exc.message)


def schedules_from_frame(df: pd.DataFrame, dataset: str = "user_schedule") -> tuple[Schedule, ...]:
    """Validate a schedule frame and build one :class:`Schedule` per (importer, valid_from)."""
    missing = [c for c in REQUIRED if c not in df.columns]
    if missing:
        raise ImportFormatError(
            f"Schedule file lacks columns {missing}.",
            hint="Required: " + ", ".join(REQUIRED) + " (see docs/tariffs.md).",
        )
    out = []
    for (imp, vf), g in df.groupby(["importer", "valid_from"], sort=True):
        try:
            importer = normalize_country(str(imp))
        except CountryError as exc:
            raise ImportFormatError(
                f"Unknown importer '{imp}' in schedule file.", hint=exc.hint
            ) from exc
        try:
            valid_from = dt.date.fromisoformat(str(vf)[:10])
        except ValueError as exc:
            raise ImportFormatError(f"valid_from '{vf}' is not a date (YYYY-MM-DD).") from exc
        lines: dict[str, list[TariffLine]] = {}
        by_code: dict[str, TariffLine] = {}
        for code, lg in g.groupby("national_code", sort=True):
            d = digits(str(code))
            if len(d) < 6:
                raise ImportFormatError(f"national_code '{code}' has fewer than 6 digits.")
            cells = {
                str(r.column): _cell(str(r.column), str(r.rate_text), int(i) + 2)
                for i, r in zip(lg.index, lg.itertuples(), strict=True)
            }
            mfn = cells.get("mfn")
            desc = str(lg["description"].iloc[0]) if "description" in lg.columns else ""
            line = TariffLine(
                importer,
                str(code),
                d[:6],
                desc,
                cells,
                mfn.expr if mfn else None,
                ("mfn",) if mfn and mfn.expr is not None else (),
                int(lg.index[0]) + 2,
            )
            lines.setdefault(d[:6], []).append(line)
            by_code[d] = line
        src = str(g["source"].iloc[0]) if "source" in g.columns else "user file"
        out.append(
            Schedule(
                importer,
                dataset,
                valid_from.isoformat(),
                valid_from,
                src,
                {k: tuple(v) for k, v in lines.items()},
                by_code,
                agreement_columns=True,
            )
        )
    return tuple(out)


def import_schedule_file(path: Path, settings: Settings) -> list[Path]:
    """Validate ``path`` and store it (normalised Parquet) under the data dir; returns the files."""
    df = _read(path)
    scheds = schedules_from_frame(df)
    target = Path(settings.data_dir) / SUBDIR
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for s in scheds:
        p = target / f"{s.importer}_{s.valid_from.isoformat()}.parquet"
        sub = df[
            (df["importer"].map(lambda x: normalize_country(str(x))) == s.importer)
            & (df["valid_from"].astype(str).str[:10] == s.valid_from.isoformat())
        ]
        sub.astype(str).to_parquet(p, index=False)
        written.append(p)
    return written


def load_imported_schedules(settings: Settings) -> tuple[Schedule, ...]:
    """Schedules previously stored by :func:`import_schedule_file`."""
    folder = Path(settings.data_dir) / SUBDIR
    if not folder.is_dir():
        return ()
    out: list[Schedule] = []
    for p in sorted(folder.glob("*.parquet")):
        out.extend(schedules_from_frame(pd.read_parquet(p), dataset=f"user_schedule:{p.name}"))
    return tuple(out)


__all__ = [
    "REQUIRED",
    "import_schedule_file",
    "is_schedule_file",
    "load_imported_schedules",
    "schedules_from_frame",
]
