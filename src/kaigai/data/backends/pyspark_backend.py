"""PySpark (local mode) through Ibis: for panels larger than one machine's memory.

The SparkSession is created lazily, once per process (:func:`spark_session`); it needs the
``spark`` extra and Java 17.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from kaigai.core.errors import ConfigError
from kaigai.data.backends.base import Backend

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pandas as pd

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
                .appName("kaigai")
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


class PySparkBackend(Backend):
    """Session temp views over the shared local SparkSession (nothing goes to a warehouse)."""

    name = "pyspark"

    def __init__(self, con: Any) -> None:
        super().__init__(con)
        self.tmpdirs: list[Path] = []

    @classmethod
    def connect(cls, *, threads: int = 2, memory_limit: str = "3GB") -> Self:
        import ibis

        return cls(ibis.pyspark.connect(spark_session(cores=threads)))

    def _upload(self, name: str, df: pd.DataFrame) -> ir.Table:
        import pandas as pd

        df = df.copy()  # strings as plain Python objects (Arrow string dtypes confuse Spark)
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
        return self.con.table(name)

    def write_parquet(self, expr: ir.Table, path: Path, *, partition_by: str | None = None) -> None:
        extra = {"partitionBy": partition_by} if partition_by else {}
        self.con.to_parquet(expr, str(path), **extra)

    def _disconnect(self) -> None:
        for n in self.tables:
            self.con._session.catalog.dropTempView(n)
        for d in self.tmpdirs:
            shutil.rmtree(d, ignore_errors=True)


__all__ = ["LOCAL_ROWS", "PySparkBackend", "spark_session"]
