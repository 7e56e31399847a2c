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

import numpy as np

from kaigai.policy import ppml_kernels as kernels


@dataclass
class FixedEffects:
    """Fixed-effect level codes on the estimation sample (``fast``: use compiled kernels)."""

    codes: list[np.ndarray]
    sizes: list[int]
    fast: bool = True

    @classmethod
    def from_codes(cls, codes: list[np.ndarray], fast: bool = True) -> FixedEffects:
        """Re-number codes to ``0..G-1`` (levels without observations disappear)."""
        out, sizes = [], []
        for c in codes:
            present = np.zeros(int(c.max()) + 1 if c.size else 0, dtype=bool)
            present[c] = True
            new = np.cumsum(present) - 1
            out.append(new[c].astype(np.intp))
            sizes.append(int(present.sum()))
        return cls(out, sizes, fast=fast and kernels.available())

    @property
    def k(self) -> int:
        return len(self.codes)

    def group_sums(self, k: int, v: np.ndarray) -> np.ndarray:
        return np.bincount(self.codes[k], weights=v, minlength=self.sizes[k])


def demean(
    x: np.ndarray,
    w: np.ndarray,
    fe: FixedEffects,
    *,
    tol: float = 1e-10,
    maxiter: int = 10_000,
    init: np.ndarray | None = None,
) -> tuple[np.ndarray, int, bool]:
    """Weighted within transformation of the columns of ``x`` (2-D) on all fixed effects.

    Returns ``(x_tilde, sweeps, converged)``. Convergence: in one sweep, the largest mean
    removed from every column is below ``tol`` times (1 + the column's largest |x|).
    """
    r = np.array(x if init is None else init, dtype=np.float64, order="C", copy=True)
    if fe.k == 0 or r.shape[1] == 0:
        return r, 0, True
    inv = []
    for k in range(fe.k):
        s = fe.group_sums(k, w)
        inv.append(np.where(s > 0, 1.0 / np.where(s > 0, s, 1.0), 0.0))
    tol_j = tol * (1.0 + np.max(np.abs(x), axis=0))

    def sweep(v: np.ndarray) -> np.ndarray:
        d = np.zeros(v.shape[1])
        for k in range(fe.k):
            d = np.maximum(d, kernels.demean_step(v, w, fe.codes[k], inv[k], fe.sizes[k], fe.fast))
        return d

    if fe.k == 1:
        sweep(r)
        return r, 1, True
    it = 0
    while True:
        x0 = r.copy()
        d = sweep(r)
        it += 1
        if np.all(d < tol_j) or it >= maxiter:
            break
        x1 = r.copy()
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
        coef = np.where((coef > 0) & (coef < 1e6), coef, 0.0)
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
    total equals its observed total (max |log ratio| < ``tol``). Returns (sweeps, converged)."""
    if fe.k == 0:
        return 0, True
    for it in range(1, maxiter + 1):
        dmax = 0.0
        for k in range(fe.k):
            lf = kernels.ipf_step(mu, fe.codes[k], y_sums[k], fe.sizes[k], fe.fast)
            alpha[k] += lf
            dmax = max(dmax, float(np.max(np.abs(lf))))
        if dmax < tol:
            return it, True
    return maxiter, False
