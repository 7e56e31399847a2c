from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from kaigai.core.config import Settings
from kaigai.data import store
from kaigai.data.catalog import status
from kaigai.data.importer import import_path
from kaigai.data.registry import DATASETS, match_file


def test_status_without_catalog_lists_starter_and_missing(settings: Settings) -> None:
    rows = {r["name"]: r for r in status(settings)}
    assert set(rows) == set(DATASETS)
    man = json.loads((store.starter_dir() / "manifest.json").read_text())["datasets"]
    assert rows["trade_hs6"]["location"] == "starter"
    assert rows["trade_hs6"]["row_count"] == man["trade_hs6"]["rows"] == 552566
    assert rows["gravity_agtpa"]["location"] == "missing"
    assert rows["wgi"]["url"] and rows["wgi"]["licence"].startswith("CC BY 4.0")


def test_status_after_import(settings: Settings, tmp_path: Path) -> None:
    f = tmp_path / "markets" / "ti_cpi_2012_2023.csv"
    f.parent.mkdir()
    pd.read_parquet(store.starter_path("cpi")).to_csv(f, index=False)  # type: ignore[arg-type]
    import_path(f.parent, settings)
    r = {x["name"]: x for x in status(settings)}["cpi"]
    assert r["location"] == "catalog" and r["row_count"] == 2129 and len(r["sha256"]) == 64
    assert r["imported_at"] is not None and r["path"] == str(f.resolve())


def test_match_file_by_suffix_then_name() -> None:
    assert match_file(Path("/x/y/markets/countries.csv")).name == "countries_baci"  # type: ignore[union-attr]
    assert match_file(Path("wgi_1996_2023.parquet")).name == "wgi"  # type: ignore[union-attr]
    assert (
        match_file(Path("/x/japan_applied_tariff_2026_07_09.csv")) is None
    )  # only the Parquet copy
    assert match_file(Path("/x/README.md")) is None


def test_nomenclature_cache_follows_catalog(settings: Settings, tmp_path: Path) -> None:
    from kaigai.data.nomenclature import load_nomenclature

    a = load_nomenclature(settings)
    assert load_nomenclature(settings) is a  # cached
    full = pd.read_parquet(store.starter_path("hs_nomenclature"))  # type: ignore[arg-type]
    f = tmp_path / "hs.parquet"
    full[full.hscode.str.startswith("84")].to_parquet(f)
    import_path(f, settings, as_name="hs_nomenclature")
    b = load_nomenclature(settings)
    assert b is not a and len(b.codes(2)) == 1  # the imported (smaller) table is now used
