"""Bill of materials: typed lines, loaders (CSV/XLSX/JSON) and validation naming row and column.

Columns (CSV/XLSX header or JSON keys): ``part_id``, ``part``, ``hs_code``, ``origin``, ``value``,
``currency``, ``quantity``, ``originating`` (yes/no/unknown), ``supplier_declaration``
(agreement ids separated by ``;`` or ``all``; empty = none), ``parent`` (``part_id`` of the
assembly it goes into; empty = goes into the finished product), optional ``weight_kg`` (net weight,
for textile tolerances and weight limits) and ``component`` (yes = part of the component that
determines the tariff classification of a textile good, CPTPP ORD Art. 11(5)).
``value`` is the cost of the line per finished unit (quantity already included). A line with
children is an intermediate made by the producer; its originating status is computed (roll-up).
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from kaigai.core.countries import normalize_country
from kaigai.core.errors import BOMError, HSCodeError, InputError, KaigaiError
from kaigai.core.money import Rates, currency_code
from kaigai.core.text import decode_text
from kaigai.hs.codes import normalize_hs6

REQUIRED = ("part_id", "part", "hs_code", "origin", "value", "currency")
_YES = {"yes", "y", "true", "1", "originating", "はい"}
_NO = {"no", "n", "false", "0", "non-originating", "いいえ"}
UNDETERMINED = {"UNKNOWN", "XXX", "UND"}


@dataclass(frozen=True)
class BOMLine:
    row: int  # 1-based data row in the source (header excluded)
    part_id: str
    part: str
    hs6: str
    origin: str  # ISO3, or "UNKNOWN" for undetermined origin
    value: float  # in the BOM currency, per finished unit
    source_value: float
    source_currency: str
    quantity: float
    originating: bool | None
    declaration: tuple[str, ...]
    parent: str | None
    weight_kg: float | None = None
    component: bool = False  # part of the component that determines classification (textiles)
    wholly_obtained: bool = False  # grown/harvested/born... in its origin country (WO material)


@dataclass(frozen=True)
class BOM:
    lines: tuple[BOMLine, ...]
    currency: str

    def wholly_obtained_in(self, country: str) -> bool:
        """BOM-level flag: every line is marked wholly obtained in ``country``.

        A product made only from such materials in ``country`` is declared wholly obtained
        there (the agreements' "WO" criterion, e.g. RCEP Art. 3.3(a) for plant goods).
        """
        return bool(self.lines) and all(
            ln.wholly_obtained and ln.origin == country for ln in self.lines
        )

    @cached_property
    def _kids(self) -> dict[str | None, tuple[BOMLine, ...]]:
        out: dict[str | None, list[BOMLine]] = {}
        for ln in self.lines:
            out.setdefault(ln.parent, []).append(ln)
        return {k: tuple(v) for k, v in out.items()}

    def children(self, part_id: str | None) -> tuple[BOMLine, ...]:
        return self._kids.get(part_id, ())

    @property
    def top(self) -> tuple[BOMLine, ...]:
        return self.children(None)

    def with_line(self, line: BOMLine) -> BOM:
        return BOM(
            tuple(line if ln.part_id == line.part_id else ln for ln in self.lines), self.currency
        )


@dataclass(frozen=True)
class Product:
    """The finished good and the facts about it the rules need."""

    hs6: str
    exporter: str
    importer: str
    currency: str
    fob: float | None = None
    exw: float | None = None
    net_cost: float | None = None
    weight_kg: float | None = None
    description: str = ""
    wholly_obtained: bool = False
    processes: tuple[str, ...] = ()  # specific processes the producer declares it performs
    confirmed: tuple[str, ...] = ()  # condition / product-split texts the producer confirms
    operations: tuple[
        str, ...
    ] = ()  # operations performed on non-originating materials (minimal-operations check)

    def price(self, basis: str) -> float | None:
        return self.exw if basis == "EXW" else self.fob


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or str(v).strip() == ""


def _known_currency(code: str) -> bool:
    try:
        currency_code(code)
    except InputError:
        return False
    return True


def parse_bom(
    records: Iterable[dict[str, Any]],
    currency: str,
    *,
    rates: Rates | None = None,
    hs_codes: frozenset[str] | None = None,
    source: str = "BOM",
) -> BOM:
    """Validate raw records into a :class:`BOM`; every problem names its row and column.

    Raises
    ------
    BOMError
        listing all problems found (negative values, unknown HS codes, missing origin, unknown
        parents, cycles, currencies without a rate).
    """
    recs = list(records)
    problems: list[str] = []
    currency = currency_code(currency)
    if not recs:
        raise BOMError(f"{source} has no lines.", hint="Give at least one material line.")
    missing = [c for c in REQUIRED if c not in recs[0]]
    if missing:
        raise BOMError(f"{source} is missing column(s): {', '.join(missing)}.",
                       hint="Required: " + ", ".join(REQUIRED), columns=missing)  # fmt: skip
    lines: list[BOMLine] = []
    seen: dict[str, int] = {}
    for i, r in enumerate(recs, start=1):
        where = f"{source} row {i}"
        pid = "" if _blank(r.get("part_id")) else str(r["part_id"]).strip()
        if not pid:
            problems.append(f"{where}, column 'part_id': empty")
            continue
        if pid in seen:
            problems.append(f"{where}, column 'part_id': '{pid}' repeats row {seen[pid]}")
        seen[pid] = i
        try:
            if _blank(r.get("hs_code")):
                raise HSCodeError("missing")
            hs6 = normalize_hs6(str(r["hs_code"]).strip())
            if hs_codes is not None and hs6 not in hs_codes:
                problems.append(f"{where}, column 'hs_code': {hs6} is not an HS 2022 subheading")
        except KaigaiError as exc:
            problems.append(f"{where}, column 'hs_code': {exc.message}")
            hs6 = ""
        origin = ""
        if _blank(r.get("origin")):
            problems.append(
                f"{where}, column 'origin': missing (write UNKNOWN for undetermined origin)"
            )
        elif str(r["origin"]).strip().upper() in UNDETERMINED:
            origin = "UNKNOWN"
        else:
            try:
                origin = normalize_country(str(r["origin"]))
            except KaigaiError as exc:
                problems.append(f"{where}, column 'origin': {exc.message}")
        value = _num(r.get("value"), where, "value", problems, required=True)
        if value is not None and value < 0:
            problems.append(f"{where}, column 'value': negative value {value:g}")
        qty = _num(r.get("quantity"), where, "quantity", problems) or 1.0
        if qty < 0:
            problems.append(f"{where}, column 'quantity': negative quantity {qty:g}")
        weight = _num(r.get("weight_kg"), where, "weight_kg", problems)
        cur = "" if _blank(r.get("currency")) else str(r["currency"]).strip().upper()
        conv = 1.0
        if not cur:
            problems.append(f"{where}, column 'currency': missing")
        elif not _known_currency(cur):
            problems.append(
                f"{where}, column 'currency': unknown currency '{cur}' (use an ISO 4217 code such as JPY, USD)"
            )
        elif cur != currency:
            found = rates.find(cur, currency) if rates is not None else None
            if found is None:
                problems.append(
                    f"{where}, column 'currency': {cur} differs from {currency} and no {cur}/{currency} rate was given"
                )
            else:
                conv = float(found[0])
        orig_flag = None if _blank(r.get("originating")) else str(r["originating"]).strip().lower()
        if orig_flag is not None and orig_flag not in _YES | _NO | {"unknown"}:
            problems.append(f"{where}, column 'originating': '{orig_flag}' is not yes/no/unknown")
        decl_raw = "" if _blank(r.get("supplier_declaration")) else str(r["supplier_declaration"])
        decl = tuple(x.strip().upper() for x in decl_raw.replace(",", ";").split(";") if x.strip())
        parent = None if _blank(r.get("parent")) else str(r["parent"]).strip()
        comp_raw = "" if _blank(r.get("component")) else str(r["component"]).strip().lower()
        if comp_raw and comp_raw not in _YES | _NO:
            problems.append(f"{where}, column 'component': '{comp_raw}' is not yes/no")
        wo_flag = (
            "" if _blank(r.get("wholly_obtained")) else str(r["wholly_obtained"]).strip().lower()
        )
        if wo_flag and wo_flag not in _YES | _NO:
            problems.append(f"{where}, column 'wholly_obtained': '{wo_flag}' is not yes/no")
        wo = wo_flag in _YES
        if wo and orig_flag in _NO:
            problems.append(
                f"{where}, column 'wholly_obtained': a wholly obtained material cannot be non-originating"
            )
        lines.append(BOMLine(i, pid, str(r.get("part") or ""), hs6, origin, (value or 0.0) * conv, value or 0.0, cur,
                             qty, True if orig_flag in _YES else False if orig_flag in _NO else None, decl,
                             parent, weight, comp_raw in _YES, wo))  # fmt: skip
    ids = {ln.part_id for ln in lines}
    for ln in lines:
        if ln.parent is not None and ln.parent not in ids:
            problems.append(
                f"{source} row {ln.row}, column 'parent': unknown part_id '{ln.parent}'"
            )
    problems += _cycles(lines, source)
    if problems:
        raise BOMError(
            f"{source} has {len(problems)} problem(s): "
            + "; ".join(problems[:8])
            + (" …" if len(problems) > 8 else ""),
            hint="Fix the rows named; kaigai evaluates nothing on guessed data.",
            problems=problems,
        )
    return BOM(tuple(lines), currency)


def _num(v: Any, where: str, col: str, problems: list[str], required: bool = False) -> float | None:
    if _blank(v):
        if required:
            problems.append(f"{where}, column '{col}': missing")
        return None
    try:
        x = float(str(v).replace(",", ""))
    except ValueError:
        problems.append(f"{where}, column '{col}': '{v}' is not a number")
        return None
    if math.isnan(x) or math.isinf(x):
        problems.append(f"{where}, column '{col}': '{v}' is not a finite number")
        return None
    return x


def _cycles(lines: list[BOMLine], source: str) -> list[str]:
    parent = {ln.part_id: ln.parent for ln in lines}
    row = {ln.part_id: ln.row for ln in lines}
    out: list[str] = []
    reported: set[str] = set()
    for start in parent:
        path: list[str] = []
        cur: str | None = start
        while cur is not None and cur in parent and cur not in path:
            path.append(cur)
            cur = parent[cur]
        if cur is not None and cur in path:
            cyc = path[path.index(cur) :]
            key = ",".join(sorted(cyc))
            if key not in reported:
                reported.add(key)
                out.append(f"{source} rows {', '.join(str(row[c]) for c in cyc)}, column 'parent': cycle "
                           + " -> ".join([*cyc, cur]))  # fmt: skip
    return out


def read_bom_records(path: Path) -> list[dict[str, Any]]:
    """Raw records from a CSV, XLSX or JSON file (a list of objects or {"lines": [...]}).

    CSV and JSON may be UTF-8, Shift-JIS/CP932 or EUC-JP (:func:`kaigai.core.text.decode_text`).

    Raises
    ------
    BOMError
        missing file, unsupported type, undecodable or malformed content.
    """
    p = Path(path)
    if not p.is_file():
        raise BOMError(
            f"BOM file {p} not found.", hint="Give the path of a CSV, XLSX or JSON file."
        )
    suf = p.suffix.lower()
    if suf not in (".csv", ".xlsx", ".xlsm", ".json"):
        raise BOMError(
            f"BOM file type {suf or '(none)'} not supported.", hint="Use .csv, .xlsx or .json."
        )
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise BOMError(f"Cannot read BOM file {p}: {exc.strerror}.") from exc
    if suf == ".json":
        return _json_records(decode_text(raw, p.name, BOMError), p.name)
    text = ""
    if suf == ".csv":
        text = decode_text(raw, p.name, BOMError)
        if "\x00" in text:
            raise BOMError(f"{p.name} contains binary data.", hint="Save the BOM as CSV text.")
        plain = _plain_csv(text)
        if plain is not None:
            return plain
    import pandas as pd  # XLSX, and CSV files with ragged rows or repeated column names

    try:
        if suf == ".csv":
            df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
        else:
            df = pd.read_excel(io.BytesIO(raw), dtype=str).fillna("")
    except BOMError:
        raise
    except Exception as exc:  # pandas/openpyxl raise many types for broken files
        raise BOMError(
            f"{p.name} could not be read as {suf[1:].upper()}: {str(exc)[:200]}",
            hint="Check the file opens in a spreadsheet; first row = column names.",
        ) from exc
    df.columns = [str(c).strip().lower() for c in df.columns]
    return [{str(k): v for k, v in r.items()} for r in df.to_dict("records")]


def _plain_csv(text: str) -> list[dict[str, Any]] | None:
    """Records of a regular CSV (unique column names, every row as wide as the header), read
    with the standard library exactly as ``pandas.read_csv(dtype=str, keep_default_na=False)``
    reads it; None for anything else (pandas then reads it and reports what is wrong)."""
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error:
        return None
    if not rows or not rows[0] or len(set(rows[0])) != len(rows[0]):
        return None
    header = [str(c).strip().lower() for c in rows[0]]
    out: list[dict[str, Any]] = []
    for r in rows[1:]:
        if not r:
            continue  # blank line (pandas skips them too)
        if len(r) != len(rows[0]) or (len(r) == 1 and not r[0].strip()):
            return None
        out.append(dict(zip(header, r, strict=True)))
    return out


def _json_records(text: str, name: str) -> list[dict[str, Any]]:
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise BOMError(f"{name} is not valid JSON: {str(exc)[:200]}.") from exc
    lines = data.get("lines", data) if isinstance(data, dict) else data
    if not isinstance(lines, list) or not all(isinstance(x, dict) for x in lines):
        raise BOMError(f"{name}: expected a list of objects or {{'lines': [...]}}.")
    return [{str(k).strip().lower(): v for k, v in x.items()} for x in lines]


def load_bom(
    path: Path, currency: str, *, rates: Rates | None = None, hs_codes: frozenset[str] | None = None
) -> BOM:
    """Read and validate a BOM file (see :func:`parse_bom`)."""
    return parse_bom(
        read_bom_records(path), currency, rates=rates, hs_codes=hs_codes, source=Path(path).name
    )


__all__ = ["BOM", "REQUIRED", "BOMLine", "Product", "load_bom", "parse_bom", "read_bom_records"]
