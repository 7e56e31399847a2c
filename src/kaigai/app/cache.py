"""Process-wide memo of prepared engine inputs, keyed by the data they were built from.

A key holds the catalog file's path and mtime, the starter/shared-data switches, the analytics
engine and the user-imported tariff schedules: after ``kaigai data import`` the key changes and
the next question rebuilds its inputs. Thread-safe (the service calls from worker threads).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
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


__all__ = ["clear", "data_key", "memo"]
