"""Numerical building blocks of the GE solver: convergence report, batched products,
SQUAREM fixed point, bi-proportional (Sinkhorn) scaling and model-implied baseline flows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from kaigai.core.errors import InputError, NonConvergenceError


@dataclass(frozen=True)
class Convergence:
    """How a fixed point stopped: iterations used, final max |change|, tolerance."""

    converged: bool
    iterations: int
    max_change: float
    tol: float
    method: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "converged": self.converged,
            "iterations": self.iterations,
            "max_change": self.max_change,
            "tol": self.tol,
            "method": self.method,
        }


def rowdot(m: np.ndarray, v: np.ndarray) -> np.ndarray:
    """sum_j m[..., i, j] v[..., j] (batched matrix-vector product)."""
    return (m @ v[..., :, None])[..., 0]


def coldot(m: np.ndarray, v: np.ndarray) -> np.ndarray:
    """sum_i m[..., i, j] v[..., i]."""
    return (v[..., None, :] @ m)[..., 0, :]


def squarem(
    step: Callable[[np.ndarray], np.ndarray], x0: np.ndarray, tol: float, max_iter: int
) -> tuple[np.ndarray, int, float]:
    """Fixed point of ``step`` accelerated by SQUAREM (Varadhan & Roland 2008).

    ``x`` lives in logs, so the stopping rule ``max |step(x) - x| < tol`` is a maximum
    relative change. Returns the point, the number of ``step`` evaluations and the last
    change.
    """
    x = x0
    evals = 0
    change = np.inf
    while evals < max_iter:
        x1 = step(x)
        change = float(np.max(np.abs(x1 - x)))
        evals += 1
        if change < tol:
            return x1, evals, change
        x2 = step(x1)
        evals += 1
        r = x1 - x
        v = x2 - 2.0 * x1 + x
        sr = np.sqrt(np.sum(r * r, axis=-1, keepdims=True))
        sv = np.sqrt(np.sum(v * v, axis=-1, keepdims=True))
        alpha = np.minimum(-sr / np.where(sv > 0, sv, 1.0), -1.0)
        alpha = np.where(sv > 0, alpha, -1.0)
        xn = x - 2.0 * alpha * r + alpha * alpha * v
        x = step(xn)
        evals += 1
        if not np.all(np.isfinite(x)):
            x = x2
    return x, evals, change


def sinkhorn(
    kernel: np.ndarray,
    row_target: np.ndarray,
    col_target: np.ndarray,
    *,
    tol: float = 1e-12,
    max_iter: int = 10_000,
) -> tuple[np.ndarray, np.ndarray, Convergence]:
    """Scale ``kernel`` to ``diag(a) K diag(b)`` with the given row and column sums.

    This is what a PPML fit with exporter and importer fixed effects and an offset does
    (the fixed effects reproduce the margins exactly). Returns ``a``, ``b`` and a report.
    """

    def step(logb: np.ndarray) -> np.ndarray:
        a = row_target / rowdot(kernel, np.exp(logb))
        return np.log(col_target / coldot(kernel, a))

    logb, it, change = squarem(step, np.zeros(kernel.shape[:-2] + kernel.shape[-1:]), tol, max_iter)
    b = np.exp(logb)
    a = row_target / rowdot(kernel, b)
    conv = Convergence(change < tol, it, change, tol, "bi-proportional scaling")
    return a, b, conv


def baseline_flows(
    cost: np.ndarray,
    output: np.ndarray,
    expenditure: np.ndarray,
    *,
    tol: float = 1e-13,
    max_iter: int = 10_000,
) -> tuple[np.ndarray, Convergence]:
    """Model-implied baseline flows from trade-cost levels ``t_ij^(1-sigma)``.

    Solves the multilateral resistances for given output ``Y_i`` and expenditure ``E_j``
    and returns ``X_ij = (Y_i E_j / Y) t_ij^(1-sigma) / (Pi_i^(1-sigma) P_j^(1-sigma))``
    (gegravity's "baseline modeled trade"; AGTPA's constrained PPML fit). When
    ``sum(Y) != sum(E)`` expenditure shares use ``sum(E)``, output shares ``sum(Y)``.
    """
    c = np.asarray(cost, dtype=float)
    y = np.asarray(output, dtype=float)
    e = np.asarray(expenditure, dtype=float)
    if np.any(~np.isfinite(c)) or np.any(c <= 0):
        raise InputError("Trade costs t^(1-sigma) must be finite and > 0 for every pair.")
    if np.any(y <= 0) or np.any(e <= 0):
        raise InputError("Output and expenditure must be > 0 for every country.")
    # X = diag(a) C diag(b) with row sums Y * sum(E)/sum(Y) and column sums E
    rows = y * e.sum() / y.sum()
    a, b, conv = sinkhorn(c, rows, e, tol=tol, max_iter=max_iter)
    if not conv.converged:
        raise NonConvergenceError(
            f"Baseline multilateral resistances did not converge ({conv.max_change:.1e}).",
            hint="Check for extreme trade-cost values.",
        )
    return a[:, None] * c * b[None, :], conv


__all__ = ["Convergence", "baseline_flows", "coldot", "rowdot", "sinkhorn", "squarem"]
