"""Issue 14 "Also": hypothesis fuzz of the BOM readers (CSV/XLSX/JSON, CLI files and API uploads) and the
firm-profile loader. Random and mutated inputs give a parsed result or a KaigaiError, never another exception
(which the CLI would print as a traceback and the API answer with a 500)."""

from __future__ import annotations

import contextlib
import io
import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kaigai.core.errors import KaigaiError

ROOT = Path(__file__).resolve().parents[2]
BOM = (ROOT / "examples" / "bom_bearing.csv").read_bytes()
FIRM = (ROOT / "examples" / "firm_tokyo_bearings.toml").read_bytes()
HS = frozenset({"848210", "848299", "848291", "722830", "732690", "401693", "340319"})
FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def mutated(draw: st.DrawFn, seed: bytes) -> bytes:
    """The seed with a few random byte edits (flip, insert, delete, truncate, duplicate a slice)."""
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 6))):
        if not data:
            break
        i = draw(st.integers(0, len(data) - 1))
        op = draw(st.sampled_from(["flip", "insert", "delete", "truncate", "dup"]))
        if op == "flip":
            data[i] = draw(st.integers(0, 255))
        elif op == "insert":
            data[i:i] = draw(st.binary(min_size=1, max_size=8))
        elif op == "delete":
            del data[i : i + draw(st.integers(1, 8))]
        elif op == "truncate":
            del data[i:]
        else:
            j = draw(st.integers(i, min(len(data), i + 40)))
            data[j:j] = data[i:j]
    return bytes(data)


text_cell = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        [
            "",
            "JPN",
            "ZZZ",
            "999999",
            "8482.99",
            "-5",
            "1e400",
            "nan",
            "yes",
            "no",
            "[/bold]",
            "=cmd()",
            "JPY",
            "UNKNOWN",
            "IR",
            "all",
            "RCEP",
            "１８０",
        ]
    ),  # fmt: skip
)
json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
COLUMNS = ["part_id", "part", "hs_code", "origin", "value", "currency", "quantity", "originating",
           "supplier_declaration", "parent", "weight_kg"]  # fmt: skip


def _read_and_parse(path: Path) -> None:
    from kaigai.origin.bom import parse_bom, read_bom_records

    with contextlib.suppress(KaigaiError):
        parse_bom(read_bom_records(path), "JPY", hs_codes=HS, source=path.name)


def _write(suffix: str, data: bytes) -> Path:
    fd, name = tempfile.mkstemp(suffix=suffix)
    with open(fd, "wb") as fh:
        fh.write(data)
    return Path(name)


@FUZZ
@given(st.one_of(mutated(BOM), st.binary(max_size=300)))
def test_csv_bom_file_never_crashes(data: bytes) -> None:
    p = _write(".csv", data)
    try:
        _read_and_parse(p)
    finally:
        p.unlink()


@FUZZ
@given(st.lists(st.lists(text_cell, min_size=0, max_size=12), min_size=1, max_size=6),
       st.sampled_from(["utf-8", "cp932", "euc_jp"]))  # fmt: skip
def test_csv_bom_rows_never_crash(rows: list[list[str]], enc: str) -> None:
    import csv

    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(COLUMNS)
    w.writerows(rows)
    p = _write(".csv", buf.getvalue().encode(enc, errors="replace"))
    try:
        _read_and_parse(p)
    finally:
        p.unlink()


@FUZZ
@given(
    st.one_of(
        json_value, st.lists(st.dictionaries(st.sampled_from(COLUMNS), json_value), max_size=4)
    )
)
def test_json_bom_never_crashes(doc: Any) -> None:
    p = _write(".json", json.dumps(doc).encode())
    try:
        _read_and_parse(p)
    finally:
        p.unlink()


def _xlsx(rows: list[list[Any]]) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(COLUMNS)
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    for r in rows:  # a spreadsheet cannot hold control characters: Excel never writes them
        ws.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in r])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


XLSX_SEED = _xlsx([["IR", "Inner ring", "8482.99", "JPN", 180, "JPY"]])
xlsx_cell = st.one_of(text_cell.filter(lambda s: not s.startswith("=")), st.integers(-10**6, 10**6),
                      st.floats(allow_nan=False, allow_infinity=False), st.none())  # fmt: skip


@FUZZ
@given(
    st.one_of(st.lists(st.lists(xlsx_cell, max_size=12), max_size=5).map(_xlsx), mutated(XLSX_SEED))
)
def test_xlsx_bom_never_crashes(data: bytes) -> None:
    p = _write(".xlsx", data)
    try:
        _read_and_parse(p)
    finally:
        p.unlink()


@FUZZ
@given(st.sampled_from(["bom.csv", "bom.xlsx", "bom.txt", ""]),
       st.one_of(mutated(BOM), mutated(XLSX_SEED), st.binary(max_size=200)))  # fmt: skip
def test_api_upload_reader_never_crashes(name: str, data: bytes) -> None:
    from kaigai.app.served.bom_io import fill_defaults, parse_upload
    from kaigai.origin.bom import parse_bom
    from kaigai.service.state import Limits

    try:
        parse_bom(fill_defaults(parse_upload(name, data, Limits()), "JPY"), "JPY", hs_codes=HS)
    except KaigaiError as exc:
        assert exc.http_status < 500


@FUZZ
@given(
    st.one_of(mutated(FIRM), st.binary(max_size=200)), st.sampled_from([".toml", ".yaml", ".json"])
)
def test_profile_file_never_crashes(data: bytes, suffix: str) -> None:
    from kaigai.app.plan import load_profile

    d = Path(tempfile.mkdtemp())
    p = d / f"firm{suffix}"
    p.write_bytes(data)
    (d / "bom_bearing.csv").write_bytes(BOM)
    with contextlib.suppress(KaigaiError):
        load_profile(p)


@FUZZ
@given(st.dictionaries(st.sampled_from(["name", "home_country", "products", "size", "preferences", "readiness",
                                         "current_markets", "name_ja", "x"]), json_value, max_size=6))  # fmt: skip
def test_profile_mapping_never_crashes(doc: dict[str, Any]) -> None:
    from kaigai.plan.profile import parse_profile

    with contextlib.suppress(KaigaiError):
        parse_profile(doc, source="fuzz")


@pytest.mark.parametrize("depth", [50, 2000])
def test_deeply_nested_json_bom_is_an_error(depth: int) -> None:
    p = _write(".json", b"[" * depth + b"]" * depth)
    try:
        from kaigai.core.errors import BOMError
        from kaigai.origin.bom import read_bom_records

        with pytest.raises(BOMError):
            read_bom_records(p)
    finally:
        p.unlink()
