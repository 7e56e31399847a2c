"""The data layer's contract for analytics that grow with data (like ibis' ``BaseBackend``).

One subclass per engine (:class:`~kaigai.data.backends.duckdb_backend.DuckDBBackend`,
:class:`~kaigai.data.backends.pyspark_backend.PySparkBackend`); callers pick one by name through
:func:`kaigai.data.backends.connect` and never branch on the engine. Pandas frames cross the
boundary here only: in through :meth:`Backend.register`, out through :meth:`Backend.execute`.
Engines (e.g. :mod:`kaigai.markets.pipeline`) only build Ibis expressions on the tables returned.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Self

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pandas as pd


class Backend(ABC):
    """A connected Ibis backend plus what this process registered or cached on it."""

    #: the name users choose in ``Settings.engine`` / ``KAIGAI_ENGINE``
    name: ClassVar[str]

    def __init__(self, con: Any) -> None:
        self.con = con  # the ibis backend (ibis.backends.duckdb / pyspark)
        self.tables: list[str] = []
        self.cached: list[Any] = []

    @classmethod
    @abstractmethod
    def connect(cls, *, threads: int = 2, memory_limit: str = "3GB") -> Self:
        """Open the backend with ``threads`` workers (``memory_limit`` where it applies)."""

    @abstractmethod
    def _upload(self, name: str, df: pd.DataFrame) -> ir.Table:
        """Make ``df`` available as temporary table ``name``."""

    @abstractmethod
    def write_parquet(self, expr: ir.Table, path: Path, *, partition_by: str | None = None) -> None:
        """Write the rows of ``expr`` as Parquet under ``path`` (a folder when partitioned)."""

    @abstractmethod
    def _disconnect(self) -> None:
        """Drop what this process created and release the connection."""

    def register(self, name: str, df: pd.DataFrame) -> ir.Table:
        """Upload a pandas frame as temporary table ``name`` and return it as an Ibis table."""
        table = self._upload(name, df)
        self.tables.append(name)
        return table

    def execute(self, expr: ir.Table) -> pd.DataFrame:
        """Run ``expr`` and return its rows."""
        return self.con.execute(expr)

    def cache(self, name: str, expr: ir.Table) -> ir.Table:
        """Materialise an intermediate so it is computed once (``pipeline.build``'s ``stage``)."""
        table = expr.cache()
        self.cached.append(table)
        return table

    def close(self) -> None:
        """Release cached tables, then the backend's own resources."""
        for table in reversed(self.cached):
            table.release()
        self.cached.clear()
        self._disconnect()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


__all__ = ["Backend"]
