"""Compiled one-pass helpers around the fixed-effect sweeps (numba).

Each replaces a chain of numpy temporaries over the rows with a single loop: the
renumbering of fixed-effect codes on the estimation sample, the singleton / separation
check of the fixed effects, the Gram matrix used by the collinearity check, the gradient and
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
def drop_fe_levels(codes, sizes, y, keep, reason, singletons, separation, r_single, r_sep):  # type: ignore[no-untyped-def]  # pragma: no cover
    """Drop kept rows alone in their level (``singletons``) and kept rows of levels without a
    positive outcome (``separation``) until stable; returns ``(n_single, n_sep, visits)``.

    ``codes``: a tuple of K int64 code arrays with ``sizes[k]`` levels (fewer than 2**31
    rows); only kept rows' codes are read, and when one lies outside ``0..sizes[k]-1``
    nothing changes and visits is -2. One pass over the rows (per three fixed effects)
    counts the kept and the positive kept rows of every level, packed in one integer
    (kept + 2**32 positive). The fixed effects are then visited cyclically, stable once K
    visits in a row dropped nothing: a visit flags its levels first (one kept row:
    singleton, else no positive one: separated) and, when some level is flagged, one pass
    drops their kept rows and takes each out of its level's counts in every fixed effect."""
    nfe = len(codes)
    n = keep.shape[0]
    low = (1 << 32) - 1  # the kept rows' part of a count
    one_pos = (1 << 32) + 1  # a positive row's increment
    offs = np.zeros(nfe + 1, dtype=np.int64)
    top = 1
    for k in range(nfe):
        offs[k + 1] = offs[k] + sizes[k]
        top = max(top, sizes[k])
    cnt = np.zeros(offs[nfe] + 1, dtype=np.int64)
    for k0 in range(0, nfe, 3):  # up to three fixed effects per pass, unrolled
        kk = min(3, nfe - k0)
        j1 = k0 + 1 if kk > 1 else k0
        j2 = k0 + 2 if kk > 2 else k0
        c0, s0, o0 = codes[k0], sizes[k0], offs[k0]
        c1, s1, o1 = codes[j1], sizes[j1], offs[j1]
        c2, s2, o2 = codes[j2], sizes[j2], offs[j2]
        bad = False
        if kk == 3:
            for i in range(n):
                if keep[i]:
                    inc = one_pos if y[i] > 0 else 1
                    g0, g1, g2 = c0[i], c1[i], c2[i]
                    if g0 < 0 or g0 >= s0 or g1 < 0 or g1 >= s1 or g2 < 0 or g2 >= s2:
                        bad = True
                        break
                    cnt[o0 + g0] += inc
                    cnt[o1 + g1] += inc
                    cnt[o2 + g2] += inc
        else:
            for i in range(n):
                if keep[i]:
                    inc = one_pos if y[i] > 0 else 1
                    g0, g1 = c0[i], c1[i]
                    if g0 < 0 or g0 >= s0 or g1 < 0 or g1 >= s1:
                        bad = True
                        break
                    cnt[o0 + g0] += inc
                    if kk > 1:
                        cnt[o1 + g1] += inc
        if bad:
            return 0, 0, -2
    flag = np.zeros(top, dtype=np.int8)  # 1: singleton level, 2: separated level
    n_single = 0
    n_sep = 0
    visits = 0
    k = 0
    quiet = 0
    while quiet < nfe:
        visits += 1
        quiet += 1
        o = offs[k]
        some = False
        for g in range(sizes[k]):
            f = 0
            t = cnt[o + g]
            if t & low:
                if singletons and (t & low) == 1:
                    f = 1
                elif separation and (t >> 32) == 0:
                    f = 2
            flag[g] = f
            if f:
                some = True
        if some:
            c = codes[k]
            for i in range(n):
                if keep[i] and flag[c[i]]:
                    keep[i] = False
                    if flag[c[i]] == 1:
                        reason[i] = r_single
                        n_single += 1
                    else:
                        reason[i] = r_sep
                        n_sep += 1
                    inc = one_pos if y[i] > 0 else 1
                    for j in range(nfe):
                        cnt[offs[j] + codes[j][i]] -= inc
            quiet = 1
        k = (k + 1) % nfe
    return n_single, n_sep, visits


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
