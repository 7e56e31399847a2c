"""Compiled fixed-effect steps (numba) with identical pure-numpy fallbacks.

One *step* treats one fixed effect: scatter-add over its levels, then gather back. numba
fuses the multiply, scatter and gather into two passes over the data; numpy needs
temporaries. Results are the same to rounding. ``available()`` says whether numba loaded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from kaigai.policy.kernel_backend import available, kernel, numba_needed

# kernels are compiled on first call: their C twins, else numba (see kernel_backend)
_jit: Callable[..., Any] | None = kernel if available() else None


def warm() -> None:
    """Load what the first kernel call needs now (numba's compiler context and a cached
    kernel: about a second in a fresh process; nothing when the C twins run), so that
    callers can time it apart."""
    if _jit is not None and numba_needed():
        one = np.ones(1)
        _deviance_sum_nb(one, one, one)


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


# --- fused kernels: a whole demean / IPF solve in one compiled call -------------------------
# ``codes`` is a (K, n) int32 array of level codes, ``offs`` the K+1 offsets of each fixed
# effect's levels in the concatenated per-level arrays (``inv``, ``ysum``, ``alpha``).

_nj: Callable[..., Any] = kernel


@_nj
def _wsweep_nb(v, w, codes, offs, inv, s):  # type: ignore[no-untyped-def]  # pragma: no cover
    # one Gauss-Seidel sweep of weighted projections on one column; the gather of fixed
    # effect k and the scatter of k + 1 share one pass over the rows
    nfe = codes.shape[0]
    n = v.shape[0]
    for j in range(offs[nfe]):
        s[j] = 0.0
    o = offs[0]
    for i in range(n):
        s[o + codes[0, i]] += w[i] * v[i]
    dmax = 0.0
    for k in range(nfe):
        o = offs[k]
        for j in range(o, offs[k + 1]):
            s[j] *= inv[j]
            a = abs(s[j])
            if a > dmax:
                dmax = a
        if k + 1 < nfe:
            o2 = offs[k + 1]
            for i in range(n):
                vi = v[i] - s[o + codes[k, i]]
                v[i] = vi
                s[o2 + codes[k + 1, i]] += w[i] * vi
        else:
            for i in range(n):
                v[i] -= s[o + codes[k, i]]
    return dmax


@_nj
def _demean_col_nb(v, w, codes, offs, inv, tol, maxiter):  # type: ignore[no-untyped-def]  # pragma: no cover
    # the numpy path's schedule on one column (3 plain sweeps, then 2 sweeps + Irons-Tuck),
    # but the extrapolation acts on the accumulated level means b (v = x - D b), as in
    # fixest: inner products over the levels and one pass over the rows to apply it
    # (no n-length snapshots)
    nfe = codes.shape[0]
    n = v.shape[0]
    m = offs[nfe]
    s = np.empty(m)
    it = 0
    d = np.inf
    while it < min(maxiter, 3):
        d = _wsweep_nb(v, w, codes, offs, inv, s)
        it += 1
        if d < tol:
            return it, True
    d1 = np.empty(m)
    while it < maxiter:
        d = _wsweep_nb(v, w, codes, offs, inv, s)
        it += 1
        if d < tol or it >= maxiter:
            break
        d1[:] = s  # b1 - b0
        d = _wsweep_nb(v, w, codes, offs, inv, s)
        it += 1
        if d < tol or it >= maxiter:
            break
        num = 0.0
        den = 0.0
        for g in range(m):
            dd = s[g] - d1[g]  # (b2 - b1) - (b1 - b0)
            den += dd * dd
            num += s[g] * dd
        coef = num / den if den > 0 else 0.0
        if not abs(coef) < 1e6:
            coef = 0.0
        if coef != 0.0:
            # b <- b2 - coef (b2 - b1), so v <- v + coef * D (b2 - b1)
            for g in range(m):
                s[g] *= coef
            for i in range(n):
                sh = 0.0
                for k in range(nfe):
                    sh += s[offs[k] + codes[k, i]]
                v[i] += sh
    return it, d < tol


@_nj
def _inv_weights_nb(w, codes, offs):  # type: ignore[no-untyped-def]  # pragma: no cover
    # 1 / (level totals of w), 0 for empty levels
    nfe = codes.shape[0]
    n = w.shape[0]
    inv = np.zeros(offs[nfe])
    for k in range(nfe):
        o = offs[k]
        for i in range(n):
            inv[o + codes[k, i]] += w[i]
    for j in range(offs[nfe]):
        inv[j] = 1.0 / inv[j] if inv[j] > 0 else 0.0
    return inv


@_nj
def _ipf_sweep_nb(mu, codes, offs, ysum, alpha, s, nxt, have):  # type: ignore[no-untyped-def]  # pragma: no cover
    # nxt: the first fixed effect's totals of mu, valid on entry when ``have`` and refilled
    # in the last pass for the next sweep (K passes over the rows per sweep, bit-identical)
    nfe = codes.shape[0]
    n = mu.shape[0]
    o = offs[0]
    g0 = offs[1] - o
    for j in range(offs[nfe]):
        s[j] = 0.0
    if have:
        s[o : o + g0] = nxt[:g0]
    else:
        for i in range(n):
            s[o + codes[0, i]] += mu[i]
    dmax = 0.0
    for k in range(nfe):
        o = offs[k]
        for j in range(o, offs[k + 1]):
            ratio = ysum[j] / s[j]
            lf = np.log(ratio)
            alpha[j] += lf
            a = abs(lf)
            if a > dmax:
                dmax = a
            s[j] = ratio  # = exp(lf) up to rounding, without a second call per level
        if k + 1 < nfe:
            o2 = offs[k + 1]
            for i in range(n):
                m = mu[i] * s[o + codes[k, i]]
                mu[i] = m
                s[o2 + codes[k + 1, i]] += m
        else:
            nxt[:g0] = 0.0
            for i in range(n):
                m = mu[i] * s[o + codes[k, i]]
                mu[i] = m
                nxt[codes[0, i]] += m
    return dmax


@_nj
def _ipf_nb(mu, codes, offs, ysum, alpha, tol, nplain, ncycles):  # type: ignore[no-untyped-def]  # pragma: no cover
    # nplain plain sweeps, then ncycles of (2 sweeps + Irons-Tuck on the log fixed effects);
    # returns (sweeps, converged)
    nfe = codes.shape[0]
    n = mu.shape[0]
    m = offs[nfe]
    s = np.empty(m)
    nxt = np.empty(offs[1] - offs[0])
    it = 0
    for _ in range(nplain):
        it += 1
        if _ipf_sweep_nb(mu, codes, offs, ysum, alpha, s, nxt, it > 1) < tol:
            return it, True
    a0 = np.empty(m)
    a1 = np.empty(m)
    step = np.empty(m)
    for _ in range(ncycles):
        a0[:] = alpha
        it += 1
        if _ipf_sweep_nb(mu, codes, offs, ysum, alpha, s, nxt, it > 1) < tol:
            return it, True
        a1[:] = alpha
        it += 1
        if _ipf_sweep_nb(mu, codes, offs, ysum, alpha, s, nxt, True) < tol:
            return it, True
        den = 0.0
        num = 0.0
        for j in range(m):
            d2 = alpha[j] - a1[j]
            dd = d2 - (a1[j] - a0[j])
            den += dd * dd
            num += d2 * dd
        if not den > 0:
            continue
        coef = num / den
        big = 0.0
        for j in range(m):
            step[j] = -coef * (alpha[j] - a1[j])
            a = abs(step[j])
            if a > big:
                big = a
        if not np.isfinite(coef) or coef == 0 or not big <= 3.0:
            continue
        for j in range(m):
            alpha[j] += step[j]
            step[j] = np.exp(step[j])  # one exp per level, not per row
        nxt[:] = 0.0
        for i in range(n):
            f = 1.0
            for k in range(nfe):
                f *= step[offs[k] + codes[k, i]]
            mu[i] *= f
            nxt[codes[0, i]] += mu[i]
    return it, False


def demean_all(
    r: np.ndarray, w: np.ndarray, codes: np.ndarray, offs: np.ndarray, tol: np.ndarray, maxiter: int
) -> tuple[int, bool]:
    """Demean every column of ``r`` (n x p, Fortran order) in place on all fixed effects
    (weights ``w``, per-column tolerance ``tol``), two columns per pass
    (:mod:`kaigai.policy.hdfe_sweeps`); (sweeps, converged). With three or more columns and
    more than one CPU the column pairs are shared out on the fit's thread pool (bit-identical
    to one thread: the same pairs, the same schedule)."""
    from kaigai.policy.hdfe_sweeps import demean_cols, inv_weights
    from kaigai.policy.threads import fit_pool

    inv = inv_weights(w, codes, offs)
    groups = [np.arange(j, min(j + 2, r.shape[1])) for j in range(0, r.shape[1], 2)]
    pool = fit_pool() if r.shape[0] >= 20_000 and len(groups) > 1 else None
    if pool is None:
        return demean_cols(r, w, codes, offs, inv, tol, maxiter)
    # column pairs are independent: split them over the fit's threads (kernels release the GIL)
    parts = np.array_split(np.arange(len(groups)), min(pool._max_workers, len(groups)))
    futs = []
    for part in parts:
        lo, hi = int(groups[part[0]][0]), int(groups[part[-1]][-1]) + 1
        futs.append(pool.submit(demean_cols, r[:, lo:hi], w, codes, offs, inv, tol[lo:hi], maxiter))
    res = [f.result() for f in futs]
    return max(a for a, _ in res), all(b for _, b in res)


def ipf_fused(
    mu: np.ndarray,
    codes: np.ndarray,
    offs: np.ndarray,
    ysum: np.ndarray,
    alpha: np.ndarray,
    tol: float,
    nplain: int,
    ncycles: int,
) -> tuple[int, bool]:
    """``nplain`` IPF sweeps then ``ncycles`` cycles of two sweeps and an Irons-Tuck step
    on the concatenated log fixed effects ``alpha`` (in place, with ``mu``); (sweeps, converged)."""
    it, ok = _ipf_nb(mu, codes, offs, ysum, alpha, tol, nplain, ncycles)
    return int(it), bool(ok)


@_nj
def _deviance_sum_nb(y, mu, lr):  # type: ignore[no-untyped-def]  # pragma: no cover
    # lr = log(y / mu) where y > 0 (anything elsewhere)
    s = 0.0
    for i in range(y.shape[0]):
        if y[i] > 0:
            s += y[i] * lr[i]
        s -= y[i] - mu[i]
    return 2.0 * s


def deviance(y: np.ndarray, mu: np.ndarray) -> float:
    """Poisson deviance (see ``ppml_solver.poisson_deviance``): ``log(y / mu)`` by numpy's
    vectorised division and log (a compiled per-row log is ~6x slower), summed compiled."""
    lr = np.empty_like(mu)
    with np.errstate(divide="ignore", invalid="ignore"):
        np.divide(y, mu, out=lr)
        np.log(lr, out=lr)
    return float(_deviance_sum_nb(y, mu, lr))


@_nj
def _absorb_nb(r, codes, offs, alpha, maxiter, tol):  # type: ignore[no-untyped-def]  # pragma: no cover
    # unweighted alternating projections of r on the fixed effects, means added to alpha
    nfe = codes.shape[0]
    n = r.shape[0]
    m = offs[nfe]
    inv = np.zeros(m)
    for k in range(nfe):
        for i in range(n):
            inv[offs[k] + codes[k, i]] += 1.0
    for j in range(m):
        inv[j] = 1.0 / inv[j]
    w = np.ones(n)
    s = np.empty(m)
    for _ in range(maxiter):
        dmax = _wsweep_nb(r, w, codes, offs, inv, s)
        for j in range(m):
            alpha[j] += s[j]
        if dmax < tol:
            break


def absorb(
    r: np.ndarray, codes: np.ndarray, offs: np.ndarray, alpha: np.ndarray, maxiter: int, tol: float
) -> None:
    """Decompose ``r`` (in the fixed-effect span) by unweighted alternating projections,
    adding each level's mean to ``alpha`` (concatenated); ``r`` is left as the residual."""
    _absorb_nb(r, codes, offs, alpha, maxiter, tol)
