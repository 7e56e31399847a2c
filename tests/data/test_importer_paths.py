"""The importer binds file paths and column types as values (never SQL text): a folder name
with a quote or SQL in it imports like any other, and code columns stay text."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from kaigai.core.config import Settings
from kaigai.data import store
from kaigai.data.catalog import Catalog
from kaigai.data.importer import import_path


def test_paths_with_quotes_and_sql_import_as_values(settings: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "o'brien'); DROP TABLE _datasets; --"
    folder.mkdir()
    products = pd.read_parquet(store.starter_path("hs17_products"))  # type: ignore[arg-type]
    products.to_csv(folder / "baci_product_codes_HS17_V202301.csv.gz", index=False)
    trade = pd.read_parquet(store.starter_path("trade_hs6"))  # type: ignore[arg-type]
    trade = trade[trade.exporter == "JPN"]
    trade.to_parquet(folder / "trade_hs6_2024_apac.parquet", index=False)
    got = {r.dataset: (r.action, r.rows) for r in import_path(folder, settings)}
    assert got == {
        "hs17_products": ("imported", len(products)),
        "trade_hs6": ("imported", len(trade)),
    }
    with Catalog.open(settings.catalog_path, read_only=True) as cat:
        hs6 = cat.con.execute('SELECT hs6 FROM "hs17_products" ORDER BY hs6 LIMIT 1').fetchone()
        assert {d["name"] for d in cat.datasets()} == {"hs17_products", "trade_hs6"}
    assert hs6 == ("010121",)  # the code column kept its leading zero (read as text)
    assert products["hs6"].astype(str).min() == "010121"


def test_reader_sql_holds_no_value(tmp_path: Path) -> None:
    import duckdb

    from kaigai.data.importer import _reader

    f = tmp_path / "it's.csv"
    f.write_text("hs6,value\n010121,1.5\n", encoding="utf-8")
    with duckdb.connect() as con:
        sql, params = _reader(f, con)
        assert sql == "read_csv($path, types=$types)"
        assert params == {"path": str(f), "types": {"hs6": "VARCHAR"}}
        assert con.execute(f"SELECT * FROM {sql}", params).fetchall() == [("010121", 1.5)]
        p = f.with_suffix(".parquet")
        con.execute("COPY (SELECT 1 AS x) TO $p (FORMAT parquet)", {"p": str(p)})
        assert _reader(p, con) == ("read_parquet($path)", {"path": str(p)})
