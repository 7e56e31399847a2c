"""Structural-gravity general equilibrium by exact hat algebra (one sector, Armington).

Model (Yotov, Piermartini, Monteiro & Larch 2016, ch. 2; Head & Mayer 2014, s. 4)::

    X_ij = (Y_i E_j / Y) (t_ij / (Pi_i P_j))^(1-sigma)
    P_j^(1-sigma)  = sum_i (t_ij / Pi_i)^(1-sigma) Y_i / Y
    Pi_i^(1-sigma) = sum_j (t_ij / P_j)^(1-sigma) E_j / Y
    Y_i = p_i Q_i (fixed endowments),  E_j = phi_j Y_j (phi_j constant)

Everything is solved in changes ("hats") from a baseline flow matrix ``X`` (exporters in
rows, importers in columns, domestic flows on the diagonal) and the trade-cost shock
``T = (t'/t)^(1-sigma)``:

* conditional GE: ``Y`` and ``E`` fixed, ``Pi`` and ``P`` adjust (a bi-proportional
  scaling of ``X * T`` back to the old margins);
* one-step full endowment (``kind="one_step"``): prices take the first-order step
  ``p_i = 1 / Pihat_i`` from the conditional outward resistances, as gegravity's
  OneSectorGE reports them (and AGTPA's first iteration); kept for comparisons;
* full-endowment GE: factory-gate prices ``p`` adjust until
  ``p_i^sigma = sum_j (X_ij / Y_i) T_ij p_j / Phat_j^(1-sigma)`` with
  ``Phat_j^(1-sigma) = sum_i (X_ij / E_j) T_ij p_i^(1-sigma)``.

The numeraire is the inward multilateral resistance of a reference country (``P_ref`` =
1, as AGTPA and gegravity do); real GDP ``Y_i / P_i`` is numeraire-free. All arrays may
carry leading batch axes (``T`` of shape ``(..., N, N)``), which the Monte Carlo uses to
solve many draws at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from kaigai.core.errors import InputError, NonConvergenceError
from kaigai.policy.ge_newton import newton_prices, newton_scaling
from kaigai.policy.ge_solvers import (
    Convergence,
    baseline_flows,
    coldot,
    rowdot,
    sinkhorn,
    squarem,
)

GEKind = Literal["conditional", "full", "one_step"]
# Newton (dense Jacobian solves) up to this many countries; above it the SQUAREM fixed
# point, whose iterations are matrix-vector products only, is faster on small machines.
NEWTON_MAX_N = 100


@dataclass(frozen=True)
class GEResult:
    """Per-country outcomes of one counterfactual (percent changes vs the baseline).

    Arrays are indexed like ``countries``. ``*_pct`` are ``100 * (new / old - 1)``.
    ``flows_new`` is the counterfactual flow matrix (same units as the baseline).
    """

    kind: GEKind
    countries: tuple[str, ...]
    sigma: float
    reference: str
    exports_base: np.ndarray
    exports_new: np.ndarray
    imports_base: np.ndarray
    imports_new: np.ndarray
    output_base: np.ndarray
    output_new: np.ndarray
    factory_price_pct: np.ndarray
    imr_pct: np.ndarray
    omr_pct: np.ndarray
    real_gdp_pct: np.ndarray
    welfare_pct: np.ndarray
    flows_new: np.ndarray
    convergence: Convergence
    trace: tuple[str, ...] = field(default_factory=tuple)

    @property
    def exports_pct(self) -> np.ndarray:
        return 100.0 * (self.exports_new / self.exports_base - 1.0)

    @property
    def imports_pct(self) -> np.ndarray:
        return 100.0 * (self.imports_new / self.imports_base - 1.0)

    def table(self) -> list[dict[str, Any]]:
        """One row per country with stable keys (for JSON and reports)."""
        rows = []
        for k, c in enumerate(self.countries):
            rows.append(
                {
                    "country": c,
                    "exports_base": float(self.exports_base[k]),
                    "exports_new": float(self.exports_new[k]),
                    "exports_pct": float(self.exports_pct[k]),
                    "imports_base": float(self.imports_base[k]),
                    "imports_new": float(self.imports_new[k]),
                    "imports_pct": float(self.imports_pct[k]),
                    "real_gdp_pct": float(self.real_gdp_pct[k]),
                    "welfare_pct": float(self.welfare_pct[k]),
                    "factory_price_pct": float(self.factory_price_pct[k]),
                    "imr_pct": float(self.imr_pct[k]),
                    "omr_pct": float(self.omr_pct[k]),
                }
            )
        return rows

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "sigma": self.sigma,
            "reference": self.reference,
            "countries": self.table(),
            "convergence": self.convergence.to_dict(),
            "trace": list(self.trace),
        }


def check_flows(flows: np.ndarray, countries: tuple[str, ...] | list[str]) -> np.ndarray:
    """Validate a square, finite, non-negative baseline flow matrix with positive margins."""
    x = np.asarray(flows, dtype=float)
    n = len(countries)
    if x.ndim != 2 or x.shape != (n, n):
        raise InputError(
            f"Baseline flows must be a {n}x{n} matrix (exporters x importers); got shape {x.shape}.",
            hint="Give every exporter-importer pair, domestic flows included.",
        )
    if not np.all(np.isfinite(x)):
        raise InputError(
            "Baseline flows contain missing or infinite values.", hint="Fill every pair."
        )
    if np.any(x < 0):
        bad = np.argwhere(x < 0)[0]
        raise InputError(
            f"Negative trade flow {countries[bad[0]]}->{countries[bad[1]]}: {x[bad[0], bad[1]]}.",
            hint="Trade values must be >= 0.",
        )
    for axis, what in ((1, "output (row sum)"), (0, "expenditure (column sum)")):
        s = x.sum(axis=axis)
        if np.any(s <= 0):
            c = countries[int(np.argmin(s))]
            raise InputError(
                f"Country {c} has zero {what}; it cannot be in the GE system.",
                hint="Drop countries with no trade or production.",
            )
    return x


def _check_shock(shock: np.ndarray, n: int) -> np.ndarray:
    t = np.asarray(shock, dtype=float)
    if t.shape[-2:] != (n, n):
        raise InputError(f"Trade-cost shock must end in shape ({n}, {n}); got {t.shape}.")
    if not np.all(np.isfinite(t)) or np.any(t <= 0):
        raise InputError(
            "Trade-cost shock (t'/t)^(1-sigma) must be finite and > 0 for every pair.",
            hint="Build it as exp(beta * (x_new - x_old)).",
        )
    return t


def _ref_index(countries: tuple[str, ...], reference: str | None) -> int:
    if reference is None:
        return len(countries) - 1
    if reference not in countries:
        raise InputError(
            f"Reference country {reference!r} is not in the model.",
            hint=f"Choose one of {', '.join(countries[:8])}...",
        )
    return countries.index(reference)


def solve(
    flows: np.ndarray,
    shock: np.ndarray,
    countries: tuple[str, ...] | list[str],
    *,
    sigma: float,
    kind: GEKind = "full",
    reference: str | None = None,
    tol: float = 1e-10,
    max_iter: int = 5_000,
    damping: float = 1.0,
    raise_on_nonconvergence: bool = True,
) -> GEResult:
    """Solve one conditional or full-endowment counterfactual.

    Parameters
    ----------
    flows : (N, N) baseline flows, exporters in rows, importers in columns.
    shock : (N, N) ``(t'_ij / t_ij)^(1-sigma)``; 1 where costs do not change.
    countries : N country codes (row/column order of ``flows``).
    sigma : elasticity of substitution (> 1).
    kind : ``"conditional"`` (output and expenditure fixed) or ``"full"``.
    reference : country whose inward multilateral resistance is the numeraire
        (default: the last country).
    tol, max_iter, damping : fixed-point controls (max relative change of ``p``).

    Raises
    ------
    InputError
        malformed flows or shock, sigma <= 1.
    NonConvergenceError
        the fixed point did not reach ``tol`` within ``max_iter`` iterations.
    """
    countries = tuple(countries)
    x = check_flows(flows, countries)
    n = len(countries)
    t = _check_shock(shock, n)
    if t.ndim != 2:
        raise InputError("solve() takes one (N, N) shock; use solve_batch for many.")
    if not sigma > 1:
        raise InputError(f"sigma must be > 1; got {sigma}.", hint="Typical values: 4 to 8.")
    if kind not in ("conditional", "full", "one_step"):
        raise InputError(
            f"Unknown GE kind {kind!r}.", hint="Use 'conditional', 'full' or 'one_step'."
        )
    r = _ref_index(countries, reference)
    core = _solve_core(x, t[None, ...], sigma, kind, r, tol, max_iter, damping)
    conv = core["convergence"]
    if not conv.converged and raise_on_nonconvergence:
        raise NonConvergenceError(
            f"GE ({kind}) did not converge: max relative change {conv.max_change:.2e} after "
            f"{conv.iterations} iterations (tolerance {tol:.0e}).",
            hint="Raise max_iter, use damping < 1, or check for extreme cost shocks.",
            iterations=conv.iterations,
            max_change=conv.max_change,
        )
    dom = np.eye(n, dtype=bool)
    new = core["flows"][0]
    foreign = ~dom
    trace = (
        f"{kind} GE, sigma={sigma}, numeraire P[{countries[r]}]=1",
        f"{int(np.sum(t != 1.0))} pairs with changed trade costs",
        f"{conv.method}: {conv.iterations} iterations, max change {conv.max_change:.1e}",
    )
    return GEResult(
        kind=kind,
        countries=countries,
        sigma=float(sigma),
        reference=countries[r],
        exports_base=(x * foreign).sum(axis=1),
        exports_new=(new * foreign).sum(axis=1),
        imports_base=(x * foreign).sum(axis=0),
        imports_new=(new * foreign).sum(axis=0),
        output_base=x.sum(axis=1),
        output_new=new.sum(axis=1),
        factory_price_pct=100.0 * (core["p"][0] - 1.0),
        imr_pct=100.0 * (core["P"][0] - 1.0),
        omr_pct=100.0 * (core["Pi"][0] - 1.0),
        real_gdp_pct=100.0 * (core["rgdp"][0] - 1.0),
        welfare_pct=100.0 * (core["welfare"][0] - 1.0),
        flows_new=new,
        convergence=conv,
        trace=trace,
    )


def solve_batch(
    flows: np.ndarray,
    shocks: np.ndarray,
    *,
    sigma: float,
    kind: GEKind = "full",
    reference_index: int = -1,
    tol: float = 1e-10,
    max_iter: int = 5_000,
) -> dict[str, Any]:
    """Solve many shocks ``(D, N, N)`` at once; returns arrays ``(D, N)`` of hats.

    Keys: ``p`` (factory-gate price), ``P``, ``Pi`` (MR changes), ``rgdp`` (real GDP
    change factor), ``flows`` ``(D, N, N)``, ``convergence``.
    """
    x = np.asarray(flows, dtype=float)
    n = x.shape[0]
    t = _check_shock(shocks, n)
    if t.ndim == 2:
        t = t[None, ...]
    r = reference_index % n
    return _solve_core(x, t, sigma, kind, r, tol, max_iter, 1.0)


def _solve_core(
    x: np.ndarray,
    t: np.ndarray,
    sigma: float,
    kind: str,
    r: int,
    tol: float,
    max_iter: int,
    damping: float,
) -> dict[str, Any]:
    y = x.sum(axis=1)
    e = x.sum(axis=0)
    xt = x * t  # (D, N, N)
    one_m = 1.0 - sigma
    if kind in ("conditional", "one_step"):
        # X'_ij = a_i (X_ij T_ij) b_j with X' margins = Y, E; a = Pihat^(sigma-1), b = Phat^(sigma-1)
        conv = Convergence(False, 0, np.inf, tol, "")
        if xt.shape[-1] <= NEWTON_MAX_N:
            (a, b), it, err = newton_scaling(xt, y, e, r, tol, min(40, max_iter))
            conv = Convergence(err < tol, it, err, tol, "Newton (bi-proportional scaling)")
        if not conv.converged:
            a, b, conv = sinkhorn(xt, y, e, tol=tol, max_iter=max_iter)
        # numeraire: Phat_ref = 1  <=> b_ref = 1; rescale a <-> b (a b invariant)
        k = b[..., r : r + 1]
        a, b = a * k, b / k
        p = np.ones_like(a)
        p_hat = b ** (1.0 / (sigma - 1.0))  # b = Phat^(sigma-1)
        pi_hat = a ** (1.0 / (sigma - 1.0))  # a = Pihat^(sigma-1)
        flows = a[..., :, None] * xt * b[..., None, :]
        if kind == "one_step":
            # gegravity OneSectorGE: p = 1/Pihat_cdl, Y' = p Y, E' = p E, MRs kept at the
            # conditional solution; X'_ij = X^cdl_ij (p_i / Yhat_world) p_j
            p = 1.0 / pi_hat
            y_w = (p * y).sum(axis=-1) / y.sum()
            flows = flows * (p / y_w[..., None])[..., :, None] * p[..., None, :]
            conv = Convergence(
                conv.converged, conv.iterations, conv.max_change, tol, "one-step (gegravity)"
            )
        return {
            "p": p,
            "P": p_hat,
            "Pi": pi_hat,
            "rgdp": p / p_hat,
            "welfare": p / p_hat,
            "flows": flows,
            "convergence": conv,
        }
    s_sales = xt / y[:, None]  # X_ij T_ij / Y_i
    s_exp = xt / e[None, :]  # X_ij T_ij / E_j

    def step(logp: np.ndarray) -> np.ndarray:
        p = np.exp(logp)
        big_p = coldot(s_exp, p**one_m)  # Phat^(1-sigma)
        logk = np.log(rowdot(s_sales, p / big_p)) / sigma
        # numeraire Phat_ref = 1 (Phat is homogeneous of degree 1 in p)
        ref = np.log(np.sum(s_exp[..., :, r] * np.exp(one_m * logk), axis=-1)) / one_m
        new = logk - ref[..., None]
        return new if damping == 1.0 else (1.0 - damping) * logp + damping * new

    conv = Convergence(False, 0, np.inf, tol, "")
    if damping == 1.0 and xt.shape[-1] <= NEWTON_MAX_N:
        p, it, err = newton_prices(s_exp, s_sales, y, e, sigma, r, tol, min(40, max_iter))
        conv = Convergence(err < tol, it, err, tol, "Newton (factory-gate prices)")
    if not conv.converged:
        logp, it, change = squarem(step, np.zeros(t.shape[:-1]), tol, max_iter)
        p = np.exp(logp)
        conv = Convergence(
            change < tol, it, change, tol, "factory-gate price fixed point (SQUAREM)"
        )
    p1ms = p**one_m
    big_p1ms = coldot(s_exp, p1ms)
    # E'_j = kappa phi_j Y'_j: kappa keeps world spending equal to world income when
    # trade is unbalanced (kappa = 1 with balanced trade); it does not move prices.
    kappa = (p * y).sum(axis=-1) / (p * e).sum(axis=-1)
    e_hat = kappa[..., None] * p
    flows = xt * p1ms[..., :, None] * (e_hat / big_p1ms)[..., None, :]
    y_w = (p * y).sum(axis=-1) / y.sum()
    pi1ms = rowdot(s_sales, e_hat / big_p1ms) / y_w[..., None]
    p_hat = big_p1ms ** (1.0 / one_m)
    return {
        "p": p,
        "P": p_hat,
        "Pi": pi1ms ** (1.0 / one_m),
        "rgdp": p / p_hat,
        "welfare": e_hat / p_hat,
        "flows": flows,
        "convergence": conv,
    }


__all__ = [
    "Convergence",
    "GEKind",
    "GEResult",
    "baseline_flows",
    "check_flows",
    "sinkhorn",
    "solve",
    "solve_batch",
]
