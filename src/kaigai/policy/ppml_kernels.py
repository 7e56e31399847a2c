"""Compiled fixed-effect steps (numba) with identical pure-numpy fallbacks.

One *step* treats one fixed effect: scatter-add over its levels, then gather back. numba
fuses the multiply, scatter and gather into two passes over the data; numpy needs
temporaries. Results are the same to rounding. ``available()`` says whether numba loaded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from kaigai.policy import threads
from kaigai.policy.kernel_backend import available, kernel, numba_needed, prepare

# kernels are compiled on first call: their C twins, else numba (see kernel_backend)
_jit: Callable[..., Any] | None = kernel if available() else None


def warm() -> None:
    """Load what the first kernel call needs now (numba's compiler context and a cached
    kernel: about a second in a fresh process; with the C twins, every kernel bound to its
    twin: a millisecond), so that callers can time it apart."""
    if _jit is None:
        return
    if numba_needed():
        one = np.ones(1)
        _deviance_sum_nb(one, one, one)
    else:
        from kaigai.policy import hdfe_kernels, hdfe_sweeps  # noqa: F401  (kernels register)

        prepare()


def demean_step(v: np.ndarray, w: np.ndarray, c: np.ndarray, inv: np.ndarray, g: int) -> np.ndarray:
    """Subtract the weighted mean of each column of ``v`` (n x p) within each level, in place;
    return each column's largest absolute mean (numpy path: the compiled one demeans whole
    columns, :func:`demean_all`)."""
    out = np.zeros(v.shape[1])
    for j in range(v.shape[1]):
        m = np.bincount(c, weights=w * v[:, j], minlength=g) * inv
        v[:, j] -= m[c]
        out[j] = np.max(np.abs(m)) if m.size else 0.0
    return out


def ipf_step(mu: np.ndarray, c: np.ndarray, ysum: np.ndarray, g: int) -> np.ndarray:
    """Scale ``mu`` (in place) so level totals match ``ysum``; return the log scale factors
    (numpy path: the compiled one is :func:`ipf_fused`)."""
    m = np.bincount(c, weights=mu, minlength=g)
    lf = np.log(ysum / m)
    mu *= np.exp(lf)[c]
    return lf


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
def _inv_weights_nb(w, codes, offs, nc):  # type: ignore[no-untyped-def]  # pragma: no cover
    # 1 / (level totals of w), 0 for empty levels; the rows in nc chunks as in the sweeps
    # (partial totals reduced in chunk order)
    nfe = codes.shape[0]
    n = w.shape[0]
    m = offs[nfe]
    part = np.zeros((nc, m))
    for c in range(nc):
        for k in range(nfe):
            o = offs[k]
            for i in range(n * c // nc, n * (c + 1) // nc):
                part[c, o + codes[k, i]] += w[i]
    inv = np.empty(m)
    for j in range(m):
        t = part[0, j]
        for c in range(1, nc):
            t += part[c, j]
        inv[j] = 1.0 / t if t > 0 else 0.0
    return inv


@_nj
def _ipf_sweep_nb(mu, codes, offs, ysum, alpha, s, part, have):  # type: ignore[no-untyped-def]  # pragma: no cover
    # one IPF sweep over the rows split in nc = part.shape[0] chunks (chunk c: rows
    # n * c // nc to n * (c + 1) // nc; the C twin runs them on nc threads): each chunk adds
    # into its own partial level totals part[c], reduced in chunk order (one chunk: the
    # plain sums). The last pass takes the first fixed effect's totals for the next sweep:
    # valid on entry when ``have`` (K passes over the rows per sweep)
    nfe = codes.shape[0]
    n = mu.shape[0]
    nc = part.shape[0]
    if not have:
        for c in range(nc):
            part[c, offs[0] : offs[1]] = 0.0
            for i in range(n * c // nc, n * (c + 1) // nc):
                part[c, offs[0] + codes[0, i]] += mu[i]
    dmax = 0.0
    for k in range(nfe):
        o = offs[k]
        for j in range(o, offs[k + 1]):
            t = part[0, j]
            for c in range(1, nc):
                t += part[c, j]
            ratio = ysum[j] / t
            lf = np.log(ratio)
            alpha[j] += lf
            a = abs(lf)
            if a > dmax:
                dmax = a
            s[j] = ratio  # = exp(lf) up to rounding, without a second call per level
        kn = k + 1 if k + 1 < nfe else 0
        o2 = offs[kn]
        for c in range(nc):
            part[c, o2 : offs[kn + 1]] = 0.0
            for i in range(n * c // nc, n * (c + 1) // nc):
                m = mu[i] * s[o + codes[k, i]]
                mu[i] = m
                part[c, o2 + codes[kn, i]] += m
    return dmax


@_nj
def _ipf_nb(mu, codes, offs, ysum, alpha, tol, nplain, ncycles, nc):  # type: ignore[no-untyped-def]  # pragma: no cover
    # nplain plain sweeps, then ncycles of (2 sweeps + Irons-Tuck on the log fixed effects),
    # the rows in nc chunks (see _ipf_sweep_nb); returns (sweeps, converged)
    nfe = codes.shape[0]
    n = mu.shape[0]
    m = offs[nfe]
    s = np.empty(m)
    part = np.empty((nc, m))
    it = 0
    for _ in range(nplain):
        it += 1
        if _ipf_sweep_nb(mu, codes, offs, ysum, alpha, s, part, it > 1) < tol:
            return it, True
    a0 = np.empty(m)
    a1 = np.empty(m)
    step = np.empty(m)
    for _ in range(ncycles):
        a0[:] = alpha
        it += 1
        if _ipf_sweep_nb(mu, codes, offs, ysum, alpha, s, part, it > 1) < tol:
            return it, True
        a1[:] = alpha
        it += 1
        if _ipf_sweep_nb(mu, codes, offs, ysum, alpha, s, part, True) < tol:
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
        for c in range(nc):
            part[c, offs[0] : offs[1]] = 0.0
            for i in range(n * c // nc, n * (c + 1) // nc):
                f = 1.0
                for k in range(nfe):
                    f *= step[offs[k] + codes[k, i]]
                mu[i] *= f
                part[c, offs[0] + codes[0, i]] += mu[i]
    return it, False


def demean_all(
    r: np.ndarray, w: np.ndarray, codes: np.ndarray, offs: np.ndarray, tol: np.ndarray, maxiter: int
) -> tuple[int, bool]:
    """Demean every column of ``r`` (n x p, Fortran order) in place on all fixed effects
    (weights ``w``, per-column tolerance ``tol``), two columns per pass
    (:mod:`kaigai.policy.hdfe_sweeps`); (sweeps, converged). One or two columns: the rows of
    each sweep in :func:`~kaigai.policy.threads.row_chunks` chunks (threads in the C
    kernels). Three or more columns with more than one CPU: the column pairs are shared out
    on the fit's thread pool instead (bit-identical to one thread: the same pairs, the same
    schedule)."""
    from kaigai.policy.hdfe_sweeps import demean_cols, inv_weights

    nc = threads.row_chunks(r.shape[0])
    inv = inv_weights(w, codes, offs, nc)
    groups = [np.arange(j, min(j + 2, r.shape[1])) for j in range(0, r.shape[1], 2)]
    if len(groups) == 1:
        return demean_cols(r, w, codes, offs, inv, tol, maxiter, nc)
    pool = threads.fit_pool() if r.shape[0] >= 20_000 else None
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
    nc = threads.row_chunks(mu.shape[0])
    it, ok = _ipf_nb(mu, codes, offs, ysum, alpha, tol, nplain, ncycles, nc)
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
