"""PPML (Poisson pseudo-maximum likelihood) with high-dimensional fixed effects.

``fepois(data, "trade ~ ln_dist + cntg + rta | exp_year + imp_year + pair", vcov={"CRV1": "pair"})``

Pipeline: parse the formula; drop rows with missing values; reject negative outcomes;
drop singletons and FE-separated rows, then IR-separated rows (repeat until stable, see
:mod:`kaigai.policy.separation`); drop regressors collinear with the fixed effects or with
earlier regressors; fit by Newton on the concentrated likelihood
(:mod:`kaigai.policy.ppml_solver`); sandwich covariance (:mod:`kaigai.policy.vcov`).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from kaigai.core.errors import EstimationError
from kaigai.policy import ppml_kernels as kernels
from kaigai.policy.demean import FixedEffects, col_absmax, demean
from kaigai.policy.ppml_solver import (
    absorb_residual_fe,
    deviance_of_sums,
    grad_hess,
    poisson_deviance,
    solve_ppml,
)
from kaigai.policy.results import PPMLResult
from kaigai.policy.sample import collinear, model_data, recover_fixef, take_rows, vcov_label
from kaigai.policy.separation import (
    SEPARATED_IR,
    drop_singletons_and_fe_separated,
    dropped_rows,
    ir_separated,
)
from kaigai.policy.threads import one_thread_pool
from kaigai.policy.vcov import SMALL_SAMPLE, sandwich

if TYPE_CHECKING:  # a Columns table is estimated without importing pandas
    import pandas as pd

    from kaigai.policy.columns import Columns

# demeaning tolerance of X~ for the covariance (see fepois)
COV_DEMEAN_TOL = 1e-8


@one_thread_pool
def fepois(
    data: pd.DataFrame | Columns,
    formula: str,
    vcov: str | dict[str, str] = "hetero",
    *,
    tol: float = 1e-10,
    maxiter: int = 100,
    separation: Sequence[str] = ("fe", "ir"),
    small_sample: str = "fixest",
    singletons: bool = True,
    fixef_tol: float = 1e-10,
    backend: str = "auto",
    weights: str | None = None,
    offset: str | None = None,
) -> PPMLResult:
    """Estimate a Poisson pseudo-maximum-likelihood model with fixed effects.

    Parameters
    ----------
    data : one row per observation: a pandas DataFrame, or :class:`~kaigai.policy.columns.Columns`
        (numpy columns; then ``obs_index`` and ``dropped_rows`` hold row positions).
    formula : ``"y ~ x1 + x2 | fe1 + fe2 + a^b"`` (see :mod:`kaigai.policy.formula`).
    vcov : ``"hetero"`` or ``{"CRV1": "pair"}`` / ``{"CRV1": "exporter+importer"}``.
    tol : convergence tolerance on the relative deviance change (the coefficient step must
        also be below 1e-9 relative).
    maxiter : Newton iterations before :class:`NonConvergenceError`.
    separation : ``"fe"`` drops rows of fixed-effect levels with only zero outcomes;
        ``"ir"`` runs the iterated-rectifier check of Correia, Guimaraes & Zylkin (2019).
    small_sample : ``"fixest"`` (pyfixest/fixest defaults), ``"ppmlhdfe"`` (Stata) or ``"none"``.
    singletons : drop observations alone in a fixed-effect level.
    fixef_tol : tolerance of the fixed-effect solver (max |log ratio| of fitted to observed
        level totals).
    backend : ``"auto"`` (numba kernels when installed), ``"numba"`` or ``"numpy"``.
    weights : column of observation weights (the likelihood is ``sum w (y log mu - mu)``;
        pyfixest's ``aweights``: N counts observations). Rows with weight 0 are dropped.
    offset : column added to the linear index with coefficient 1 (e.g. log exposure).

    Raises
    ------
    EstimationError : missing columns, negative outcomes, nothing left to estimate.
    NonConvergenceError : the iterations did not converge.
    """
    if small_sample not in SMALL_SAMPLE:
        raise EstimationError(
            f"unknown small_sample {small_sample!r}", hint=f"use one of {', '.join(SMALL_SAMPLE)}"
        )
    if backend not in ("auto", "numba", "numpy"):
        raise EstimationError(f"unknown backend {backend!r}", hint="use 'auto', 'numba' or 'numpy'")
    if backend == "numba" and not kernels.available():
        raise EstimationError(
            "backend='numba' was asked for but numba is not installed", hint="pip install numba"
        )
    fast = backend != "numpy"
    unknown = set(separation) - {"fe", "ir"}
    if unknown:
        raise EstimationError(
            f"unknown separation method(s) {sorted(unknown)}", hint="use 'fe' and/or 'ir'"
        )
    md = model_data(data, formula, vcov, weights=weights, offset=offset, nonnegative=True)
    f, y, x, names, codes, levels = md.f, md.y, md.x, md.names, md.codes, md.levels
    counts, keep, reason, trace = md.counts, md.keep, md.reason, md.trace
    if f.fixef and "fe" not in separation:
        _check_no_zero_groups(y, codes, keep)
    t_sep = time.perf_counter()
    while True:
        if f.fixef:
            keep = drop_singletons_and_fe_separated(
                y, codes, keep, counts, singletons=singletons, reason=reason,
                sizes=[len(lv) for lv in levels],
            )  # fmt: skip
        if "ir" not in separation or not keep.any():
            break
        idx = np.flatnonzero(keep)
        fe_ir = FixedEffects.from_codes(codes, fast=fast, idx=idx)
        sep, ok, ir_iter = ir_separated(y[idx], _usable(x[idx]) if f.fixef else x[idx], fe_ir)
        if not ok:
            trace.append(
                f"IR separation check did not converge in {ir_iter} iterations; no rows dropped by it"
            )
        if not sep.any():
            break
        keep[idx[sep]] = False
        reason[idx[sep]] = SEPARATED_IR
        counts.separated_ir += int(sep.sum())
    if counts.singletons:
        trace.append(f"dropped {counts.singletons} singleton observation(s)")
    if counts.separated:
        trace.append(
            f"dropped {counts.separated} separated observation(s) "
            f"({counts.separated_fe} by fixed effects, {counts.separated_ir} by the IR check)"
        )
    t_sep = time.perf_counter() - t_sep
    t_fit = time.perf_counter()
    idx = np.flatnonzero(keep)
    if idx.size == 0:
        raise EstimationError(
            "no observations left after dropping missing, singleton and separated rows",
            hint="check the outcome (all zero?) and the fixed effects",
            dropped=counts.to_dict(),
        )
    yk = y[idx]
    if not (yk > 0).any():
        raise EstimationError("every remaining outcome is zero; the model cannot be estimated")
    fe = FixedEffects.from_codes(codes, fast=fast, idx=idx)
    xk = take_rows(x, idx)
    xmax = col_absmax(xk)
    kept_cols, dropped_cols, xt0 = collinear(xk, fe, names, xmax=xmax)
    if dropped_cols:
        trace.append(f"dropped collinear regressor(s): {', '.join(dropped_cols)}")
    if not kept_cols and names:
        raise EstimationError(
            f"all regressors ({', '.join(names)}) are collinear with the fixed effects",
            hint="a variable that is constant within a fixed effect cannot be estimated with it",
            collinear=dropped_cols,
        )
    if dropped_cols:  # contiguous columns for the demeaning
        xk = np.asfortranarray(xk[:, kept_cols])
    knames = [names[i] for i in kept_cols]
    # weights w: the weighted likelihood is the unweighted one of w*y with offset log(w)
    wk = None if md.weights is None else md.weights[idx]
    off = None if md.offset is None else md.offset[idx].copy()
    if wk is not None:
        yk = yk * wk
        off = np.log(wk) if off is None else off + np.log(wk)
    if dropped_cols:
        xmax = xmax[kept_cols]
    st = solve_ppml(
        yk,
        xk,
        fe,
        tol=tol,
        maxiter=maxiter,
        fixef_tol=fixef_tol,
        xt_init=xt0 if len(kept_cols) == xt0.shape[1] else np.asfortranarray(xt0[:, kept_cols]),
        absorb_fe=False,
        offset=off,
        xmax=xmax,
    )
    # X~ at the final weights, for the covariance only: 1e-8, pyfixest's demeaning tolerance,
    # moves the standard errors by ~1e-9 relative (1e-9: 7 sweeps instead of 6 at 225k rows)
    xt, _, _ = demean(xk, st.mu, fe, tol=COV_DEMEAN_TOL, init=st.xt, xmax=xmax, inplace=True)
    _, h = grad_hess(xt, st.mu, yk, fe.fast)
    bread = np.linalg.inv(h)
    cl_codes = md.clusters(data, idx, fe)
    v, info = sandwich(
        bread,
        xt,
        yk - st.mu,
        clusters=cl_codes or None,
        small_sample=small_sample,
        n_obs=idx.size,
        k=len(knames),
        fe_sizes=fe.sizes,
        fe_codes=fe.codes,
    )
    if md.cluster_cols:
        info["cluster"] = "+".join(md.cluster_cols)

    def fixef() -> dict[str, pd.Series]:  # computed on first use of PPMLResult.fixef()
        alpha = [a.copy() for a in st.alpha]
        eta = np.log(st.mu) - xk @ st.beta - (0.0 if off is None else off)
        absorb_residual_fe(eta, fe, alpha)
        return recover_fixef(alpha, codes, idx, levels, f.fixef)

    mu = st.mu if wk is None else st.mu / wk
    sy = float(yk.sum())
    ybar = sy / (idx.size if wk is None else float(wk.sum()))
    if wk is None:  # mu = ybar: sum y log mu = log(ybar) sum y, no logarithm per row
        null_dev = deviance_of_sums(st.ylogy, float(np.log(ybar)) * sy, sy, ybar * idx.size)
    else:
        null_dev = poisson_deviance(yk, ybar * wk, fe.fast)

    return PPMLResult(
        formula=formula,
        names=tuple(knames),
        beta=np.asarray(st.beta, dtype=np.float64),
        cov=np.asarray(v, dtype=np.float64),
        vcov_type=vcov_label(md),
        vcov_info=info,
        fitted=mu,
        obs_index=data.index[idx],
        n_obs=int(idx.size),
        n_input=md.n_input,
        dropped=counts.to_dict(),
        collinear=tuple(dropped_cols),
        converged=st.converged,
        iterations=st.iterations,
        deviance=st.deviance,
        null_deviance=null_dev,
        fe_names=tuple(f.fixef),
        fe_sizes=tuple(fe.sizes),
        trace=tuple(trace),
        timings={"separation": t_sep, "fit": time.perf_counter() - t_fit},
        dropped_rows=dropped_rows(data.index, reason),
        _fixef=fixef,
    )


def _usable(x: np.ndarray) -> np.ndarray:
    """Regressors for the IR check: drop all-constant columns (the FEs absorb them)."""
    if x.size == 0:
        return x
    keep = np.ptp(x, axis=0) > 0
    return x[:, keep]


def _check_no_zero_groups(y: np.ndarray, codes: list[np.ndarray], keep: np.ndarray) -> None:
    for c in codes:
        pos = np.bincount(c[keep], weights=(y[keep] > 0).astype(float), minlength=c.max() + 1)
        n_in = np.bincount(c[keep], minlength=c.max() + 1)
        bad = int(np.sum((n_in > 0) & (pos == 0)))
        if bad:
            raise EstimationError(
                f"{bad} fixed-effect level(s) have only zero outcomes, so the estimates do not exist",
                hint="keep separation=('fe', ...) to drop them",
            )
