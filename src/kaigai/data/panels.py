"""A user's own data file (a gravity panel, trade flows for a GE run) read for the policy lab.

The shells pass the path; reading, the column subset and every error message live here.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from kaigai.core.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

CSV_SUFFIXES = (".csv", ".txt", ".dlm")


def _check(path: Path) -> str:
    if not path.exists():
        raise InputError(f"data file {path} does not exist", hint="give a .parquet or .csv file")
    suffix = path.suffix.lower()
    if suffix != ".parquet" and suffix not in CSV_SUFFIXES and not path.is_dir():
        raise InputError(f"unsupported data file type {suffix!r}", hint="use .parquet or .csv")
    return suffix


def read_panel(path: Path, columns: list[str] | None = None) -> pd.DataFrame:
    """The file as a frame; for Parquet only ``columns`` (those a model uses; absent ones are
    left for the estimator to report) are read."""
    import pandas as pd

    suffix = _check(path)
    try:
        if suffix in CSV_SUFFIXES:
            return pd.read_csv(path)
        if columns:
            import pyarrow.parquet as pq

            have = set(pq.read_schema(path).names)
            columns = [c for c in columns if c in have]
        return pd.read_parquet(path, columns=columns or None)
    except Exception as exc:  # unreadable file: report, never a traceback
        raise InputError(
            f"cannot read {path}: {exc}", hint="check that the file is valid parquet or CSV"
        ) from exc


def spark_panel(path: Path) -> Any:
    """The file as a Spark DataFrame (rows stay in Spark; Parquet file or folder, or CSV)."""
    from kaigai.data.backends.pyspark_backend import spark_session

    suffix = _check(path)
    spark = spark_session()
    if suffix in CSV_SUFFIXES:
        return spark.read.csv(str(path), header=True, inferSchema=True)
    return spark.read.parquet(str(path))


__all__ = ["CSV_SUFFIXES", "read_panel", "spark_panel"]
