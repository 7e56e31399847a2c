"""Read a logical dataset as a pandas DataFrame: the DuckDB catalog first, then the starter pack.

This is the one place engines' inputs come from (shells call it, engines get frames).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kaigai.core.errors import DatasetMissingError
from kaigai.core.provenance import Provenance
from kaigai.data.registry import DATASETS

if TYPE_CHECKING:
    import pandas as pd

    from kaigai.core.config import Settings

STARTER_PACKAGE = "kaigai.data.starter"
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def starter_dir() -> Path:
    """Folder of the bundled starter pack (Parquet files named ``<dataset>.parquet``)."""
    return Path(str(resources.files(STARTER_PACKAGE)))


def starter_path(name: str) -> Path | None:
    p = starter_dir() / f"{name}.parquet"
    return p if p.is_file() else None


def shared_path(name: str, settings: Settings) -> Path | None:
    """The full shared-data file of a dataset, if present."""
    spec = DATASETS.get(name)
    if spec is None:
        return None
    p = Path(settings.shared_data) / spec.relpath
    return p if p.is_file() else None


def where(name: str, settings: Settings) -> str:
    """``"catalog"`` or ``"starter"``: which copy :func:`load` would read.

    Answered from the recorded catalog state (:mod:`kaigai.data.state`): no DuckDB unless the
    catalog changed since it was last looked at.
    """
    from kaigai.data.state import catalog_state

    if name in catalog_state(settings).tables:
        return "catalog"
    if settings.use_starter and starter_path(name) is not None:
        return "starter"
    raise _missing(name)


def location(name: str, settings: Settings) -> str:
    """Like :func:`where`, but ``"missing"`` instead of an error when no copy exists."""
    try:
        return where(name, settings)
    except DatasetMissingError:
        return "missing"


def starter_chapters() -> tuple[str, ...]:
    """HS chapters the bundled starter pack's trade tables hold (from its manifest)."""
    import json

    p = starter_dir() / "manifest.json"
    if not p.is_file():
        return ()
    return tuple(str(c) for c in json.loads(p.read_text(encoding="utf-8")).get("chapters", ()))


def starter_lacks_chapter(name: str, chapter: str, settings: Settings) -> str | None:
    """When ``name`` is read from the starter pack and it lacks HS ``chapter``: the chapters it
    has (comma separated); otherwise None (catalog data, or the chapter is there)."""
    if location(name, settings) != "starter":
        return None
    have = starter_chapters()
    if not have or chapter in have:
        return None
    return ", ".join(have)


def load(
    name: str,
    settings: Settings,
    *,
    columns: list[str] | None = None,
    where_sql: str | None = None,
    params: Sequence[Any] = (),
) -> pd.DataFrame:
    """Load dataset ``name`` (optionally only ``columns`` and rows matching ``where_sql``).

    ``where_sql`` is a fixed condition written by kaigai code with ``?`` placeholders; every value
    (codes, countries, user input) goes in ``params`` and is bound by DuckDB, never formatted in.

    Raises
    ------
    DatasetMissingError
        when neither the catalog nor the starter pack holds the dataset.
    """
    import duckdb

    from kaigai.data.catalog import Catalog

    for ident in (name, *(columns or ())):
        if not _IDENT.fullmatch(ident):
            raise ValueError(f"not a dataset or column name: {ident!r}")
    cols = ", ".join(f'"{c}"' for c in columns) if columns else "*"
    cond = f" WHERE {where_sql}" if where_sql else ""
    if settings.catalog_path.is_file():
        with Catalog.open(settings.catalog_path, read_only=True) as cat:
            if cat.has_table(name):
                return cat.con.execute(f'SELECT {cols} FROM "{name}"{cond}', list(params)).df()
    p = starter_path(name) if settings.use_starter else None
    if p is None:
        raise _missing(name)
    con = duckdb.connect()
    try:
        sql = f"SELECT {cols} FROM read_parquet(?){cond}"
        return con.execute(sql, [str(p), *params]).df()
    finally:
        con.close()


def provenance(name: str, settings: Settings, locator: str = "", note: str = "") -> Provenance:
    """Provenance record for a figure read from dataset ``name``."""
    spec = DATASETS.get(name)
    copy = location(name, settings)
    return Provenance(
        dataset=name,
        edition=spec.edition if spec else "",
        locator=locator,
        source=(spec.source if spec else "")
        + (" [starter pack subset]" if copy == "starter" else ""),
        note=note,
    )


def _missing(name: str) -> DatasetMissingError:
    spec = DATASETS.get(name)
    rel = spec.relpath if spec else name
    return DatasetMissingError(
        f"Dataset '{name}' is not available (not in the catalog, not in the starter pack).",
        hint=f"Import it: kaigai data import ../shared/data/{rel.split('/')[0]}  (or kaigai data pull {name})",
        dataset=name,
    )


__all__ = ["load", "location", "provenance", "shared_path", "starter_dir", "starter_path", "where"]
