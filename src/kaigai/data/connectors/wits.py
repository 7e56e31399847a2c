"""WITS / UNCTAD TRAINS tariff API (SDMX-JSON) -> the duty engine's schedule format.

Request (WITS API user guide, "SDMX queries"; JSON since v1.4)::

    https://wits.worldbank.org/API/V1/SDMX/V21/datasource/TRN/reporter/<num>/partner/<num>
        /product/all/year/<yyyy>/datatype/reported?format=JSON

Partner ``000`` (World) gives the MFN rates; a partner country gives the rates the reporter
reported for goods of that partner (``TARIFFTYPE`` ``PRF`` where a preference exists). The
answer is SDMX-JSON: series keyed ``"f:r:p:k:d"`` (indexes into
``structure.dimensions.series``: FREQ, REPORTER, PARTNER, PRODUCTCODE, DATATYPE — the order is
read from the structure, not assumed) whose observation arrays hold the simple-average rate
followed by attribute indexes (NOMENCODE, EXCLUDEDFROM, TARIFFTYPE, SUM_OF_RATES, MIN_RATE,
MAX_RATE, TOTALNOOFLINES, ...).

TRAINS reports at HS6: one figure per HS6 code, the simple average of the reporter's national
lines, with their minimum and maximum. The schedule keeps the HS6 code as the line, the average
as the rate, and says in the description when the national lines differ (min < max) and which
year and nomenclature the data is, so no answer presents an average as a line's exact rate
without saying so. A preferential rate is written under the agreement the caller names
(``agreement``): TRAINS does not say under which agreement a partner's rate was reported.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from kaigai.core.errors import ImportFormatError

BASE = "https://wits.worldbank.org/API/V1/SDMX/V21/datasource/TRN"
EU_REPORTER = "918"  # TRAINS reporter code of the European Union (EU members report as one)


def url(reporter_num: str, partner_num: str, year: int) -> str:
    """The TRAINS request for all HS6 products of one reporter, partner and year."""
    return (
        f"{BASE}/reporter/{reporter_num}/partner/{partner_num}/product/all/year/{year}"
        "/datatype/reported?format=JSON"
    )


@dataclass(frozen=True)
class TrainsRow:
    reporter: str
    partner: str
    hs6: str
    year: int
    tariff_type: str
    nomenclature: str
    rate_pct: float
    min_pct: float | None
    max_pct: float | None
    n_lines: int | None


def _attr(observation: list[Any], attrs: list[dict[str, Any]], name: str) -> str | None:
    for pos, a in enumerate(attrs, start=1):
        if a.get("id") == name:
            if pos >= len(observation) or observation[pos] is None:
                return None
            idx = observation[pos]
            values = a.get("values") or []
            if isinstance(idx, int) and 0 <= idx < len(values):
                return str(values[idx].get("id", ""))
            return str(idx)
    return None


def _num(text: str | None) -> float | None:
    try:
        return float(text) if text not in (None, "") else None
    except ValueError:
        return None


def parse(payload: dict[str, Any]) -> list[TrainsRow]:
    """Rows of a TRAINS SDMX-JSON answer. Raises :class:`ImportFormatError` on another shape."""
    try:
        structure = payload["structure"]
        dims = structure["dimensions"]["series"]
        time_values = structure["dimensions"]["observation"][0]["values"]
        attrs = structure["attributes"]["observation"]
        series = payload["dataSets"][0]["series"]
    except (KeyError, IndexError, TypeError) as exc:
        raise ImportFormatError(
            "Not a WITS TRAINS SDMX-JSON answer (no structure/dataSets).",
            hint="Request it with format=JSON (see docs/connectors.md).",
        ) from exc
    pos = {d["id"]: i for i, d in enumerate(dims)}
    missing = {"REPORTER", "PARTNER", "PRODUCTCODE"} - set(pos)
    if missing:
        raise ImportFormatError(f"WITS answer lacks dimensions {sorted(missing)}.")
    rows = []
    for key, s in series.items():
        idx = [int(x) for x in key.split(":")]

        def dim(name: str, idx: list[int] = idx) -> str:
            return str(dims[pos[name]]["values"][idx[pos[name]]]["id"])

        product = dim("PRODUCTCODE")
        if not (len(product) == 6 and product.isdigit()) or product == "999999":
            continue  # totals and aggregate groups are not tariff lines
        for t_key, obs in (s.get("observations") or {}).items():
            if not obs or obs[0] is None:
                continue
            n = _num(_attr(obs, attrs, "TOTALNOOFLINES"))
            rows.append(
                TrainsRow(
                    reporter=dim("REPORTER"),
                    partner=dim("PARTNER"),
                    hs6=product,
                    year=int(time_values[int(t_key)]["id"]),
                    tariff_type=_attr(obs, attrs, "TARIFFTYPE") or "",
                    nomenclature=_attr(obs, attrs, "NOMENCODE") or "",
                    rate_pct=round(float(obs[0]), 4),
                    min_pct=_num(_attr(obs, attrs, "MIN_RATE")),
                    max_pct=_num(_attr(obs, attrs, "MAX_RATE")),
                    n_lines=int(n) if n is not None else None,
                )
            )
    return rows


def _pct(v: float) -> str:
    return f"{v:g}"


def to_schedule(
    rows: list[TrainsRow],
    importer: str,
    *,
    agreement: str | None = None,
    retrieved: str = "",
) -> pd.DataFrame:
    """Schedule rows (docs/tariffs.md format): MFN from partner-000 rows, preferential rows
    (``TARIFFTYPE`` PRF) under ``agreement``; rows of other partners without an agreement are
    left out (the caller is told)."""
    out = []
    for r in rows:
        if r.partner == "000" and r.tariff_type in ("MFN", ""):
            column = "mfn"
        elif r.partner != "000" and r.tariff_type == "PRF" and agreement:
            column = agreement
        else:
            continue
        spread = (
            f"; national lines range {_pct(r.min_pct)}-{_pct(r.max_pct)}% "
            f"({r.n_lines} lines), simple average shown"
            if r.min_pct is not None and r.max_pct is not None and r.min_pct != r.max_pct
            else ""
        )
        out.append(
            {
                "importer": importer,
                "national_code": r.hs6,
                "hs6": r.hs6,
                "description": f"HS6 {r.hs6} (TRAINS {r.year}, {r.nomenclature}{spread})",
                "column": column,
                "rate_text": f"{_pct(r.rate_pct)}%",
                "valid_from": f"{r.year}-01-01",
                "source": f"WITS/UNCTAD TRAINS {r.year} reported, partner {r.partner}"
                + (f", retrieved {retrieved}" if retrieved else ""),
            }
        )
    cols = ["importer", "national_code", "hs6", "description", "column", "rate_text"]
    return pd.DataFrame(out, columns=[*cols, "valid_from", "source"])


__all__ = ["BASE", "EU_REPORTER", "TrainsRow", "parse", "to_schedule", "url"]
