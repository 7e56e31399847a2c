"""The same Ibis pipeline on DuckDB and on PySpark (local mode) gives the same numbers."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from kaigai.data.markets import compute_potential
from kaigai.markets.potential import MarketFrames
from kaigai.markets.types import EPIParams

MARKETS = ["VNM", "THA", "AUS"]
CHAPTERS = ("33",)


def _subset(f: MarketFrames) -> MarketFrames:
    """Starter-pack rows for 3 markets and chapter 33 (keeps the Spark run short)."""
    t = f.trade[f.trade.importer.isin(MARKETS) & f.trade.hs6.str[:2].isin(CHAPTERS)]
    m = f.imports[f.imports.importer.isin(MARKETS) & f.imports.hs6.str[:2].isin(CHAPTERS)]
    x = f.exports[f.exports.hs6.str[:2].isin(CHAPTERS)]
    return dataclasses.replace(f, trade=t, imports=m, exports=x)


@pytest.mark.spark
def test_duckdb_equals_pyspark(starter_frames, spark_engine):
    frames = _subset(starter_frames)
    params = EPIParams(variant="projected")
    duck = compute_potential(frames, params, engine="duckdb").potential
    spark = compute_potential(frames, params, engine=spark_engine).potential
    assert len(duck) == len(spark) > 5_000
    assert (
        duck[["exporter", "importer", "hs6"]].values
        == spark[["exporter", "importer", "hs6"]].values
    ).all()
    for col in ["actual", "proj_imports", "proj_share", "dist_factor", "ease", "epi", "untapped"]:
        a = duck[col].to_numpy(dtype=float)
        b = spark[col].to_numpy(dtype=float)
        np.testing.assert_allclose(b, a, rtol=1e-9, atol=0, err_msg=col)
    for col in ["growth_missing", "distance_missing", "ease_zero"]:
        assert (duck[col].astype(bool).values == spark[col].astype(bool).values).all(), col


@pytest.mark.spark
def test_backends_write_the_same_partitioned_parquet(tmp_path, spark_engine):
    """``Backend.write_parquet`` (used by ``prepare``) gives the same rows and partitions."""
    import pandas as pd

    from kaigai.data.backends import connect

    df = pd.DataFrame({"exporter": [3, 1, 3, 2], "hs6": [330499, 330499, 847130, 610910],
                       "epi": [1.25, 2.5, 5.0, 10.0]})  # fmt: skip
    got = {}
    with connect("duckdb") as duck:
        for be in (duck, spark_engine):
            t = be.register(f"w_{be.name}", df)
            out = tmp_path / be.name
            be.write_parquet(t, out, partition_by="exporter")
            assert sorted(p.name for p in out.iterdir() if p.is_dir()) == [
                "exporter=1", "exporter=2", "exporter=3",
            ]  # fmt: skip
            back = pd.read_parquet(out)
            back["exporter"] = back["exporter"].astype(int)
            got[be.name] = back.sort_values(["exporter", "hs6"]).reset_index(drop=True)[
                ["exporter", "hs6", "epi"]
            ]
    pd.testing.assert_frame_equal(got["duckdb"], got["pyspark"], check_dtype=False)
    assert got["duckdb"]["epi"].tolist() == [2.5, 10.0, 1.25, 5.0]
