"""Which compiled version runs each fixed-effect kernel: the C twin, numba, or none.

Kernels are written once, in Python (``ppml_kernels.py``, ``hdfe_kernels.py``), and marked
with :func:`kernel`. On a kernel's first call it is bound to

1. its C twin (:mod:`kaigai.policy.native`) when the library is built and the twin was
   written from the kernel's current source (the hash in ``hdfe_native.c``): no numba
   import, no cache load, so a fresh process starts fitting at once;
2. otherwise numba (``njit(cache=True, nogil=True)``). Jitted kernels call each other
   through their modules' globals, which hold :class:`Kernel` objects: numba types a
   Kernel as its numba dispatcher, so no global is rebound and a kernel that falls back to
   numba for one call (an array layout its C twin does not take) leaves every other call
   on the C twins. A cached kernel that fails to load (a corrupt or foreign cache file) is
   recompiled and its cache index rewritten instead of failing the estimation;
3. without either, the plain Python function (correct, slow; :func:`available` is False so
   the estimators take their numpy paths instead).
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
from collections.abc import Callable
from functools import lru_cache
from typing import Any

_log = logging.getLogger(__name__)
_REGISTRY: dict[str, list[Kernel]] = {}  # module name -> its kernels
_FORCE: str | None = None  # set_backend("numba") in tests


class Kernel:
    """A kernel bound on first call (see the module docstring)."""

    def __init__(self, fn: Callable[..., Any]) -> None:
        self.py = fn
        self.__name__ = fn.__name__
        self.__doc__ = fn.__doc__
        self.__wrapped__ = fn
        self.impl: Callable[..., Any] | None = None
        self.backend = ""
        _REGISTRY.setdefault(fn.__module__, []).append(self)

    def __call__(self, *args: Any) -> Any:
        impl = self.impl
        if impl is None:
            impl = self.bind()
        return impl(*args)

    def bind(self) -> Callable[..., Any]:
        twin = None if _FORCE == "numba" else _twins().get(self.__name__)
        if twin is not None and source_hash(self.py) == _mirrored().get(self.__name__):
            self.impl, self.backend = twin, "native"
        else:
            self.impl, self.backend = self.jitted(), "numba"
            if self.impl is self.py:
                self.backend = "python"
        return self.impl

    def jitted(self) -> Callable[..., Any]:
        """The numba version (compiling the module's kernels together), or the Python one."""
        return _numba_module(self.py.__module__).get(self.__name__, self.py)


def kernel(fn: Callable[..., Any]) -> Any:
    """Decorator marking a compiled kernel (see the module docstring)."""
    return Kernel(fn)


def available() -> bool:
    """True if kernels run compiled (C twins or numba); ``KAIGAI_KERNELS=numpy`` (a switch
    for tests and benchmarks) makes the estimators take their numpy paths."""
    if os.environ.get("KAIGAI_KERNELS") == "numpy":
        return False
    return bool(_twins()) or _numba_installed()


def numba_needed() -> bool:
    """True if the kernels will run on numba (no C twins, or :func:`set_backend` asked)."""
    return _FORCE == "numba" or not _twins()


def prepare() -> None:
    """Bind every registered kernel now (with the C twins: the library, the hashes the twins
    were written from and each kernel's source hash), which their first calls would
    otherwise do, so that callers can time it apart from those kernels."""
    for ks in _REGISTRY.values():
        for k in ks:
            if k.impl is None:
                k.bind()


def set_backend(name: str | None) -> None:
    """``"numba"``: bind every kernel to numba (tests compare it with the C twins); ``None``:
    back to the default choice. Kernels rebind on their next call."""
    global _FORCE
    _FORCE = name
    for ks in _REGISTRY.values():
        for k in ks:
            k.impl, k.backend = None, ""


def backends() -> dict[str, str]:
    """Kernel name -> backend it is bound to ("" before its first call)."""
    return {k.__name__: k.backend for ks in _REGISTRY.values() for k in ks}


def source_hash(fn: Callable[..., Any]) -> str:
    """Hash of a function's source text (its decorators, ``def`` and indented body, without
    blank lines and trailing spaces): what ``hdfe_native.c`` records per twin."""
    code = fn.__code__
    lines = _lines(code.co_filename)
    i = code.co_firstlineno - 1
    body: list[str] = []
    inside = False  # past the decorators and the ``def`` line
    for line in lines[i:]:
        top = bool(line.strip()) and not line[0].isspace() and not line.startswith(")")
        if top and inside:
            break
        inside = inside or (line[:1].isspace() and bool(line.strip()))
        if line.strip():
            body.append(line.rstrip())
    return hashlib.sha256("\n".join(body).encode()).hexdigest()[:16]


@lru_cache(maxsize=8)
def _lines(path: str) -> list[str]:
    try:
        with open(path, encoding="utf-8") as f:
            return f.read().splitlines()
    except OSError:
        return []


@lru_cache(maxsize=1)
def _twins() -> dict[str, Callable[..., Any]]:
    from kaigai.policy import native

    lib = native.library()
    if lib is None:
        return {}
    from kaigai.policy.native_twins import twins

    def fallback(name: str) -> Callable[..., Any]:
        for ks in _REGISTRY.values():
            for k in ks:
                if k.__name__ == name:
                    return k.jitted()
        raise KeyError(name)

    return twins(lib, fallback)


@lru_cache(maxsize=1)
def _mirrored() -> dict[str, str]:
    from kaigai.policy import native

    return native.mirrored()


@lru_cache(maxsize=1)
def _numba_installed() -> bool:
    return importlib.util.find_spec("numba") is not None


_NUMBA: dict[str, dict[str, Any]] = {}  # module -> its kernels' numba dispatchers


def _numba_module(modname: str) -> dict[str, Any]:
    """njit every kernel of one module (compiled lazily, on a dispatcher's first call)."""
    if modname not in _NUMBA:
        out: dict[str, Any] = {}
        try:
            import numba

            jit = numba.njit(cache=True, nogil=True, fastmath=False)
            _type_kernels_as_dispatchers()
        except Exception:  # numba missing or broken: the Python functions run
            _NUMBA[modname] = out
            return out
        for k in _REGISTRY.get(modname, []):
            out[k.__name__] = jit(k.py)
            _guard_cache(out[k.__name__])
        _NUMBA[modname] = out
    return _NUMBA[modname]


@lru_cache(maxsize=1)
def _type_kernels_as_dispatchers() -> None:
    """A Kernel met as a global inside a jitted kernel is typed as its numba dispatcher (the
    call is compiled against it), whatever the Kernel is bound to for Python callers."""
    from numba.extending import typeof_impl

    @typeof_impl.register(Kernel)
    def _typeof_kernel(val: Kernel, c: Any) -> Any:
        return typeof_impl(val.jitted(), c)


def _guard_cache(dispatcher: Any) -> None:
    """Make a failing load of numba's on-disk cache a cache miss: clear that function's
    cache index, compile afresh and save it (instead of raising into the estimation)."""
    cache = getattr(dispatcher, "_cache", None)
    if cache is None or not hasattr(cache, "load_overload"):
        return
    load, save = cache.load_overload, cache.save_overload
    name = getattr(dispatcher, "__name__", "?")

    def safe_load(sig: Any, ctx: Any) -> Any:
        try:
            return load(sig, ctx)
        except Exception as exc:
            _log.warning("numba cache of %s unreadable (%s); recompiling", name, exc)
            try:
                cache.flush()
            except Exception:  # read-only cache: compile without it
                cache.disable()
            return None

    def safe_save(sig: Any, cres: Any) -> None:
        try:
            save(sig, cres)
        except Exception as exc:
            _log.warning("numba cache of %s not saved (%s)", name, exc)

    cache.load_overload = safe_load
    cache.save_overload = safe_save


__all__ = [
    "Kernel",
    "available",
    "backends",
    "kernel",
    "numba_needed",
    "set_backend",
    "source_hash",
]
