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


@dataclass
class FixedEffects:
    """Fixed-effect level codes on the estimation sample."""

    codes: list[np.ndarray]
    sizes: list[int]

    @classmethod
    def from_codes(cls, codes: list[np.ndarray]) -> FixedEffects:
        """Re-number codes to ``0..G-1`` (levels without observations disappear)."""
        out, sizes = [], []
        for c in codes:
            u, inv = np.unique(c, return_inverse=True)
            out.append(inv.astype(np.intp))
            sizes.append(len(u))
        return cls(out, sizes)

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

    Returns ``(x_tilde, sweeps, converged)``. Convergence: the largest mean removed in a
    sweep is below ``tol`` times (1 + the column's largest absolute value).
    """
    r = np.array(x if init is None else init, dtype=np.float64, order="F", copy=True)
    if fe.k == 0:
        return r, 0, True
    wsum = [fe.group_sums(k, w) for k in range(fe.k)]
    inv = [np.where(s > 0, 1.0 / np.where(s > 0, s, 1.0), 0.0) for s in wsum]
    scale = 1.0 + np.max(np.abs(x), axis=0) if x.size else np.ones(x.shape[1])
    active = list(range(r.shape[1]))
    sweeps = 0
    converged = True

    def sweep(v: np.ndarray) -> float:
        dmax = 0.0
        for k in range(fe.k):
            c = fe.codes[k]
            m = np.bincount(c, weights=w * v, minlength=fe.sizes[k]) * inv[k]
            v -= m[c]
            dmax = max(dmax, float(np.max(np.abs(m))) if m.size else 0.0)
        return dmax

    for j in list(active):
        v = r[:, j]
        tol_j = tol * scale[j]
        it = 0
        if fe.k == 1:
            sweep(v)
            it = 1
        else:
            while True:
                x0 = v.copy()
                d = sweep(v)
                it += 1
                if d < tol_j or it >= maxiter:
                    break
                x1 = v.copy()
                d = sweep(v)
                it += 1
                if d < tol_j or it >= maxiter:
                    break
                # Irons-Tuck: x0 -> x1 -> x2=v ; extrapolate.
                dx = v - x1
                ddx = dx - (x1 - x0)
                den = float(np.dot(ddx, w * ddx))
                if den > 0:
                    coef = float(np.dot(dx, w * ddx)) / den
                    if 0 < coef < 1e6:
                        v -= coef * dx
            if d >= tol_j:
                converged = False
        sweeps = max(sweeps, it)
    return r, sweeps, converged


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
            c = fe.codes[k]
            m = np.bincount(c, weights=mu, minlength=fe.sizes[k])
            lf = np.log(y_sums[k] / m)
            mu *= np.exp(lf)[c]
            alpha[k] += lf
            dmax = max(dmax, float(np.max(np.abs(lf))))
        if dmax < tol:
            return it, True
    return maxiter, False
