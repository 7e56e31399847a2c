"""The committed income-elasticity table is what the estimator gives on the full shared data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kaigai.markets.elasticities import estimate_income_elasticities, load_income_elasticities


def test_committed_table_shape():
    el = load_income_elasticities()
    assert set(el["dev_group"]) == {"developing", "high"}
    assert len(el) == 2 * el["chapter"].nunique() and el["chapter"].nunique() >= 96
    assert el["elasticity"].between(0, 3).all()
    assert el["chapter"].str.fullmatch(r"\d\d").all()


@pytest.mark.shared
def test_regenerate_from_shared_data(shared_data):
    m = pd.read_parquet(shared_data / "markets" / "trade_hs6_2024_imports_by_importer.parquet")
    w = pd.read_parquet(shared_data / "markets" / "imf_weo_oct2023.parquet")
    got = estimate_income_elasticities(m, w).set_index(["chapter", "dev_group"])
    want = load_income_elasticities().set_index(["chapter", "dev_group"])
    np.testing.assert_allclose(got["elasticity"], want.loc[got.index, "elasticity"], rtol=1e-8)
    assert (got["n_obs"] == want.loc[got.index, "n_obs"]).all()


@pytest.mark.shared
def test_full_file_flow_equals_source(shared_data):
    """JPN -> VNM, HS 847130 in the full 2024 file equals the starter/pipeline figure."""
    raw = pd.read_parquet(
        shared_data / "markets" / "trade_hs6_2024_apac.parquet",
        filters=[("exporter", "==", "JPN"), ("importer", "==", "VNM"), ("hs6", "==", "847130")],
    )
    assert raw["value_usd"].tolist() == [3_992_011]
