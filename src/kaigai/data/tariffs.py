"""Data layer of the duty engine: load the schedules kaigai has and build the tariff index.

Two ways in:

* :func:`build_index` reads every schedule (the service keeps it in memory for many lookups);
* :func:`index_for` reads only the rows a set of products needs from the catalog / starter
  Parquet with parameterised SQL (Japan: the product's chapter, whose rows carry inherited texts;
  Viet Nam, Japan's CPTPP base rates and snapshots, the US/UK/EU tables: the product's heading;
  Australia: all lines, so the chapters missing from its scrape are known). Duty options of those
  products equal those of the full index (tests/plan, tests/tariffs).

US, Australian, UK and EU schedules (tariffs_world/) are converted by
:mod:`kaigai.tariffs.world_schedules`; every EU member gets the CET.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from kaigai.core.countries import GROUPS
from kaigai.core.errors import DatasetMissingError
from kaigai.data import store
from kaigai.data.registry import DATASETS
from kaigai.data.tariff_store import STORE_DATASETS, WORLD_DATASETS
from kaigai.tariffs.index import TariffIndex
from kaigai.tariffs.loader import index_from_frames
from kaigai.tariffs.schedule import Schedule
from kaigai.tariffs.world_schedules import world_schedules

if TYPE_CHECKING:
    from kaigai.core.config import Settings

EU_MEMBERS = frozenset(GROUPS["EU27"])
#: destinations whose schedules :func:`index_for` can read for a few products only
SCOPED_DESTINATIONS = frozenset({"JPN", "VNM", "USA", "AUS", "GBR", *EU_MEMBERS})
INDEX_DATASETS = STORE_DATASETS  # one list: the prepared index is keyed by what is built from
_HEADING = "list_contains(?, substr(hs6, 1, 4))"


def _try(
    name: str, settings: Settings, where: str | None = None, params: Sequence[Any] = ()
) -> pd.DataFrame | None:
    try:
        return store.load(name, settings, where_sql=where, params=params)
    except DatasetMissingError:
        return None


def build_index(
    settings: Settings,
    scenario_files: tuple[Path, ...] = (),
    *,
    user_schedules: tuple[Schedule, ...] = (),
) -> TariffIndex:
    """Load every schedule kaigai has (JPN, VNM, USA, AUS, GBR, EU, user-imported)."""
    from kaigai.tariffs.user_schedule import load_imported_schedules

    world = world_schedules({n: _try(n, settings) for n in WORLD_DATASETS})
    return index_from_frames(
        _try("jp_tariff", settings),
        _try("vn_tariff", settings),
        _try("jp_cptpp_base_final", settings),
        snapshots=_try("jp_tariff_snapshots", settings),
        jp_edition=DATASETS["jp_tariff"].edition,
        user_schedules=(*world.values(), *load_imported_schedules(settings), *user_schedules),
        scenario_files=scenario_files,
    )


def _world_for(
    settings: Settings, headings: list[str], destinations: set[str]
) -> dict[str, pd.DataFrame | None]:
    frames: dict[str, pd.DataFrame | None] = {}
    if "USA" in destinations:
        frames["us_hts_lines"] = _try("us_hts_lines", settings, _HEADING, [headings])
        frames["us_hts_rows"] = _try("us_hts_rows", settings, "starts_with(hts_number, '99')")
    if "AUS" in destinations:
        # whole tables (7,671 + 3,910 rows): the missing chapters are read from all lines, and the
        # source rows (CSV line numbers, the tables have no row column) need every row in order
        frames["au_tariff_lines"] = _try("au_tariff_lines", settings)
        frames["au_fta_schedules"] = _try("au_fta_schedules", settings)
    if destinations & {"GBR", *EU_MEMBERS}:
        frames["uk_eu_tariff"] = _try("uk_eu_tariff", settings, _HEADING, [headings])
    return frames


def index_for(
    settings: Settings,
    hs6s: Sequence[str],
    destinations: Sequence[str],
    scenario_files: tuple[Path, ...] = (),
) -> TariffIndex:
    """An index holding only the schedule rows of ``hs6s`` into ``destinations``.

    Falls back to :func:`build_index` when a destination has no scoped reader.
    """
    from kaigai.tariffs.user_schedule import load_imported_schedules

    dests = set(destinations)
    if not dests <= SCOPED_DESTINATIONS:
        return build_index(settings, scenario_files)
    chapters = sorted({h[:2] for h in hs6s})
    headings = sorted({h[:4] for h in hs6s})
    jp = apfc = vn = snaps = None
    if "JPN" in dests:
        jp = _try("jp_tariff", settings, "list_contains(?, chapter)", [chapters])
        if jp is not None:
            apfc = _try("jp_cptpp_base_final", settings, _HEADING, [headings])
            snaps = _try("jp_tariff_snapshots", settings, _HEADING, [headings])
    if "VNM" in dests:
        vn = _try("vn_tariff", settings, _HEADING, [headings])
    world = world_schedules(_world_for(settings, headings, dests))
    return index_from_frames(
        jp,
        vn,
        apfc,
        snapshots=snaps,
        jp_edition=DATASETS["jp_tariff"].edition,
        user_schedules=(*world.values(), *load_imported_schedules(settings)),
        scenario_files=scenario_files,
    )


__all__ = [
    "INDEX_DATASETS",
    "SCOPED_DESTINATIONS",
    "WORLD_DATASETS",
    "build_index",
    "index_for",
]
