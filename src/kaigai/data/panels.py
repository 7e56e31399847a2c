"""A user's own data file (a gravity panel, trade flows for a GE run) read for the policy lab.

The shells pass the path; reading, the column subset and every error message live here.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kaigai.core.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

    from kaigai.policy.columns import Columns

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
    except MemoryError:  # the shells' own message and exit code, not "cannot read"
        raise
    except Exception as exc:  # unreadable file: report, never a traceback
        raise InputError(
            f"cannot read {path}: {exc}", hint="check that the file is valid parquet or CSV"
        ) from exc


def read_columns(path: Path, columns: list[str] | None = None) -> Columns:
    """The file as numpy columns (:class:`~kaigai.policy.columns.Columns`), read by pyarrow
    without pandas: what ``kaigai policy estimate`` fits. Only ``columns`` are kept (absent
    ones are left for the estimator to report); dictionary-encoded columns are decoded."""
    return PendingColumns(path, columns, thread=False).result()


class PendingColumns:
    """:func:`read_columns` of a file, decoded on a thread from its creation while the caller
    goes on with other start-up work (loading the compiled kernels).

    The file is opened here, in the caller's thread, so a missing file or a broken Parquet
    footer is reported at once (a CSV is parsed on the thread); the thread runs only
    pyarrow's read, which holds the GIL at its start and end (every other hand-over of the
    GIL to a thread could wait out the interpreter's 5 ms switch interval while the caller
    imports modules). :meth:`result` converts to numpy in the caller's thread and lets go of
    the Arrow table and the file. ``open_seconds`` is the opening's time, ``seconds`` the
    read's own time: opening, decoding and converting.
    """

    def __init__(self, path: Path, columns: list[str] | None = None, *, thread: bool = True):
        self.path, self.columns = path, columns
        t0 = time.perf_counter()
        try:
            self._read: Any = _opened(path, columns)  # the GIL-free rest of the read
        except BaseException as exc:
            raise self._wrap(exc)  # noqa: B904  (_wrap chains the cause)
        self.open_seconds = time.perf_counter() - t0
        self._table: Any = None
        self._error: BaseException | None = None
        self._out: Columns | None = None
        self._run_s = 0.0
        self._thread: threading.Thread | None = None
        if thread:  # daemon: an interrupted command does not wait for the file
            self._thread = threading.Thread(target=self._run, name="kaigai-read", daemon=True)
            self._thread.start()
        else:
            self._run()
        self.seconds = time.perf_counter() - t0

    def _run(self) -> None:
        t0 = time.perf_counter()
        try:
            self._table = self._read()
        except BaseException as exc:  # noqa: BLE001  (raised by result(), in the caller)
            self._error = exc
        self._run_s = time.perf_counter() - t0

    def _wrap(self, exc: BaseException) -> BaseException:
        """An unreadable file's error as an :class:`InputError` (never a traceback); ours, a
        ``MemoryError`` (the shells' own message and exit code) and interrupts as they are."""
        if isinstance(exc, InputError | MemoryError) or not isinstance(exc, Exception):
            return exc
        err = InputError(
            f"cannot read {self.path}: {exc}", hint="check that the file is valid parquet or CSV"
        )
        err.__cause__ = exc
        return err

    def result(self) -> Columns:
        """The columns, once read; the read's error (an :class:`InputError` for a file that
        cannot be read, a ``MemoryError``) is raised here."""
        if self._out is not None:
            return self._out
        if self._thread is not None:
            self._thread.join()
            self._thread = None
            self.seconds += self._run_s
        # let go of the table (a CSV's unused columns), the reader and its open file
        table, error = self._table, self._error
        self._table = self._read = self._error = None
        if error is not None:
            raise self._wrap(error)
        t0 = time.perf_counter()
        try:
            self._out = _to_columns(table, self.columns)
        except BaseException as exc:
            raise self._wrap(exc)  # noqa: B904
        self.seconds += time.perf_counter() - t0
        return self._out


def _opened(path: Path, columns: list[str] | None) -> Any:
    """The file opened: a function of no arguments that reads it into an Arrow table."""
    suffix = _check(path)
    if suffix in CSV_SUFFIXES:
        import pyarrow.csv as pcsv

        # empty fields of text columns are missing, as pandas reads them
        opts = pcsv.ConvertOptions(strings_can_be_null=True)
        return lambda: pcsv.read_csv(path, convert_options=opts)
    return _parquet_read(path, columns)


def _to_columns(table: Any, columns: list[str] | None) -> Columns:
    from kaigai.policy.columns import Columns

    present = [c for c in columns or [] if c in table.column_names]
    if present:  # none present: keep every column, so the error can list them
        table = table.select(present)
    return Columns(
        {name: _numpy(col) for name, col in zip(table.column_names, table.columns, strict=True)}
    )


def parquet_reader() -> Any:
    """The class that opens a Parquet file: pyarrow's ``ParquetReader`` (the engine under
    ``pq.ParquetFile``, whose module also imports pyarrow's file systems and SSL, about 10 ms
    of start-up), or ``None`` where this pyarrow has no such class."""
    try:
        from pyarrow._parquet import ParquetReader
    except ImportError:
        return None
    return ParquetReader if hasattr(ParquetReader, "read_all") else None


def _parquet_read(path: Path, columns: list[str] | None) -> Any:
    """The Parquet file opened: a function of no arguments that reads ``columns`` (those
    present; all when ``None`` or when none is in the file: the caller's error lists them).

    Read through a file handle without pre-buffering, on pyarrow's threads."""
    import pyarrow as pa

    reader_cls = parquet_reader() if path.is_file() else None
    if reader_cls is None:  # a folder, a special file: pyarrow's own checks and messages
        import pyarrow.parquet as pq

        pf = pq.ParquetFile(path)  # not read_table: pyarrow.dataset imports pandas
        if columns:
            have = set(pf.schema_arrow.names)
            columns = [c for c in columns if c in have]
        return lambda: pf.read(columns=columns or None)
    reader = reader_cls()
    # read through a file handle, not a memory map: a file rewritten while it is read must
    # give an error, not SIGBUS (the copy out of the page cache costs about a millisecond)
    reader.open(pa.OSFile(str(path)), pre_buffer=False)
    if not columns:
        return reader.read_all
    # the leaf columns under each name (one for a flat column), as pq.ParquetFile finds them
    leaves: dict[str, list[int]] = {}
    for i, col_path in enumerate(reader.column_paths):
        for depth in range(1, len(col_path) + 1):
            leaves.setdefault(".".join(col_path[:depth]), []).append(i)
    have = set(reader.schema_arrow.names)
    index = [i for c in columns if c in have for i in leaves.get(c, [])]
    return (lambda: reader.read_all(column_indices=index)) if index else reader.read_all


def _numpy(col: Any) -> Any:
    """One Arrow column as numpy, as pandas would hold it: numbers with nulls as float NaN,
    text as an object array with None. Numbers and text are converted from Arrow's buffers
    (pyarrow's own ``to_numpy`` imports pandas); other types take that route."""
    import numpy as np
    import pyarrow as pa

    if pa.types.is_dictionary(col.type):
        col = col.cast(col.type.value_type)
    parts = [_chunk(a, np, pa) for a in col.chunks]
    if not parts:
        return np.empty(0, dtype=_NP.get(str(col.type), object))
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


_NP = {"double": "float64", "float": "float32", "halffloat": "float16"}


def _chunk(a: Any, np: Any, pa: Any) -> Any:
    t, n, off = a.type, len(a), a.offset
    if pa.types.is_integer(t) or pa.types.is_floating(t):
        dt = np.dtype(_NP.get(str(t), str(t)))
        # a read-only view of Arrow's buffer (it keeps the buffer alive): no copy
        v = np.frombuffer(a.buffers()[1], dtype=dt, count=n, offset=off * dt.itemsize)
        if a.null_count:
            valid = np.unpackbits(np.frombuffer(a.buffers()[0], np.uint8), bitorder="little")
            v = v.astype(np.float64)
            v[~valid[off : off + n].astype(bool)] = np.nan
        return v
    if pa.types.is_boolean(t) and not a.null_count:
        bits = np.unpackbits(np.frombuffer(a.buffers()[1], np.uint8), bitorder="little")
        return bits[off : off + n].astype(bool)
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return np.array(a.to_pylist(), dtype=object)
    return a.to_numpy(zero_copy_only=False)


def spark_panel(path: Path) -> Any:
    """The file as a Spark DataFrame (rows stay in Spark; Parquet file or folder, or CSV)."""
    from kaigai.data.backends.pyspark_backend import spark_session

    suffix = _check(path)
    spark = spark_session()
    if suffix in CSV_SUFFIXES:
        return spark.read.csv(str(path), header=True, inferSchema=True)
    return spark.read.parquet(str(path))


__all__ = ["CSV_SUFFIXES", "PendingColumns", "read_columns", "read_panel", "spark_panel"]
