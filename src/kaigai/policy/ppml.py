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
from typing import Any

import numpy as np
import pandas as pd

from kaigai.core.errors import EstimationError
from kaigai.policy import ppml_kernels as kernels
from kaigai.policy.demean import FixedEffects, demean
from kaigai.policy.formula import check_columns, fe_codes, model_matrix, parse_formula
from kaigai.policy.ppml_solver import absorb_residual_fe, poisson_deviance, solve_ppml
from kaigai.policy.results import PPMLResult
from kaigai.policy.separation import (
    MISSING,
    REASONS,
    SEPARATED_IR,
    DropCounts,
    drop_singletons_and_fe_separated,
    ir_separated,
)
from kaigai.policy.threads import one_thread_pool
from kaigai.policy.vcov import SMALL_SAMPLE, sandwich

COLLIN_TOL = 1e-9


def parse_vcov(vcov: str | dict[str, str]) -> tuple[str, list[str]]:
    """``"hetero"`` / ``"HC1"`` / ``"robust"`` or ``{"CRV1": "a"}`` / ``{"CRV1": "a+b"}`` /
    ``"cluster:a+b"`` -> (label, cluster columns)."""
    if isinstance(vcov, dict):
        if len(vcov) != 1:
            raise EstimationError(f"vcov {vcov!r} must have one entry like {{'CRV1': 'pair'}}")
        ((kind, spec),) = vcov.items()
        if kind.upper() not in ("CRV1", "CLUSTER"):
            raise EstimationError(
                f"vcov type {kind!r} is not supported", hint="use 'hetero' or {'CRV1': 'col'}"
            )
        cols = [c.strip() for c in str(spec).replace("^", "+").split("+") if c.strip()]
        if not cols or len(cols) > 2:
            raise EstimationError(f"cluster specification {spec!r} needs one or two columns")
        return "CRV1", cols
    v = vcov.strip()
    if v.lower() in ("hetero", "hc1", "robust"):
        return "hetero", []
    if v.lower().startswith("cluster:"):
        return parse_vcov({"CRV1": v.split(":", 1)[1]})
    raise EstimationError(
        f"vcov {vcov!r} is not supported",
        hint="use 'hetero', {'CRV1': 'pair'} or 'cluster:exporter+importer'",
    )


@one_thread_pool
def fepois(
    data: pd.DataFrame,
    formula: str,
    vcov: str | dict[str, str] = "hetero",
    *,
    tol: float = 1e-10,
    maxiter: int = 100,
    separation: Sequence[str] = ("fe", "ir"),
    small_sample: str = "fixest",
    singletons: bool = True,
    fixef_tol: float = 1e-12,
    backend: str = "auto",
) -> PPMLResult:
    """Estimate a Poisson pseudo-maximum-likelihood model with fixed effects.

    Parameters
    ----------
    data : one row per observation.
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
    f = parse_formula(formula)
    vcov_type, cluster_cols = parse_vcov(vcov)
    check_columns(data, f)
    absent = [c for c in cluster_cols if c not in data.columns]
    if absent:
        raise EstimationError(f"cluster column(s) {', '.join(absent)} are not in the data")
    trace: list[str] = []
    n_input = len(data)
    ys = data[f.lhs]
    if not pd.api.types.is_numeric_dtype(ys):
        raise EstimationError(f"outcome {f.lhs!r} is not numeric (dtype {ys.dtype})")
    y = ys.to_numpy(dtype=np.float64, na_value=np.nan)
    x, names = model_matrix(data, f)
    codes, levels = fe_codes(data, f)
    missing = ~np.isfinite(y) | ~np.all(np.isfinite(x), axis=1)
    for c in codes:
        missing |= c < 0
    for col in cluster_cols:
        missing |= data[col].isna().to_numpy()
    neg = (~missing) & (y < 0)
    if neg.any():
        raise EstimationError(
            f"{int(neg.sum())} observation(s) of {f.lhs!r} are negative; PPML needs y >= 0",
            hint="trade values cannot be negative: check the data (zeros are fine)",
            negative=int(neg.sum()),
        )
    counts = DropCounts(missing=int(missing.sum()))
    keep = ~missing
    reason = np.where(missing, MISSING, 0).astype(np.int8)
    if counts.missing:
        trace.append(f"dropped {counts.missing} observation(s) with missing values")
    if f.fixef and "fe" not in separation:
        _check_no_zero_groups(y, codes, keep)
    t_sep = time.perf_counter()
    while True:
        if f.fixef:
            keep = drop_singletons_and_fe_separated(
                y, codes, keep, counts, singletons=singletons, reason=reason
            )
        if "ir" not in separation or not keep.any():
            break
        idx = np.flatnonzero(keep)
        fe_ir = FixedEffects.from_codes([c[idx] for c in codes], fast=fast)
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
    fe = FixedEffects.from_codes([c[idx] for c in codes], fast=fast)
    xk = x[idx]
    kept_cols, collinear, xt0 = _collinear(xk, fe, names)
    if collinear:
        trace.append(f"dropped collinear regressor(s): {', '.join(collinear)}")
    if not kept_cols and names:
        raise EstimationError(
            f"all regressors ({', '.join(names)}) are collinear with the fixed effects",
            hint="a variable that is constant within a fixed effect cannot be estimated with it",
            collinear=collinear,
        )
    xk = np.asfortranarray(xk[:, kept_cols])  # contiguous columns for the demeaning
    knames = [names[i] for i in kept_cols]
    st = solve_ppml(
        yk,
        xk,
        fe,
        tol=tol,
        maxiter=maxiter,
        fixef_tol=fixef_tol,
        xt_init=np.ascontiguousarray(xt0[:, kept_cols]),
        absorb_fe=False,
    )
    xt, _, _ = demean(xk, st.mu, fe, tol=1e-11, init=st.xt)
    h = xt.T @ (xt * st.mu[:, None])
    bread = np.linalg.inv(h)
    scores = xt * (yk - st.mu)[:, None]
    clusters = [data[c].to_numpy()[idx] for c in cluster_cols]
    cl_codes = [pd.factorize(c)[0] for c in clusters]
    v, info = sandwich(
        bread,
        scores,
        clusters=cl_codes or None,
        small_sample=small_sample,
        n_obs=idx.size,
        k=len(knames),
        fe_sizes=fe.sizes,
        fe_codes=fe.codes,
    )
    if cluster_cols:
        info["cluster"] = "+".join(cluster_cols)

    def fixef() -> dict[str, pd.Series]:  # computed on first use of PPMLResult.fixef()
        alpha = [a.copy() for a in st.alpha]
        absorb_residual_fe(np.log(st.mu) - xk @ st.beta, fe, alpha)
        return _recover_fixef(alpha, fe, codes, idx, levels, f.fixef)

    return PPMLResult(
        formula=formula,
        coef=pd.Series(st.beta, index=knames, name="coef"),
        vcov=pd.DataFrame(v, index=knames, columns=knames),
        vcov_type=vcov_type if not cluster_cols else f"CRV1 by {'+'.join(cluster_cols)}",
        vcov_info=info,
        fitted=st.mu,
        obs_index=data.index[idx],
        n_obs=int(idx.size),
        n_input=n_input,
        dropped=counts.to_dict(),
        collinear=tuple(collinear),
        converged=st.converged,
        iterations=st.iterations,
        deviance=st.deviance,
        null_deviance=poisson_deviance(yk, np.full(yk.size, yk.mean()), fe.fast),
        fe_names=tuple(f.fixef),
        fe_sizes=tuple(fe.sizes),
        trace=tuple(trace),
        timings={"separation": t_sep, "fit": time.perf_counter() - t_fit},
        dropped_rows={name: data.index[reason == code] for code, name in REASONS.items()},
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


def _dot(a: np.ndarray, b: np.ndarray) -> float:
    """1-D dot product without BLAS: multi-threaded ``ddot`` on long vectors stalls for
    milliseconds on a busy machine."""
    return float(np.einsum("i,i->", a, b))


def _collinear(
    x: np.ndarray, fe: FixedEffects, names: list[str]
) -> tuple[list[int], list[str], np.ndarray]:
    """Sequentially keep regressors whose demeaned residual on earlier kept ones is not ~0.

    Also returns the (unweighted) demeaned ``x``, a warm start for the solver."""
    xt, _, _ = demean(x, np.ones(x.shape[0]), fe, tol=1e-7)
    kept: list[int] = []
    dropped: list[str] = []
    basis: list[np.ndarray] = []  # orthonormal basis of the kept demeaned columns
    xf = np.asfortranarray(x)  # contiguous columns
    for j in range(x.shape[1]):
        col = xf[:, j]
        raw = col - (col.mean() if fe.k else 0.0)
        base = _dot(raw, raw) if fe.k else _dot(col, col)
        v = xt[:, j].copy()
        for _ in range(2):  # Gram-Schmidt twice: the least-squares residual on kept columns
            for q in basis:
                v -= _dot(q, v) * q
        vv = _dot(v, v)
        if base <= 0 or vv <= COLLIN_TOL * base:
            dropped.append(names[j])
        else:
            kept.append(j)
            basis.append(v / np.sqrt(vv))
    return kept, dropped, xt


def _recover_fixef(
    alpha: list[np.ndarray],
    fe: FixedEffects,
    codes: list[np.ndarray],
    idx: np.ndarray,
    levels: list[pd.Index],
    fe_names: Sequence[str],
) -> dict[str, pd.Series]:
    al = [a.copy() for a in alpha]
    for k in range(1, len(al)):
        shift = al[k][0]
        al[k] -= shift
        al[0] += shift
    out: dict[str, Any] = {}
    for k, name in enumerate(fe_names):
        present = np.zeros(len(levels[k]), dtype=bool)
        present[codes[k][idx]] = True
        orig = np.flatnonzero(present)
        out[name] = pd.Series(al[k], index=levels[k][orig], name=name)
    return out
