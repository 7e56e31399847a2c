"""A user's data file for the policy lab is read by the data layer (one reader for
``policy estimate`` and ``policy ge``), with clear errors."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from kaigai.core.errors import InputError
from kaigai.data.panels import read_panel


@pytest.fixture
def panel() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "exporter": ["JPN", "VNM"],
            "importer": ["VNM", "JPN"],
            "trade": [10.5, 2.0],
            "rta": [1, 1],
        }
    )


def test_parquet_reads_only_the_model_columns(tmp_path: Path, panel: pd.DataFrame) -> None:
    f = tmp_path / "p.parquet"
    panel.to_parquet(f, index=False)
    got = read_panel(f, ["trade", "rta", "not_there"])
    assert list(got.columns) == ["trade", "rta"]  # an absent column is left to the estimator
    assert got["trade"].tolist() == [10.5, 2.0]
    assert list(read_panel(f).columns) == ["exporter", "importer", "trade", "rta"]


@pytest.mark.parametrize("suffix", [".csv", ".txt", ".dlm"])
def test_csv_like_files(tmp_path: Path, panel: pd.DataFrame, suffix: str) -> None:
    f = tmp_path / f"p{suffix}"
    panel.to_csv(f, index=False)
    pd.testing.assert_frame_equal(read_panel(f), panel)


def test_errors_say_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(InputError) as exc:
        read_panel(tmp_path / "absent.csv")
    assert exc.value.message == f"data file {tmp_path / 'absent.csv'} does not exist"
    assert exc.value.exit_code == 2
    (tmp_path / "p.xlsx").write_bytes(b"x")
    with pytest.raises(InputError, match=r"unsupported data file type '\.xlsx'") as exc:
        read_panel(tmp_path / "p.xlsx")
    assert exc.value.hint == "use .parquet or .csv"
    (tmp_path / "bad.parquet").write_bytes(b"PAR1 not really")
    with pytest.raises(InputError, match="cannot read") as exc:
        read_panel(tmp_path / "bad.parquet")
    assert exc.value.hint == "check that the file is valid parquet or CSV"
