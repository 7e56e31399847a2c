"""Reference checks of the starter-pack run against the raw source files."""

from __future__ import annotations

import pandas as pd
import pytest

from kaigai.data.markets import compute_potential
from kaigai.data.store import starter_path
from kaigai.markets.types import EPIParams

PRODUCTS = ["847130", "330499", "220300"]


@pytest.fixture(scope="module")
def full(starter_frames):
    return compute_potential(starter_frames, EPIParams(), hs6=PRODUCTS)


@pytest.fixture(scope="module")
def jpn(full):
    return full


def test_jpn_vnm_flow_equals_source(jpn):
    raw = pd.read_parquet(starter_path("trade_hs6"))
    src = raw[(raw.exporter == "JPN") & (raw.importer == "VNM") & (raw.hs6 == "847130")]
    assert len(src) == 1
    p = jpn.potential
    row = p[(p.exporter == "JPN") & (p.importer == "VNM") & (p.hs6 == "847130")]
    assert float(row["actual"].iloc[0]) == float(src["value_usd"].iloc[0]) == 3_992_011.0
    imp = pd.read_parquet(starter_path("imports_by_importer"))
    m = imp[(imp.importer == "VNM") & (imp.hs6 == "847130")]["import_value_usd"].iloc[0]
    assert float(row["imports"].iloc[0]) == float(m)


def test_all_jpn_flows_match_source(jpn):
    raw = pd.read_parquet(starter_path("trade_hs6"))
    raw = raw[raw.exporter == "JPN"].set_index(["importer", "hs6"])["value_usd"]
    got = jpn.potential[jpn.potential.exporter == "JPN"].set_index(["importer", "hs6"])["actual"]
    common = got[got > 0]
    assert len(common) > 30
    assert (raw.reindex(common.index).astype(float) == common).all()


def test_potentials_sum_to_projected_imports(full):
    p = full.potential
    s = p.groupby(["importer", "hs6"]).agg(epi=("epi", "sum"), m=("proj_imports", "first"))
    assert len(s) > 30
    rel = ((s["epi"] - s["m"]).abs() / s["m"]).max()
    assert rel < 1e-9
    assert (p["untapped"] >= 0).all()
    assert (p["untapped"] <= p["epi"] + 1e-6).all()


def test_absent_importers_not_markets(jpn):
    assert not set(jpn.potential["importer"]) & {"USA", "DEU", "FRA", "ESP", "NLD"}
    assert set(jpn.markets["importer"]) >= {"VNM", "AUS", "CHN"}
    assert jpn.markets["complete"].all()  # starter markets carry all their suppliers


def test_static_variant_uses_current_values(starter_frames):
    res = compute_potential(starter_frames, EPIParams(variant="static"), hs6=["847130"])
    p = res.potential
    assert (p["proj_imports"] == p["imports"]).all()
    assert (p["proj_share"] - p["share"]).abs().max() < 1e-12
    assert any("Static variant" in n for n in res.notes)


def test_aggregate_by_market_and_region(full):
    from kaigai.core.countries import GROUPS
    from kaigai.markets.potential import aggregate

    jp = full.potential[full.potential.exporter == "JPN"]
    by_m = aggregate(jp, "importer")
    assert by_m["untapped"].sum() == pytest.approx(jp["untapped"].sum(), rel=1e-12)
    region = {c: "ASEAN" for c in GROUPS["ASEAN"]}
    by_r = aggregate(jp, "region", region=region)
    asean = jp[jp.importer.isin(GROUPS["ASEAN"])]
    got = by_r.set_index("region").loc["ASEAN"]
    assert got["epi"] == pytest.approx(asean["epi"].sum(), rel=1e-12)
    assert got["untapped"] == pytest.approx(asean["untapped"].sum(), rel=1e-12)
    by_ch = aggregate(jp, "chapter")
    assert set(by_ch["chapter"]) == {"84", "33", "22"}
