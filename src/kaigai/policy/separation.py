"""Observations that carry no information or make the PPML estimate not exist.

* Singletons: an observation alone in a fixed-effect level (its fixed effect fits it
  exactly). Dropped by fixest, pyfixest and ppmlhdfe; dropping them does not change the
  estimates but does change the degrees of freedom.
* FE separation: every outcome in a fixed-effect level is zero; the level's fixed effect
  would go to minus infinity. Those observations are dropped.
* IR separation (Correia, Guimaraes & Zylkin 2019, "Verifying the existence of maximum
  likelihood estimates for generalized linear models", the ``ir`` method of ppmlhdfe):
  a linear combination ``z = X g + D a`` of regressors and fixed effects with ``z = 0``
  where ``y > 0`` and ``z >= 0`` where ``y = 0``; observations with ``z > 0`` are separated.
  Found by iterated rectified least squares: regress ``u`` on ``X`` and the fixed effects
  with weight 1 on zero-outcome rows and a large weight on positive rows; set
  ``u = max(fitted, 0)`` on the zero rows; stop when every fitted value on the zero rows is
  non-negative (up to a tolerance).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kaigai.policy.demean import FixedEffects, demean


@dataclass
class DropCounts:
    """How many observations were dropped and why (the ppmlhdfe report)."""

    missing: int = 0
    singletons: int = 0
    separated_fe: int = 0
    separated_ir: int = 0

    @property
    def separated(self) -> int:
        return self.separated_fe + self.separated_ir

    def to_dict(self) -> dict[str, int]:
        return {
            "missing": self.missing,
            "singletons": self.singletons,
            "separated": self.separated,
            "separated_fe": self.separated_fe,
            "separated_ir": self.separated_ir,
        }


def drop_singletons_and_fe_separated(
    y: np.ndarray,
    codes: list[np.ndarray],
    keep: np.ndarray,
    counts: DropCounts,
    *,
    singletons: bool = True,
    fe_separation: bool = True,
) -> np.ndarray:
    """Iterate until stable: drop singleton rows and rows of levels whose outcomes are all 0.

    ``keep`` is a boolean mask (updated copy returned); ``counts`` is updated in place.
    """
    keep = keep.copy()
    pos = (y > 0).astype(np.float64)
    changed = True
    while changed:
        changed = False
        for c in codes:
            size = c.max() + 1 if c.size else 0
            n_in = np.bincount(c[keep], minlength=size)
            if singletons:
                single = keep & (n_in[np.maximum(c, 0)] == 1)
                k = int(single.sum())
                if k:
                    keep &= ~single
                    counts.singletons += k
                    changed = True
            if fe_separation:
                npos = np.bincount(c[keep], weights=pos[keep], minlength=size)
                sep = keep & (npos[np.maximum(c, 0)] == 0)
                k = int(sep.sum())
                if k:
                    keep &= ~sep
                    counts.separated_fe += k
                    changed = True
    return keep


def ir_separated(
    y: np.ndarray,
    x: np.ndarray,
    fe: FixedEffects,
    *,
    tol: float = 1e-5,
    maxiter: int = 200,
    big_weight: float = 1e6,
) -> tuple[np.ndarray, bool]:
    """Mask of IR-separated observations (all with ``y == 0``) and whether the search converged.

    ``tol`` is the threshold below which a fitted ``z`` counts as zero (ppmlhdfe uses 1e-5
    as well); ``big_weight`` is the weight on rows with a positive outcome.
    """
    n = y.size
    zero = y == 0
    if not zero.any():
        return np.zeros(n, dtype=bool), True
    w = np.where(zero, 1.0, big_weight)
    u = zero.astype(np.float64)
    xt_prev: np.ndarray | None = None
    u_prev = u
    for _ in range(maxiter):
        mat = np.column_stack([u, x]) if x.size else u[:, None]
        init = None
        if xt_prev is not None:
            # warm start: same weights, so X~ is unchanged and M(u) = M(u~_prev + u - u_prev)
            init = xt_prev.copy()
            init[:, 0] += u - u_prev
        r, _, _ = demean(mat, w, fe, tol=1e-9, init=init)
        xt_prev = r
        u_prev = u
        ut, xt = r[:, 0], r[:, 1:]
        if xt.shape[1]:
            sw = np.sqrt(w)
            g, *_ = np.linalg.lstsq(xt * sw[:, None], ut * sw, rcond=1e-10)
            resid = ut - xt @ g
        else:
            resid = ut
        z = u - resid
        z[np.abs(z) < tol] = 0.0
        if np.all(z[zero] >= 0):
            sep = zero & (z > 0)
            return sep, True
        u = np.where(zero, np.maximum(z, 0.0), 0.0)
    return np.zeros(n, dtype=bool), False
