"""Catalog state recorded for DuckDB-free lookups, and the prepared HS nomenclature built on it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from kaigai.core import progress
from kaigai.core.config import Settings
from kaigai.data import nomenclature, state, store
from kaigai.data.catalog import status
from kaigai.data.importer import import_path


def _import_starter(name: str, settings: Settings, tmp: Path, drop_first: int = 0) -> None:
    f = tmp / f"{name}-{drop_first}.csv"
    df = pd.read_parquet(store.starter_path(name))  # type: ignore[arg-type]
    df.iloc[drop_first:].to_csv(f, index=False)
    (r,) = import_path(f, settings, as_name=name)
    assert r.action in ("imported", "replaced")


def test_state_is_recorded_and_reread_only_when_the_catalog_changes(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert state.catalog_state(settings).tables == frozenset()
    assert store.location("lpi", settings) == "starter"
    _import_starter("lpi", settings, tmp_path)
    st = state.catalog_state(settings)
    assert "lpi" in st.tables and "_datasets" in st.tables
    assert store.location("lpi", settings) == "catalog"
    assert store.location("gravity_agtpa", settings) == "missing"
    ref = {r["name"]: (r["location"], r["sha256"], r["row_count"]) for r in status(settings)}
    names = ["lpi", "hs17_products", "hs_nomenclature"]
    assert state.dataset_sums(settings, names) == {n: ref[n] for n in names}
    files = list((Path(settings.cache_dir) / "state").glob("catalog-*.json"))
    assert len(files) == 1

    calls: list[Path] = []
    real = state._read_catalog

    def counted(p: Path) -> state.CatalogState:
        calls.append(p)
        return real(p)

    monkeypatch.setattr(state, "_read_catalog", counted)
    state._MEMO.clear()
    assert state.catalog_state(settings) == st  # read back from the recorded file
    assert calls == []
    _import_starter("hs_sections", settings, tmp_path)  # the catalog file changes
    assert "hs_sections" in state.catalog_state(settings).tables
    assert len(calls) == 1


def test_prepared_nomenclature_equals_the_frames_and_follows_imports(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    messages: list[str] = []
    progress.set_sink(messages.append)
    try:
        p = nomenclature.prepared(settings)
        built = nomenclature._load_nomenclature(settings)
        assert p.nomenclature == built  # every code, description, section and Japanese text
        assert len(built.hs22) > 6000 and len(built.hs17) > 5000 and built.ja
        raw = store.load("hs_nomenclature", settings, columns=["hscode", "level"])
        six = {str(c) for c, lv in zip(raw["hscode"], raw["level"], strict=True) if str(lv) == "6"}
        assert p.hs22_subheadings == {c for c in six if c.isdigit() and c[:2] not in ("98", "99")}
        assert "999999" not in p.hs22_subheadings and "848210" in p.hs22_subheadings
        assert len(messages) == 1 and "Preparing the HS nomenclature index" in messages[0]

        # a new process reads the stored file: nothing is built from frames
        nomenclature._CACHE.clear()
        monkeypatch.setattr(nomenclature, "_load_nomenclature", _fail)
        assert nomenclature.prepared(settings).nomenclature == built
        assert len(messages) == 1

        # an import of one of its datasets gives a new key: rebuilt once, old file removed
        monkeypatch.undo()
        first = sorted(built.hs17)[0]
        _import_starter("hs17_products", settings, tmp_path, drop_first=1)
        again = nomenclature.prepared(settings)
        assert first not in again.nomenclature.hs17
        assert len(again.nomenclature.hs17) == len(built.hs17) - 1
        assert len(messages) == 2
        assert len(list((Path(settings.cache_dir) / "hs").glob("nomenclature-*.json"))) == 1
    finally:
        progress.set_sink(None)


def _fail(settings: Settings) -> None:
    raise AssertionError("built from frames again")
