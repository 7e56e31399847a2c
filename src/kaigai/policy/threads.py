"""Threads inside the estimators: BLAS limited to one thread, the sweeps on the CPUs.

The dense algebra of a fit is tiny (k x k with k regressors), so BLAS threads bring
nothing; on a busy machine OpenBLAS threads spinning next to the sweeps made one fit swing
between 4 s and 18 s. The limit is set and restored around each fit with threadpoolctl (no
environment variable is needed); without threadpoolctl the fit runs unchanged.

The fixed-effect sweeps use the CPUs instead: their rows are split in :func:`row_chunks`
chunks, which the C kernels run on their own small thread pool (``hdfe_native.c``); with
three or more regressor columns, column pairs are shared out on :func:`fit_pool`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from functools import lru_cache, wraps
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


@lru_cache(maxsize=1)
def _pool_size() -> int:
    """Threads for the fixed-effect sweeps: the CPUs this process may use, capped by
    NUMBA_NUM_THREADS when set (numba's own limit; read from the environment, so that numba
    is not imported when the kernels run as their C twins)."""
    import os

    from kaigai.policy.kernel_backend import available

    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        n = os.cpu_count() or 1
    if not available():  # pragma: no cover - no compiled kernels to share out
        return 1
    with contextlib.suppress(ValueError):  # malformed: numba's default (the CPU count)
        n = min(n, int(os.environ.get("NUMBA_NUM_THREADS", n)))
    return max(1, n)


# row chunks of the fixed-effect sweeps: at least this many rows each, at most this many
ROWS_PER_CHUNK = 25_000
MAX_CHUNKS = 8


def row_chunks(n: int) -> int:
    """Row chunks of a fixed-effect sweep over ``n`` rows: each chunk sums into its own
    partial level totals, reduced in chunk order, and the C kernels run the chunks on as
    many threads. The count depends only on ``n`` and the CPUs this process may use, so a
    machine always sums in the same order (the numba kernels run the same chunks one after
    the other: same bits); 1 chunk gives the plain row-order sums."""
    return max(1, min(_pool_size(), MAX_CHUNKS, n // ROWS_PER_CHUNK))


@lru_cache(maxsize=1)
def _pool() -> Any:
    from concurrent.futures import ThreadPoolExecutor

    return ThreadPoolExecutor(max_workers=_pool_size(), thread_name_prefix="kaigai-fit")


def fit_pool() -> Any:
    """The one thread pool of the estimators, or None with a single CPU. The choice depends
    only on the CPUs this process may use (not on the momentary load), so the same fit always
    runs the same way. Independent column pairs of the demeaning run on it in parallel; the
    kernels release the GIL."""
    return _pool() if _pool_size() > 1 else None


@lru_cache(maxsize=1)
def _controller() -> Any:
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # pragma: no cover - declared dependency; fit still works without
        return None
    return ThreadpoolController()


_depth = 0


@contextlib.contextmanager
def single_blas_thread() -> Iterator[None]:
    """Limit BLAS (OpenBLAS, MKL, BLIS) to one thread inside the block (re-entrant)."""
    global _depth
    ctl = _controller()
    if ctl is None or _depth:
        _depth += 1
        try:
            yield
        finally:
            _depth -= 1
        return
    _depth += 1
    try:
        with ctl.limit(limits=1, user_api="blas"):
            yield
    finally:
        _depth -= 1


def one_thread_pool(fn: F) -> F:
    """Decorator: run ``fn`` under :func:`single_blas_thread`."""

    @wraps(fn)
    def inner(*args: Any, **kwargs: Any) -> Any:
        with single_blas_thread():
            return fn(*args, **kwargs)

    return inner  # type: ignore[return-value]
