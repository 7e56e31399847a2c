"""Per-app state: settings, database, secret, limiter and engine-input caches."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from kaigai.core.config import Settings
from kaigai.service.fastpath import AnswerCache
from kaigai.service.security import LoginLimiter, WindowCounter
from kaigai.storage.db import Database

T = TypeVar("T")
_SHARED: dict[Any, Any] = {}
_SHARED_LOCK = threading.Lock()


@dataclass
class Limits:
    max_upload_bytes: int = 1_000_000
    max_bom_lines: int = 2_000
    max_xlsx_uncompressed: int = 20_000_000
    max_cell_chars: int = 500
    registrations_per_hour: int = 10  # per client address


@dataclass
class AppState:
    settings: Settings
    db: Database
    secret: bytes
    limiter: LoginLimiter = field(default_factory=LoginLimiter)
    limits: Limits = field(default_factory=Limits)
    registrations: WindowCounter = field(init=False)
    answers: AnswerCache = field(default_factory=AnswerCache)  # served before routing
    _cache: dict[Any, Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.registrations = WindowCounter(self.limits.registrations_per_hour, 3600.0)

    def data_key(self) -> tuple[str, str, bool]:
        """What engine inputs depend on: shared-data path, catalog file (if any), starter use."""
        cat = self.settings.catalog_path
        stamp = f"{cat}:{cat.stat().st_mtime_ns}" if cat.is_file() else ""
        return (str(self.settings.shared_data), stamp, self.settings.use_starter)

    def shared(self, key: str, make: Callable[[], T]) -> T:
        """Like :meth:`cached`, but shared by every app in the process with the same data sources
        (reference data such as rule books and the HS nomenclature are read-only)."""
        full = (key, self.data_key())
        with _SHARED_LOCK:
            if full in _SHARED:
                return _SHARED[full]  # type: ignore[no-any-return]
        value = make()
        with _SHARED_LOCK:
            if len(_SHARED) > 64:
                _SHARED.clear()
            _SHARED[full] = value
        return value

    def cached(self, key: Any, make: Callable[[], T], max_items: int = 4096) -> T:
        """Memoise ``make()`` under ``key`` (engine inputs and deterministic lookups)."""
        try:
            return self._cache[key]  # type: ignore[no-any-return]
        except KeyError:
            pass
        value = make()
        with self._lock:
            if len(self._cache) >= max_items:
                self._cache.pop(next(iter(self._cache)))
            self._cache[key] = value
        return value


__all__ = ["AppState", "Limits"]
