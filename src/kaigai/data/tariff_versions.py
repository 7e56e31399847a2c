"""Dated versions of an importer's schedule, for ``kaigai duty changes`` and the plan.

Sources, in priority order for one date: Japan's four dated snapshots (jp_tariff_snapshots),
earlier catalog versions kept on re-import (``_dataset_versions``), then every schedule of the
tariff index (bundled/imported editions and each user or connector schedule file by
``valid_from``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import TYPE_CHECKING

from kaigai.core.errors import DatasetMissingError
from kaigai.data import store
from kaigai.data.catalog import Catalog
from kaigai.tariffs.changes import Version, version_from_schedule, versions_from_snapshots
from kaigai.tariffs.index import TariffIndex
from kaigai.tariffs.schedule import build_jp_schedule

if TYPE_CHECKING:
    from kaigai.core.config import Settings


def _archived_jp(settings: Settings) -> list[Version]:
    """Earlier imports of jp_tariff kept in the catalog (dated by edition, else import day)."""
    if not settings.catalog_path.is_file():
        return []
    out = []
    with Catalog.open(settings.catalog_path, read_only=True) as cat:
        for v in cat.versions("jp_tariff"):
            frame = cat.con.execute(f'SELECT * FROM "{v["table_name"]}"').df()
            try:
                day = dt.date.fromisoformat(str(v["edition"]))
            except ValueError:
                day = v["imported_at"].date()  # type: ignore[attr-defined]
            sched = build_jp_schedule(frame, edition=str(v["edition"]))
            ver = version_from_schedule(sched)
            out.append(
                Version(
                    "JPN", day, f"jp_tariff {v['edition']} (imported {v['imported_at']})", ver.cells
                )
            )
    return out


def schedule_versions(settings: Settings, importer: str, index: TariffIndex) -> list[Version]:
    """Every dated version of ``importer``'s schedule kaigai holds (priority order)."""
    out: list[Version] = []
    if importer == "JPN":
        with contextlib.suppress(DatasetMissingError):
            out += versions_from_snapshots(store.load("jp_tariff_snapshots", settings))
        out += _archived_jp(settings)
    out += [version_from_schedule(s) for s in index.schedules.get(importer, ())]
    return out


__all__ = ["schedule_versions"]
