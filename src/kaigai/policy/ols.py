"""OLS with high-dimensional fixed effects (``feols``), on the same machinery as fepois.

``feols(data, "log_trade ~ log_dist + cntg | exp_year + imp_year", vcov={"CRV1": "pair_id"})``

Pipeline: the shared sample (:mod:`kaigai.policy.sample`: formula, missing values, weights,
offset); singletons dropped (as fixest/pyfixest, unless ``singletons=False``); regressors
collinear with the fixed effects or earlier regressors dropped; ``y`` and ``X`` demeaned on
the fixed effects with weights ``w`` (the compiled alternating projections of
:func:`~kaigai.policy.demean.demean`, tolerance 1e-11); ``b = (X~'WX~)^-1 X~'Wy~``; the
sandwich covariance of :mod:`kaigai.policy.vcov` with the same small-sample conventions.
The offset is subtracted from ``y``.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import numpy as np

from kaigai.core.errors import EstimationError
from kaigai.policy.demean import FixedEffects, demean
from kaigai.policy.results import PPMLResult
from kaigai.policy.sample import collinear, model_data, recover_fixef, take_rows, vcov_label
from kaigai.policy.separation import drop_singletons_and_fe_separated, dropped_rows
from kaigai.policy.threads import one_thread_pool
from kaigai.policy.vcov import SMALL_SAMPLE, sandwich

if TYPE_CHECKING:  # a Columns table is estimated without importing pandas
    import pandas as pd

    from kaigai.policy.columns import Columns

# OLS results share the result class (model = "ols"; deviance = RSS, null deviance = TSS)
OLSResult = PPMLResult


@one_thread_pool
def feols(
    data: pd.DataFrame | Columns,
    formula: str,
    vcov: str | dict[str, str] = "iid",
    *,
    weights: str | None = None,
    offset: str | None = None,
    small_sample: str = "fixest",
    singletons: bool = True,
    fixef_tol: float = 1e-11,
    backend: str = "auto",
) -> PPMLResult:
    """Estimate a linear model with fixed effects by (weighted) least squares.

    Parameters are those of :func:`kaigai.policy.ppml.fepois` (``vcov`` also takes
    ``"iid"``, the default, as pyfixest without fixed effects); ``weights`` are analytic
    weights (WLS; N counts observations); ``fixef_tol`` is the demeaning tolerance.
    """
    if small_sample not in SMALL_SAMPLE:
        raise EstimationError(
            f"unknown small_sample {small_sample!r}", hint=f"use one of {', '.join(SMALL_SAMPLE)}"
        )
    md = model_data(data, formula, vcov, weights=weights, offset=offset)
    t_sep = time.perf_counter()
    if md.f.fixef and singletons:
        md.keep = drop_singletons_and_fe_separated(
            md.y, md.codes, md.keep, md.counts, fe_separation=False, reason=md.reason,
            sizes=[len(lv) for lv in md.levels],
        )  # fmt: skip
        if md.counts.singletons:
            md.trace.append(f"dropped {md.counts.singletons} singleton observation(s)")
    t_sep = time.perf_counter() - t_sep
    t_fit = time.perf_counter()
    idx = np.flatnonzero(md.keep)
    if idx.size == 0:
        raise EstimationError("no observations left after dropping missing and singleton rows")
    fe = FixedEffects.from_codes(md.codes, fast=backend != "numpy", idx=idx)
    y = md.y[idx] - (0.0 if md.offset is None else md.offset[idx])
    x = take_rows(md.x, idx)
    w = np.ones(idx.size) if md.weights is None else md.weights[idx]
    kept, dropped_cols, _ = collinear(x, fe, md.names, w)
    if dropped_cols:
        md.trace.append(f"dropped collinear regressor(s): {', '.join(dropped_cols)}")
    if not kept:
        raise EstimationError(
            "no regressor left to estimate"
            + (f" (collinear: {', '.join(dropped_cols)})" if dropped_cols else ""),
            hint="a variable that is constant within a fixed effect cannot be estimated with it",
        )
    names = [md.names[i] for i in kept]
    yx = np.column_stack([y, x[:, kept]])
    yxt, _, ok = demean(yx, w, fe, tol=fixef_tol, maxiter=100_000)
    if not ok:
        md.trace.append("demeaning stopped at its iteration limit")
    yt, xt = yxt[:, 0], np.ascontiguousarray(yxt[:, 1:])
    xw = xt * w[:, None]
    h = xt.T @ xw
    bread = np.linalg.inv(h)
    beta = bread @ (xw.T @ yt)
    resid = yt - xt @ beta
    rss = float(np.sum(w * resid**2))
    ybar = float(np.sum(w * y) / np.sum(w))
    tss = float(np.sum(w * (y - ybar) ** 2))
    tss_within = float(np.sum(w * yt**2))
    v, info = sandwich(
        bread,
        xt,
        w * resid,
        clusters=md.clusters(data, idx, fe) or None,
        small_sample=small_sample,
        n_obs=idx.size,
        k=len(names),
        fe_sizes=fe.sizes,
        fe_codes=fe.codes,
        sigma2=rss / idx.size if md.vcov_type == "iid" else None,
    )
    if md.cluster_cols:
        info["cluster"] = "+".join(md.cluster_cols)
    n = idx.size
    k_all = len(names) + (sum(fe.sizes) - (fe.k - 1) if fe.k else 0)
    stats: dict[str, Any] = {
        "r2": 1.0 - rss / tss if tss > 0 else float("nan"),
        "adj_r2": 1.0 - rss / tss * (n - 1) / (n - k_all) if tss > 0 else float("nan"),
        "r2_within": 1.0 - rss / tss_within if fe.k and tss_within > 0 else float("nan"),
        "rmse": float(np.sqrt(rss / n)),
    }
    fitted = y - resid + (0.0 if md.offset is None else md.offset[idx])  # y - e

    def fixef() -> dict[str, pd.Series]:
        # the fixed-effect part of the fit: (y - X b) - its demeaned residual, decomposed
        from kaigai.policy.ppml_solver import absorb_residual_fe

        alpha = [np.zeros(g) for g in fe.sizes]
        absorb_residual_fe(y - x[:, kept] @ beta - resid, fe, alpha)
        return recover_fixef(alpha, md.codes, idx, md.levels, md.f.fixef)

    return PPMLResult(
        formula=formula,
        names=tuple(names),
        beta=np.asarray(beta, dtype=np.float64),
        cov=np.asarray(v, dtype=np.float64),
        vcov_type=vcov_label(md),
        vcov_info=info,
        fitted=fitted,
        obs_index=data.index[idx],
        n_obs=int(n),
        n_input=md.n_input,
        dropped=md.counts.to_dict(),
        collinear=tuple(dropped_cols),
        converged=bool(ok),
        iterations=1,
        deviance=rss,
        null_deviance=tss,
        fe_names=tuple(md.f.fixef),
        fe_sizes=tuple(fe.sizes),
        trace=tuple(md.trace),
        timings={"separation": t_sep, "fit": time.perf_counter() - t_fit},
        dropped_rows=dropped_rows(data.index, md.reason),
        _fixef=fixef,
        model="ols",
        stats=stats,
    )
