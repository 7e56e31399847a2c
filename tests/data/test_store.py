from __future__ import annotations

import json

import pytest

from kaigai.core.config import Settings
from kaigai.core.errors import DatasetMissingError
from kaigai.data import store


def test_starter_pack_is_small_and_matches_its_manifest(settings: Settings) -> None:
    d = store.starter_dir()
    man = json.loads((d / "manifest.json").read_text())
    total = sum(v["bytes"] for v in man["datasets"].values())
    assert total <= 5_000_000
    df = store.load("hs_nomenclature", settings)
    assert len(df) == man["datasets"]["hs_nomenclature"]["rows"]


def test_starter_trade_flow_equals_shared_source(settings: Settings, shared_data) -> None:
    import pandas as pd

    full = pd.read_parquet(
        shared_data / "markets/trade_hs6_2024_apac.parquet",
        filters=[("exporter", "=", "JPN"), ("importer", "=", "VNM"), ("hs6", "=", "848210")],
    )
    got = store.load(
        "trade_hs6", settings, where_sql="exporter='JPN' AND importer='VNM' AND hs6='848210'"
    )
    assert int(got.value_usd.iloc[0]) == int(full.value_usd.iloc[0])


def test_missing_dataset_raises_with_hint(settings: Settings) -> None:
    with pytest.raises(DatasetMissingError) as ei:
        store.load("gravity_agtpa", settings)
    assert "kaigai data import" in (ei.value.hint or "")
