"""Issue 13: the DuckDB/PySpark choice is one class per backend behind ``Backend``, chosen by
name; no module branches on the engine's name. (DuckDB == PySpark numbers:
tests/markets/test_engines.py, run through these classes.)"""

from __future__ import annotations

import ast
import typing
from pathlib import Path

import pandas as pd
import pytest

import kaigai
from kaigai.core.config import Engine
from kaigai.core.errors import ConfigError
from kaigai.data.backends import (
    BACKENDS,
    Backend,
    DuckDBBackend,
    PySparkBackend,
    backend_class,
    connect,
)


def test_one_class_per_configurable_engine() -> None:
    assert {"duckdb": DuckDBBackend, "pyspark": PySparkBackend} == BACKENDS
    assert tuple(BACKENDS) == typing.get_args(Engine)  # every Settings.engine value has a class
    for cls in BACKENDS.values():
        assert issubclass(cls, Backend) and not cls.__abstractmethods__, cls


def test_unknown_engine_is_a_config_error_naming_the_choices() -> None:
    with pytest.raises(ConfigError) as exc:
        backend_class("sqlite")
    assert exc.value.message == "Unknown engine 'sqlite'."
    assert exc.value.hint == (
        "Set engine (KAIGAI_ENGINE or kaigai.toml) to one of duckdb, pyspark."
    )
    assert exc.value.exit_code == 78


def test_duckdb_backend_registers_executes_caches_and_writes(tmp_path: Path) -> None:
    df = pd.DataFrame({"k": [1, 1, 2, 3], "v": [1.5, 2.5, 4.0, 8.0]})
    with connect("duckdb") as be:
        assert isinstance(be, DuckDBBackend)
        t = be.register("t", df)
        agg = be.cache("agg", t.group_by("k").aggregate(total=t.v.sum()))
        got = be.execute(agg.order_by("k"))
        assert got.to_dict("list") == {"k": [1, 2, 3], "total": [4.0, 4.0, 8.0]}
        be.write_parquet(t, tmp_path / "parts", partition_by="k")
        be.write_parquet(t.filter(t.k > 1), tmp_path / "one.parquet")
        assert be.tables == ["t"] and len(be.cached) == 1
    assert be.cached == []  # released on exit
    parts = sorted(p.name for p in (tmp_path / "parts").iterdir())
    assert parts == ["k=1", "k=2", "k=3"]
    assert pd.read_parquet(tmp_path / "one.parquet")["v"].tolist() == [4.0, 8.0]


def test_no_module_branches_on_the_engine_name() -> None:
    """`if name == "duckdb"` belongs to no module: the backend class answers instead."""
    src = Path(kaigai.__file__).parent
    found = []
    for f in sorted(src.rglob("*.py")):
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Compare) and any(
                isinstance(c, ast.Constant) and c.value in BACKENDS
                for c in [node.left, *node.comparators]
            ):
                found.append(f"{f.relative_to(src)}:{node.lineno}")
    assert found == []
