"""The standard-library CSV reader of BOM files gives exactly the records pandas gives."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

from kaigai.origin.bom import _plain_csv

ROOT = Path(__file__).resolve().parents[2]


def _pandas(text: str) -> list[dict[str, object]]:
    df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    df.columns = [str(c).strip().lower() for c in df.columns]
    return [{str(k): v for k, v in r.items()} for r in df.to_dict("records")]


@pytest.mark.parametrize(
    "text",
    [
        (ROOT / "examples" / "bom_bearing.csv").read_text(encoding="utf-8-sig"),
        (ROOT / "examples" / "bom_pullover.csv").read_text(encoding="utf-8-sig"),
        'a,B ,c\r\n1,"x, y",\r\n\r\n,,\r\n',
        'a,b\n"1\n2",3\n',
        "a,b\n 1 , 2 \n\n\n",
        "hs,qty\n0101,007\n",
    ],
)
def test_regular_csv_equals_pandas(text: str) -> None:
    got = _plain_csv(text)
    assert got is not None
    assert got == _pandas(text)


@pytest.mark.parametrize("text", ["a,a\n1,2\n", "a,b\n1,2,3\n", "a,b\n1\n", "", "a\n \n"])
def test_irregular_csv_is_left_to_pandas(text: str) -> None:
    assert _plain_csv(text) is None
