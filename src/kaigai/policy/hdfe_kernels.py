"""Compiled one-pass helpers around the fixed-effect sweeps (numba).

Each replaces a chain of numpy temporaries over the rows with a single loop: the
renumbering of fixed-effect codes on the estimation sample, the singleton / separation
visit of one fixed effect, the Gram matrix used by the collinearity check, the gradient and
Hessian of a Newton step and the cluster score sums. The
callers keep a numpy path for ``fast=False`` (and when numba is missing); both give the same
numbers to rounding.
"""

from __future__ import annotations

import numpy as np

from kaigai.policy.ppml_kernels import _nj, available

__all__ = ["available"]


@_nj
def remap_codes(c, idx, out):  # type: ignore[no-untyped-def]  # pragma: no cover
    """``out[r] = dense code of c[idx[r]]`` (levels numbered in sorted order of ``c``,
    absent levels dropped); returns the number of levels. ``idx`` empty: all rows."""
    n = idx.shape[0] if idx.shape[0] else c.shape[0]
    top = 0
    for r in range(n):
        v = c[idx[r]] if idx.shape[0] else c[r]
        if v > top:
            top = v
    lab = np.zeros(top + 1, dtype=np.int32)
    for r in range(n):
        lab[c[idx[r]] if idx.shape[0] else c[r]] = 1
    g = 0
    for j in range(top + 1):
        if lab[j]:
            lab[j] = g
            g += 1
    for r in range(n):
        out[r] = lab[c[idx[r]] if idx.shape[0] else c[r]]
    return g


@_nj
def drop_visit(c, size, pos, keep, reason, singletons, separation, r_single, r_sep):  # type: ignore[no-untyped-def]  # pragma: no cover
    """One visit of one fixed effect: drop kept rows alone in their level (``singletons``),
    then kept rows of levels without a positive outcome (``separation``); returns the counts.

    One pass counts the kept and the positive rows of each level; a second pass drops, only
    when some level must go. (Counting both before the singletons go gives the same drops:
    a singleton's level loses its only row, every other level keeps its counts.)"""
    n = c.shape[0]
    cnt = np.zeros(size, dtype=np.int64)
    npos = np.zeros(size, dtype=np.int64)
    for i in range(n):
        if keep[i]:
            cnt[c[i]] += 1
            if pos[i]:
                npos[c[i]] += 1
    some = False
    for g in range(size):
        if cnt[g] > 0 and ((singletons and cnt[g] == 1) or (separation and npos[g] == 0)):
            some = True
            break
    n_single = 0
    n_sep = 0
    if some:
        for i in range(n):
            if keep[i]:
                g = c[i]
                if singletons and cnt[g] == 1:
                    keep[i] = False
                    reason[i] = r_single
                    n_single += 1
                elif separation and npos[g] == 0:
                    keep[i] = False
                    reason[i] = r_sep
                    n_sep += 1
    return n_single, n_sep


@_nj
def gram(x, xt, w):  # type: ignore[no-untyped-def]  # pragma: no cover
    """``(base, G)``: weighted sums of squares of each column of ``x`` about its weighted mean
    (two passes) and the weighted Gram matrix ``xt' W xt`` of the demeaned columns."""
    n, p = x.shape
    sw = 0.0
    mean = np.zeros(p)
    for i in range(n):
        sw += w[i]
        for j in range(p):
            mean[j] += w[i] * x[i, j]
    for j in range(p):
        mean[j] = mean[j] / sw if sw > 0 else 0.0
    base = np.zeros(p)
    g = np.zeros((p, p))
    for i in range(n):
        for j in range(p):
            d = x[i, j] - mean[j]
            base[j] += w[i] * d * d
            a = w[i] * xt[i, j]
            for k in range(j + 1):
                g[j, k] += a * xt[i, k]
    for j in range(p):
        for k in range(j):
            g[k, j] = g[j, k]
    return base, g


@_nj
def _grad_hess_nb(xt, mu, y, nc):  # type: ignore[no-untyped-def]  # pragma: no cover
    """``(X~'(y - mu), X~' diag(mu) X~)``: one dot product per entry over the rows (columns
    of a Fortran-order ``xt`` are contiguous), each as four interleaved sums (rows 4t,
    4t + 1, ...: four independent chains of additions instead of one), added pairwise at the
    end; the rows in nc chunks whose sums are added in chunk order (the C twin runs the
    chunks on threads)."""
    n, p = xt.shape
    part = np.zeros((nc, p, p + 1))  # [c, j, p]: gradient j; [c, j, k]: Hessian (k <= j)
    for c in range(nc):
        lo = n * c // nc
        hi = n * (c + 1) // nc
        for j in range(p):
            a = xt[:, j]
            s0 = 0.0
            s1 = 0.0
            s2 = 0.0
            s3 = 0.0
            i = lo
            while i + 4 <= hi:
                s0 += a[i] * (y[i] - mu[i])
                s1 += a[i + 1] * (y[i + 1] - mu[i + 1])
                s2 += a[i + 2] * (y[i + 2] - mu[i + 2])
                s3 += a[i + 3] * (y[i + 3] - mu[i + 3])
                i += 4
            while i < hi:
                s0 += a[i] * (y[i] - mu[i])
                i += 1
            part[c, j, p] = (s0 + s1) + (s2 + s3)
            for k in range(j + 1):
                b = xt[:, k]
                s0 = 0.0
                s1 = 0.0
                s2 = 0.0
                s3 = 0.0
                i = lo
                while i + 4 <= hi:
                    s0 += a[i] * mu[i] * b[i]
                    s1 += a[i + 1] * mu[i + 1] * b[i + 1]
                    s2 += a[i + 2] * mu[i + 2] * b[i + 2]
                    s3 += a[i + 3] * mu[i + 3] * b[i + 3]
                    i += 4
                while i < hi:
                    s0 += a[i] * mu[i] * b[i]
                    i += 1
                part[c, j, k] = (s0 + s1) + (s2 + s3)
    g = np.zeros(p)
    h = np.zeros((p, p))
    for j in range(p):
        sg = part[0, j, p]
        for c in range(1, nc):
            sg += part[c, j, p]
        g[j] = sg
        for k in range(j + 1):
            sh = part[0, j, k]
            for c in range(1, nc):
                sh += part[c, j, k]
            h[j, k] = sh
            h[k, j] = sh
    return g, h


def grad_hess(xt: np.ndarray, mu: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(X~'(y - mu), X~' diag(mu) X~)`` (see :func:`_grad_hess_nb`), the rows in
    :func:`~kaigai.policy.threads.row_chunks` chunks."""
    from kaigai.policy import threads

    return _grad_hess_nb(xt, mu, y, threads.row_chunks(xt.shape[0]))  # type: ignore[no-any-return]


@_nj
def lin_index(xt, step, out):  # type: ignore[no-untyped-def]  # pragma: no cover
    """``out = X~ step``; returns ``max |out|``."""
    n, p = xt.shape
    big = 0.0
    for i in range(n):
        s = 0.0
        for j in range(p):
            s += xt[i, j] * step[j]
        out[i] = s
        if abs(s) > big:
            big = abs(s)
    return big


@_nj
def cluster_sums(xt, r, codes, g):  # type: ignore[no-untyped-def]  # pragma: no cover
    """Per-cluster sums of the scores ``xt[:, j] * r`` (g x p)."""
    n, p = xt.shape
    s = np.zeros((g, p))
    for i in range(n):
        c = codes[i]
        for j in range(p):
            s[c, j] += xt[i, j] * r[i]
    return s


@_nj
def nested_in(fc, nfe, cc):  # type: ignore[no-untyped-def]  # pragma: no cover
    """True if every level of ``fc`` (codes 0..nfe-1) lies inside one cluster of ``cc``."""
    first = np.full(nfe, -1, dtype=np.int64)
    for i in range(fc.shape[0]):
        f = fc[i]
        if first[f] < 0:
            first[f] = cc[i]
        elif first[f] != cc[i]:
            return False
    return True
