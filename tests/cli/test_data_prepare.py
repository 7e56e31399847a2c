"""Issue 13: `kaigai data import` prepares the indexes of the new catalog state (--no-prepare skips).

After an import the prepared folders exist and the next lookups build nothing ("Preparing …" is
never reported); with --no-prepare they are absent and the first lookup prepares lazily.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kaigai.app import cache
from kaigai.cli.app import app
from kaigai.core import progress
from kaigai.core.config import get_settings
from kaigai.data import nomenclature, store

runner = CliRunner()


def _prepared(cache_dir: Path, data_dir: Path) -> dict[str, bool]:
    return {
        "nomenclature": any((cache_dir / "hs").glob("nomenclature-*.json")),
        "rulebooks": any((cache_dir / "origin").glob("books-*/index.json")),
        "tariffs": any((cache_dir / "tariffs").glob("index-*.sqlite")),
        "markets": (data_dir / "markets" / "projected_2024" / "meta.json").is_file(),
    }


def _lookups(messages: list[str]) -> None:
    """`hs show`, `origin rule` and `duty` in a fresh-process state (in-memory caches dropped)."""
    cache.clear()
    nomenclature._CACHE.clear()
    progress.set_sink(messages.append)
    try:
        r = runner.invoke(app, ["hs", "show", "848210", "--json"])
        assert r.exit_code == 0, r.output
        assert json.loads(r.stdout)
        r = runner.invoke(app, ["origin", "rule", "--agreement", "RCEP", "--hs", "848210"])
        assert r.exit_code == 0, r.output
        r = runner.invoke(app, ["duty", "--hs", "848210", "--to", "VNM", "--json"])
        assert r.exit_code == 0, r.output
        assert json.loads(r.stdout)["lines"][0]["best"] == "CPTPP"
    finally:
        progress.set_sink(None)


@pytest.mark.slow
def test_import_prepares_indexes_and_lookups_prepare_nothing() -> None:
    s = get_settings()
    cpi = store.starter_path("cpi")
    assert cpi is not None
    r = runner.invoke(app, ["data", "import", str(cpi), "--as", "cpi"])
    assert r.exit_code == 0, r.output
    assert "Preparing the market finder's export potentials" in r.output
    assert "Preparing the tariff index… ready" in r.output
    assert _prepared(Path(s.cache_dir), Path(s.data_dir)) == {
        "nomenclature": True,
        "rulebooks": True,
        "tariffs": True,
        "markets": True,  # trade data from the starter pack
    }
    messages: list[str] = []
    _lookups(messages)
    assert not [m for m in messages if "Preparing" in m]


def test_import_no_prepare_leaves_it_to_the_first_lookup() -> None:
    s = get_settings()
    cpi = store.starter_path("cpi")
    assert cpi is not None
    r = runner.invoke(app, ["data", "import", str(cpi), "--as", "cpi", "--no-prepare"])
    assert r.exit_code == 0, r.output
    assert "Preparing" not in r.output
    assert not any(_prepared(Path(s.cache_dir), Path(s.data_dir)).values())
    messages: list[str] = []
    _lookups(messages)
    assert any("Preparing the rules-of-origin index" in m for m in messages)
    assert any("Preparing the tariff index" in m for m in messages)


def test_connector_pull_prepares_like_import(tmp_path: Path) -> None:
    """`data pull baci` (a connector) lands new trade tables, then prepares the same indexes as
    `data import`, one line per index; the lookups that follow build nothing."""
    from tests.data.test_connectors import _baci_zip

    s = get_settings()
    z = _baci_zip(tmp_path)
    r = runner.invoke(app, ["data", "pull", "baci", "--file", str(z), "--years", "2024"])
    assert r.exit_code == 0, r.output
    lines = [x for x in r.output.splitlines() if x.startswith("Preparing")]
    assert [x.split("…")[0] for x in lines] == [
        "Preparing the HS nomenclature index",
        "Preparing the rules-of-origin index",
        "Preparing the tariff index",
        "Preparing the market finder's export potentials",
    ]
    assert "Preparing the rules-of-origin index… 5 agreements (" in r.output
    assert _prepared(Path(s.cache_dir), Path(s.data_dir)) == {
        "nomenclature": True,
        "rulebooks": True,
        "tariffs": True,
        "markets": True,
    }
    messages: list[str] = []
    _lookups(messages)
    assert not [m for m in messages if "Preparing" in m]
    # the same pull again lands nothing new: nothing to prepare
    again = runner.invoke(app, ["data", "pull", "baci", "--file", str(z), "--years", "2024"])
    assert again.exit_code == 0, again.output
    assert "Preparing" not in again.output


def test_connector_pull_no_prepare(tmp_path: Path) -> None:
    from tests.data.test_connectors import _baci_zip

    s = get_settings()
    z = _baci_zip(tmp_path)
    r = runner.invoke(
        app, ["data", "pull", "baci", "--file", str(z), "--years", "2024", "--no-prepare"]
    )
    assert r.exit_code == 0, r.output
    assert "Preparing" not in r.output
    assert not any(_prepared(Path(s.cache_dir), Path(s.data_dir)).values())


def test_import_of_a_changed_rule_set_rebuilds_the_rule_shards(tmp_path: Path) -> None:
    """A rule dataset with a new checksum gets new shards at `data import` (the old folder goes);
    the next lookup reads the new rule and prepares nothing."""
    import pandas as pd

    s = get_settings()
    books = Path(s.cache_dir) / "origin"
    r = runner.invoke(app, ["origin", "rule", "--agreement", "RCEP", "--hs", "848210", "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["rule_text"] == "CTSH or RVC 40%"
    (before,) = books.glob("books-*")
    src = store.starter_path("rcep_psr")
    assert src is not None
    df = pd.read_parquet(src)
    row = df["hs_code"] == "8482.10"
    assert int(row.sum()) == 1
    df.loc[row, "rule_en"] = "CTH"
    changed = tmp_path / "rcep_psr.parquet"
    df.to_parquet(changed, index=False)
    r = runner.invoke(app, ["data", "import", str(changed), "--as", "rcep_psr"])
    assert r.exit_code == 0, r.output
    assert "Preparing the rules-of-origin index… 5 agreements (" in r.output
    (after,) = books.glob("books-*")
    assert after != before and not before.exists()
    messages: list[str] = []
    cache.clear()
    progress.set_sink(messages.append)
    try:
        r = runner.invoke(
            app, ["origin", "rule", "--agreement", "RCEP", "--hs", "848210", "--json"]
        )
    finally:
        progress.set_sink(None)
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["rule_text"] == "CTH"
    assert json.loads(r.stdout)["source_rows"][0]["provenance"]["dataset"] == "rcep_psr"
    assert not [m for m in messages if "Preparing" in m]
    # the other rules of the book are unchanged
    r = runner.invoke(app, ["origin", "rule", "--agreement", "RCEP", "--hs", "848220", "--json"])
    assert json.loads(r.stdout)["rule_text"] == "CTSH or RVC 40%"
