"""Newton's method on the Poisson log-likelihood concentrated in the fixed effects.

For given coefficients ``b`` the fixed effects that maximise the likelihood solve
``sum_{i in g} mu_i = sum_{i in g} y_i`` for every level ``g``; :func:`~kaigai.policy.demean.ipf`
finds them exactly (warm-started from the previous iterate). The concentrated
log-likelihood has gradient ``X'(y - mu)`` and Hessian ``-X~' diag(mu) X~`` where ``X~`` is
``X`` demeaned on the fixed effects with weights ``mu`` (computed by
:func:`~kaigai.policy.demean.demean`, warm-started from the previous ``X~``). Each step is
a Newton step with step halving on the deviance, so the deviance never increases.

Only ``X`` (k columns) is ever demeaned, not the working outcome, and the inner IPF is a
single-column multiplicative update; near the optimum both need only a few sweeps.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kaigai.core.errors import NonConvergenceError
from kaigai.policy import ppml_kernels as kernels
from kaigai.policy.demean import FixedEffects, col_absmax, demean, ipf

# fixed-effect accuracy while the coefficient steps are large (tight only at the end)
INNER_TOL0 = 1e-4


def poisson_deviance(y: np.ndarray, mu: np.ndarray, fast: bool = False) -> float:
    """``2 * sum(y log(y / mu) - (y - mu))`` with ``0 log 0 = 0`` (``fast``: compiled)."""
    if fast and kernels.available():
        return kernels.deviance(y, mu)
    pos = y > 0
    return float(2.0 * (np.sum(y[pos] * np.log(y[pos] / mu[pos])) - np.sum(y - mu)))


def ylogy(y: np.ndarray) -> float:
    """``sum y log y`` over ``y > 0``: the part of the Poisson deviance that does not depend
    on ``mu`` (with it, the deviance of any ``mu`` whose ``sum y log mu`` is known needs no
    logarithm per row; see :func:`solve_ppml`)."""
    pos = y[y > 0]
    return float(pos @ np.log(pos))


def deviance_of_sums(ylogy: float, ylogmu: float, sy: float, smu: float) -> float:
    """The Poisson deviance ``2 (sum y log y - sum y log mu) - 2 (sum y - sum mu)`` from its
    four sums: the solver's tracked deviance and the closed-form null deviance."""
    return 2.0 * (ylogy - ylogmu) - 2.0 * (sy - smu)


def grad_hess(
    xt: np.ndarray, mu: np.ndarray, y: np.ndarray, fast: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Gradient ``X~'(y - mu)`` and Hessian ``X~' diag(mu) X~`` of the concentrated
    log-likelihood (``fast``: one compiled pass per entry; else numpy)."""
    if fast and xt.shape[0] and xt.shape[1]:
        from kaigai.policy import hdfe_kernels as hk

        g, h = hk.grad_hess(xt, mu, y)
        return g, h
    return xt.T @ (y - mu), xt.T @ (xt * mu[:, None])


@dataclass
class SolverState:
    beta: np.ndarray
    mu: np.ndarray
    alpha: list[np.ndarray]
    xt: np.ndarray
    deviance: float
    iterations: int
    converged: bool
    history: list[float]
    ylogy: float = float("nan")  # sum y log y over y > 0


def solve_ppml(
    y: np.ndarray,
    x: np.ndarray,
    fe: FixedEffects,
    *,
    tol: float = 1e-10,
    beta_tol: float = 1e-9,
    maxiter: int = 100,
    fixef_tol: float = 1e-10,
    demean_tol: float = 1e-3,
    xt_init: np.ndarray | None = None,
    absorb_fe: bool = True,
    offset: np.ndarray | None = None,
    xmax: np.ndarray | None = None,
) -> SolverState:
    """Fit PPML; raise :class:`NonConvergenceError` if the iterations do not converge.

    ``demean_tol`` only affects the Hessian used for the steps (hence the speed of
    convergence, not the solution); ``fixef_tol`` is the final accuracy of the fixed
    effects (looser, 1e-4, while the coefficient steps are still large). ``xt_init`` is any
    matrix equal to ``x`` minus an element of the fixed-effect span (a warm start; it is
    overwritten when Fortran-ordered float64).
    ``absorb_fe=False`` leaves ``alpha`` without the fixed-effect part of the steps (call
    :func:`absorb_residual_fe` when the fixed effects are needed). ``offset`` enters the
    linear index with coefficient 1: it only sets the starting ``mu`` (every later update of
    ``mu`` is multiplicative). ``xmax``: largest |x| per column (scales the demeaning tolerance).
    """
    n, p = x.shape
    y_sums = [fe.group_sums(k, y) for k in range(fe.k)]
    alpha = [np.zeros(s) for s in fe.sizes]
    beta = np.zeros(p)
    mu = np.ones(n) if offset is None else np.exp(offset)
    # an intercept column carries the level only without fixed effects
    const = np.flatnonzero(np.all(x == 1.0, axis=0)) if p and not fe.k else np.empty(0, int)
    # the deviance 2 (sum y log y - sum y log mu) - 2 (sum y - sum mu) is tracked without a
    # logarithm per row: every update of mu is multiplicative, by exp(t X~ step) (adds
    # t y'X~ step to sum y log mu) or by exp(D d) in the fixed-effect solver (adds d'D'y,
    # read off the change of alpha); only the reported deviance is computed row by row
    sy = float(y.sum())
    ylogy_ = ylogy(y)
    ylog_lin = 0.0 if offset is None else float(y @ offset)  # BLAS: one thread in a fit
    if fe.k or const.size:
        # the first fixed effect (or the intercept column) carries the level
        level = float(np.log(sy / mu.sum()))
        if fe.k:
            alpha[0] += level
        else:
            beta[const[0]] = level
            ylog_lin += level * sy
        mu *= np.exp(level)

    def deviance(mu: np.ndarray, alpha: list[np.ndarray], ylog_lin: float) -> float:
        ylogmu = ylog_lin + sum(float(ys @ a) for ys, a in zip(y_sums, alpha, strict=True))
        return deviance_of_sums(ylogy_, ylogmu, sy, float(mu.sum()))

    inner_tol = max(fixef_tol, INNER_TOL0)
    _ipf(mu, y_sums, fe, alpha, inner_tol)
    dev = deviance(mu, alpha, ylog_lin)
    history = [dev]
    xt: np.ndarray | None = xt_init
    if p == 0:  # fixed effects only: the IPF solution is the estimate
        _ipf(mu, y_sums, fe, alpha, fixef_tol)
        dev = poisson_deviance(y, mu, fe.fast)
        return SolverState(beta, mu, alpha, np.zeros((n, 0)), dev, 1, True, [*history, dev], ylogy_)
    converged = False
    it = 0
    h: np.ndarray | None = None
    fast = fe.fast and n > 0
    if fast:
        from kaigai.policy import hdfe_kernels as hk
    xs = np.empty(n)
    mu_new = np.empty(n)  # two row buffers, swapped each iteration (no fresh arrays)
    xmax = col_absmax(x) if xmax is None else xmax
    reuse_h = False
    while it < maxiter:
        it += 1
        if h is None or not reuse_h:
            xt, _, _ = demean(x, mu, fe, tol=demean_tol, init=xt, xmax=xmax, inplace=True)
            # gradient X'(y - mu) = X~'(y - mu) for any X~ in X + span(D), as D'(y - mu) = 0
            # at the fixed-effect solution; X~ also projects out what is left of the FE misfit
            g, h = grad_hess(xt, mu, y, fast)
        else:
            assert xt is not None
            g = xt.T @ np.subtract(y, mu, out=xs)  # xs is free until the step is known
        assert xt is not None and h is not None
        try:
            step = np.linalg.solve(h, g)
        except np.linalg.LinAlgError:
            step = np.linalg.lstsq(h, g, rcond=None)[0]
        # predicted linear index change: X~ step, i.e. b += step together with the fixed
        # effects' first-order response (X - X~ lies in the FE span), so IPF starts closer
        if fast:
            big = float(hk.lin_index(xt, step, xs))
        else:
            np.matmul(xt, step, out=xs)
            big = float(np.max(np.abs(xs))) if xs.size else 0.0
        yxs = float(y @ xs)
        t = min(1.0, 10.0 / big) if big > 0 else 1.0
        while True:
            np.multiply(xs, t, out=mu_new)  # mu * exp(t xs) in numpy's vectorised exp
            np.exp(mu_new, out=mu_new)
            mu_new *= mu
            alpha_new = [a.copy() for a in alpha]
            _ipf(mu_new, y_sums, fe, alpha_new, inner_tol)
            dev_new = deviance(mu_new, alpha_new, ylog_lin + t * yxs)
            if dev_new <= dev + 1e-12 * abs(dev) or t < 1e-6:
                break
            t *= 0.5
        delta = t * step
        beta = beta + delta
        ylog_lin += t * yxs
        rel = abs(dev - dev_new) / (0.1 + abs(dev_new))
        mu, mu_new = mu_new, mu
        alpha, dev = alpha_new, dev_new
        history.append(dev)
        small = np.all(np.abs(delta) <= beta_tol * np.maximum(np.abs(beta), 1.0))
        # near the optimum the weights hardly move: keep the Hessian (chord steps)
        reuse_h = bool(np.max(np.abs(delta)) < 1e-4 * max(1.0, float(np.max(np.abs(beta)))))
        if rel < tol and small and inner_tol <= fixef_tol:
            converged = True
            break
        # inexact Newton: solve the fixed effects exactly once the steps are small
        if np.max(np.abs(delta)) < 1e-3 or rel < 1e-6:
            inner_tol = fixef_tol
    if not converged:
        raise NonConvergenceError(
            f"PPML did not converge after {it} iterations (last relative deviance change "
            f"{abs(history[-1] - history[-2]) / (0.1 + abs(history[-1])):.2e}, tolerance {tol:.0e})",
            hint="raise maxiter, loosen tol, or check for separation / extreme values in the regressors",
            iterations=it,
            deviance=history[-1],
        )
    assert xt is not None
    dev = poisson_deviance(y, mu, fe.fast)  # the reported deviance, row by row
    if absorb_fe:
        absorb_residual_fe(np.log(mu) - x @ beta - (0.0 if offset is None else offset), fe, alpha)
    return SolverState(beta, mu, alpha, xt, dev, it, converged, history, ylogy_)


def absorb_residual_fe(eta_fe: np.ndarray, fe: FixedEffects, alpha: list[np.ndarray]) -> None:
    """Make ``alpha`` reproduce ``eta_fe = log(mu) - X b`` exactly: the steps moved the index
    by ``X~ step``, whose fixed-effect part is not in ``alpha``; that remainder lies in the
    fixed-effect span and is decomposed by unweighted alternating projections."""
    if fe.k == 0:
        return
    rest = eta_fe - sum(alpha[k][fe.codes[k]] for k in range(fe.k))
    if fe.fast:
        a = np.concatenate(alpha)
        kernels.absorb(rest, fe.codes2d, fe.offsets, a, 20_000, 1e-13)
        for k in range(fe.k):
            alpha[k][:] = a[fe.offsets[k] : fe.offsets[k + 1]]
        return
    r = rest[:, None].copy(order="F")
    inv = [1.0 / np.bincount(c, minlength=g) for c, g in zip(fe.codes, fe.sizes, strict=True)]
    for _ in range(20_000):  # bounded: only the reported fixed effects depend on it
        dmax = 0.0
        for k in range(fe.k):
            m = np.bincount(fe.codes[k], weights=r[:, 0], minlength=fe.sizes[k]) * inv[k]
            r[:, 0] -= m[fe.codes[k]]
            alpha[k] += m
            dmax = max(dmax, float(np.max(np.abs(m))))
        if dmax < 1e-13:
            break


def _ipf(
    mu: np.ndarray, y_sums: list[np.ndarray], fe: FixedEffects, alpha: list[np.ndarray], tol: float
) -> None:
    sweeps, ok = ipf(mu, y_sums, fe, alpha, tol=tol, maxiter=100_000)
    if not ok:
        raise NonConvergenceError(
            f"the fixed effects did not converge after {sweeps} sweeps",
            hint="check that the fixed effects are not nearly collinear, or loosen fixef_tol",
        )
