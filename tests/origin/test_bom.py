"""BOM loading and validation: every problem names its row and column; nothing is guessed."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from kaigai.core.errors import BOMError
from kaigai.core.money import Rate, Rates
from kaigai.origin.bom import load_bom, parse_bom

from .conftest import Rules

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "bom_bearing.csv"


def _rec(**kw: object) -> dict[str, object]:
    base = {
        "part_id": "A",
        "part": "ring",
        "hs_code": "848299",
        "origin": "CHN",
        "value": "100",
        "currency": "JPY",
    }
    base.update(kw)
    return base


def test_example_bom_loads(rules: Rules) -> None:
    bom = load_bom(EXAMPLE, "JPY", hs_codes=rules.hs22)
    assert [ln.part_id for ln in bom.top] == ["IR", "OR", "BALL", "CAGE", "SEAL", "GREASE"]
    assert bom.children("IR")[0].hs6 == "722830"
    assert sum(ln.value for ln in bom.top) == pytest.approx(545.0)


@pytest.mark.parametrize(
    ("rec", "needle"),
    [
        (_rec(value="-12"), "row 1, column 'value': negative value -12"),
        (_rec(hs_code="770000"), "row 1, column 'hs_code': 770000 is not an HS 2022 subheading"),
        (_rec(hs_code="8482.9"), "row 1, column 'hs_code': HS code 8482.9 is not 6 digits"),
        (_rec(origin=""), "row 1, column 'origin': missing"),
        (_rec(origin="Atlantis"), "row 1, column 'origin': Unknown country 'Atlantis'"),
        (
            _rec(currency="USD"),
            "row 1, column 'currency': USD differs from JPY and no USD/JPY rate was given",
        ),
        (_rec(value="ten"), "row 1, column 'value': 'ten' is not a number"),
        (_rec(originating="maybe"), "row 1, column 'originating': 'maybe' is not yes/no/unknown"),
        (_rec(parent="ZZ"), "row 1, column 'parent': unknown part_id 'ZZ'"),
    ],
)
def test_bad_rows_named(rules: Rules, rec: dict[str, object], needle: str) -> None:
    with pytest.raises(BOMError) as ei:
        parse_bom([rec], "JPY", hs_codes=rules.hs22)
    assert needle in ei.value.message, ei.value.message
    assert any(needle in p for p in ei.value.fields["problems"])


def test_cycle_detected_with_rows() -> None:
    recs = [
        _rec(part_id="A", parent="B"),
        _rec(part_id="B", parent="C"),
        _rec(part_id="C", parent="A"),
        _rec(part_id="D"),
    ]
    with pytest.raises(BOMError, match=r"rows 1, 2, 3, column 'parent': cycle A -> B -> C -> A"):
        parse_bom(recs, "JPY")


def test_missing_columns() -> None:
    with pytest.raises(BOMError, match="missing column\\(s\\): origin"):
        parse_bom(
            [{"part_id": "A", "part": "x", "hs_code": "848299", "value": 1, "currency": "JPY"}],
            "JPY",
        )


def test_currency_converted_with_explicit_rate() -> None:
    rates = Rates.of([Rate("USD", "JPY", Decimal("150"), dt.date(2025, 1, 6), "test")])
    bom = parse_bom([_rec(currency="USD", value="2")], "JPY", rates=rates)
    assert bom.lines[0].value == pytest.approx(300.0)
    assert bom.lines[0].source_currency == "USD" and bom.lines[0].source_value == 2.0


def test_json_and_xlsx_loaders(tmp_path: Path, rules: Rules) -> None:
    df = pd.read_csv(EXAMPLE, dtype=str, keep_default_na=False)
    (tmp_path / "b.json").write_text(json.dumps({"lines": df.to_dict("records")}), encoding="utf-8")
    df.to_excel(tmp_path / "b.xlsx", index=False)
    a = load_bom(tmp_path / "b.json", "JPY", hs_codes=rules.hs22)
    b = load_bom(tmp_path / "b.xlsx", "JPY", hs_codes=rules.hs22)
    c = load_bom(EXAMPLE, "JPY", hs_codes=rules.hs22)
    assert a == b == c


def test_unsupported_file(tmp_path: Path) -> None:
    (tmp_path / "b.txt").write_text("x")
    with pytest.raises(BOMError, match="not supported"):
        load_bom(tmp_path / "b.txt", "JPY")
