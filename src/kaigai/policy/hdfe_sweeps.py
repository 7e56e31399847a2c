"""Fused weighted demeaning: two regressor columns per pass over the fixed-effect codes.

A sweep over one column is latency-bound: rows of one level follow each other (the pair
fixed effect of a panel sorted by pair), so every scatter-add waits for the previous one.
Two columns in one pass share the reads of the codes and weights and interleave two
independent chains of additions; measured on the benchmark panel one two-column sweep costs
0.6 of two single-column sweeps. The first fixed effect's sums for the next sweep are
taken in the last pass of the previous one (K passes over the rows per sweep, not K + 1). Columns are taken in pairs (an odd last column alone, with
the single-column schedule of :mod:`kaigai.policy.ppml_kernels`).

Schedule per pair (as for one column, both columns in lockstep): 3 plain Gauss-Seidel
sweeps, then cycles of 2 sweeps and an Irons-Tuck extrapolation of the level means, each
column with its own coefficient; stop when both columns meet their tolerance.
"""

from __future__ import annotations

import numpy as np

from kaigai.policy.ppml_kernels import _demean_col_nb, _inv_weights_nb, _nj, _wsweep_nb

__all__ = ["demean_cols", "inv_weights"]

inv_weights = _inv_weights_nb


@_nj
def _wsweep2_nb(v, w, codes, offs, inv, s, dmax, part, have):  # type: ignore[no-untyped-def]  # pragma: no cover
    # one Gauss-Seidel sweep of weighted projections on the two columns of v (n, 2); s is
    # (levels, 2); dmax[j] becomes the largest absolute mean removed from column j.
    # The rows are split in nc = part.shape[0] chunks (chunk c: rows n * c // nc to
    # n * (c + 1) // nc; the C twin runs them on nc threads), each adding into its own
    # partial level sums part[c] (levels, 2), reduced in chunk order (one chunk: the plain
    # sums). The last pass takes the first fixed effect's sums for the next sweep: valid on
    # entry when ``have`` (K passes over the rows per sweep instead of K + 1)
    nfe = codes.shape[0]
    n = v.shape[0]
    nc = part.shape[0]
    if not have:
        for c in range(nc):
            part[c, offs[0] : offs[1]] = 0.0
            for i in range(n * c // nc, n * (c + 1) // nc):
                g = offs[0] + codes[0, i]
                wi = w[i]
                part[c, g, 0] += wi * v[i, 0]
                part[c, g, 1] += wi * v[i, 1]
    dmax[0] = 0.0
    dmax[1] = 0.0
    for k in range(nfe):
        o = offs[k]
        for g in range(o, offs[k + 1]):
            a = part[0, g, 0]
            b = part[0, g, 1]
            for c in range(1, nc):
                a += part[c, g, 0]
                b += part[c, g, 1]
            a = a * inv[g]
            b = b * inv[g]
            s[g, 0] = a
            s[g, 1] = b
            if abs(a) > dmax[0]:
                dmax[0] = abs(a)
            if abs(b) > dmax[1]:
                dmax[1] = abs(b)
        kn = k + 1 if k + 1 < nfe else 0
        o2 = offs[kn]
        for c in range(nc):
            part[c, o2 : offs[kn + 1]] = 0.0
            for i in range(n * c // nc, n * (c + 1) // nc):
                g = o + codes[k, i]
                g2 = o2 + codes[kn, i]
                wi = w[i]
                a = v[i, 0] - s[g, 0]
                b = v[i, 1] - s[g, 1]
                v[i, 0] = a
                v[i, 1] = b
                part[c, g2, 0] += wi * a
                part[c, g2, 1] += wi * b


@_nj
def _demean_pair_nb(v, w, codes, offs, inv, tol0, tol1, maxiter, nc):  # type: ignore[no-untyped-def]  # pragma: no cover
    nfe = codes.shape[0]
    n = v.shape[0]
    m = offs[nfe]
    s = np.empty((m, 2))
    part = np.empty((nc, m, 2))
    d = np.full(2, np.inf)
    if nfe == 1:
        _wsweep2_nb(v, w, codes, offs, inv, s, d, part, False)
        return 1, True
    it = 0
    while it < min(maxiter, 3):
        _wsweep2_nb(v, w, codes, offs, inv, s, d, part, it > 0)
        it += 1
        if d[0] < tol0 and d[1] < tol1:
            return it, True
    d1 = np.empty((m, 2))
    coef = np.zeros(2)
    while it < maxiter:
        _wsweep2_nb(v, w, codes, offs, inv, s, d, part, True)
        it += 1
        if (d[0] < tol0 and d[1] < tol1) or it >= maxiter:
            break
        d1[:] = s  # b1 - b0
        _wsweep2_nb(v, w, codes, offs, inv, s, d, part, True)
        it += 1
        if (d[0] < tol0 and d[1] < tol1) or it >= maxiter:
            break
        for j in range(2):
            num = 0.0
            den = 0.0
            for g in range(m):
                dd = s[g, j] - d1[g, j]  # (b2 - b1) - (b1 - b0)
                den += dd * dd
                num += s[g, j] * dd
            c = num / den if den > 0 else 0.0
            coef[j] = c if abs(c) < 1e6 else 0.0
        if coef[0] != 0.0 or coef[1] != 0.0:
            # b <- b2 - coef (b2 - b1), so v <- v + coef * D (b2 - b1); the first fixed
            # effect's sums for the next sweep are taken in the same pass
            for g in range(m):
                s[g, 0] *= coef[0]
                s[g, 1] *= coef[1]
            for c in range(nc):
                part[c, offs[0] : offs[1]] = 0.0
                for i in range(n * c // nc, n * (c + 1) // nc):
                    a = 0.0
                    b = 0.0
                    for k in range(nfe):
                        g = offs[k] + codes[k, i]
                        a += s[g, 0]
                        b += s[g, 1]
                    a += v[i, 0]
                    b += v[i, 1]
                    v[i, 0] = a
                    v[i, 1] = b
                    wi = w[i]
                    g2 = offs[0] + codes[0, i]
                    part[c, g2, 0] += wi * a
                    part[c, g2, 1] += wi * b
    return it, d[0] < tol0 and d[1] < tol1


@_nj
def _demean_cols_nb(r, w, codes, offs, inv, tol, maxiter, nc):  # type: ignore[no-untyped-def]  # pragma: no cover
    # r (n, p) Fortran order, demeaned in place: columns (0, 1), (2, 3), ... fused, an odd
    # last column alone; returns (most sweeps of any group, all converged)
    p = r.shape[1]
    sweeps = 0
    ok = True
    j = 0
    while j < p:
        if j + 1 < p:
            it, cj = _demean_pair_nb(
                r[:, j : j + 2], w, codes, offs, inv, tol[j], tol[j + 1], maxiter, nc
            )
            j += 2
        else:
            col = r[:, j]
            if codes.shape[0] == 1:
                s = np.empty(offs[1])
                _wsweep_nb(col, w, codes, offs, inv, s)
                it, cj = 1, True
            else:
                it, cj = _demean_col_nb(col, w, codes, offs, inv, tol[j], maxiter)
            j += 1
        sweeps = max(sweeps, it)
        ok = ok and cj
    return sweeps, ok


def demean_cols(
    r: np.ndarray,
    w: np.ndarray,
    codes: np.ndarray,
    offs: np.ndarray,
    inv: np.ndarray,
    tol: np.ndarray,
    maxiter: int,
    nc: int = 1,
) -> tuple[int, bool]:
    """Demean the columns of ``r`` (n x p, Fortran order) in place, two per pass (``inv``:
    1 / level totals of ``w``, from :func:`inv_weights`), the rows of a pair's sweeps in
    ``nc`` chunks (:func:`kaigai.policy.threads.row_chunks`); (sweeps, converged)."""
    it, ok = _demean_cols_nb(r, w, codes, offs, inv, tol, maxiter, nc)
    return int(it), bool(ok)
