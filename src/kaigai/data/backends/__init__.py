"""Backends for analytics that grow with data: one class per engine, chosen by name.

>>> from kaigai.data.backends import connect
>>> with connect("duckdb") as be:                       # or "pyspark" (Settings.engine)
...     t = be.register("t", frame)                     # doctest: +SKIP
...     be.execute(t.filter(t.x > 1))                   # doctest: +SKIP

Adding an engine: subclass :class:`~kaigai.data.backends.base.Backend` and add it to
:data:`BACKENDS`. Importing this package imports neither Ibis nor an engine.
"""

from __future__ import annotations

from kaigai.core.errors import ConfigError
from kaigai.data.backends.base import Backend
from kaigai.data.backends.duckdb_backend import DuckDBBackend
from kaigai.data.backends.pyspark_backend import PySparkBackend

#: engine name (``Settings.engine``) -> backend class
BACKENDS: dict[str, type[Backend]] = {b.name: b for b in (DuckDBBackend, PySparkBackend)}
ENGINES = tuple(BACKENDS)


def backend_class(name: str) -> type[Backend]:
    """The backend class called ``name``; an unknown name is a ConfigError with the choices."""
    try:
        return BACKENDS[name]
    except KeyError:
        raise ConfigError(
            f"Unknown engine '{name}'.",
            hint=f"Set engine (KAIGAI_ENGINE or kaigai.toml) to one of {', '.join(ENGINES)}.",
        ) from None


def connect(name: str, *, threads: int = 2, memory_limit: str = "3GB") -> Backend:
    """Open the backend called ``name`` ("duckdb" or "pyspark")."""
    return backend_class(name).connect(threads=threads, memory_limit=memory_limit)


__all__ = [
    "BACKENDS",
    "ENGINES",
    "Backend",
    "DuckDBBackend",
    "PySparkBackend",
    "backend_class",
    "connect",
]
