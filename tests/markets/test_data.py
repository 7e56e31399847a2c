"""The prepared store returns exactly what a direct pipeline run returns."""

from __future__ import annotations

import numpy as np
import pytest

from kaigai.core.config import get_settings
from kaigai.data.markets import compute_potential, prepare, read_prepared
from kaigai.markets.pipeline import OUTPUT_COLUMNS
from kaigai.markets.types import EPIParams

PRODUCTS = ["847130", "330499", "610910"]


def test_prepared_equals_direct(tmp_path, starter_frames):
    st = get_settings(data_dir=tmp_path, use_starter=True)
    params = EPIParams()
    assert read_prepared(st, params, "JPN", PRODUCTS) is None  # nothing prepared yet
    prepare(st, params)
    got = read_prepared(st, params, "JPN", PRODUCTS)
    assert got is not None
    direct = compute_potential(starter_frames, params, exporter="JPN", hs6=PRODUCTS).potential
    a = got.potential.sort_values(["importer", "hs6"]).reset_index(drop=True)
    b = direct.sort_values(["importer", "hs6"]).reset_index(drop=True)
    assert list(a.columns) == OUTPUT_COLUMNS and len(a) == len(b) > 40
    for c in OUTPUT_COLUMNS:
        if a[c].dtype.kind == "f":
            np.testing.assert_allclose(a[c].to_numpy(), b[c].to_numpy(), rtol=1e-12, err_msg=c)
        else:
            assert (a[c].astype(str).to_numpy() == b[c].astype(str).to_numpy()).all(), c
    assert any(n.startswith("Starter-pack subset") for n in got.notes)
    # unknown exporter or product: empty, not an error (the service layer explains why)
    assert read_prepared(st, params, "XXX", PRODUCTS).potential.empty
    assert read_prepared(st, params, "JPN", ["999999"]).potential.empty


@pytest.mark.parametrize("variant", ["static"])
def test_prepared_static_variant(tmp_path, variant):
    st = get_settings(data_dir=tmp_path, use_starter=True)
    params = EPIParams(variant=variant)
    path = prepare(st, params)
    assert path.name == "static_2024"
    got = read_prepared(st, params, "JPN", ["847130"])
    assert got is not None
    p = got.potential
    assert (p["proj_imports"] == p["imports"]).all()


def test_prepare_replaces_a_stale_folder(tmp_path):
    """A run on changed data replaces the old folder whole (no stale file survives)."""
    st = get_settings(data_dir=tmp_path, use_starter=True)
    params = EPIParams(variant="static")
    stale = tmp_path / "markets" / "static_2024"
    (stale / "core").mkdir(parents=True)
    (stale / "meta.json").write_text('{"fingerprint": "old"}', encoding="utf-8")
    (stale / "core" / "left-over.parquet").write_bytes(b"x")
    assert read_prepared(st, params, "JPN", ["847130"]) is None  # stale: not read
    assert prepare(st, params) == stale
    assert not (stale / "core" / "left-over.parquet").exists()
    assert read_prepared(st, params, "JPN", ["847130"]) is not None
    assert sorted(p.name for p in stale.parent.iterdir()) == ["static_2024"]
