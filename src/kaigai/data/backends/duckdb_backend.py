"""Embedded DuckDB through Ibis: the default backend."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Self

from kaigai.data.backends.base import Backend

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pandas as pd


class DuckDBBackend(Backend):
    """In-process DuckDB: temp tables, nothing written unless asked."""

    name = "duckdb"

    @classmethod
    def connect(cls, *, threads: int = 2, memory_limit: str = "3GB") -> Self:
        import ibis

        con = ibis.duckdb.connect(
            threads=threads, memory_limit=memory_limit, preserve_insertion_order=False
        )
        return cls(con)

    def _upload(self, name: str, df: pd.DataFrame) -> ir.Table:
        return self.con.create_table(name, df, overwrite=True, temp=True)

    def write_parquet(self, expr: ir.Table, path: Path, *, partition_by: str | None = None) -> None:
        extra = {"partition_by": partition_by} if partition_by else {}
        self.con.to_parquet(expr, str(path), **extra)

    def _disconnect(self) -> None:
        self.con.disconnect()


__all__ = ["DuckDBBackend"]
