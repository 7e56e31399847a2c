"""Caches of the application layer, keyed by the data they were built from.

* :func:`memo`: process-wide LRU of prepared engine inputs. A key holds the catalog file's path
  and mtime, the starter/shared-data switches, the analytics engine and the user-imported tariff
  schedules: after ``kaigai data import`` the key changes and the next question rebuilds its
  inputs. Thread-safe (the service calls from worker threads).
* :func:`stored`: results that cost seconds (the market ranking, the plan's duty views, report
  charts) kept on disk between processes as JSON under ``<cache_dir>/app/<name>/<key>.json``.
  ``key`` hashes every registered dataset's (location, sha256, row count) (:func:`data_state`),
  the code that computes the result and the request. Written to a temporary file and renamed
  into place (``os.replace``): a reader sees a whole file or none; two processes writing the
  same key write the same bytes. JSON, never pickle: nothing in the cache runs code when read.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

_MEMO: OrderedDict[tuple[Hashable, ...], Any] = OrderedDict()
_LOCK = threading.RLock()
MAX_ITEMS = 64


def data_key(settings: Any) -> tuple[str, ...]:
    """Identity of the data a question reads: the catalog file (path + mtime) or the starter pack.

    Used to reuse prepared engine inputs within one process (tests, the service); a changed
    catalog gives a new key.
    """
    cat = Path(settings.catalog_path)
    catalog = f"{cat}:{cat.stat().st_mtime_ns}" if cat.is_file() else "no-catalog"
    # user-imported tariff schedules live beside the catalog; the market finder's prepared
    # run is derived from the catalog/starter data (and checked by its own fingerprint)
    extra = [Path(settings.data_dir) / "tariff_schedules"]
    own = [f"{p}:{p.stat().st_mtime_ns}" for p in extra if p.exists()]
    return (catalog, str(settings.use_starter), str(settings.engine), *own)


def memo(name: str, settings: Any, make: Callable[[], T], *extra: Hashable) -> T:
    """``make()`` once per (``name``, data key, ``extra``) in this process (LRU, 64 entries)."""
    key = (name, *data_key(settings), *extra)
    with _LOCK:
        if key in _MEMO:
            _MEMO.move_to_end(key)
            return _MEMO[key]  # type: ignore[no-any-return]
    value = make()
    with _LOCK:
        _MEMO[key] = value
        while len(_MEMO) > MAX_ITEMS:
            _MEMO.popitem(last=False)
    return value


def clear() -> None:
    """Forget every prepared input (tests)."""
    with _LOCK:
        _MEMO.clear()


def data_state(settings: Any) -> str:
    """Hash of every registered dataset's (location, sha256, row count), the user-imported
    tariff schedules and the analytics engine: changes with any ``kaigai data import``. Read
    from the recorded catalog state (:mod:`kaigai.data.state`: no DuckDB while the catalog is
    unchanged); computed once per catalog file state in a process."""

    def make() -> str:
        from kaigai.data.registry import DATASETS
        from kaigai.data.state import catalog_state, fingerprint, folder_token

        names = set(DATASETS) | set(catalog_state(settings).datasets)
        sched = folder_token(Path(settings.data_dir) / "tariff_schedules")
        return fingerprint(settings, names, sched, f"engine={settings.engine}")

    return memo("data_state", settings, make)


#: Files of a package that shape its results: code, messages, bundled tables and rules.
CODE_SUFFIXES = {".py", ".po", ".yaml", ".yml", ".csv", ".json", ".toml", ".j2"}


def code_token(*modules: str) -> str:
    """Hash of the files of ``modules`` (dotted names; a package counts every code, message and
    data file under it): a stored result is recomputed when what computes it changes."""
    import importlib.util

    h = hashlib.sha256()
    for name in modules:
        spec = importlib.util.find_spec(name)
        if spec is None:
            h.update(f"{name}:missing".encode())
            continue
        if spec.submodule_search_locations:
            files = sorted(
                f
                for d in spec.submodule_search_locations
                for f in Path(d).rglob("*")
                if f.suffix in CODE_SUFFIXES and "__pycache__" not in f.parts
            )
        else:
            files = [Path(str(spec.origin))]
        for f in files:
            h.update(f.name.encode())
            h.update(f.read_bytes())
    return h.hexdigest()[:16]


#: Stored results kept per name (oldest removed first when a new one is written).
MAX_STORED = 256


def _write_atomic(path: Path, text: str) -> None:
    from kaigai.data.state import write_atomic

    if not write_atomic(path, text):  # a read-only cache folder: the result is returned, not kept
        return
    files = list(path.parent.glob("*.json"))
    if len(files) <= MAX_STORED:
        return

    def mtime(f: Path) -> int:
        try:
            return f.stat().st_mtime_ns
        except OSError:  # removed meanwhile by another process pruning
            return 0

    for old in sorted(files, key=mtime)[:-MAX_STORED]:
        old.unlink(missing_ok=True)


def stored(
    name: str,
    settings: Any,
    request: Any,
    make: Callable[[], T],
    dump: Callable[[T], Any],
    load: Callable[[Any], T],
    *,
    code: Iterable[str] = (),
    keep: Callable[[T], bool] = lambda _: True,
) -> T:
    """``make()`` once per (data state, code of ``code`` modules, ``request``), across processes.

    ``request`` is any JSON-serialisable description of the question (sorted keys are used);
    ``dump`` turns the result into JSON-ready data and ``load`` turns it back (equal result).
    A missing, unreadable or foreign file is recomputed; a result for which ``keep`` is false
    (e.g. an unexpected failure reported in a view) is returned but not stored.
    """
    key_doc = {
        "name": name,
        "data": data_state(settings),
        "code": code_token(*code),
        "request": request,
    }
    key = hashlib.sha256(json.dumps(key_doc, sort_keys=True, default=str).encode()).hexdigest()
    path = Path(settings.cache_dir) / "app" / name / f"{key[:32]}.json"
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        if doc.get("key") == key:
            return load(doc["value"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        pass
    value = make()
    if keep(value):
        _write_atomic(path, json.dumps({"key": key, "value": dump(value)}, ensure_ascii=False))
    return value


def frame_to_json(df: Any) -> dict[str, Any]:
    """A pandas DataFrame as JSON-ready columns with their dtypes (floats kept exactly)."""
    cols = [str(c) for c in df.columns]
    data = [df[c].tolist() for c in df.columns]
    tuples = [
        c for c, vals in zip(cols, data, strict=True)
        if any(isinstance(v, tuple) for v in vals)
    ]  # fmt: skip
    out: dict[str, Any] = {
        "columns": cols,
        "dtypes": [str(df[c].dtype) for c in df.columns],
        "data": data,
        "tuples": tuples,
    }
    if not (df.index.dtype.kind == "i" and list(df.index) == list(range(len(df)))):
        out["index"] = df.index.tolist()
    return out


def frame_from_json(doc: dict[str, Any]) -> Any:
    """The DataFrame :func:`frame_to_json` wrote (equal values, dtypes and index)."""
    import pandas as pd

    cols: list[str] = doc["columns"]
    data: dict[str, Any] = {}
    for c, dtype, vals in zip(cols, doc["dtypes"], doc["data"], strict=True):
        if c in doc["tuples"]:
            vals = [tuple(v) if isinstance(v, list) else v for v in vals]
        data[c] = pd.Series(vals, dtype=None if dtype == "object" else dtype)
        if dtype == "object":
            data[c] = data[c].astype(object)
    df = pd.DataFrame(data, columns=cols)
    if "index" in doc:
        df.index = pd.Index(doc["index"])
    return df


__all__ = [
    "clear",
    "code_token",
    "data_key",
    "data_state",
    "frame_from_json",
    "frame_to_json",
    "memo",
    "stored",
]
