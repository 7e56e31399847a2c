"""Newton solvers for the GE systems (analytic Jacobians, batched over leading axes).

Both return ``(solution, iterations, max |residual|)``; the caller falls back to the
SQUAREM fixed point in :mod:`kaigai.policy.ge` when Newton does not converge. Residuals
are in logs, so the tolerance is a relative error.
"""

from __future__ import annotations

import numpy as np

from kaigai.policy.ge_solvers import coldot as _coldot
from kaigai.policy.ge_solvers import rowdot as _rowdot


def newton_prices(
    s_exp: np.ndarray,
    s_sales: np.ndarray,
    y: np.ndarray,
    e: np.ndarray,
    sigma: float,
    r: int,
    tol: float,
    max_iter: int = 40,
) -> tuple[np.ndarray, int, float]:
    """Full-endowment factory-gate prices ``p`` (batch, N).

    Unknowns ``z = log p``. Equations: ``log K_i + log kappa - sigma z_i = 0`` with
    ``K_i = sum_j q_ij p_j / D_j``, ``D_j = sum_i s_ij p_i^(1-sigma)`` (``D = Phat^(1-sigma)``)
    and ``kappa = sum p Y / sum p E``; the reference row is replaced by the numeraire
    ``log D_r = 0`` (the system is homogeneous of degree 0 in ``p``).
    """
    om = 1.0 - sigma
    shape = s_exp.shape[:-1]
    n = shape[-1]
    z = np.zeros(shape)
    eye = np.eye(n)
    err = np.inf
    it = 0
    for it in range(1, max_iter + 1):  # noqa: B007
        p = np.exp(z)
        pw = np.exp(om * z)
        d = _coldot(s_exp, pw)
        v = p / d
        k = _rowdot(s_sales, v)
        py, pe = p * y, p * e
        f = np.log(k) + np.log(py.sum(-1, keepdims=True) / pe.sum(-1, keepdims=True)) - sigma * z
        f[..., r] = np.log(d[..., r])
        err = float(np.max(np.abs(f)))
        if not np.isfinite(err):
            return np.exp(z), it, np.inf
        if err < tol:
            break
        a = s_sales * v[..., None, :] / k[..., :, None]  # sales shares a_ij
        w = s_exp * pw[..., :, None] / d[..., None, :]  # import shares w_kj
        jac = a - om * (a @ np.swapaxes(w, -1, -2)) - sigma * eye
        jac += (py / py.sum(-1, keepdims=True) - pe / pe.sum(-1, keepdims=True))[..., None, :]
        jac[..., r, :] = om * w[..., :, r]
        try:
            z = z - np.linalg.solve(jac, f[..., None])[..., 0]
        except np.linalg.LinAlgError:
            return np.exp(z), it, np.inf
    return np.exp(z), it, err


def newton_scaling(
    kernel: np.ndarray,
    row_target: np.ndarray,
    col_target: np.ndarray,
    r: int,
    tol: float,
    max_iter: int = 40,
) -> tuple[tuple[np.ndarray, np.ndarray], int, float]:
    """Bi-proportional scaling ``diag(a) K diag(b)`` with the given margins, ``b_r = 1``.

    Unknowns ``log b``; ``a = Y / (K b)``; equations ``log(sum_i K_ij a_i) + log b_j =
    log E_j`` with the reference equation replaced by ``log b_r = 0`` (one margin
    equation is redundant when the margins add up to the same total).
    """
    shape = kernel.shape[:-2] + kernel.shape[-1:]
    n = shape[-1]
    lb = np.zeros(shape)
    eye = np.eye(n)
    log_e = np.log(col_target)
    err = np.inf
    it = 0
    for it in range(1, max_iter + 1):  # noqa: B007
        b = np.exp(lb)
        rows = _rowdot(kernel, b)
        a = row_target / rows
        col = _coldot(kernel, a)
        g = np.log(col) + lb - log_e
        g[..., r] = lb[..., r]
        err = float(np.max(np.abs(g)))
        if not np.isfinite(err):
            return (a, b), it, np.inf
        if err < tol:
            break
        ka = kernel * a[..., :, None]
        c = ka / col[..., None, :]  # column shares c_ij
        rs = ka * b[..., None, :] / row_target[..., :, None]  # row shares r_ik
        jac = eye - np.swapaxes(c, -1, -2) @ rs
        jac[..., r, :] = eye[r]
        try:
            lb = lb - np.linalg.solve(jac, g[..., None])[..., 0]
        except np.linalg.LinAlgError:
            return (a, b), it, np.inf
    b = np.exp(lb)
    a = row_target / _rowdot(kernel, b)
    return (a, b), it, err


__all__ = ["newton_prices", "newton_scaling"]
