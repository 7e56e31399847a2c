"""Fixed-effect algebra for PPML: weighted alternating projections and Poisson IPF.

Both work on integer level codes (one array per fixed effect, values ``0..G_k-1``) with
``np.bincount`` scatters and fancy-index gathers, so every sweep costs O(n * K).

* :func:`demean` returns ``M_w X``, the residual of the weighted least-squares projection of
  each column of ``X`` on all fixed effects (Gauss-Seidel alternating projections, with
  Irons-Tuck extrapolation every third sweep, as in fixest). ``init`` may be any matrix
  that differs from ``X`` by an element of the fixed-effect span (e.g. the result for other
  weights): the projection residual is the same, and convergence is much faster. This is
  the warm start used across Newton iterations.
* :func:`ipf` solves the Poisson fixed-effect first-order conditions
  ``sum_{i in g} mu_i = sum_{i in g} y_i`` for every level ``g`` given the regressors'
  contribution, by iterative proportional fitting (each update is the exact maximiser of
  the likelihood in one fixed effect).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from kaigai.policy import ppml_kernels as kernels


@dataclass
class FixedEffects:
    """Fixed-effect level codes on the estimation sample (``fast``: use compiled kernels)."""

    codes: list[np.ndarray]
    sizes: list[int]
    fast: bool = True

    @classmethod
    def from_codes(
        cls, codes: list[np.ndarray], fast: bool = True, idx: np.ndarray | None = None
    ) -> FixedEffects:
        """Re-number codes (of the rows ``idx``, default all) to ``0..G-1`` in sorted order
        (levels without observations disappear)."""
        fast = fast and kernels.available()
        if fast and codes:
            from kaigai.policy import hdfe_kernels as hk

            sel = np.empty(0, dtype=np.intp) if idx is None else np.asarray(idx, dtype=np.intp)
            n = codes[0].size if idx is None else sel.size
            c2 = np.empty((len(codes), n), dtype=np.int32)
            sizes = [int(hk.remap_codes(c, sel, c2[k])) if n else 0 for k, c in enumerate(codes)]
            fe = cls(list(c2), sizes, fast=True)
            fe.__dict__["codes2d"] = c2
            return fe
        if idx is not None:
            codes = [c[idx] for c in codes]
        out, sizes = [], []
        for c in codes:
            present = np.zeros(int(c.max()) + 1 if c.size else 0, dtype=bool)
            present[c] = True
            new = np.cumsum(present) - 1
            out.append(new[c].astype(np.intp))
            sizes.append(int(present.sum()))
        return cls(out, sizes, fast=fast)

    @property
    def k(self) -> int:
        return len(self.codes)

    @cached_property
    def codes2d(self) -> np.ndarray:
        """All codes as one (K, n) int32 array (the compiled kernels' layout)."""
        n = self.codes[0].size if self.codes else 0
        out = np.empty((self.k, n), dtype=np.int32)
        for k, c in enumerate(self.codes):
            out[k] = c
        return out

    @cached_property
    def offsets(self) -> np.ndarray:
        """Start of each fixed effect's levels in concatenated per-level arrays (K + 1)."""
        return np.cumsum([0, *self.sizes]).astype(np.int64)

    def group_sums(self, k: int, v: np.ndarray) -> np.ndarray:
        return np.bincount(self.codes[k], weights=v, minlength=self.sizes[k])


def col_absmax(x: np.ndarray) -> np.ndarray:
    """Largest |x| of each column of ``x`` (2-D)."""
    # column by column: an axis-0 reduction over a C-ordered (n, p) array is ~15x slower
    return np.array([np.max(np.abs(x[:, j])) if x.shape[0] else 0.0 for j in range(x.shape[1])])


# plain IPF sweeps before Irons-Tuck extrapolation starts (warm starts rarely need more)
IPF_PLAIN = 2


def demean(
    x: np.ndarray,
    w: np.ndarray,
    fe: FixedEffects,
    *,
    tol: float = 1e-10,
    maxiter: int = 10_000,
    init: np.ndarray | None = None,
    xmax: np.ndarray | None = None,
    inplace: bool = False,
) -> tuple[np.ndarray, int, bool]:
    """Weighted within transformation of the columns of ``x`` (2-D) on all fixed effects.

    Returns ``(x_tilde, sweeps, converged)``. Convergence: in one sweep, the largest mean
    removed from every column is below ``tol`` times (1 + the column's largest |x|);
    ``xmax`` may pass those largest |x| (see :func:`col_absmax`) when ``x`` is demeaned often.
    ``inplace``: ``init`` (Fortran-ordered float64) may be overwritten (saves a copy).
    """
    src = x if init is None else init
    if inplace and init is not None and init.dtype == np.float64 and init.flags.f_contiguous:
        r = init
    else:
        r = np.array(src, dtype=np.float64, order="F", copy=True)
    if fe.k == 0 or r.shape[1] == 0:
        return r, 0, True
    tol_j = tol * (1.0 + (col_absmax(x) if xmax is None else xmax))
    if fe.fast:  # the same schedule, column by column, in one compiled call
        sweeps, ok = kernels.demean_all(
            r, np.ascontiguousarray(w, dtype=np.float64), fe.codes2d, fe.offsets, tol_j, maxiter
        )
        return r, sweeps, ok
    inv = []
    for k in range(fe.k):
        s = fe.group_sums(k, w)
        inv.append(np.where(s > 0, 1.0 / np.where(s > 0, s, 1.0), 0.0))

    def sweep(v: np.ndarray) -> np.ndarray:
        d = np.zeros(v.shape[1])
        for k in range(fe.k):
            d = np.maximum(d, kernels.demean_step(v, w, fe.codes[k], inv[k], fe.sizes[k]))
        return d

    if fe.k == 1:
        sweep(r)
        return r, 1, True
    it = 0
    d = np.full(r.shape[1], np.inf)
    # plain sweeps first (warm starts often converge in one or two)
    while it < min(maxiter, 3):
        d = sweep(r)
        it += 1
        if np.all(d < tol_j):
            return r, it, True
    while it < maxiter:
        x0 = r.copy(order="K")
        d = sweep(r)
        it += 1
        if np.all(d < tol_j) or it >= maxiter:
            break
        x1 = r.copy(order="K")
        d = sweep(r)
        it += 1
        if np.all(d < tol_j) or it >= maxiter:
            break
        # Irons-Tuck extrapolation per column: x0 -> x1 -> x2 = r
        dx = r - x1
        ddx = dx - (x1 - x0)
        wd = w[:, None] * ddx
        den = np.einsum("ij,ij->j", ddx, wd)
        num = np.einsum("ij,ij->j", dx, wd)
        coef = np.where(den > 0, num / np.where(den > 0, den, 1.0), 0.0)
        coef = np.where(np.abs(coef) < 1e6, coef, 0.0)
        r -= dx * coef
    return r, it, bool(np.all(d < tol_j))


def ipf(
    mu: np.ndarray,
    y_sums: list[np.ndarray],
    fe: FixedEffects,
    alpha: list[np.ndarray],
    *,
    tol: float = 1e-12,
    maxiter: int = 10_000,
) -> tuple[int, bool]:
    """Update ``mu`` (in place) and the log fixed effects ``alpha`` until every level's fitted
    total equals its observed total (max |log ratio| < ``tol``). Returns (sweeps, converged).

    Plain IPF is Gauss-Seidel coordinate ascent and can crawl when the fixed effects are
    nearly collinear; as fixest does for its Poisson fixed effects, every third sweep is an
    Irons-Tuck extrapolation of the log fixed effects (``x2 - c (x2 - x1)``).
    """
    if fe.k == 0:
        return 0, True
    if fe.fast:
        return _ipf_fused(mu, y_sums, fe, alpha, tol, maxiter)

    def sweep() -> float:
        dmax = 0.0
        for k in range(fe.k):
            lf = kernels.ipf_step(mu, fe.codes[k], y_sums[k], fe.sizes[k])
            alpha[k] += lf
            dmax = max(dmax, float(np.max(np.abs(lf))))
        return dmax

    it = 0
    since_newton = 0
    # plain sweeps first: benign problems converge before acceleration pays off
    while it < min(maxiter, IPF_PLAIN):
        it += 1
        if sweep() < tol:
            return it, True
    while it < maxiter:
        if since_newton >= 30:
            # crawling: a Newton step on the fixed effects, solved by preconditioned CG
            since_newton = 0
            _newton_fe_step(mu, y_sums, fe, alpha)
        since_newton += 2
        a0 = np.concatenate(alpha)
        it += 1
        if sweep() < tol:
            return it, True
        a1 = np.concatenate(alpha)
        it += 1
        if sweep() < tol:
            return it, True
        a2 = np.concatenate(alpha)
        d2 = a2 - a1
        dd = d2 - (a1 - a0)
        den = float(dd @ dd)
        if den <= 0:
            continue
        coef = float(d2 @ dd) / den
        step = -coef * d2
        # skip wild extrapolations (they could under/overflow mu and break mu = exp(eta))
        if not np.isfinite(coef) or coef == 0 or float(np.max(np.abs(step))) > 3.0:
            continue
        shift = np.zeros(mu.size)
        pos = 0
        for k in range(fe.k):
            g = fe.sizes[k]
            alpha[k] += step[pos : pos + g]
            shift += step[pos : pos + g][fe.codes[k]]
            pos += g
        mu *= np.exp(shift)
    return it, False


def _ipf_fused(
    mu: np.ndarray,
    y_sums: list[np.ndarray],
    fe: FixedEffects,
    alpha: list[np.ndarray],
    tol: float,
    maxiter: int,
) -> tuple[int, bool]:
    """:func:`ipf` with the sweeps and extrapolations compiled (same schedule: IPF_PLAIN plain
    sweeps, then Irons-Tuck cycles with a Newton-CG step every 15 cycles)."""
    offs = fe.offsets
    a = np.concatenate(alpha)
    ys = np.concatenate(y_sums)

    def put_back() -> None:
        for k in range(fe.k):
            alpha[k][:] = a[offs[k] : offs[k + 1]]

    it, ok = kernels.ipf_fused(mu, fe.codes2d, offs, ys, a, tol, min(maxiter, IPF_PLAIN), 0)
    while not ok and it < maxiter:
        cycles = max(1, min(15, (maxiter - it + 1) // 2))
        n_it, ok = kernels.ipf_fused(mu, fe.codes2d, offs, ys, a, tol, 0, cycles)
        it += n_it
        if not ok and it < maxiter:
            put_back()
            _newton_fe_step(mu, y_sums, fe, alpha)
            a = np.concatenate(alpha)
    put_back()
    return it, ok


def _newton_fe_step(
    mu: np.ndarray, y_sums: list[np.ndarray], fe: FixedEffects, alpha: list[np.ndarray]
) -> None:
    """One Newton step for all log fixed effects at once: solve ``(D'WD) d = D'(y - mu)``
    (``W = diag(mu)``) by conjugate gradients with the diagonal (level totals of ``mu``) as
    preconditioner, then ``mu *= exp(D d)`` with step halving on the deviance."""
    sizes = fe.sizes
    offs = np.cumsum([0, *sizes])
    diag = np.concatenate([fe.group_sums(k, mu) for k in range(fe.k)])
    rhs = np.concatenate([y_sums[k] - fe.group_sums(k, mu) for k in range(fe.k)])
    pinv = np.where(diag > 0, 1.0 / np.where(diag > 0, diag, 1.0), 0.0)

    def expand(v: np.ndarray) -> np.ndarray:
        out = np.zeros(mu.size)
        for k in range(fe.k):
            out += v[offs[k] : offs[k + 1]][fe.codes[k]]
        return out

    # A tiny ridge keeps CG off the null space of D'WD (the redundant fixed-effect
    # directions), where rounding in the right-hand side would otherwise accumulate.
    ridge = 1e-9 * diag

    def op(v: np.ndarray) -> np.ndarray:
        e = mu * expand(v)
        return np.concatenate([fe.group_sums(k, e) for k in range(fe.k)]) + ridge * v

    d = np.zeros_like(rhs)
    r = rhs.copy()
    z = pinv * r
    p = z.copy()
    rz = float(r @ z)
    r0 = np.sqrt(rz)
    for _ in range(300):
        q = op(p)
        pq = float(p @ q)
        if pq <= 0:
            break
        a = rz / pq
        d += a * p
        r -= a * q
        z = pinv * r
        rz_new = float(r @ z)
        if np.sqrt(max(rz_new, 0.0)) < 1e-10 * r0:
            break
        p = z + (rz_new / rz) * p
        rz = rz_new
    shift = expand(d)
    big = float(np.max(np.abs(shift))) if shift.size else 0.0
    t = min(1.0, 3.0 / big) if big > 0 else 1.0
    ll0 = _fe_loglik(mu, y_sums, fe, alpha)
    for _ in range(20):
        mu_new = mu * np.exp(t * shift)
        alpha_new = [alpha[k] + t * d[offs[k] : offs[k + 1]] for k in range(fe.k)]
        if _fe_loglik(mu_new, y_sums, fe, alpha_new) >= ll0:
            mu[:] = mu_new
            for k in range(fe.k):
                alpha[k][:] = alpha_new[k]
            return
        t *= 0.5


def _fe_loglik(
    mu: np.ndarray, y_sums: list[np.ndarray], fe: FixedEffects, alpha: list[np.ndarray]
) -> float:
    """Poisson log-likelihood up to terms constant in the fixed effects:
    ``sum_k sum_g Y_g alpha_g - sum_i mu_i`` (plus ``sum y x b``, unchanged here)."""
    return float(sum(y_sums[k] @ alpha[k] for k in range(fe.k)) - mu.sum())
