"""What each connector fetches and where its converted tables go."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kaigai.core.errors import DataError, ImportFormatError, InputError
from kaigai.data.connectors import baci, uk_tariff, usitc, wits

if TYPE_CHECKING:
    import pandas as pd

    from kaigai.data.connectors import Fetcher

BACI_URL = "https://www.cepii.fr/DATA_DOWNLOAD/baci/data/BACI_HS17_V202501.zip"


def _today() -> str:
    return dt.date.today().isoformat()


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _local(files: list[str] | None) -> list[Path]:
    out = [Path(f) for f in files or []]
    for p in out:
        if not p.is_file():
            raise InputError(f"No such file: {p}.", hint="Give the path of a downloaded file.")
    return out


def _store_schedule(f: Fetcher, frame: pd.DataFrame, label: str) -> None:
    from kaigai.tariffs.user_schedule import import_schedule_file

    if frame.empty:
        raise DataError(
            f"{label}: the answer holds no tariff lines kaigai can use.",
            hint="Check the reporter, year or HS code; " + f.connector.manual,
        )
    out = f.folder() / "converted" / f"{label}.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(out, index=False)
    written = import_schedule_file(out, f.settings)
    for w in written:
        f.result.tables.append(
            {
                "table": "tariff_schedule",
                "importer": str(frame["importer"].iloc[0]),
                "file": str(w),
                "lines": int(frame["national_code"].nunique()),
                "rows": len(frame),
                "columns": sorted(frame["column"].unique()),
            }
        )


def run_baci(
    f: Fetcher,
    *,
    file: list[str] | None = None,
    url: str | None = None,
    years: tuple[int, ...] | None = None,
    **_: Any,
) -> None:
    from kaigai.data.importer import import_path

    local = _local(file)
    path = local[0] if local else f.get(url or BACI_URL, Path(url or BACI_URL).name)
    try:
        tables = baci.convert(path, years)
    except (OSError, zipfile.BadZipFile) as exc:
        raise ImportFormatError(f"{path.name}: not a readable BACI zip ({exc}).") from exc
    out = f.folder() / "converted"
    out.mkdir(parents=True, exist_ok=True)
    src = f"CEPII BACI {tables.hs_revision} V{tables.version} ({path.name})"
    for name, frame in (
        ("trade_hs6", tables.trade_hs6),
        ("imports_by_importer", tables.imports_by_importer),
        ("exports_by_exporter", tables.exports_by_exporter),
    ):
        p = out / f"{name}.parquet"
        frame.to_parquet(p, index=False)
        res = import_path(p, f.settings, as_name=name, edition=tables.edition, source=src)[0]
        f.result.tables.append(
            {"table": name, "rows": res.rows, "edition": tables.edition, "action": res.action}
        )
    importers = sorted(tables.imports_by_importer["importer"].unique())
    f.result.notes.append(
        f"{len(importers)} importers, years {', '.join(map(str, tables.years))} (values are the "
        "mean over these years, as ITC's export potential uses multi-year averages)."
    )


def run_wits(
    f: Fetcher,
    *,
    reporter: str | None = None,
    partner: str = "JPN",
    year: int | None = None,
    agreement: str | None = None,
    file: list[str] | None = None,
    **_: Any,
) -> None:
    from kaigai.core.countries import country, group_members

    if not reporter:
        raise InputError("wits needs --reporter (the importing country, e.g. THA).")
    rep = country(reporter)
    par = country(partner)
    local = _local(file)
    if local:
        payloads = [_json(p) for p in local]
    else:
        y = year or dt.date.today().year - 2
        rnum = f"{rep.numeric:03d}"
        if rep.iso3 in group_members("EU27"):
            rnum = wits.EU_REPORTER  # TRAINS files the common external tariff under the EU
            f.result.notes.append(
                f"{rep.iso3} applies the EU's common external tariff: TRAINS reporter {rnum} (EU)."
            )
        payloads = []
        for pnum in ("000", f"{par.numeric:03d}"):
            target = f.get(wits.url(rnum, pnum, y), f"{rep.iso3}_{rnum}_{pnum}_{y}.json")
            payloads.append(_json(target))
    rows = [r for p in payloads for r in wits.parse(p)]
    prefs = [r for r in rows if r.partner != "000" and r.tariff_type == "PRF"]
    if prefs and not agreement:
        f.result.notes.append(
            f"{len(prefs)} preferential HS6 rates reported for partner {par.iso3} were not stored: "
            "TRAINS does not say under which agreement; rerun with --agreement ID (e.g. RCEP)."
        )
    frame = wits.to_schedule(rows, rep.iso3, agreement=agreement, retrieved=_today())
    years = sorted({r.year for r in rows})
    _store_schedule(f, frame, f"wits_{rep.iso3}_{'_'.join(map(str, years))}")
    f.result.notes.append(
        f"TRAINS data year {', '.join(map(str, years))}: rates are HS6 simple averages of "
        f"{rep.iso3}'s national lines (the range is given where lines differ)."
    )


def run_uk_tariff(
    f: Fetcher, *, hs: list[str] | None = None, file: list[str] | None = None, **_: Any
) -> None:
    local = _local(file)
    if local:
        payloads = [_json(p) for p in local]
    else:
        if not hs:
            raise InputError("uk-tariff needs --hs (an HS6 code or heading, e.g. 848210).")
        payloads = []
        for code in hs:
            digits = "".join(ch for ch in code if ch.isdigit())
            head = f.get(uk_tariff.heading_url(digits[:4]), f"heading_{digits[:4]}.json")
            for c in uk_tariff.declarable_codes(
                _json(head),
                digits[:6] if len(digits) >= 6 else None,
            ):
                p = f.get(uk_tariff.commodity_url(c), f"commodity_{c}.json")
                payloads.append(_json(p))
    measures = [m for p in payloads for m in uk_tariff.parse_commodity(p)]
    frame = uk_tariff.to_schedule(measures, valid_from=_today(), retrieved=_today())
    _store_schedule(f, frame, f"uk_tariff_{_today()}")


def run_usitc(
    f: Fetcher,
    *,
    file: list[str] | None = None,
    url: str | None = None,
    edition: str | None = None,
    **_: Any,
) -> None:
    local = _local(file)
    path = local[0] if local else f.get(url or usitc.EXPORT_URL, "hts_export.csv")
    ed = edition or f"export retrieved {_today()}"
    conv = usitc.convert(path, edition=ed, valid_from=_today())
    _store_schedule(f, conv.schedule, "usitc_hts")
    f.result.notes.append(
        f"HTS {ed}: {conv.rate_lines:,} rate lines, {conv.jp_lines:,} with a US-Japan (JP) rate; "
        f"{conv.ch98_99_rows:,} Chapter 98/99 rows not merged into any line."
    )


RUNNERS: dict[str, Callable[..., None]] = {
    "baci": run_baci,
    "wits": run_wits,
    "uk-tariff": run_uk_tariff,
    "usitc-hts": run_usitc,
}

__all__ = ["BACI_URL", "RUNNERS"]
