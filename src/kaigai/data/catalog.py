"""The embedded DuckDB catalog: one table per dataset plus a ``_datasets`` registry table."""

from __future__ import annotations

from pathlib import Path
from types import TracebackType

import duckdb

from kaigai.core.errors import StorageError

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


class Catalog:
    """A DuckDB database file holding imported datasets. Use as a context manager."""

    def __init__(self, con: duckdb.DuckDBPyConnection, path: Path, read_only: bool) -> None:
        self.con = con
        self.path = path
        self.read_only = read_only

    @classmethod
    def open(cls, path: Path, *, read_only: bool = False) -> Catalog:
        if not read_only:
            path.parent.mkdir(parents=True, exist_ok=True)
        try:
            con = duckdb.connect(str(path), read_only=read_only)
        except duckdb.Error as exc:
            raise StorageError(
                f"Cannot open the catalog at {path}: {exc}",
                hint="Is another kaigai process writing to it? Set KAIGAI_DATA_DIR to use another folder.",
            ) from exc
        if not read_only:
            con.execute(REGISTRY_DDL)
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

    def datasets(self) -> list[dict[str, object]]:
        """Registered datasets (empty when the registry table does not exist yet)."""
        if not self.has_table("_datasets"):
            return []
        cur = self.con.execute("SELECT * FROM _datasets ORDER BY name")
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


__all__ = ["Catalog"]
