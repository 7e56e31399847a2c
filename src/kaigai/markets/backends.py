"""Engine contract: an Ibis backend on embedded DuckDB (default) or PySpark (by config).

Frames cross the boundary here only: pandas in (``register``), pandas out (``execute``).
The SparkSession is created lazily, once per process.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from kaigai.core.errors import ConfigError
from kaigai.markets.types import check_choice

ENGINES = ("duckdb", "pyspark")
#: frames larger than this are handed to Spark as Parquet files (a LocalRelation of millions
#: of rows exhausts the driver heap)
LOCAL_ROWS = 100_000
_lock = threading.Lock()
_spark: Any = None


def spark_session(cores: int = 2, shuffle_partitions: int = 2) -> Any:
    """The process-wide local SparkSession (``local[cores]``), created on first use."""
    global _spark
    with _lock:
        if _spark is None:
            try:
                from pyspark.sql import SparkSession
            except ImportError as exc:  # pragma: no cover - spark extra installed in dev
                raise ConfigError(
                    "engine = 'pyspark' needs PySpark.",
                    hint="pip install 'kaigai[spark]' (and Java 17), or use engine = 'duckdb'.",
                ) from exc
            _spark = (
                SparkSession.builder.master(f"local[{cores}]")
                .appName("kaigai-markets")
                .config("spark.sql.shuffle.partitions", str(shuffle_partitions))
                .config("spark.default.parallelism", str(cores))
                .config("spark.ui.enabled", "false")
                .config("spark.ui.showConsoleProgress", "false")
                .config("spark.sql.session.timeZone", "UTC")
                .config("spark.sql.execution.arrow.pyspark.enabled", "true")
                .config("spark.driver.memory", "4g")
                .config("spark.sql.warehouse.dir", tempfile.mkdtemp(prefix="kaigai-spark-"))
                .getOrCreate()
            )
            _spark.sparkContext.setLogLevel("ERROR")
        return _spark


@dataclass
class Engine:
    """A connected Ibis backend plus the names of the tables registered on it."""

    name: str
    con: Any
    tables: list[str] = field(default_factory=list)
    cached: list[Any] = field(default_factory=list)
    tmpdirs: list[Path] = field(default_factory=list)

    def register(self, name: str, df: pd.DataFrame) -> ir.Table:
        """Upload a pandas frame as table ``name`` (strings as plain Python objects)."""
        if self.name == "duckdb":
            t = self.con.create_table(name, df, overwrite=True, temp=True)
        else:  # a session temp view: nothing is written to a warehouse directory
            df = df.copy()
            for c in df.columns:
                if pd.api.types.is_string_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c]):
                    df[c] = df[c].astype(object)
            session = self.con._session
            if len(df) > LOCAL_ROWS:  # big frames go through Parquet, not the driver plan
                tmp = Path(tempfile.mkdtemp(prefix="kaigai-spark-in-"))
                self.tmpdirs.append(tmp)
                path = tmp / f"{name}.parquet"
                df.to_parquet(path, index=False)
                session.read.parquet(str(path)).createOrReplaceTempView(name)
            else:
                session.createDataFrame(df).createOrReplaceTempView(name)
            t = self.con.table(name)
        self.tables.append(name)
        return t

    def execute(self, expr: ir.Table) -> pd.DataFrame:
        return self.con.execute(expr)

    def cache(self, name: str, expr: ir.Table) -> ir.Table:
        """Materialise an intermediate so it is computed once."""
        t = expr.cache()
        self.cached.append(t)
        return t

    def close(self) -> None:
        for t in reversed(self.cached):
            t.release()
        self.cached.clear()
        if self.name == "duckdb":
            self.con.disconnect()
        else:
            for n in self.tables:
                self.con._session.catalog.dropTempView(n)
            for d in self.tmpdirs:
                shutil.rmtree(d, ignore_errors=True)


def connect(engine: str, *, threads: int = 2, memory_limit: str = "3GB") -> Engine:
    """Connect the configured engine (``Settings.engine``): "duckdb" or "pyspark"."""
    check_choice(engine, ENGINES, "engine")
    if engine == "duckdb":
        con = ibis.duckdb.connect(
            threads=threads, memory_limit=memory_limit, preserve_insertion_order=False
        )
        return Engine("duckdb", con)
    return Engine("pyspark", ibis.pyspark.connect(spark_session(cores=threads)))


__all__ = ["ENGINES", "Engine", "connect", "spark_session"]
