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

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from kaigai.policy import ppml_kernels as kernels
from kaigai.policy.demean import FixedEffects

if TYPE_CHECKING:
    import scipy.sparse as sp

KEPT, MISSING, SINGLETON, SEPARATED_FE, SEPARATED_IR = 0, 1, 2, 3, 4
REASONS = {
    MISSING: "missing",
    SINGLETON: "singleton",
    SEPARATED_FE: "separated_fe",
    SEPARATED_IR: "separated_ir",
}


def dropped_rows(index: Any, reason: np.ndarray) -> dict[str, Any]:
    """Row labels of the dropped rows by reason (one counting pass; a reason without rows
    gets an empty selection without a scan)."""
    present = np.bincount(reason, minlength=max(REASONS) + 1)
    return {
        name: index[reason == code] if present[code] else index[:0]
        for code, name in REASONS.items()
    }


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
    reason: np.ndarray | None = None,
    sizes: list[int] | None = None,
) -> np.ndarray:
    """Iterate until stable: drop singleton rows and rows of levels whose outcomes are all 0.

    ``keep`` is a boolean mask (updated copy returned); ``counts`` is updated in place and,
    if given, ``reason`` gets :data:`SINGLETON` / :data:`SEPARATED_FE` on the dropped rows.
    ``codes`` are -1 (or any negative code) only on rows not kept; ``sizes``, each fixed
    effect's number of levels, saves a pass over the codes when known.
    """
    keep = keep.copy()
    nfe = len(codes)
    if not nfe:
        return keep
    # the kernel packs a level's kept rows and (above them) its positive rows in one int64
    if kernels.available() and keep.size < 2**31:
        n_single, n_sep = _compiled_drops(y, codes, keep, singletons, fe_separation, reason, sizes)
        counts.singletons += n_single
        counts.separated_fe += n_sep
        return keep
    visit = _numpy_visit(y, codes, keep, singletons, fe_separation, reason)
    # visit the fixed effects cyclically; stable once nfe visits in a row changed nothing (a
    # visit leaves its own fixed effect stable: it drops whole levels, the others keep their
    # counts)
    k_fe, quiet = 0, 0
    while quiet < nfe:
        n_single, n_sep = visit(k_fe)
        k_fe = (k_fe + 1) % nfe
        quiet += 1
        if n_single or n_sep:
            counts.singletons += n_single
            counts.separated_fe += n_sep
            quiet = 1
    return keep


Visit = Callable[[int], tuple[int, int]]


def _compiled_drops(
    y: np.ndarray,
    codes: list[np.ndarray],
    keep: np.ndarray,
    singletons: bool,
    fe_separation: bool,
    reason: np.ndarray | None,
    sizes: list[int] | None,
) -> tuple[int, int]:
    """The visits of :func:`_numpy_visit` in one compiled call, each fixed effect's level
    counts kept between visits (``keep`` updated in place): singletons, separated rows."""
    from kaigai.policy import hdfe_kernels as hk

    cs = tuple(np.ascontiguousarray(c, dtype=np.int64) for c in codes)
    if sizes is None:
        sizes = [int(c.max()) + 1 if c.size else 0 for c in cs]
    why = reason if reason is not None else np.zeros(keep.size, dtype=np.int8)
    # the compiled loops do not check bounds: a wrong shape here would write past an array
    if len(sizes) != len(cs) or min(sizes, default=0) < 0:
        raise ValueError(f"sizes {list(sizes)} do not give a level count per fixed effect")
    if any(a.size != keep.size for a in (*cs, why, np.asarray(y))):
        raise ValueError("codes, y, keep and reason must have one entry per row")
    n_single, n_sep, visits = hk.drop_fe_levels(
        cs, np.array(sizes, dtype=np.int64), np.asarray(y, dtype=np.float64), keep, why,
        singletons, fe_separation, SINGLETON, SEPARATED_FE,
    )  # fmt: skip
    if visits == -2:  # checked by the kernel before it drops anything
        raise ValueError("a kept row has a fixed-effect code outside 0..sizes[k]-1")
    return int(n_single), int(n_sep)


def _numpy_visit(
    y: np.ndarray,
    codes: list[np.ndarray],
    keep: np.ndarray,
    singletons: bool,
    fe_separation: bool,
    reason: np.ndarray | None,
) -> Visit:
    """One visit of fixed effect ``k`` with numpy (no compiled kernels; ``keep`` updated in
    place): bincounts per level, recounted on every visit."""
    pos = (y > 0).astype(np.float64)
    safe = [np.maximum(c, 0) for c in codes]
    sizes = [int(c.max()) + 1 if c.size else 0 for c in codes]

    def visit(k: int) -> tuple[int, int]:
        c, cs, size = codes[k], safe[k], sizes[k]
        n_single = n_sep = 0
        if singletons:
            every = bool(keep.all())
            n_in = np.bincount(c if every else c[keep], minlength=size)
            single = keep & (n_in[cs] == 1)
            n_single = int(single.sum())
            if n_single:
                keep[single] = False
                if reason is not None:
                    reason[single] = SINGLETON
        if fe_separation:
            every = bool(keep.all())
            npos = (
                np.bincount(c, weights=pos, minlength=size)
                if every
                else np.bincount(c[keep], weights=pos[keep], minlength=size)
            )
            sep = keep & (npos[cs] == 0)
            n_sep = int(sep.sum())
            if n_sep:
                keep[sep] = False
                if reason is not None:
                    reason[sep] = SEPARATED_FE
        return n_single, n_sep

    return visit


def ir_separated(
    y: np.ndarray,
    x: np.ndarray,
    fe: FixedEffects,
    *,
    tol: float = 1e-4,
    zero_tol: float = 1e-8,
    maxiter: int = 100,
) -> tuple[np.ndarray, bool, int]:
    """Mask of IR-separated observations (all with ``y == 0``), convergence flag, iterations.

    The weighted least-squares fits are solved with LSMR on the sparse design
    ``[X, D_1, ..., D_K]`` (column-scaled, warm-started), which stays accurate under the
    extreme weights. Follows ppmlhdfe's ``relu`` method otherwise: weight ``M = 2**26`` (about eps**-1/2) on rows with
    ``y > 0`` and 1 on zero rows; regression tolerance ``tol**2``; a fitted value counts as
    zero inside ``[-0.1 delta, delta]`` with ``delta = tol + epsilon``. Stops when no fitted
    value on the zero rows is negative, or when no residual on the zero rows is negative
    (then no further separated row can be uncovered); rows stuck below zero for three
    iterations get a growing weight (acceleration).
    """
    import scipy.sparse as sp  # imported here: only the IR check needs it (slow import)
    from scipy.sparse.linalg import lsmr

    n = y.size
    zero = y == 0
    if not zero.any():
        return np.zeros(n, dtype=bool), True, 0
    big = float(np.ceil(np.finfo(float).eps ** -0.5))
    norm_b = float(np.max(np.abs(x[zero]).sum(axis=0))) if x.shape[1] else 0.0
    norm_i = float(np.max(np.abs(x[~zero]).sum(axis=0))) if x.shape[1] else 0.0
    ratio = max(norm_b / norm_i, 1.0) if norm_i > 0 else 1.0
    u = zero.astype(np.float64)
    accel_value = 1.0
    accel = np.zeros(n, dtype=bool)
    stuck = False
    hist_ratio: list[float] = []
    hist_cand: list[int] = []
    ee_cum = 0.0
    ee_boundary = float(u @ u)
    prev1: np.ndarray | None = None
    prev2: np.ndarray | None = None
    design = _design(x, fe)
    b: np.ndarray | None = None
    for it in range(1, maxiter + 1):
        w = np.where(zero, 1.0, big)
        if accel.any():
            w[accel] = accel_value
        sw = np.sqrt(w)
        aw = sp.diags(sw) @ design
        cn = np.sqrt(np.asarray(aw.multiply(aw).sum(axis=0)).ravel())
        cn[cn == 0] = 1.0
        x0 = None if b is None else b * cn
        sol = lsmr(
            aw @ sp.diags(1.0 / cn),
            u * sw,
            atol=tol**2,
            btol=tol**2,
            maxiter=20 * design.shape[1],
            x0=x0,
        )
        b = sol[0] / cn
        resid = u - design @ b
        uu = float(u @ u)
        epsilon = max(uu / big * ratio**2, 1e-8)
        delta = epsilon + tol
        xbd = u - resid
        ee = float(resid @ resid)
        ee_cum += 0.0 if it == 1 else 2 * ee
        n_cand = int(np.sum(xbd[zero] > delta))
        progress = 100.0 * ee_cum / ee_boundary if ee_boundary > 0 else 0.0
        if not stuck and it > 3 and len(hist_ratio) >= 2:
            stuck = (progress - hist_ratio[-2] < 1.0) and n_cand == hist_cand[-2]
        if stuck and prev1 is not None and prev2 is not None:
            accel = zero & (prev2 < 1.01 * prev1) & (prev1 < 1.01 * xbd) & (xbd < -0.1 * delta)
            accel_value = min(256.0, 4.0 * accel_value) if accel.any() else 1.0
        hist_ratio.append(progress)
        hist_cand.append(n_cand)
        prev2, prev1 = prev1, xbd.copy()
        xbd[~zero] = 0.0
        xbd[zero & (xbd >= -0.1 * delta) & (xbd <= delta)] = 0.0
        if np.all(xbd[zero] >= 0):
            return zero & (xbd > 0), True, it
        resid[np.abs(resid) < zero_tol] = 0.0
        if np.min(resid[zero]) >= 0:
            xbd[zero & (resid > delta)] = 0.0
            return zero & (xbd > 0), True, it
        u = np.where(zero, np.maximum(xbd, 0.0), 0.0)
    return np.zeros(n, dtype=bool), False, maxiter


def _design(x: np.ndarray, fe: FixedEffects) -> sp.csr_matrix:
    """Sparse ``[X, D_1, ..., D_K]`` (fixed-effect dummies, every level kept)."""
    import scipy.sparse as sp

    n = x.shape[0]
    rows = np.arange(n)
    blocks = [sp.csr_matrix(x)] if x.shape[1] else []
    for c, g in zip(fe.codes, fe.sizes, strict=True):
        blocks.append(sp.csr_matrix((np.ones(n), (rows, c)), shape=(n, g)))
    if not blocks:
        return sp.csr_matrix(np.ones((n, 1)))
    return sp.hstack(blocks, format="csr")
