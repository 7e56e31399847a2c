"""The catalog's state read without DuckDB: which tables it holds and each dataset's checksum.

A one-product lookup must not import DuckDB (or pandas) just to learn where a dataset lives or
whether its prepared index is current. The first call after the catalog file changes opens it
(read-only) and records its tables and ``_datasets`` rows in
``<cache_dir>/state/catalog-<hash of the path>.json``, stamped with the file's size and
modification time (and its write-ahead log's); later calls read that file. The stamp is taken
*before* the catalog is read, so an import that lands meanwhile only makes the next call read
again. Written to a temporary file and renamed (two processes: the last complete file wins).

:func:`fingerprint` hashes the checksums of named datasets (catalog ``_datasets`` rows, else the
starter pack's manifest) with code or layout tokens: the key of every prepared index.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kaigai.core.config import Settings

LAYOUT = 1
_LOCK = threading.Lock()
_MEMO: dict[tuple[str, tuple[int, ...]], CatalogState] = {}


@dataclass(frozen=True)
class CatalogState:
    """Tables of the catalog and its registry rows (name -> sha256, row count)."""

    tables: frozenset[str]
    datasets: dict[str, tuple[str | None, int | None]]


def stamp(catalog: Path) -> tuple[int, ...]:
    """(size, mtime_ns) of the catalog file and of its write-ahead log; () without a catalog."""
    out: list[int] = []
    for p in (catalog, catalog.with_name(catalog.name + ".wal")):
        try:
            st = p.stat()
        except OSError:
            out += [-1, -1]
            continue
        out += [st.st_size, st.st_mtime_ns]
    return () if out[0] == -1 else tuple(out)


def _read_catalog(catalog: Path) -> CatalogState:
    from kaigai.data.catalog import Catalog

    with Catalog.open(catalog, read_only=True) as cat:
        rows = cat.con.execute("SELECT table_name FROM information_schema.tables").fetchall()
        tables = frozenset(str(r[0]) for r in rows)
        regs = {
            str(d["name"]): (
                None if d.get("sha256") is None else str(d["sha256"]),
                None if d.get("row_count") is None else int(str(d["row_count"])),
            )
            for d in cat.datasets()
        }
    return CatalogState(tables, regs)


def _state_file(settings: Settings, catalog: Path) -> Path:
    h = hashlib.sha256(str(catalog.resolve()).encode()).hexdigest()[:16]
    return Path(settings.cache_dir) / "state" / f"catalog-{h}.json"


def write_atomic(path: Path, text: str) -> bool:
    """Write ``text`` to ``path`` through a temporary file and a rename; False if the folder
    cannot be written (the caller then keeps the value in memory only)."""
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}-{threading.get_ident()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)
        return False
    return True


def drop_older(path: Path, pattern: str) -> None:
    """Remove the files beside ``path`` matching ``pattern`` (earlier prepared versions)."""
    for old in path.parent.glob(pattern):
        if old != path:
            old.unlink(missing_ok=True)


@contextmanager
def atomic_folder(final: Path, *, replace: bool = False) -> Iterator[Path]:
    """A prepared folder written whole or not at all: yields a temporary sibling to fill, then
    renames it to ``final``. On an error the temporary folder is removed and ``final`` is left
    as it was. Two processes: when ``final`` appears meanwhile, the first complete folder is
    kept (its content is the same: folders are named by what they were built from); with
    ``replace`` (one name for changing content), an existing ``final`` is moved aside first.
    """
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = final.with_name(f"{final.name}.tmp-{os.getpid()}-{threading.get_ident()}")
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if replace and final.exists():
        old = final.with_name(f"{final.name}.old-{os.getpid()}-{threading.get_ident()}")
        try:
            final.rename(old)
        except OSError:  # another process moved it first
            pass
        else:
            shutil.rmtree(old, ignore_errors=True)
    try:
        tmp.rename(final)
    except OSError:  # another process finished first: keep its complete folder
        shutil.rmtree(tmp, ignore_errors=True)


def catalog_state(settings: Settings) -> CatalogState:
    """What the catalog holds now (empty without a catalog file); DuckDB is opened only when the
    catalog changed since the state was last recorded."""
    catalog = Path(settings.catalog_path)
    st = stamp(catalog)
    if not st:
        return CatalogState(frozenset(), {})
    key = (str(catalog), st)
    with _LOCK:
        hit = _MEMO.get(key)
    if hit is not None:
        return hit
    path = _state_file(settings, catalog)
    state: CatalogState | None = None
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        if raw.get("layout") == LAYOUT and tuple(raw.get("stamp", ())) == st:
            state = CatalogState(
                frozenset(raw["tables"]),
                {k: (v[0], v[1]) for k, v in raw["datasets"].items()},
            )
    except (OSError, ValueError, KeyError, TypeError):
        state = None
    if state is None:
        state = _read_catalog(catalog)
        doc = {
            "layout": LAYOUT,
            "catalog": str(catalog),
            "stamp": list(st),
            "tables": sorted(state.tables),
            "datasets": {k: list(v) for k, v in sorted(state.datasets.items())},
        }
        write_atomic(path, json.dumps(doc))
    with _LOCK:
        if len(_MEMO) > 16:
            _MEMO.clear()
        _MEMO[key] = state
    return state


@lru_cache(maxsize=4)
def _manifest(path: str, mtime_ns: int) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8")).get("datasets", {})
    return data


def starter_manifest() -> dict[str, Any]:
    """The bundled starter pack's datasets (name -> sha256, rows, ...) from ``manifest.json``."""
    from kaigai.data.store import starter_dir

    p = starter_dir() / "manifest.json"
    try:
        return _manifest(str(p), p.stat().st_mtime_ns)
    except OSError:
        return {}


def dataset_sums(
    settings: Settings, names: Iterable[str]
) -> dict[str, tuple[str, str | None, int | None]]:
    """name -> (location, sha256, row count), as ``kaigai data status`` reports them: a dataset
    registered in the catalog with its table; else the starter pack's copy; else missing."""
    state = catalog_state(settings)
    starter = starter_manifest() if settings.use_starter else {}
    out: dict[str, tuple[str, str | None, int | None]] = {}
    for n in names:
        if n in state.datasets and n in state.tables:
            out[n] = ("catalog", *state.datasets[n])
        elif n in starter:
            out[n] = ("starter", starter[n].get("sha256"), starter[n].get("rows"))
        else:
            out[n] = ("missing", None, None)
    return out


def fingerprint(settings: Settings, names: Iterable[str], *tokens: str) -> str:
    """Key of a prepared index: the named datasets' checksums plus ``tokens`` (layout, code)."""
    h = hashlib.sha256()
    for n, v in sorted(dataset_sums(settings, names).items()):
        h.update(f"{n}={v}".encode())
    for t in tokens:
        h.update(b"\0" + t.encode())
    return h.hexdigest()[:24]


def folder_token(folder: Path) -> str:
    """Hash of every file under ``folder`` (name and content); the same token when it is absent.

    The user's imported tariff schedules (``<data_dir>/tariff_schedules``) enter the keys of
    prepared indexes and stored results this way."""
    h = hashlib.sha256()
    if folder.is_dir():
        for f in sorted(folder.rglob("*")):
            if f.is_file():
                h.update(f"{f.relative_to(folder)}:{hashlib.sha256(f.read_bytes()).hexdigest()}"
                         .encode())  # fmt: skip
    return h.hexdigest()[:16]


def code_token(*files: str | Path) -> str:
    """Hash of source files (a prepared index is rebuilt when the code that builds it changes)."""
    h = hashlib.sha256()
    for f in files:
        p = Path(f)
        h.update(p.name.encode())
        h.update(p.read_bytes() if p.is_file() else b"missing")
    return h.hexdigest()[:16]


__all__ = [
    "CatalogState",
    "atomic_folder",
    "catalog_state",
    "code_token",
    "dataset_sums",
    "drop_older",
    "fingerprint",
    "folder_token",
    "stamp",
    "starter_manifest",
    "write_atomic",
]
