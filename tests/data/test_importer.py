from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from kaigai.core.config import Settings
from kaigai.core.errors import ImportFormatError, InputError
from kaigai.data import store
from kaigai.data.catalog import Catalog
from kaigai.data.importer import import_path, plan, sha256_file


def _snapshot(settings: Settings) -> tuple[list[dict[str, object]], dict[str, int]]:
    """Registry rows and table row counts: what 'the catalog as before' means."""
    if not settings.catalog_path.is_file():
        return [], {}
    with Catalog.open(settings.catalog_path, read_only=True) as cat:
        reg = cat.datasets()
        counts = {}
        for (t,) in cat.con.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_name NOT IN ('_datasets', '_dataset_versions')"
        ).fetchall():
            counts[t] = int(cat.con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0])  # type: ignore[index]
    return reg, counts


@pytest.fixture
def mini_markets(tmp_path: Path) -> Path:
    """A small markets/ folder built from starter-pack files (same columns as the real ones)."""
    m = tmp_path / "markets"
    m.mkdir()
    trade = pd.read_parquet(store.starter_path("trade_hs6"))  # type: ignore[arg-type]
    trade[trade.exporter == "JPN"].to_parquet(m / "trade_hs6_2024_apac.parquet", index=False)
    pd.read_parquet(store.starter_path("lpi")).to_csv(m / "lpi_2007_2023.csv", index=False)  # type: ignore[arg-type]
    pd.read_parquet(store.starter_path("hs17_products")).to_csv(  # type: ignore[arg-type]
        m / "baci_product_codes_HS17_V202301.csv.gz", index=False, compression="gzip"
    )
    (m / "README.md").write_text("docs")
    (m / "mystery.parquet").write_bytes(b"PAR1")
    return m


def test_import_folder_counts_and_idempotent(settings: Settings, mini_markets: Path) -> None:
    res = import_path(mini_markets, settings)
    by = {Path(r.path).name: r for r in res}
    n_jp = int(
        (pd.read_parquet(mini_markets / "trade_hs6_2024_apac.parquet").exporter == "JPN").sum()
    )
    assert by["trade_hs6_2024_apac.parquet"].action == "imported"
    assert by["trade_hs6_2024_apac.parquet"].rows == n_jp
    assert by["lpi_2007_2023.csv"].rows == len(pd.read_csv(mini_markets / "lpi_2007_2023.csv"))
    assert by["README.md"].action == "skipped" and by["mystery.parquet"].action == "skipped"
    assert "not a registered" in by["mystery.parquet"].reason
    # the catalog copy is now what store.load reads, with leading zeros of HS codes kept
    assert store.where("hs17_products", settings) == "catalog"
    hs17 = store.load("hs17_products", settings, where_sql="hs6 = '010121'")
    assert hs17.description.iloc[0] == "Horses: live, pure-bred breeding animals"
    assert len(store.load("trade_hs6", settings)) == n_jp
    before = _snapshot(settings)
    again = import_path(mini_markets, settings)
    assert {r.action for r in again} == {"unchanged", "skipped"}
    assert _snapshot(settings) == before  # same imported_at: nothing rewritten


def test_changed_file_is_replaced(settings: Settings, mini_markets: Path) -> None:
    import_path(mini_markets, settings)
    f = mini_markets / "lpi_2007_2023.csv"
    df = pd.read_csv(f)
    df.iloc[:10].to_csv(f, index=False)
    res = {r.dataset: r for r in import_path(mini_markets, settings)}
    assert res["lpi"].action == "replaced" and res["lpi"].rows == 10
    assert res["lpi"].sha256 == sha256_file(f)


def test_truncated_parquet_leaves_catalog_unchanged(settings: Settings, mini_markets: Path) -> None:
    import_path(mini_markets, settings)
    before = _snapshot(settings)
    f = mini_markets / "trade_hs6_2024_apac.parquet"
    data = f.read_bytes()
    f.write_bytes(data[: len(data) // 2])
    with pytest.raises(ImportFormatError) as ei:
        import_path(mini_markets, settings)
    assert "trade_hs6_2024_apac.parquet" in ei.value.message
    assert "truncated or corrupt" in (ei.value.hint or "")
    assert _snapshot(settings) == before


def test_csv_missing_column_fails_atomically(settings: Settings, mini_markets: Path) -> None:
    f = mini_markets / "lpi_2007_2023.csv"
    pd.read_csv(f).drop(columns=["lpi_score"]).to_csv(f, index=False)
    with pytest.raises(ImportFormatError) as ei:
        import_path(mini_markets, settings)  # trade_hs6 is loaded before lpi in the same run
    assert "missing required column(s) lpi_score" in ei.value.message
    assert ei.value.fields["missing"] == ["lpi_score"]
    assert _snapshot(settings) == ([], {})  # the good files of the same run were rolled back


def test_single_file_and_as_name(settings: Settings, tmp_path: Path) -> None:
    f = tmp_path / "my_lpi.csv"
    pd.read_parquet(store.starter_path("lpi")).to_csv(f, index=False)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="not a file kaigai knows"):
        plan(f)
    with pytest.raises(InputError, match="Unknown dataset"):
        plan(f, "nope")
    (r,) = import_path(f, settings, as_name="lpi")
    assert r.action == "imported" and r.dataset == "lpi"
    with pytest.raises(InputError, match="does not exist"):
        plan(tmp_path / "absent")


@pytest.mark.shared
def test_import_shared_markets_row_counts(settings: Settings, shared_data: Path) -> None:
    markets = shared_data / "markets"
    res = import_path(markets, settings)
    imported = {r.dataset: r for r in res if r.action == "imported"}
    assert len(imported) == 15  # 14 + importer_index (trade_hs6_2024_importer_index.csv)
    assert imported["importer_index"].rows == 226  # markets/README.md
    con = duckdb.connect()
    for r in imported.values():
        p = str(r.path)
        reader = "read_parquet" if p.endswith(".parquet") else "read_csv"
        (n,) = con.execute(f"SELECT count(*) FROM {reader}('{p}')").fetchone()  # type: ignore[misc]
        assert r.rows == n, r.dataset
    assert imported["trade_hs6"].rows == 3_028_153  # markets/README.md
    assert imported["imports_by_importer"].rows == 820_362
    assert imported["exports_by_exporter"].rows == 516_764
    assert imported["geodist_dist"].rows == 50_176
    skipped = {Path(r.path).name for r in res if r.action == "skipped"}
    assert skipped == {
        "README.md",
        "sme_facts.md",
        "build_importer_index.py",  # the index's build script and its raw input
        "export_potential_competitors_index.json",
    }
    # catalog tables have the starter pack's column names and types (engines cannot tell)
    with Catalog.open(settings.catalog_path, read_only=True) as cat:
        for name in imported:
            sp = store.starter_path(name)
            if sp is None:
                continue
            a = dict(
                cat.con.execute(
                    f'SELECT column_name, column_type FROM (DESCRIBE "{name}")'
                ).fetchall()
            )
            b = dict(
                con.execute(
                    f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('{sp}'))"
                ).fetchall()
            )
            a.pop("cagr_8y_pct", None)  # dropped from the starter pack on purpose
            assert a == b, name
    assert {r.action for r in import_path(markets, settings)} == {"unchanged", "skipped"}


@pytest.mark.shared
@pytest.mark.parametrize("folder", ["trade_rules", "tariffs_asia", "gravity"])
def test_import_other_shared_folders_match_starter_schema(
    settings: Settings, shared_data: Path, folder: str
) -> None:
    res = import_path(shared_data / folder, settings)
    imported = [r for r in res if r.action == "imported"]
    assert imported
    con = duckdb.connect()
    with Catalog.open(settings.catalog_path, read_only=True) as cat:
        for r in imported:
            assert r.dataset is not None
            p = str(r.path)
            reader = "read_parquet" if p.endswith(".parquet") else "read_csv"
            (n,) = con.execute(f"SELECT count(*) FROM {reader}('{p}')").fetchone()  # type: ignore[misc]
            assert r.rows == n, r.dataset
            sp = store.starter_path(r.dataset)
            if sp is None:
                continue
            q = "SELECT column_name, column_type FROM (DESCRIBE {})"
            a = dict(cat.con.execute(q.format(f'"{r.dataset}"')).fetchall())
            b = dict(con.execute(q.format(f"SELECT * FROM read_parquet('{sp}')")).fetchall())
            assert a == b, r.dataset


def test_interrupted_import_rolls_back(settings: Settings, mini_markets: Path) -> None:
    import_path(mini_markets / "lpi_2007_2023.csv", settings)
    before = _snapshot(settings)
    f = mini_markets / "lpi_2007_2023.csv"
    pd.read_csv(f).iloc[:5].to_csv(f, index=False)  # changed: would be replaced
    seen: list[str] = []

    def interrupt(event: str, item, res) -> None:  # type: ignore[no-untyped-def]
        if event == "done" and res.action in ("imported", "replaced"):
            seen.append(res.dataset)
            if len(seen) == 2:  # Ctrl-C after two datasets were written
                raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        import_path(mini_markets, settings, progress=interrupt)
    assert len(seen) == 2
    assert _snapshot(settings) == before


def test_schedule_reimport_keeps_the_previous_version(settings: Settings, tmp_path: Path) -> None:
    f = tmp_path / "sched.csv"
    f.write_text("national_code_9,epa_cptpp\n020130010,21.6%\n", encoding="utf-8")
    (r1,) = import_path(f, settings, as_name="jp_tariff")
    f.write_text("national_code_9,epa_cptpp\n020130010,20.8%\n020130020,20.8%\n", encoding="utf-8")
    (r2,) = import_path(f, settings, as_name="jp_tariff")
    assert (r1.action, r2.action) == ("imported", "replaced")
    with Catalog.open(settings.catalog_path, read_only=True) as cat:
        (v,) = cat.versions("jp_tariff")
        assert v["sha256"] == r1.sha256 and v["row_count"] == 1
        assert v["table_name"] == f"jp_tariff@{r1.sha256[:12]}"  # type: ignore[index]
        old = cat.con.execute(f'SELECT epa_cptpp FROM "{v["table_name"]}"').fetchall()
        new = cat.con.execute("SELECT count(*) FROM jp_tariff").fetchone()
    assert old == [("21.6%",)] and new == (2,)
    # a non-schedule dataset is still replaced without a kept version
    g = tmp_path / "my_lpi.csv"
    pd.read_parquet(store.starter_path("lpi")).to_csv(g, index=False)  # type: ignore[arg-type]
    import_path(g, settings, as_name="lpi")
    pd.read_parquet(store.starter_path("lpi")).head(5).to_csv(g, index=False)  # type: ignore[arg-type]
    import_path(g, settings, as_name="lpi")
    with Catalog.open(settings.catalog_path, read_only=True) as cat:
        assert cat.versions("lpi") == []
