"""Data-layer adapter: build a :class:`TariffIndex` from the catalog / starter pack.

This is the only tariffs module that reads data (through :func:`kaigai.data.store.load`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from kaigai.core.errors import DatasetMissingError
from kaigai.data import store
from kaigai.data.registry import DATASETS
from kaigai.tariffs.agreements import load_registry, load_scenario
from kaigai.tariffs.index import StagingInfo, TariffIndex
from kaigai.tariffs.schedule import Schedule, build_jp_schedule, build_vn_schedule
from kaigai.tariffs.staging_check import check_cptpp_staging

if TYPE_CHECKING:
    from kaigai.core.config import Settings


def inferred_cptpp_staging(
    jp: Schedule, apfc_frame: pd.DataFrame
) -> dict[tuple[str, str, str], StagingInfo]:
    """Staging categories of Japan's CPTPP lines inferred by matching (see staging_check)."""
    check = check_cptpp_staging(jp, apfc_frame)
    base = {m.hs6: m.base for m in check.matches}
    out = {}
    for m in check.matches:
        if m.status != "matched" or not m.category:
            continue
        for nl in m.national_lines:
            out[("JPN", "CPTPP", nl)] = StagingInfo(
                m.category,
                base[m.hs6],
                "inferred: APFC base rate + linear category matching the 2026 rate",
            )
    return out


def index_from_frames(
    jp: pd.DataFrame | None = None,
    vn: pd.DataFrame | None = None,
    apfc: pd.DataFrame | None = None,
    *,
    jp_edition: str = "2026-07-09",
    user_schedules: tuple[Schedule, ...] = (),
    scenario_files: tuple[Path, ...] = (),
) -> TariffIndex:
    """A :class:`TariffIndex` from frames already loaded (tests, benchmarks, full shared files)."""
    schedules: dict[str, list[Schedule]] = {}
    staging: dict[tuple[str, str, str], StagingInfo] = {}
    if jp is not None:
        jps = build_jp_schedule(jp, edition=jp_edition)
        schedules["JPN"] = [jps]
        if apfc is not None:
            staging.update(inferred_cptpp_staging(jps, apfc))
    if vn is not None:
        schedules["VNM"] = [build_vn_schedule(vn)]
    for s in user_schedules:
        schedules.setdefault(s.importer, []).append(s)
    agreements = load_registry()
    for f in scenario_files:
        agreements = (*agreements, *load_scenario(f))
    return TariffIndex(
        {k: tuple(sorted(v, key=lambda s: s.valid_from)) for k, v in schedules.items()},
        agreements,
        staging,
    )


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
    here = Path(__file__).parent
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


__all__ = ["build_index", "cached_index", "index_from_frames", "inferred_cptpp_staging"]
