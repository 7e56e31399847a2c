"""BOM files in and out: guarded CSV/XLSX reading (size, rows, zip-bomb) and safe CSV export.

Columns are the origin engine's (``docs/origin.md``): part_id, part, hs_code, origin, value,
currency, quantity, originating, supplier_declaration, parent, weight_kg, component,
wholly_obtained. This
module only reads the file safely into raw records; the origin engine validates them (every
problem named).
"""

from __future__ import annotations

import csv
import io
import zipfile
from typing import Any

from kaigai.core.errors import BOMError, KaigaiError, PayloadTooLargeError
from kaigai.core.text import decode_text
from kaigai.service.state import Limits

COLUMNS = ("part_id", "part", "hs_code", "origin", "value", "currency", "quantity", "originating",
           "supplier_declaration", "parent", "weight_kg", "component", "wholly_obtained")  # fmt: skip
_ALIASES = {"hs": "hs_code", "hs6": "hs_code", "country": "origin", "country_of_origin": "origin",
            "cost": "value", "material": "part", "description": "part"}  # fmt: skip
_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def parse_upload(filename: str, content: bytes, limits: Limits) -> list[dict[str, Any]]:
    """Raw BOM records (header -> cell text) from an uploaded CSV or XLSX file.

    Raises
    ------
    PayloadTooLargeError
        file, row count or (XLSX) uncompressed size above the limits.
    BOMError
        unknown format, unreadable file, empty file, oversized cells.
    """
    if len(content) > limits.max_upload_bytes:
        raise PayloadTooLargeError(
            f"The file is {len(content):,} bytes; the limit is {limits.max_upload_bytes:,}.",
            hint="Split the BOM or remove unused sheets.",
        )
    name = filename.lower()
    if name.endswith(".xlsx") or content[:4] == b"PK\x03\x04":
        rows = _xlsx_rows(content, limits)
    elif name.endswith((".csv", ".txt")) or not name:
        rows = _csv_rows(content, limits)
    else:
        raise BOMError(f"Cannot read '{filename}'.", hint="Upload a .csv or .xlsx file.")
    return _records(rows, limits)


def _csv_rows(content: bytes, limits: Limits) -> list[list[str]]:
    text = decode_text(content, "The CSV", BOMError)
    if "\x00" in text:
        raise BOMError("The CSV contains binary data.", hint="Upload a plain-text CSV.")
    out: list[list[str]] = []
    try:
        for row in csv.reader(io.StringIO(text)):
            out.append(row)
            if len(out) > limits.max_bom_lines + 1:
                raise PayloadTooLargeError(
                    f"More than {limits.max_bom_lines} BOM lines.", hint="Group minor parts."
                )
    except csv.Error as exc:
        raise BOMError(
            f"The CSV is malformed: {exc}.", hint="Check quotes and separators."
        ) from exc
    return out


def _xlsx_rows(content: bytes, limits: Limits) -> list[list[str]]:
    try:
        zf = zipfile.ZipFile(io.BytesIO(content))
        infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise BOMError(
            "The file is not a valid .xlsx workbook.", hint="Save it again as .xlsx."
        ) from exc
    total = sum(i.file_size for i in infos)
    if total > limits.max_xlsx_uncompressed or len(infos) > 200:
        raise PayloadTooLargeError(
            f"The workbook expands to {total:,} bytes (limit {limits.max_xlsx_uncompressed:,}).",
            hint="Upload only the BOM sheet, or a CSV.",
        )
    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for broken files
        raise BOMError(
            "The .xlsx workbook could not be read.", hint="Save it again as .xlsx."
        ) from exc
    try:
        ws = wb.worksheets[0]
        out: list[list[str]] = []
        for row in ws.iter_rows(values_only=True, max_col=20):
            out.append(["" if v is None else str(v) for v in row])
            if len(out) > limits.max_bom_lines + 1:
                raise PayloadTooLargeError(
                    f"More than {limits.max_bom_lines} BOM lines.", hint="Group minor parts."
                )
    except KaigaiError:
        raise
    except Exception as exc:  # read-only sheets are parsed while iterating: bad XML shows here
        raise BOMError(
            "The .xlsx workbook could not be read (its sheet is damaged).",
            hint="Open it in a spreadsheet program and save it again as .xlsx, or upload a CSV.",
        ) from exc
    finally:
        wb.close()
    return out


def _records(rows: list[list[str]], limits: Limits) -> list[dict[str, Any]]:
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        raise BOMError("The file is empty.", hint="First row: " + ",".join(COLUMNS[:6]))
    header = [_ALIASES.get(h.strip().lower(), h.strip().lower()) for h in rows[0]]
    out: list[dict[str, Any]] = []
    for n, r in enumerate(rows[1:], start=1):
        rec: dict[str, Any] = {}
        for i, col in enumerate(header):
            v = r[i].strip() if i < len(r) else ""
            if len(v) > limits.max_cell_chars:
                raise BOMError(
                    f"BOM row {n}, column '{col}': longer than {limits.max_cell_chars} characters."
                )
            if col:
                rec[col] = v
        out.append(rec)
    if not out:
        raise BOMError("The file has a header but no BOM lines.")
    return out


def fill_defaults(raw: list[dict[str, Any]], currency: str) -> list[dict[str, Any]]:
    """Only when a whole column is absent: ``part_id`` = L1, L2 ...; ``currency`` = the BOM's."""
    out = []
    for n, r in enumerate(raw, start=1):
        rec = dict(r)
        if "part_id" not in rec:
            rec["part_id"] = f"L{n}"
        if "currency" not in rec:
            rec["currency"] = currency
        out.append(rec)
    return out


def safe_cell(value: Any) -> str:
    """Neutralise spreadsheet formulas: cells starting with = + - @ TAB CR get a leading '."""
    s = "" if value is None else str(value)
    return "'" + s if s.startswith(_DANGEROUS) else s


def export_csv(lines: list[dict[str, Any]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(COLUMNS)
    for line in lines:
        w.writerow([safe_cell(line.get(c, "")) for c in COLUMNS])
    return buf.getvalue()


__all__ = ["COLUMNS", "export_csv", "parse_upload", "safe_cell"]
