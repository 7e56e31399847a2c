"""The embedded DuckDB catalog: one table per dataset plus a ``_datasets`` registry table."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import duckdb

from kaigai.core.errors import CatalogBusyError, StorageError
from kaigai.data.dirs import ensure_dir

if TYPE_CHECKING:
    from kaigai.core.config import Settings

log = logging.getLogger("kaigai.data")
# How long a reader waits for a writer (an import) to release the catalog.
READ_WAIT_S = 10.0

REGISTRY_DDL = """
CREATE TABLE IF NOT EXISTS _datasets (
    name VARCHAR PRIMARY KEY,
    edition VARCHAR,
    source VARCHAR,
    url VARCHAR,
    licence VARCHAR,
    path VARCHAR,
    sha256 VARCHAR,
    row_count BIGINT,
    imported_at TIMESTAMP
)
"""


# Earlier versions of schedule datasets, kept on re-import (table "<name>@<sha256[:12]>")
VERSIONS_DDL = """
CREATE TABLE IF NOT EXISTS _dataset_versions (
    name VARCHAR,
    edition VARCHAR,
    sha256 VARCHAR,
    row_count BIGINT,
    imported_at TIMESTAMP,
    archived_at TIMESTAMP,
    table_name VARCHAR
)
"""


class Catalog:
    """A DuckDB database file holding imported datasets. Use as a context manager."""

    def __init__(self, con: duckdb.DuckDBPyConnection, path: Path, read_only: bool) -> None:
        self.con = con
        self.path = path
        self.read_only = read_only

    @classmethod
    def open(cls, path: Path, *, read_only: bool = False) -> Catalog:
        """Open the catalog. A reader finding it locked by a writer (``kaigai data import``
        holds it for one transaction) retries with back-off for up to ``READ_WAIT_S`` seconds,
        then raises CatalogBusyError. Driver text (path, PID) goes to the log only."""
        if not read_only:
            ensure_dir(path.parent)
        deadline = time.monotonic() + (READ_WAIT_S if read_only else 0.0)
        delay = 0.05
        while True:
            try:
                con = duckdb.connect(str(path), read_only=read_only)
                break
            except duckdb.Error as exc:
                busy = "lock" in str(exc).lower()
                if busy and time.monotonic() + delay < deadline:
                    time.sleep(delay)
                    delay = min(delay * 2, 1.0)
                    continue
                log.warning("cannot open catalog %s (read_only=%s): %s", path, read_only, exc)
                if busy:
                    raise CatalogBusyError(
                        "The data catalog is being updated by another kaigai process "
                        "(a data import); it could not be read.",
                        hint="Wait until the import has finished and try again.",
                        retry_after=30,
                    ) from None
                raise StorageError(
                    "Cannot open the data catalog.",
                    hint="Check the data folder with `kaigai data status`; the server log has "
                    "the details.",
                ) from None
        if not read_only:
            con.execute(REGISTRY_DDL)
            con.execute(VERSIONS_DDL)
        return cls(con, path, read_only)

    def __enter__(self) -> Catalog:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self.con.close()

    def has_table(self, name: str) -> bool:
        row = self.con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]
        ).fetchone()
        return bool(row and row[0])

    def versions(self, name: str | None = None) -> list[dict[str, object]]:
        """Archived earlier versions of schedule datasets (oldest first)."""
        if not self.has_table("_dataset_versions"):
            return []
        sql = "SELECT * FROM _dataset_versions"
        args: list[object] = []
        if name is not None:
            sql += " WHERE name = ?"
            args.append(name)
        cur = self.con.execute(sql + " ORDER BY imported_at", args)
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]

    def datasets(self) -> list[dict[str, object]]:
        """Registered datasets (empty when the registry table does not exist yet)."""
        if not self.has_table("_datasets"):
            return []
        cur = self.con.execute("SELECT * FROM _datasets ORDER BY name")
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def status(settings: Settings) -> list[dict[str, Any]]:
    """Every registered dataset with where it is read from (``catalog``, ``starter``, ``missing``).

    Catalog rows carry sha256, row count and import time; starter rows the bundled subset's
    sha256 and row count (from ``manifest.json``).
    """
    import json

    from kaigai.data.registry import DATASETS
    from kaigai.data.store import starter_dir

    imported: dict[str, dict[str, Any]] = {}
    if settings.catalog_path.is_file():
        with Catalog.open(settings.catalog_path, read_only=True) as cat:
            imported = {str(d["name"]): d for d in cat.datasets() if cat.has_table(str(d["name"]))}
    man_path = starter_dir() / "manifest.json"
    starter: dict[str, Any] = {}
    if man_path.is_file():
        starter = json.loads(man_path.read_text(encoding="utf-8")).get("datasets", {})
    out: list[dict[str, Any]] = []
    for name in sorted(set(DATASETS) | set(imported)):
        spec = DATASETS.get(name)
        row: dict[str, Any] = {
            "name": name,
            "edition": spec.edition if spec else None,
            "source": spec.source if spec else None,
            "url": (spec.url or None) if spec else None,
            "licence": spec.licence if spec else None,
            "location": "missing",
            "path": None,
            "sha256": None,
            "row_count": None,
            "imported_at": None,
        }
        if name in imported:
            d = imported[name]
            row.update(
                location="catalog",
                edition=d.get("edition") or row["edition"],
                path=d.get("path"),
                sha256=d.get("sha256"),
                row_count=d.get("row_count"),
                imported_at=d.get("imported_at"),
            )
        elif name in starter and settings.use_starter:
            row.update(
                location="starter",
                sha256=starter[name].get("sha256"),
                row_count=starter[name].get("rows"),
            )
        out.append(row)
    return out


__all__ = ["Catalog", "status"]
