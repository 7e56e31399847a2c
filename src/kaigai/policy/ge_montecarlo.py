"""Monte Carlo confidence bands for GE counterfactuals over estimated coefficients.

Coefficients are drawn from ``N(beta_hat, V_hat)`` (the estimated covariance) with a
seeded numpy Generator; each draw gives a trade-cost shock
``T = exp(sum_k beta_k * (x'_k - x_k))`` which is solved by exact hat algebra around the
same baseline flows. Draws are solved in vectorised batches (``solve_batch``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from kaigai.core.errors import EstimationError, InputError, NonConvergenceError
from kaigai.policy.ge import GEKind, check_flows, solve_batch


@dataclass(frozen=True)
class MonteCarloResult:
    """Percentile bands per country for real GDP, exports and imports (percent changes)."""

    countries: tuple[str, ...]
    n_draws: int
    level: float
    real_gdp_draws: np.ndarray  # (D, N) percent
    exports_draws: np.ndarray
    imports_draws: np.ndarray
    coef_draws: np.ndarray  # (D, K)
    coef_names: tuple[str, ...]
    n_converged: int
    seed: int

    def band(self, what: str = "real_gdp") -> dict[str, np.ndarray]:
        """Lower, median and upper percentile of ``what`` across draws."""
        arr = {
            "real_gdp": self.real_gdp_draws,
            "exports": self.exports_draws,
            "imports": self.imports_draws,
        }[what]
        lo = 50.0 * (1.0 - self.level)
        q = np.percentile(arr, [lo, 50.0, 100.0 - lo], axis=0)
        return {"lower": q[0], "median": q[1], "upper": q[2]}

    def to_dict(self) -> dict[str, Any]:
        rows = []
        bands = {w: self.band(w) for w in ("real_gdp", "exports", "imports")}
        for k, c in enumerate(self.countries):
            row: dict[str, Any] = {"country": c}
            for w, b in bands.items():
                for side in ("lower", "median", "upper"):
                    row[f"{w}_pct_{side}"] = float(b[side][k])
            rows.append(row)
        return {
            "n_draws": self.n_draws,
            "n_converged": self.n_converged,
            "level": self.level,
            "seed": self.seed,
            "coefficients": list(self.coef_names),
            "countries": rows,
        }


def draw_coefficients(
    coef: np.ndarray, vcov: np.ndarray, n_draws: int, rng: np.random.Generator
) -> np.ndarray:
    """``n_draws`` x K normal draws with mean ``coef`` and covariance ``vcov``."""
    b = np.asarray(coef, dtype=float)
    v = np.asarray(vcov, dtype=float)
    if v.shape != (b.size, b.size):
        raise EstimationError(
            f"Covariance must be {b.size}x{b.size} for {b.size} coefficients; got {v.shape}."
        )
    if not np.allclose(v, v.T, atol=1e-12 * max(1.0, float(np.abs(v).max()))):
        raise EstimationError("Coefficient covariance is not symmetric.")
    w, q = np.linalg.eigh(v)
    if w.min() < -1e-10 * max(1.0, float(w.max())):
        raise EstimationError(
            "Coefficient covariance is not positive semi-definite "
            f"(smallest eigenvalue {w.min():.3g}).",
            hint="Use the covariance reported by the estimator for these coefficients.",
        )
    root = q * np.sqrt(np.clip(w, 0.0, None))
    z = rng.standard_normal((n_draws, b.size))
    return b + z @ root.T


def monte_carlo(
    flows: np.ndarray,
    countries: tuple[str, ...] | list[str],
    delta_x: np.ndarray,
    coef: np.ndarray,
    vcov: np.ndarray,
    *,
    sigma: float,
    coef_names: tuple[str, ...] | list[str] = (),
    kind: GEKind = "full",
    n_draws: int = 1000,
    seed: int = 0,
    level: float = 0.95,
    reference: str | None = None,
    batch: int = 100,
    tol: float = 1e-8,
) -> MonteCarloResult:
    """GE counterfactual for ``n_draws`` coefficient draws.

    Parameters
    ----------
    flows : (N, N) baseline flows.
    delta_x : (K, N, N) change of each cost covariate between counterfactual and
        baseline (e.g. 1 on pairs whose RTA dummy is switched on, 0 elsewhere).
    coef, vcov : estimated coefficients (K,) and their covariance (K, K).
    sigma : elasticity of substitution; kind: "full", "conditional" or "one_step".

    Raises
    ------
    EstimationError
        covariance of the wrong shape, asymmetric or not positive semi-definite.
    NonConvergenceError
        more than 1% of the draws did not converge.
    """
    countries = tuple(countries)
    x = check_flows(flows, countries)
    n = len(countries)
    dx = np.asarray(delta_x, dtype=float)
    if dx.ndim == 2:
        dx = dx[None, ...]
    if dx.shape[1:] != (n, n):
        raise InputError(f"delta_x must have shape (K, {n}, {n}); got {dx.shape}.")
    if not 0 < level < 1:
        raise InputError(f"Confidence level must be in (0, 1); got {level}.")
    if n_draws < 1:
        raise InputError("n_draws must be >= 1.")
    b = np.atleast_1d(np.asarray(coef, dtype=float))
    if b.size != dx.shape[0]:
        raise InputError(f"{b.size} coefficients for {dx.shape[0]} cost covariates.")
    rng = np.random.default_rng(seed)
    draws = draw_coefficients(b, np.atleast_2d(vcov), n_draws, rng)
    ref = n - 1 if reference is None else countries.index(reference)
    changed = np.any(dx != 0, axis=0)
    rg, ex, im = (np.empty((n_draws, n)) for _ in range(3))
    dom = np.eye(n, dtype=bool)
    n_ok = 0
    for start in range(0, n_draws, batch):
        d = draws[start : start + batch]
        shocks = np.ones((len(d), n, n))
        shocks[:, changed] = np.exp(d @ dx[:, changed])
        out = solve_batch(x, shocks, sigma=sigma, kind=kind, reference_index=ref, tol=tol)
        n_ok += len(d) if out["convergence"].converged else 0
        f = out["flows"]
        sl = slice(start, start + len(d))
        rg[sl] = 100.0 * (out["rgdp"] - 1.0)
        ex[sl] = 100.0 * (
            np.where(dom, 0.0, f).sum(axis=2) / np.where(dom, 0.0, x).sum(axis=1) - 1.0
        )
        im[sl] = 100.0 * (
            np.where(dom, 0.0, f).sum(axis=1) / np.where(dom, 0.0, x).sum(axis=0) - 1.0
        )
    if n_ok < 0.99 * n_draws:
        raise NonConvergenceError(
            f"Only {n_ok} of {n_draws} Monte Carlo draws converged.",
            hint="Check the covariance (very large standard errors give extreme shocks).",
        )
    names = tuple(coef_names) or tuple(f"b{k}" for k in range(b.size))
    return MonteCarloResult(countries, n_draws, level, rg, ex, im, draws, names, n_ok, seed)


__all__ = ["MonteCarloResult", "draw_coefficients", "monte_carlo"]
