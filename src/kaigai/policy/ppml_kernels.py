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
    n, p = v.shape
    s = np.zeros((g, p))
    for i in range(n):
        ci = c[i]
        wi = w[i]
        for j in range(p):
            s[ci, j] += wi * v[i, j]
    dmax = np.zeros(p)
    for k in range(g):
        for j in range(p):
            s[k, j] *= inv[k]
            a = abs(s[k, j])
            if a > dmax[j]:
                dmax[j] = a
    for i in range(n):
        ci = c[i]
        for j in range(p):
            v[i, j] -= s[ci, j]
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
    """Subtract the weighted mean of each column of ``v`` (n x p, C order) within each level,
    in place; return each column's largest absolute mean."""
    if fast and _jit is not None:
        return np.asarray(demean_step_nb(v, w, c, inv, g))
    return _demean_step_py(v, w, c, inv, g)


def ipf_step(mu: np.ndarray, c: np.ndarray, ysum: np.ndarray, g: int, fast: bool) -> np.ndarray:
    """Scale ``mu`` (in place) so level totals match ``ysum``; return the log scale factors."""
    if fast and _jit is not None:
        return np.asarray(ipf_step_nb(mu, c, ysum, g))
    return _ipf_step_py(mu, c, ysum, g)
