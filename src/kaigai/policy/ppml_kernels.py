"""Compiled fixed-effect steps (numba) with identical pure-numpy fallbacks.

One *step* treats one fixed effect: scatter-add over its levels, then gather back. numba
fuses the multiply, scatter and gather into two passes over the data; numpy needs
temporaries. Results are the same to rounding. ``available()`` says whether numba loaded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

try:  # pragma: no cover - exercised when numba is installed
    import numba

    _jit: Callable[..., Any] | None = numba.njit(cache=True, nogil=True, fastmath=False)
except Exception:  # pragma: no cover - numba missing or broken
    _jit = None


def available() -> bool:
    """True if the compiled kernels can be used."""
    return _jit is not None


def _demean_step_py(
    v: np.ndarray, w: np.ndarray, c: np.ndarray, inv: np.ndarray, g: int
) -> np.ndarray:
    out = np.zeros(v.shape[1])
    for j in range(v.shape[1]):
        m = np.bincount(c, weights=w * v[:, j], minlength=g) * inv
        v[:, j] -= m[c]
        out[j] = np.max(np.abs(m)) if m.size else 0.0
    return out


def _ipf_step_py(mu: np.ndarray, c: np.ndarray, ysum: np.ndarray, g: int) -> np.ndarray:
    m = np.bincount(c, weights=mu, minlength=g)
    lf = np.log(ysum / m)
    mu *= np.exp(lf)[c]
    return lf


def _demean_step_nb(v, w, c, inv, g):  # type: ignore[no-untyped-def]  # pragma: no cover
    # v: one column (1-D, contiguous); returns the largest absolute mean removed
    s = np.zeros(g)
    n = v.shape[0]
    for i in range(n):
        s[c[i]] += w[i] * v[i]
    dmax = 0.0
    for k in range(g):
        s[k] *= inv[k]
        a = abs(s[k])
        if a > dmax:
            dmax = a
    for i in range(n):
        v[i] -= s[c[i]]
    return dmax


def _ipf_step_nb(mu, c, ysum, g):  # type: ignore[no-untyped-def]  # pragma: no cover
    s = np.zeros(g)
    n = mu.shape[0]
    for i in range(n):
        s[c[i]] += mu[i]
    lf = np.empty(g)
    for j in range(g):
        lf[j] = np.log(ysum[j] / s[j])
        s[j] = np.exp(lf[j])
    for i in range(n):
        mu[i] *= s[c[i]]
    return lf


if _jit is not None:
    demean_step_nb = _jit(_demean_step_nb)
    ipf_step_nb = _jit(_ipf_step_nb)
else:  # pragma: no cover
    demean_step_nb = _demean_step_py
    ipf_step_nb = _ipf_step_py


def demean_step(
    v: np.ndarray, w: np.ndarray, c: np.ndarray, inv: np.ndarray, g: int, fast: bool
) -> np.ndarray:
    """Subtract the weighted mean of each column of ``v`` (n x p, Fortran order so that
    columns are contiguous) within each level, in place; return each column's largest
    absolute mean."""
    if fast and _jit is not None:
        return np.array([demean_step_nb(v[:, j], w, c, inv, g) for j in range(v.shape[1])])
    return _demean_step_py(v, w, c, inv, g)


def ipf_step(mu: np.ndarray, c: np.ndarray, ysum: np.ndarray, g: int, fast: bool) -> np.ndarray:
    """Scale ``mu`` (in place) so level totals match ``ysum``; return the log scale factors."""
    if fast and _jit is not None:
        return np.asarray(ipf_step_nb(mu, c, ysum, g))
    return _ipf_step_py(mu, c, ysum, g)
