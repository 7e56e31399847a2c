"""Data layer of the duty engine: load the schedules kaigai has and build the tariff index.

Two ways in:

* :func:`build_index` reads every schedule (the service keeps it in memory for many lookups);
* :func:`index_for` reads only the rows a set of products needs from the catalog / starter
  Parquet with parameterised SQL (Japan: the product's chapter, whose rows carry inherited texts;
  Viet Nam and Japan's CPTPP base rates: the product's heading). Duty options of those products
  equal those of the full index (tests/plan, tests/tariffs). Destinations without a scoped
  reader use the full index.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from kaigai.core.errors import DatasetMissingError
from kaigai.data import store
from kaigai.data.registry import DATASETS
from kaigai.tariffs.index import TariffIndex
from kaigai.tariffs.loader import index_from_frames
from kaigai.tariffs.schedule import Schedule

if TYPE_CHECKING:
    from kaigai.core.config import Settings

#: destinations whose schedules :func:`index_for` can read for a few products only
SCOPED_DESTINATIONS = frozenset({"JPN", "VNM"})


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
    """Load every schedule kaigai has (JPN, VNM, user-imported) into a prepared index."""
    from kaigai.tariffs.user_schedule import load_imported_schedules

    return index_from_frames(
        _try("jp_tariff", settings),
        _try("vn_tariff", settings),
        _try("jp_cptpp_base_final", settings),
        jp_edition=DATASETS["jp_tariff"].edition,
        user_schedules=(*load_imported_schedules(settings), *user_schedules),
        scenario_files=scenario_files,
    )


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

    if not set(destinations) <= SCOPED_DESTINATIONS:
        return build_index(settings, scenario_files)
    chapters = sorted({h[:2] for h in hs6s})
    headings = sorted({h[:4] for h in hs6s})
    jp = apfc = vn = None
    if "JPN" in destinations:
        jp = _try("jp_tariff", settings, "list_contains(?, chapter)", [chapters])
        if jp is not None:
            apfc = _try(
                "jp_cptpp_base_final", settings, "list_contains(?, substr(hs6, 1, 4))", [headings]
            )
    if "VNM" in destinations:
        vn = _try("vn_tariff", settings, "list_contains(?, substr(hs6, 1, 4))", [headings])
    return index_from_frames(
        jp,
        vn,
        apfc,
        jp_edition=DATASETS["jp_tariff"].edition,
        user_schedules=load_imported_schedules(settings),
        scenario_files=scenario_files,
    )


__all__ = ["SCOPED_DESTINATIONS", "build_index", "index_for"]
