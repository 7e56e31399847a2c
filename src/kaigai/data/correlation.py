"""Read the UNSD HS2022<->HS2017 correlation workbook into a two-column table.

The workbook (``HS2022toHS2017ConversionAndCorrelationTables.xlsx``) has a conversion sheet
(``From HS2022`` / ``To HS2017``: one HS2017 code per HS2022 code) and correlation sheet(s)
(many-to-many). This reader scans each sheet's first rows for a header with one column naming
HS2022 and one naming HS2017 and keeps the six-digit pairs; sheets whose name contains
"correlation" are preferred over "conversion". Only tested on synthetic workbooks with that
layout: check the row count against the source after a real download.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from kaigai.core.errors import ImportFormatError

_CODE = re.compile(r"^\d{5,6}$")


def _header(row: tuple[object, ...]) -> tuple[int, int] | None:
    i22 = i17 = None
    for i, v in enumerate(row):
        s = str(v or "").upper().replace(" ", "")
        if "2022" in s and i22 is None:
            i22 = i
        elif "2017" in s and i17 is None:
            i17 = i
    return (i22, i17) if i22 is not None and i17 is not None else None


def read_correlation_xlsx(path: Path) -> pd.DataFrame:
    """Pairs ``hs2017``, ``hs2022`` (six-digit strings) from the UNSD workbook.

    Raises
    ------
    ImportFormatError
        when no sheet has an HS2022/HS2017 header with code pairs below it.
    """
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several unrelated types for a bad file
        raise ImportFormatError(
            f"{Path(path).name}: not a readable Excel workbook ({type(exc).__name__}).",
            hint="Download the workbook again (kaigai data pull hs_correlation_22_17 --force).",
        ) from exc
    found: list[tuple[int, str, pd.DataFrame]] = []
    try:
        for ws in wb.worksheets:
            rows = ws.iter_rows(values_only=True)
            cols = None
            pairs: list[tuple[str, str]] = []
            for n, row in enumerate(rows):
                if cols is None:
                    cols = _header(tuple(row))
                    if n > 20 and cols is None:
                        break
                    continue
                a, b = (
                    row[cols[0]] if cols[0] < len(row) else None,
                    row[cols[1]] if cols[1] < len(row) else None,
                )
                sa, sb = _code(a), _code(b)
                if sa and sb:
                    pairs.append((sb, sa))
            if pairs:
                rank = 0 if "correl" in ws.title.lower() else 1
                df = pd.DataFrame(pairs, columns=["hs2017", "hs2022"]).drop_duplicates()
                found.append((rank, ws.title, df))
    finally:
        wb.close()
    if not found:
        raise ImportFormatError(
            f"{Path(path).name}: no sheet with HS2022 and HS2017 code columns.",
            hint="Expected the UNSD HS2022toHS2017ConversionAndCorrelationTables.xlsx layout.",
        )
    found.sort(key=lambda x: x[0])
    return found[0][2].reset_index(drop=True)


def _code(v: object) -> str | None:
    if v is None:
        return None
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    s = re.sub(r"[.\s]", "", str(v).strip())
    if not _CODE.match(s):
        return None
    return s.zfill(6)


__all__ = ["read_correlation_xlsx"]
