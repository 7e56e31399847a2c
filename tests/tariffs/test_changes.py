"""`kaigai duty changes`: rate changes between dated schedule versions.

Reference: tariffs_staging/japan_epa_rate_changes.csv (the dataset's own list of changed cells)."""

from __future__ import annotations

import collections
import datetime as dt

import pandas as pd
import pytest

from kaigai.cli.app import main
from kaigai.core.errors import TariffError
from kaigai.tariffs.changes import changes, versions_from_snapshots
from kaigai.tariffs.schedule import format_jp_code

from .conftest import _shared

# rows copied from japan_epa_rate_changes.csv (line 2: 0101.29.290 under CPTPP)
ROWS = pd.DataFrame(
    {
        "line_key": ["010129290", "010129290", "847130000"],
        "national_code_9": ["010129290", "010129290", "847130000"],
        "rate_column": ["epa_cptpp", "epa_eu", "general_rate"],
        "rate_2025_04_01": ["1,700,000円/頭", "1,700,000円/頭", "無税"],
        "rate_2026_01_01": ["1,700,000円/頭", "1,700,000円/頭", "無税"],
        "rate_2026_04_01": ["1,487,500円/頭", "1,487,500円/頭", "無税"],
        "rate_2026_07_09": ["1,487,500円/頭", "1,487,500円/頭", "無税"],
    }
)


def test_changes_fixture() -> None:
    vs = versions_from_snapshots(ROWS)
    assert [v.valid_from.isoformat() for v in vs] == [
        "2025-04-01", "2026-01-01", "2026-04-01", "2026-07-09",
    ]  # fmt: skip
    base, target, rows = changes(
        vs, ["0101", "8471"], dt.date(2025, 6, 1), None, {"epa_cptpp": "CPTPP"}
    )
    assert (base.valid_from, target.valid_from) == (dt.date(2025, 4, 1), dt.date(2026, 7, 9))
    assert [(r.national_line, r.option, r.before, r.after) for r in rows] == [
        ("0101.29.290", "CPTPP", "1,700,000円/頭", "1,487,500円/頭"),
        ("0101.29.290", "epa_eu", "1,700,000円/頭", "1,487,500円/頭"),
    ]
    assert rows[0].steps[2] == ("2026-04-01", "1,487,500円/頭")
    _, _, none = changes(vs, ["0101"], dt.date(2026, 4, 1))
    assert none == []
    with pytest.raises(TariffError, match="earliest is 2025-04-01"):
        changes(vs, ["0101"], dt.date(2024, 1, 1))


@pytest.mark.shared
def test_changes_equal_the_source_change_list() -> None:
    p = _shared() / "tariffs_staging"
    if not p.is_dir():
        pytest.skip(f"shared data not found at {p}")
    vs = versions_from_snapshots(pd.read_parquet(p / "japan_epa_rates_snapshots_long.parquet"))
    _, _, rows = changes(vs, [f"{i:02d}" for i in range(1, 98)], dt.date(2025, 4, 1))
    ref = pd.read_csv(p / "japan_epa_rate_changes.csv", dtype=str)
    ref = ref[
        ref.rate_2025_04_01.notna()
        & ref.rate_2026_07_09.notna()
        & (ref.rate_2025_04_01 != ref.rate_2026_07_09)
    ]
    both = [(r.national_line.split("#")[0], r.column) for r in rows if r.before and r.after]
    assert len(both) == len(ref) == 9_217
    assert collections.Counter(both) == collections.Counter(
        (format_jp_code(a), b) for a, b in zip(ref.national_code_9, ref.rate_column, strict=True)
    )
    assert len(rows) == 11_599  # + 2,382 cells that appear or disappear (empty cell / re-cut line)
    _, _, beef = changes(vs, ["0201"], dt.date(2025, 4, 1))
    assert len(beef) == 30  # 6 lines x (JP-AU, CPTPP, EU-JP, UK-JP, US-JP)


def test_duty_changes_alias_starter(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as ex:
        main(
            ["duty", "changes", "--hs", "847130", "--to", "VNM", "--since", "2026-01-01", "--json"]
        )
    assert ex.value.code == 0
    out = capsys.readouterr().out
    assert '"changes": []' in out and '"version": "2026-01-01"' in out
