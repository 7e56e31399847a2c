"""Data layer of the duty engine: load the schedules kaigai has and build the tariff index."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from kaigai.core.errors import DatasetMissingError
from kaigai.data import store
from kaigai.data.registry import DATASETS
from kaigai.tariffs.agreements import load_scenario
from kaigai.tariffs.index import TariffIndex
from kaigai.tariffs.loader import index_from_frames
from kaigai.tariffs.schedule import Schedule

if TYPE_CHECKING:
    from kaigai.core.config import Settings


def build_index(
    settings: Settings,
    scenario_files: tuple[Path, ...] = (),
    *,
    user_schedules: tuple[Schedule, ...] = (),
) -> TariffIndex:
    """Load every schedule kaigai has (JPN, VNM, user-imported) into a prepared index."""
    from kaigai.tariffs.user_schedule import load_imported_schedules

    def _try(name: str) -> pd.DataFrame | None:
        try:
            return store.load(name, settings)
        except DatasetMissingError:
            return None

    return index_from_frames(
        _try("jp_tariff"),
        _try("vn_tariff"),
        _try("jp_cptpp_base_final"),
        jp_edition=DATASETS["jp_tariff"].edition,
        user_schedules=(*load_imported_schedules(settings), *user_schedules),
        scenario_files=scenario_files,
    )


def _cache_key(settings: Settings) -> str:
    """Fingerprint of every input of :func:`build_index` (catalog, starter, imports, registry, code)."""
    import hashlib

    from kaigai.tariffs import user_schedule

    parts: list[str] = []
    files = [Path(settings.catalog_path)]
    files += [
        p for n in ("jp_tariff", "vn_tariff", "jp_cptpp_base_final") if (p := store.starter_path(n))
    ]
    files += sorted((Path(settings.data_dir) / user_schedule.SUBDIR).glob("*.parquet"))
    import kaigai.tariffs as tariffs_pkg

    here = Path(tariffs_pkg.__file__).parent
    files += sorted(here.glob("*.py")) + sorted((here / "data").glob("*.yaml"))
    for f in files:
        if f.is_file():
            st = f.stat()
            parts.append(f"{f}:{st.st_size}:{st.st_mtime_ns}")
    parts.append(f"starter={settings.use_starter}")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:24]


def cached_index(settings: Settings, scenario_files: tuple[Path, ...] = ()) -> TariffIndex:
    """:func:`build_index` through a pickle in the cache dir, rebuilt whenever an input changes.

    Scenario agreements are added after loading (they are cheap and not cached)."""
    import pickle
    from dataclasses import replace

    folder = Path(settings.cache_dir) / "tariffs"
    path = folder / f"index-{_cache_key(settings)}.pkl"
    index: TariffIndex | None = None
    if path.is_file():
        try:
            with path.open("rb") as fh:
                index = pickle.load(fh)  # noqa: S301 - our own cache file
        except Exception:  # noqa: BLE001 - a stale or broken cache is rebuilt
            index = None
    if index is None:
        index = build_index(settings)
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("index-*.pkl"):
            old.unlink(missing_ok=True)
        tmp = path.with_suffix(".tmp")
        with tmp.open("wb") as fh:
            pickle.dump(index, fh, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
    if scenario_files:
        extra = tuple(a for f in scenario_files for a in load_scenario(f))
        index = replace(index, agreements=(*index.agreements, *extra), _pairs={})
    return index


__all__ = ["build_index", "cached_index"]
