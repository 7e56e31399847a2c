from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from kaigai.tariffs.loader import index_from_frames


def _shared() -> Path:
    return Path(os.environ.get("KAIGAI_SHARED_DATA", "../shared/data")).resolve()


@pytest.fixture(scope="session")
def jp_frame() -> pd.DataFrame:
    p = _shared() / "trade_rules/japan_tariff/japan_applied_tariff_2026_07_09.parquet"
    if not p.is_file():
        pytest.skip(f"shared data not found at {p}")
    return pd.read_parquet(p)


@pytest.fixture(scope="session")
def vn_frame() -> pd.DataFrame:
    p = _shared() / "tariffs_asia/vn_tariff_2026_long.parquet"
    if not p.is_file():
        pytest.skip(f"shared data not found at {p}")
    return pd.read_parquet(p)


@pytest.fixture(scope="session")
def apfc_frame() -> pd.DataFrame:
    p = _shared() / "tariffs_asia/jpn/jpn_cptpp_base_final_hs6_apfc.parquet"
    if not p.is_file():
        pytest.skip(f"shared data not found at {p}")
    return pd.read_parquet(p)


@pytest.fixture(scope="session")
def full_index(jp_frame, vn_frame, apfc_frame):  # type: ignore[no-untyped-def]
    return index_from_frames(jp_frame, vn_frame, apfc_frame)
