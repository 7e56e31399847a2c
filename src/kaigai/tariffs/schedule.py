"""Tariff schedules: national lines with parsed rate cells, built from catalog frames.

:func:`build_jp_schedule` reads the ``jp_tariff`` frame (Japan Customs tree): rows without a
``national_code_9`` pass their non-empty cells down to the coded rows below them (by
``level`` within the tree), so every coded line carries its full set of cells.
:func:`build_vn_schedule` reads ``vn_tariff`` (long form). Unparsed cells are kept with their
text and error so reports can list them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from kaigai.core.errors import RateParseError
from kaigai.core.provenance import Provenance
from kaigai.tariffs.expr import AdValorem, Branch, Choice, Conditional, Range, RateExpr, Unbound
from kaigai.tariffs.jp_parse import parse_jp_rate, season_of
from kaigai.tariffs.vn_parse import parse_vn_rate

if TYPE_CHECKING:
    import pandas as pd

JP_RATE_COLUMNS: tuple[str, ...] = (
    "general_rate", "temporary_rate", "wto_rate", "gsp_rate", "ldc_gsp_rate", "epa_singapore",
    "epa_mexico", "epa_malaysia", "epa_chile", "epa_thailand", "epa_indonesia", "epa_brunei",
    "epa_asean_ajcep", "epa_philippines", "epa_switzerland", "epa_vietnam", "epa_india", "epa_peru",
    "epa_australia", "epa_mongolia", "epa_cptpp", "epa_eu", "epa_uk", "epa_rcep_asean_au_nz",
    "epa_rcep_china", "epa_rcep_korea", "us_japan_tta",
)  # fmt: skip
VN_MFN_COLUMN = "mfn"


@dataclass(frozen=True)
class RateCell:
    """One schedule cell: source text, parsed expression (``None`` if unparsed or excluded)."""

    column: str
    text: str
    expr: RateExpr | None
    source_row: int
    inherited: bool = False
    excluded: bool = False
    excluded_origins: tuple[str, ...] = ()
    error: str | None = None
    bracketed: bool = False
    markers: tuple[str, ...] = ()
    note: str = ""  # what the source says about this cell (dated step, prescribed goods, ...)


@dataclass(frozen=True)
class TariffLine:
    importer: str
    national_code: str
    hs6: str
    description: str
    cells: Mapping[str, RateCell]
    mfn: RateExpr | None
    mfn_columns: tuple[str, ...]
    source_row: int


@dataclass(frozen=True)
class Schedule:
    """One importer's schedule as of ``valid_from`` (reproducible answers per date)."""

    importer: str
    dataset: str
    edition: str
    valid_from: dt.date
    source: str
    lines: Mapping[str, tuple[TariffLine, ...]]  # hs6 -> lines
    by_code: Mapping[str, TariffLine] = field(default_factory=dict)
    agreement_columns: bool = (
        False  # True: preferential cells are keyed by agreement id (user files)
    )
    # agreement id (or "*") -> (mode, message) for a line without a cell of that agreement:
    # "no_preference" (MFN applies), "free_unlisted" (exception list: Free), "not_in_data"
    missing_cell: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    missing_chapters: Mapping[str, str] = field(default_factory=dict)  # chapter -> why absent
    notes: tuple[str, ...] = ()  # said on every answer from this schedule (edition, gaps)
    surcharges: tuple[Any, ...] = ()  # additional duties kept apart (US Chapter 99 rows)
    hs_edition: str = "HS2022"

    def missing_mode(self, agreement: str) -> tuple[str, str]:
        """How a line without a cell of ``agreement`` reads (default: no preference)."""
        return self.missing_cell.get(
            agreement,
            self.missing_cell.get(
                "*", ("no_preference", "empty cell: no preferential rate, MFN applies")
            ),
        )

    def provenance(self, line: TariffLine, column: str, note: str = "") -> Provenance:
        cell = line.cells.get(column)
        row = cell.source_row if cell else line.source_row
        inh = " (inherited from parent row)" if cell and cell.inherited else ""
        return Provenance(
            dataset=self.dataset,
            edition=self.edition,
            locator=f"national_line={line.national_code} column={column} source_row={row}{inh}",
            source=self.source,
            note=note,
        )


def format_jp_code(code9: str) -> str:
    """``847130000`` -> ``8471.30.000``."""
    return f"{code9[:4]}.{code9[4:6]}.{code9[6:]}"


def _jp_cell(column: str, text: str, row: int, inherited: bool) -> RateCell:
    try:
        p = parse_jp_rate(text)
    except RateParseError as exc:
        return RateCell(column, text, None, row, inherited, error=exc.message)
    return RateCell(column, text, p.expr, row, inherited, bracketed=p.bracketed, markers=p.markers)


def jp_applied_mfn(cells: Mapping[str, RateCell]) -> tuple[RateExpr | None, tuple[str, ...]]:
    """Japan's applied MFN: the national rate (暫定 temporary if present, else 基本 general),
    replaced by the WTO (協定) rate where that is lower. Source: Japan Customs, "Outline of Tariff
    and Duty Rates System", https://www.customs.go.jp/english/summary/tariff.htm"""
    nat = cells.get("temporary_rate") or cells.get("general_rate")
    wto = cells.get("wto_rate")
    usable = [
        c
        for c in (nat, wto)
        if c is not None and c.expr is not None and not isinstance(c.expr, Unbound | Range)
    ]
    if not usable:
        return None, ()
    if len(usable) == 1:
        return usable[0].expr, (usable[0].column,)
    a, b = usable
    if a.expr == b.expr:
        return a.expr, (a.column, b.column)
    if isinstance(a.expr, AdValorem) and isinstance(b.expr, AdValorem):
        return (a.expr if a.expr.pct <= b.expr.pct else b.expr), (a.column, b.column)
    return Choice((a.expr, b.expr), "min"), (a.column, b.column)  # type: ignore[arg-type]


def build_jp_schedule(
    frame: pd.DataFrame,
    *,
    dataset: str = "jp_tariff",
    edition: str = "2026-07-09",
    source: str = "Japan Customs applied tariff",
) -> Schedule:
    """Build Japan's schedule from the ``jp_tariff`` frame (all rows, any order)."""
    df = frame.sort_values("row_order")
    cols = [c for c in JP_RATE_COLUMNS if c in df.columns]
    stack: list[tuple[int, dict[str, tuple[str, int]]]] = []  # (level, column -> (text, row))
    lines: dict[str, list[TariffLine]] = {}
    by_code: dict[str, TariffLine] = {}
    names = ["row_order", "level", "has_rates", "national_code_9", "hs6", "desc_ja", *cols]
    data = {c: df[c].tolist() for c in names}
    records = [
        dict(zip(names, vals, strict=True)) for vals in zip(*(data[c] for c in names), strict=True)
    ]
    for r in records:
        level = int(r["level"])
        while stack and stack[-1][0] >= level:
            stack.pop()
        if not r["has_rates"]:
            stack.append((level, {}))
            continue
        own = {
            c: (str(r[c]).strip(), int(r["row_order"]))
            for c in cols
            if isinstance(r[c], str) and r[c].strip()
        }
        code = r["national_code_9"]
        if isinstance(code, str) and code.strip():
            cells: dict[str, RateCell] = {}
            for c in cols:
                if c in own:
                    cells[c] = _jp_cell(c, own[c][0], own[c][1], False)
                    continue
                for _, anc in reversed(stack):
                    if c in anc:
                        cells[c] = _jp_cell(c, anc[c][0], anc[c][1], True)
                        break
            mfn, mcols = jp_applied_mfn(cells)
            line = TariffLine(
                "JPN",
                format_jp_code(code),
                str(r["hs6"]),
                str(r["desc_ja"]),
                cells,
                mfn,
                mcols,
                int(r["row_order"]),
            )
            lines.setdefault(line.hs6, []).append(line)
            by_code[code] = line
        stack.append((level, own))
    for code9, group in _duplicates(lines).items():
        merged = _merge_seasonal(group)
        by_code[code9] = merged
        hs = merged.hs6
        lines[hs] = [ln for ln in lines[hs] if ln.national_code != merged.national_code]
        lines[hs].append(merged)
        lines[hs].sort(key=lambda ln: ln.source_row)
    return Schedule(
        "JPN",
        dataset,
        edition,
        dt.date(2026, 7, 9),
        source,
        {k: tuple(v) for k, v in lines.items()},
        by_code,
    )


def _duplicates(lines: dict[str, list[TariffLine]]) -> dict[str, list[TariffLine]]:
    seen: dict[str, list[TariffLine]] = {}
    for group in lines.values():
        for ln in group:
            seen.setdefault(ln.national_code.replace(".", ""), []).append(ln)
    return {k: v for k, v in seen.items() if len(v) > 1}


def _merge_seasonal(group: list[TariffLine]) -> TariffLine:
    """Rows sharing one national code (seasonal subdivisions, e.g. bananas 0803.90.100) become one
    line whose cells are seasonal conditionals keyed by the import period in the description."""
    first = group[0]
    seasons = [season_of(ln.description) for ln in group]
    kind = "seasonal" if all(seasons) else "product"

    def combine(exprs: list[RateExpr | None]) -> RateExpr | None:
        if any(e is None for e in exprs):
            return None
        if all(e == exprs[0] for e in exprs):
            return exprs[0]
        return Conditional(
            tuple(
                Branch(kind, ln.description.strip(), e, season=s)  # type: ignore[arg-type]
                for ln, e, s in zip(group, exprs, seasons, strict=True)
            )
        )

    cells: dict[str, RateCell] = {}
    for col in first.cells:
        found = [ln.cells.get(col) for ln in group]
        parts = [p for p in found if p is not None]
        if len(parts) != len(found):
            continue
        expr = combine([p.expr for p in parts])
        cells[col] = replace(parts[0], text=" / ".join(p.text for p in parts), expr=expr)
    return replace(
        first,
        cells=cells,
        mfn=combine([ln.mfn for ln in group]),
        description=" / ".join(ln.description.strip() for ln in group),
    )


def build_vn_schedule(
    frame: pd.DataFrame,
    *,
    dataset: str = "vn_tariff",
    edition: str = "2026",
    source: str = "Viet Nam import tariff 2026 (quyphong91/tariffvn)",
) -> Schedule:
    """Build Viet Nam's schedule from the long ``vn_tariff`` frame (chapter 98 skipped)."""
    df = frame[(frame["column"] != "standard_rate") & (frame["chapter"] != "98")]
    df = df.sort_values(["national_code", "source_row"], kind="stable")
    cols = {
        c: df[c].tolist()
        for c in ("national_code", "hs6", "desc_en", "column", "rate_text", "source_row")
    }
    grouped: dict[str, list[int]] = {}
    for i, code in enumerate(cols["national_code"]):
        grouped.setdefault(str(code), []).append(i)
    lines: dict[str, list[TariffLine]] = {}
    by_code: dict[str, TariffLine] = {}
    for code, idx in grouped.items():
        cells: dict[str, RateCell] = {}
        for i in idx:
            col, text, row = (
                str(cols["column"][i]),
                str(cols["rate_text"][i]),
                int(cols["source_row"][i]),
            )
            try:
                p = parse_vn_rate(text)
                cells[col] = RateCell(
                    col, text, p.expr, row, excluded=p.excluded, excluded_origins=p.excluded_origins
                )
            except RateParseError as exc:
                cells[col] = RateCell(col, text, None, row, error=exc.message)
        mfn_cell = cells.get(VN_MFN_COLUMN)
        mfn = mfn_cell.expr if mfn_cell else None
        k = idx[0]
        line = TariffLine(
            "VNM",
            code,
            str(cols["hs6"][k]),
            str(cols["desc_en"][k]),
            cells,
            mfn,
            (VN_MFN_COLUMN,) if mfn is not None else (),
            int(cols["source_row"][k]),
        )
        lines.setdefault(line.hs6, []).append(line)
        by_code[code.replace(".", "")] = line
    return Schedule(
        "VNM",
        dataset,
        edition,
        dt.date(2026, 1, 1),
        source,
        {k: tuple(v) for k, v in lines.items()},
        by_code,
    )


__all__ = [
    "JP_RATE_COLUMNS",
    "RateCell",
    "Schedule",
    "TariffLine",
    "build_jp_schedule",
    "build_vn_schedule",
    "format_jp_code",
    "jp_applied_mfn",
]
