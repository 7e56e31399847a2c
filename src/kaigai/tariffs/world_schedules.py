"""Schedules of the United States, Australia, the UK and the EU from their source tables (pure).

Frames in (the catalog tables ``us_hts_lines``, ``us_hts_rows``, ``au_tariff_lines``,
``au_fta_schedules``, ``uk_eu_tariff``; columns as in the READMEs of
``tariffs_world/``), :class:`Schedule` out. Preferential cells are keyed by the registry's
agreement id; how a line *without* a cell reads is stated per schedule (``missing_cell``):

* USA: the HTS Special column is a positive list: no ``JP`` code = General rate applies.
* AUS: Schedules 4-16 list only goods that are not Free: an unlisted line is Free (the source
  app's reading, said on every such row).
* UK / EU: MFN only: every preference is "not in the data", never assumed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from kaigai.core.countries import GROUPS, normalize_country
from kaigai.core.errors import CountryError, RateParseError
from kaigai.hs.codes import digits
from kaigai.tariffs.schedule import RateCell, Schedule, TariffLine
from kaigai.tariffs.world_parse import parse_world_rate

if TYPE_CHECKING:
    import pandas as pd

US_PROGRAMS = {"JP": "US-JP"}  # HTS Special programme code -> registry agreement id
AU_AGREEMENTS = {"JAEPA": "JP-AU", "RCEP": "RCEP", "CPTPP": "CPTPP", "AANZFTA": "AANZFTA"}
HS_CHAPTERS = tuple(f"{i:02d}" for i in range(1, 98) if i != 77)


@dataclass(frozen=True)
class Surcharge:
    """A US Chapter 99 additional duty row naming a country (kept apart from the line rate)."""

    hts_number: str
    rate_text: str
    description: str
    source_row: int
    countries: tuple[str, ...]
    scope: str  # product scope before "the product of" ("" = all articles of the country)
    threshold: tuple[str, float] | None  # (">=" | "<", pct) on the column-1 rate


def _code(text: object) -> str:
    """A printed code without zero-width or stray characters (``\u200b0704.10.00``)."""
    return re.sub(r"[^0-9.]", "", str(text))


def _cell(column: str, text: str, row: int, currency: str, note: str = "") -> RateCell:
    try:
        return RateCell(column, text, parse_world_rate(text, currency), row, note=note)
    except RateParseError as exc:
        return RateCell(column, text, None, row, error=exc.message, note=note)


def _schedule(
    importer: str,
    dataset: str,
    edition: str,
    valid_from: dt.date,
    source: str,
    lines: Iterable[TariffLine],
    **extra: Any,
) -> Schedule:
    by_hs: dict[str, list[TariffLine]] = {}
    by_code: dict[str, TariffLine] = {}
    for ln in lines:
        d = digits(_code(ln.national_code))
        if d in by_code:
            continue  # first occurrence wins (repeated rows in a scrape)
        by_code[d] = ln
        by_hs.setdefault(ln.hs6, []).append(ln)
    return Schedule(
        importer,
        dataset,
        edition,
        valid_from,
        source,
        {k: tuple(v) for k, v in by_hs.items()},
        by_code,
        agreement_columns=True,
        **extra,
    )


def _line(
    importer: str, code: str, hs6: str, desc: str, cells: dict[str, RateCell], row: int
) -> TariffLine:
    mfn = cells.get("mfn")
    expr = mfn.expr if mfn is not None else None
    cols = ("mfn",) if expr is not None else ()
    return TariffLine(importer, code, hs6, desc, cells, expr, cols, row)


# --------------------------------------------------------------------------- United States
_COUNTRY = re.compile(
    r"the product of (?:the )?([A-Z][A-Za-z .'-]+?)(?:,| with | that | as provided| under| \(|$)"
)
_GE = re.compile(r"equal to or greater than (\d+(?:\.\d+)?) percent")
_LT = re.compile(r"less than (\d+(?:\.\d+)?) percent")


def _iso(name: str) -> tuple[str, ...]:
    if name.strip().lower() == "european union":
        return GROUPS["EU27"]
    try:
        return (normalize_country(name.strip()),)
    except CountryError:
        return ()


def us_surcharges(rows: pd.DataFrame) -> tuple[Surcharge, ...]:
    """Chapter 99 rows that name a country ("articles the product of Japan"), not terminated."""
    ch99 = rows[rows["hts_number"].astype(str).str.startswith("99")]
    out = []
    for r in ch99.itertuples(index=False):
        desc = str(r.description or "")
        rate = str(r.general_text or "").strip()
        if not rate or "provision terminated" in desc or "the product of" not in desc:
            continue
        m = _COUNTRY.search(desc)
        countries = _iso(m.group(1)) if m else ()
        if not countries:
            continue
        scope = desc.split("the product of")[0].strip()
        if scope.lower().startswith(("except", "articles")) or scope.endswith(","):
            scope = ""
        thr: tuple[str, float] | None = None
        if g := _GE.search(desc):
            thr = (">=", float(g.group(1)))
        elif lt := _LT.search(desc):
            thr = ("<", float(lt.group(1)))
        out.append(
            Surcharge(str(r.hts_number), rate, desc, int(str(r.source_row)), countries, scope, thr)
        )
    return tuple(out)


def us_schedule(lines: pd.DataFrame, rows: pd.DataFrame | None = None) -> Schedule:
    """The US schedule (HTS Chapters 1-97): General = MFN, ``JP`` Special rate = US-JP."""
    df = lines[~lines["is_ch98_99"].astype(bool)] if "is_ch98_99" in lines.columns else lines
    edition = str(df["edition"].iloc[0]) if "edition" in df.columns and len(df) else "HTS"
    out = []
    for r in df.itertuples(index=False):
        row = int(str(r.source_row))
        cells = {"mfn": _cell("mfn", str(r.general_text), row, "USD")}
        if bool(getattr(r, "jp_listed", False)) and isinstance(r.jp_rate_text, str):
            cells["US-JP"] = _cell(
                "US-JP", r.jp_rate_text, row, "USD", note=f"HTS Special column: {r.special_text}"
            )
        desc = str(r.desc_path or r.description or "")
        out.append(_line("USA", str(r.hts_number), str(r.hs6), desc, cells, row))
    src = str(df["source"].iloc[0]) if "source" in df.columns and len(df) else ""
    return _schedule(
        "USA",
        "us_hts_lines",
        edition,
        dt.date(2026, 1, 1),
        "Harmonized Tariff Schedule of the United States, USITC (" + src + ")",
        out,
        missing_cell={
            "US-JP": (
                "no_preference",
                "JP is not among this line's Special programmes: Japanese goods pay the General rate",
            ),
            "*": ("not_in_data", "the HTS Special column gives no rate for this agreement"),
        },
        notes=(
            f"US rates from the {edition} (USITC CSV export, file of 2026-03-23); "
            "later 2026 revisions are not in the data.",
            "Chapter 99 additional duties are listed apart under 'surcharges' and never added "
            "to the line rate; Section 232 product lists (U.S. notes) are not in the data.",
        ),
        surcharges=us_surcharges(rows) if rows is not None else (),
    )


def surcharges_for(sched: Schedule, origin: str, mfn_pct: float | None) -> list[dict[str, Any]]:
    """The Chapter 99 rows that name ``origin``, each with whether its threshold is met."""
    out = []
    for s in sched.surcharges:
        if origin not in s.countries:
            continue
        if s.threshold is None:
            applies = "may apply (check the exclusions in the text)"
        elif mfn_pct is None:
            applies = "cannot tell: the column-1 rate is not ad valorem"
        else:
            op, lim = s.threshold
            met = mfn_pct >= lim if op == ">=" else mfn_pct < lim
            applies = (
                f"threshold met (column-1 rate {mfn_pct:g}% {op} {lim:g}%)"
                if met
                else f"not applicable (column-1 rate {mfn_pct:g}% is not {op} {lim:g}%)"
            )
        out.append(
            {
                "hts_number": s.hts_number,
                "rate_text": s.rate_text,
                "applies": applies,
                "scope": s.scope or "all articles of this origin",
                "description": s.description,
                "provenance": {
                    "dataset": "us_hts_rows",
                    "edition": sched.edition,
                    "locator": f"hts_number={s.hts_number} source_row={s.source_row}",
                    "note": "Chapter 99 additional duty: shown apart, not added to the rate",
                },
            }
        )
    return out


# --------------------------------------------------------------------------- Australia
def au_schedule(lines: pd.DataFrame, fta: pd.DataFrame | None = None) -> Schedule:
    """Australia: Schedule 3 general rate = MFN; JAEPA/RCEP/CPTPP/AANZFTA listed rates."""
    df = lines.reset_index(drop=True)
    csv_line = {i: i + 2 for i in range(len(df))}  # line in aus_schedule3_lines.csv (header 1)
    prefs: dict[str, dict[str, RateCell]] = {}
    if fta is not None:
        f = fta.reset_index(drop=True)
        for i, r in enumerate(f.itertuples(index=False)):
            ag = AU_AGREEMENTS.get(str(r.agreement))
            if ag is None or isinstance(r.partner_note, str):
                continue  # not in the registry / a partner-only rate (e.g. UK under CPTPP)
            note = f"{r.schedule} item {r.hs_code_raw}"
            if isinstance(r.effective_from, str) and r.effective_from:
                note += f", dated step from {r.effective_from}; later cuts may be missing (only one step scraped)"
            if bool(r.prescribed_goods_only):
                note += "; prescribed goods only"
            prefs.setdefault(_code(r.hs8), {})[ag] = _cell(ag, str(r.rate_text), i + 2, "AUD", note)
    out = []
    for i, r in enumerate(df.itertuples(index=False)):
        if not bool(r.is_tariff_line):
            continue
        row = csv_line[i]
        cells = {"mfn": _cell("mfn", str(r.general_text), row, "AUD")}
        cells.update(prefs.get(digits(_code(r.reference_number))[:8], {}))
        desc = str(r.description or "").lstrip("- ").strip()
        out.append(_line("AUS", _code(r.reference_number), str(r.hs6), desc, cells, row))
    present = set(df.loc[df["is_tariff_line"].astype(bool), "chapter"].astype(str))
    missing = {
        c: "chapter missing from the ABF Schedule 3 scrape" for c in HS_CHAPTERS if c not in present
    }
    free = (
        "free_unlisted",
        "not listed in this agreement's schedule (Schedules 4-16 list only goods that are not "
        "Free): Free, under the exception-list reading of the source (not checked line by line)",
    )
    return _schedule(
        "AUS",
        "au_tariff_lines",
        "ABF Working Tariff 2026-04",
        dt.date(2026, 4, 1),
        "Customs Tariff Act 1995 Schedules 3-16, ABF Working Tariff (scrape of 2026-04)",
        out,
        missing_cell={
            **{a: free for a in AU_AGREEMENTS.values()},
            "*": ("not_in_data", "no schedule for this agreement in the data"),
        },
        missing_chapters=missing,
        notes=(
            "Australian rates from the ABF Working Tariff as scraped in 2026-04; "
            f"{len(missing)} chapters are missing from the scrape ({', '.join(sorted(missing))}).",
            "FTA schedules keep one dated step per item: later staging cuts may be missing.",
        ),
    )


# --------------------------------------------------------------------------- UK and EU
def _cn8_rows(df: pd.DataFrame) -> pd.DataFrame:
    d = df.reset_index(drop=True).copy()
    d["_first8"] = d["code_digits_shown"].astype(int) != 8
    return d.sort_values(["cn8", "_first8", "source_row"], kind="stable").drop_duplicates("cn8")


def _uk_like(
    df: pd.DataFrame, importer: str, column: str, currency: str, edition: str, valid_from: dt.date,
    source: str, notes: tuple[str, ...], pull: str,
) -> Schedule:  # fmt: skip
    out = []
    for r in _cn8_rows(df).itertuples(index=False):
        code = str(r.cn8)
        row = int(str(r.source_row))
        cells = {"mfn": _cell("mfn", str(getattr(r, column)), row, currency)}
        nc = f"{code[:4]}.{code[4:6]}.{code[6:8]}"
        out.append(_line(importer, nc, str(r.hs6), str(r.description or ""), cells, row))
    return _schedule(
        importer,
        "uk_eu_tariff",
        edition,
        valid_from,
        source,
        out,
        missing_cell={
            "*": (
                "not_in_data",
                f"preferential rate not in the data: this file holds MFN only (never assumed); {pull}",
            )
        },
        notes=notes,
        hs_edition="HS2017",
    )


def uk_schedule(df: pd.DataFrame) -> Schedule:
    """UK Global Tariff as announced for 2021-01-01 (MFN only)."""
    return _uk_like(
        df, "GBR", "ukgt_duty_rate", "GBP", "UK Global Tariff 2021-01-01", dt.date(2021, 1, 1),
        "UK Global Tariff (DIT, published 2020-12-02)",
        ("UK rate from the UK Global Tariff as announced for 2021-01-01 (old edition: changes "
         "since 2021 are not reflected); codes are CN 2020 / HS 2017.",),
        "`kaigai data pull uk-tariff` would add the current tariff with the UK-Japan preference",
    )  # fmt: skip


def eu_schedules(df: pd.DataFrame, members: Iterable[str] = GROUPS["EU27"]) -> dict[str, Schedule]:
    """The EU Common External Tariff as applied in 2020 (MFN only), one copy per member."""
    base = _uk_like(
        df, "EU27", "cet_duty_rate", "EUR", "EU CET 2020", dt.date(2020, 1, 1),
        "EU Common Customs Tariff as applied in 2020 (column of the DIT UKGT file)",
        ("EU rate from the Common External Tariff as applied in 2020 (old edition: CN 2021 "
         "onwards not reflected); codes are CN 2020 / HS 2017.",),
        "`kaigai data pull wits --reporter <member, e.g. DEU>` would add current EU rates with the "
        "EU-Japan preference",
    )  # fmt: skip
    return {m: replace(base, importer=m) for m in members}


def world_schedules(frames: Mapping[str, pd.DataFrame | None]) -> dict[str, Schedule]:
    """Every schedule the given frames allow (missing frames are skipped)."""
    out: dict[str, Schedule] = {}
    if (us := frames.get("us_hts_lines")) is not None:
        out["USA"] = us_schedule(us, frames.get("us_hts_rows"))
    if (au := frames.get("au_tariff_lines")) is not None:
        out["AUS"] = au_schedule(au, frames.get("au_fta_schedules"))
    if (uk := frames.get("uk_eu_tariff")) is not None:
        out["GBR"] = uk_schedule(uk)
        out.update(eu_schedules(uk))
    return out


__all__ = [
    "AU_AGREEMENTS",
    "US_PROGRAMS",
    "Surcharge",
    "au_schedule",
    "eu_schedules",
    "surcharges_for",
    "uk_schedule",
    "us_schedule",
    "us_surcharges",
    "world_schedules",
]
