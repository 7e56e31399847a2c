from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from kaigai.cli.app import app
from kaigai.cli.demo import destinations
from kaigai.data import store

runner = CliRunner()


def test_demo_json_from_starter_pack() -> None:
    r = runner.invoke(app, ["overview", "--json", "--top", "5"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["product"]["code"] == "848210" and d["product"]["description"] == "Ball bearings"
    assert d["coverage"]["data_copy"] == "starter"
    starter = pd.read_parquet(store.starter_path("trade_hs6"))  # type: ignore[arg-type]
    jp = starter[(starter.exporter == "JPN") & (starter.hs6 == "848210")].sort_values(
        "value_usd", ascending=False
    )
    assert [x["importer"] for x in d["destinations"]] == list(jp.importer.head(5))
    first = d["destinations"][0]
    assert (first["importer"], first["value_usd"]) == ("CHN", 367_111_694)
    assert first["share_of_exports"] == pytest.approx(367_111_694 / 1_197_366_157)
    assert first["market_share"] == pytest.approx(367_111_694 / 1_245_758_160)
    assert first["provenance"][0]["locator"] == "exporter=JPN importer=CHN hs6=848210"
    assert "USA" in d["coverage"]["importers_missing_in_data"]


def test_demo_japanese_and_bad_code() -> None:
    r = runner.invoke(app, ["overview", "--lang", "ja", "--top", "3"])
    assert r.exit_code == 0 and "主要輸出先" in r.stdout and "中国" in r.stdout
    assert runner.invoke(app, ["overview", "--hs", "847199"]).exit_code != 0


def test_destinations_missing_denominators_stay_missing() -> None:
    flows = pd.DataFrame({"importer": ["A", "B"], "value_usd": [10, 30]})
    imports = pd.DataFrame({"importer": ["B"], "import_value_usd": [60.0]})
    df = destinations(flows, imports, None, 5)
    assert list(df.importer) == ["B", "A"] and df.share_of_exports.isna().all()
    assert df.market_share.iloc[0] == 0.5 and pd.isna(df.market_share.iloc[1])


def test_demo_matches_full_shared_file(shared_data: Path) -> None:
    r = runner.invoke(
        app, ["data", "import", str(shared_data / "markets"), "--json", "--no-prepare"]
    )
    assert r.exit_code == 0, r.output
    d = json.loads(runner.invoke(app, ["overview", "--json", "--top", "3"]).stdout)
    assert d["coverage"]["data_copy"] == "catalog"
    full = pd.read_parquet(
        shared_data / "markets/trade_hs6_2024_apac.parquet",
        filters=[("exporter", "=", "JPN"), ("hs6", "=", "848210")],
    )
    top = full.sort_values("value_usd", ascending=False).head(3)
    assert [x["value_usd"] for x in d["destinations"]] == list(top.value_usd)
