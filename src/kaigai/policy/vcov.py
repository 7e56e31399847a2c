"""Sandwich variance of PPML coefficients and the small-sample conventions.

With ``X~`` the regressors demeaned on all fixed effects with weights ``mu`` (so that
``H = X~' diag(mu) X~`` is the Hessian of the Poisson log-likelihood concentrated in the
fixed effects) and scores ``s_i = X~_i (y_i - mu_i)``::

    V = q * H^-1 M H^-1

* hetero:     ``M = sum_i s_i s_i'``
* cluster g:  ``M = sum_g S_g S_g'``  with ``S_g = sum_{i in g} s_i``
* multi-way (Cameron, Gelbach & Miller 2011): ``V = sum_S (-1)^(|S|+1) q_S V_S`` over every
  non-empty subset S of the cluster variables, ``V_S`` clustered on the intersection of S
  (two-way: ``V_g1 + V_g2 - V_g1g2``).
* iid (OLS): ``V = q * s^2 H^-1`` with ``s^2 = sum w e^2 / N`` (pass ``sigma2``).

Small-sample factor ``q`` (N observations used, k regressors, G clusters):

``small_sample="fixest"`` (fixest and pyfixest defaults: ``ssc(adj=TRUE, fixef.K="nested",
cluster.adj=TRUE, cluster.df="min")``):
    K = k + sum_f G_f - (F - 1) over the F fixed effects (fixest counts one redundant level
    per extra fixed effect); with clustering, the levels of fixed effects nested in a
    cluster variable are removed from K and one is added back per nested fixed effect.
    hetero: ``q = N / (N - K)``;
    cluster: ``q = (N - 1) / (N - K) * G / (G - 1)`` with G = min over the cluster variables
    in two-way clustering (``cluster.df="min"``).

``small_sample="ppmlhdfe"`` (Stata ppmlhdfe, like ``poisson, vce(robust|cluster)``):
    hetero: ``q = N / (N - 1)``;  cluster: ``q = G / (G - 1)`` (per clustering; two-way uses
    each term's own G, as Stata's reghdfe/ppmlhdfe do with ``vce(cluster a b)``).

``small_sample="none"``: ``q = 1``.
"""

from __future__ import annotations

import numpy as np

from kaigai.core.errors import EstimationError
from kaigai.policy import ppml_kernels as kernels
from kaigai.policy.columns import factorize

SMALL_SAMPLE = ("fixest", "ppmlhdfe", "none")


def _meat_cluster(
    xt: np.ndarray,
    resid: np.ndarray,
    g: np.ndarray,
    factored: tuple[np.ndarray, int] | None = None,
) -> tuple[np.ndarray, int]:
    codes, n_groups = factored if factored is not None else _factor(g)
    if kernels.available() and xt.shape[1]:
        from kaigai.policy import hdfe_kernels as hk

        s = hk.cluster_sums(xt, resid, codes, n_groups)  # scores summed without forming them
        return s.T @ s, n_groups
    s = np.column_stack(
        [
            np.bincount(codes, weights=xt[:, j] * resid, minlength=n_groups)
            for j in range(xt.shape[1])
        ]
    )
    return s.T @ s, n_groups


def _factor(g: np.ndarray) -> tuple[np.ndarray, int]:
    g = np.asarray(g)
    if g.dtype.kind in "iu" and g.size and g.min() >= 0 and g.max() < g.size:
        # already codes (fixed-effect or factorized cluster codes): keep them if dense
        counts = np.bincount(g)
        if counts.all():
            return g.astype(np.intp, copy=False), counts.size
    codes, uniq = factorize(np.asarray(g))
    return np.asarray(codes, dtype=np.intp), len(uniq)


def is_nested(fe_codes: np.ndarray, cluster_codes: np.ndarray, n_fe: int | None = None) -> bool:
    """True if every level of the fixed effect lies inside one cluster (``n_fe``: the fixed
    effect's codes are already dense ``0..n_fe-1`` and ``cluster_codes`` factorised)."""
    if n_fe is None:
        fc, n_fe = _factor(fe_codes)
        cc, _ = _factor(cluster_codes)
    else:
        fc, cc = fe_codes, cluster_codes
    if kernels.available():
        from kaigai.policy import hdfe_kernels as hk

        return bool(hk.nested_in(fc, n_fe, cc))
    first = np.full(n_fe, -1)
    first[fc] = cc
    return bool(np.all(first[fc] == cc))


def sandwich(
    bread: np.ndarray,
    xt: np.ndarray,
    resid: np.ndarray,
    *,
    clusters: list[np.ndarray] | None,
    small_sample: str,
    n_obs: int,
    k: int,
    fe_sizes: list[int],
    fe_codes: list[np.ndarray],
    sigma2: float | None = None,
) -> tuple[np.ndarray, dict[str, float | int | str]]:
    """Covariance matrix and a description of the adjustment used (``q``, ``K``, ``G``);
    the scores are ``xt[i] * resid[i]`` (``X~`` and the working residual, e.g. ``y - mu``)."""
    if small_sample not in SMALL_SAMPLE:
        raise EstimationError(
            f"unknown small-sample convention {small_sample!r}",
            hint=f"use one of {', '.join(SMALL_SAMPLE)}",
        )
    n = n_obs
    n_fe = len(fe_sizes)
    k_fe = sum(fe_sizes) - (n_fe - 1) if n_fe > 1 else sum(fe_sizes)
    info: dict[str, float | int | str] = {"small_sample": small_sample}
    if sigma2 is not None:  # iid: s^2 = RSS / (N - K) (fixest and reghdfe), i.e. q = N / (N - K)
        big_k = k + k_fe
        q = n / (n - big_k) if small_sample != "none" else 1.0
        info.update(K=big_k, q=q)
        return q * sigma2 * bread, info
    if not clusters:
        scores = xt * resid[:, None]
        meat = scores.T @ scores
        if small_sample == "fixest":
            big_k = k + k_fe
            q = n / (n - big_k)
            info["K"] = big_k
        elif small_sample == "ppmlhdfe":
            q = n / (n - 1)
        else:
            q = 1.0
        info["q"] = q
        return q * bread @ meat @ bread, info
    import itertools

    terms: list[tuple[np.ndarray, int]] = []
    facs = [_factor(c) for c in clusters]
    for r in range(1, len(clusters) + 1):
        for sub in itertools.combinations(range(len(clusters)), r):
            code = facs[sub[0]][0].astype(np.int64)
            for j in sub[1:]:
                code = code * facs[j][1] + facs[j][0]
            terms.append((code, 1 if r % 2 else -1))
    g_counts = [f[1] for f in facs]
    info["G"] = min(g_counts) if len(g_counts) > 1 else g_counts[0]
    big_k = k + k_fe
    if small_sample == "fixest" and n_fe:
        # fixed-effect codes are dense (FixedEffects) and the clusters factorised once above
        nested = [
            i
            for i, fc in enumerate(fe_codes)
            if any(is_nested(fc, cc, fe_sizes[i]) for cc, _ in facs)
        ]
        if nested:
            big_k = k + k_fe - sum(fe_sizes[i] for i in nested) + len(nested)
    v = np.zeros_like(bread)
    for cl, sign in terms:
        meat, g = _meat_cluster(xt, resid, cl, facs[0] if len(clusters) == 1 else None)
        if g < 2:
            raise EstimationError(
                "clustered standard errors need at least two clusters",
                hint="cluster by a variable with more than one value",
            )
        if small_sample == "fixest":
            g_min = int(info["G"])
            q = (n - 1) / (n - big_k) * g_min / (g_min - 1)
        elif small_sample == "ppmlhdfe":
            q = g / (g - 1)
        else:
            q = 1.0
        v += sign * q * bread @ meat @ bread
    if small_sample == "fixest":
        info["K"] = big_k
    info["q"] = q if len(terms) == 1 else float("nan")
    return v, info
