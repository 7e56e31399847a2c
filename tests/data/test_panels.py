"""A user's data file for the policy lab is read by the data layer (one reader for
``policy estimate`` and ``policy ge``), with clear errors."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from kaigai.core.errors import InputError
from kaigai.data.panels import read_panel


@pytest.fixture
def panel() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "exporter": ["JPN", "VNM"],
            "importer": ["VNM", "JPN"],
            "trade": [10.5, 2.0],
            "rta": [1, 1],
        }
    )


def test_parquet_reads_only_the_model_columns(tmp_path: Path, panel: pd.DataFrame) -> None:
    f = tmp_path / "p.parquet"
    panel.to_parquet(f, index=False)
    got = read_panel(f, ["trade", "rta", "not_there"])
    assert list(got.columns) == ["trade", "rta"]  # an absent column is left to the estimator
    assert got["trade"].tolist() == [10.5, 2.0]
    assert list(read_panel(f).columns) == ["exporter", "importer", "trade", "rta"]


@pytest.mark.parametrize("suffix", [".csv", ".txt", ".dlm"])
def test_csv_like_files(tmp_path: Path, panel: pd.DataFrame, suffix: str) -> None:
    f = tmp_path / f"p{suffix}"
    panel.to_csv(f, index=False)
    pd.testing.assert_frame_equal(read_panel(f), panel)


def test_errors_say_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(InputError) as exc:
        read_panel(tmp_path / "absent.csv")
    assert exc.value.message == f"data file {tmp_path / 'absent.csv'} does not exist"
    assert exc.value.exit_code == 2
    (tmp_path / "p.xlsx").write_bytes(b"x")
    with pytest.raises(InputError, match=r"unsupported data file type '\.xlsx'") as exc:
        read_panel(tmp_path / "p.xlsx")
    assert exc.value.hint == "use .parquet or .csv"
    (tmp_path / "bad.parquet").write_bytes(b"PAR1 not really")
    with pytest.raises(InputError, match="cannot read") as exc:
        read_panel(tmp_path / "bad.parquet")
    assert exc.value.hint == "check that the file is valid parquet or CSV"


@pytest.mark.parametrize(
    "columns",
    [None, ["trade"], ["s", "trade", "absent", "nest", "d"], ["nest", "lst", "trade", "trade"]],
)
def test_parquet_columns_as_pyarrows_own_reader_gives_them(
    tmp_path: Path, columns: list[str] | None
) -> None:
    """read_columns opens the file with pyarrow's ParquetReader (not pq.ParquetFile, whose
    module imports pyarrow's file systems): the same columns in the same order, nested and
    dictionary-encoded ones included, and the same errors for a folder or a broken file."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from kaigai.data.panels import _parquet_read, parquet_reader, read_columns

    assert parquet_reader() is not None  # the fast path is what this pyarrow runs
    t = pa.table(
        {
            "trade": pa.array([1.5, None, 3.0]),
            "s": pa.array(["a", None, "c"]),
            "d": pa.array(["x", "y", "x"]).dictionary_encode(),
            "nest": pa.array([{"u": 1, "v": "p"}, {"u": 2, "v": None}, None]),
            "lst": pa.array([[1], [], None]),
        }
    )
    f = tmp_path / "t.parquet"
    pq.write_table(t, f, row_group_size=2)  # two row groups: chunked columns
    pf = pq.ParquetFile(f)
    want = pf.read(columns=[c for c in columns if c in t.column_names] if columns else None)
    got = _parquet_read(f, columns)()
    assert got.equals(want)
    cols = read_columns(f, columns and [c for c in columns if c in ("trade", "s", "d", "absent")])
    assert cols["trade"].values.tolist()[::2] == [1.5, 3.0]


def test_parquet_errors_are_pyarrows(tmp_path: Path) -> None:
    from kaigai.data.panels import read_columns

    (tmp_path / "dir.parquet").mkdir()
    (tmp_path / "empty.parquet").write_bytes(b"")
    (tmp_path / "csv.parquet").write_text("a,b\n1,2\n")
    msgs = {}
    for name in ("dir", "empty", "csv"):
        with pytest.raises(InputError) as exc:
            read_columns(tmp_path / f"{name}.parquet", ["a"])
        msgs[name] = exc.value.message.removeprefix(f"cannot read {tmp_path / name}.parquet: ")
    assert msgs == {
        "dir": f"Cannot open for reading: path '{tmp_path / 'dir.parquet'}' is a directory",
        "empty": "Parquet file size is 0 bytes",
        "csv": "Parquet magic bytes not found in footer. Either the file is corrupted or this is"
        " not a parquet file.",
    }


def test_parquet_without_any_model_column_keeps_every_column(
    tmp_path: Path, panel: pd.DataFrame
) -> None:
    """None of the asked columns in the file: every column is read, so the estimator's error
    can list what the file has."""
    from kaigai.data.panels import read_columns

    panel.to_parquet(tmp_path / "p.parquet")
    got = read_columns(tmp_path / "p.parquet", ["y", "z"])
    assert list(got.columns) == ["exporter", "importer", "trade", "rta"]
    assert list(read_columns(tmp_path / "p.parquet", ["trade", "z"]).columns) == ["trade"]


def test_a_file_read_on_a_thread_gives_pyarrows_columns(tmp_path: Path) -> None:
    """``policy estimate`` reads its file on a thread while the kernels load: the columns are
    those pyarrow's own reader gives, for several row groups and a dictionary column."""
    import threading

    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    from kaigai.data.panels import PendingColumns

    rng = np.random.default_rng(7)
    t = pa.table(
        {
            "trade": rng.gamma(2.0, size=5000),
            "pair": pa.array(rng.integers(0, 300, 5000).astype("int32")),
            "rta": pa.array(rng.integers(0, 2, 5000).astype("int8")),
            "name": pa.array(rng.choice(["JPN", "VNM", "NZL"], 5000)).dictionary_encode(),
        }
    )
    f = tmp_path / "p.parquet"
    pq.write_table(t, f, row_group_size=1200)
    pending = PendingColumns(f, ["rta", "trade", "absent", "name"])
    got = pending.result()
    assert "kaigai-read" not in [th.name for th in threading.enumerate()]
    assert got.columns == ["rta", "trade", "name"]
    want = pq.read_table(f, columns=["rta", "trade", "name"]).to_pandas()
    for c in got.columns:
        assert got[c].values.tolist() == want[c].tolist()
    assert got["trade"].dtype == np.float64 and got["rta"].dtype == np.int8
    assert 0 < pending.seconds < 60


def test_a_file_that_cannot_be_opened_is_refused_before_any_thread(tmp_path: Path) -> None:
    import threading

    from kaigai.data.panels import PendingColumns

    before = threading.active_count()
    with pytest.raises(InputError) as exc:
        PendingColumns(tmp_path / "none.parquet", ["a"])
    assert exc.value.message == f"data file {tmp_path / 'none.parquet'} does not exist"
    (tmp_path / "bad.parquet").write_text("a,b\n1,2\n")
    with pytest.raises(InputError) as exc:
        PendingColumns(tmp_path / "bad.parquet", ["a"])
    assert exc.value.message == (
        f"cannot read {tmp_path / 'bad.parquet'}: Parquet magic bytes not found in footer."
        " Either the file is corrupted or this is not a parquet file."
    )
    assert exc.value.hint == "check that the file is valid parquet or CSV"
    assert threading.active_count() == before


def test_an_error_on_the_reading_thread_is_raised_by_result(tmp_path: Path) -> None:
    """A file that opens but fails while it is decoded (a CSV row with a field too many):
    the error reaches the caller, as the same InputError the unthreaded read gives."""
    from kaigai.data.panels import PendingColumns, read_columns

    f = tmp_path / "p.csv"
    f.write_text("a,b\n1,2\n3,4,5\n")
    pending = PendingColumns(f, ["a"])  # the CSV is parsed on the thread
    with pytest.raises(InputError) as exc:
        pending.result()
    assert exc.value.message == (
        f"cannot read {f}: CSV parse error: Expected 2 columns, got 3: 3,4,5"
    )
    with pytest.raises(InputError) as again:
        read_columns(f, ["a"])
    assert again.value.message == exc.value.message


def test_out_of_memory_while_reading_is_a_memory_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not an InputError "cannot read": the shells turn a MemoryError into their own
    message and exit code 7 / HTTP 503."""
    from kaigai.data import panels

    f = tmp_path / "p.parquet"
    f.write_bytes(b"PAR1")

    def full(*_a: object) -> object:
        def read() -> object:
            raise MemoryError("Unable to allocate 7.11 PiB")

        return read

    monkeypatch.setattr(panels, "_parquet_read", full)
    pending = panels.PendingColumns(f, ["a"])
    with pytest.raises(MemoryError) as exc:
        pending.result()
    assert not isinstance(exc.value, InputError)
    assert str(exc.value) == "Unable to allocate 7.11 PiB"


def test_the_read_runs_on_its_thread_while_the_caller_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The constructor returns while the read is still under way (held here by an event), the
    read runs on the "kaigai-read" thread, and ``result`` waits for it."""
    import threading

    import pyarrow as pa

    from kaigai.data import panels

    started, go = threading.Event(), threading.Event()
    ran_on: list[str] = []

    def opened(*_a: object) -> object:
        def read() -> object:
            ran_on.append(threading.current_thread().name)
            started.set()
            assert go.wait(30)
            return pa.table({"a": [1.0, 2.0], "b": [3, 4]})

        return read

    monkeypatch.setattr(panels, "_parquet_read", opened)
    f = tmp_path / "p.parquet"
    f.write_bytes(b"PAR1")
    pending = panels.PendingColumns(f, ["b"])
    assert started.wait(30) and ran_on == ["kaigai-read"]  # the constructor did not wait
    go.set()
    assert pending.result()["b"].values.tolist() == [3, 4]


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc (Linux)")
def test_the_file_is_closed_once_its_columns_are_taken(tmp_path: Path) -> None:
    """``result`` lets go of the reader and its file (and of the Arrow table) although the
    command keeps the pending read until it returns."""
    import os

    pd.DataFrame({"trade": [1.0, 2.0], "rta": [0, 1]}).to_parquet(tmp_path / "p.parquet")
    from kaigai.data.panels import PendingColumns

    def open_here() -> list[str]:
        fds = os.listdir("/proc/self/fd")
        return [
            p for p in (os.path.realpath(f"/proc/self/fd/{d}") for d in fds) if "p.parquet" in p
        ]

    pending = PendingColumns(tmp_path / "p.parquet", ["trade"])
    got = pending.result()
    assert open_here() == []
    assert got["trade"].values.tolist() == [1.0, 2.0] and pending.result() is got


def test_out_of_memory_in_read_panel_is_a_memory_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    f = tmp_path / "p.parquet"
    pd.DataFrame({"trade": [1.0]}).to_parquet(f)

    def full(*_a: object, **_k: object) -> None:
        raise MemoryError("Unable to allocate 7.11 PiB")

    monkeypatch.setattr(pd, "read_parquet", full)
    with pytest.raises(MemoryError) as exc:
        read_panel(f)
    assert not isinstance(exc.value, InputError)
    assert str(exc.value) == "Unable to allocate 7.11 PiB"
