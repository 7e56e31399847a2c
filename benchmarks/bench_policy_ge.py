"""GE counterfactual speed: 150 countries per solve (< 10 ms) and 1,000 Monte Carlo draws (< 10 s).

Reference measured in the same run: the same full-endowment system solved with
``scipy.optimize.root(method="hybr")``, the generic solver gegravity's OneSectorGE uses.
"""

from __future__ import annotations

import time

import numpy as np
from scipy.optimize import root

from kaigai.policy.ge import solve
from kaigai.policy.ge_montecarlo import monte_carlo


def world(n: int, seed: int = 0) -> tuple[np.ndarray, list[str], np.ndarray]:
    """Synthetic gravity world: sizes, distances, domestic bias; 5% of pairs get an RTA."""
    rng = np.random.default_rng(seed)
    size = rng.lognormal(0.0, 1.5, n)
    dist = rng.uniform(0.5, 10.0, (n, n))
    dist = (dist + dist.T) / 2
    np.fill_diagonal(dist, 0.1)
    flows = (
        np.outer(size, size * rng.uniform(0.8, 1.2, n))
        / dist
        * np.where(np.eye(n, dtype=bool), 20.0, 1.0)
    )
    rta = rng.uniform(size=(n, n)) < 0.05
    rta = (rta | rta.T) & ~np.eye(n, dtype=bool)
    return flows, [f"C{k:03d}" for k in range(n)], rta.astype(float)


def scipy_full(flows: np.ndarray, shock: np.ndarray, sigma: float) -> np.ndarray:
    """Full GE in factory-gate prices with scipy's hybrid Powell solver (numeraire p_0 = 1)."""
    y, e = flows.sum(1), flows.sum(0)
    xt = flows * shock

    def resid(z: np.ndarray) -> np.ndarray:
        p = np.exp(np.concatenate([[0.0], z]))
        big_p = (xt * p[:, None] ** (1 - sigma)).sum(0) / e
        kappa = (p * y).sum() / (p * e).sum()
        sales = (xt * p[:, None] ** (1 - sigma) * (kappa * p / big_p)[None, :]).sum(1)
        return np.log(sales[1:] / (p[1:] * y[1:]))

    sol = root(resid, np.zeros(len(y) - 1), method="hybr", tol=1e-10)
    return np.exp(np.concatenate([[0.0], sol.x]))


def _time(fn, reps: int) -> float:  # type: ignore[no-untyped-def]
    fn()
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return float(np.median(ts))


def main() -> None:
    sigma = 5.0
    for n in (30, 69, 150):
        flows, names, rta = world(n)
        shock = np.exp(0.5 * rta)
        t_full = _time(
            lambda flows=flows, names=names, shock=shock: solve(
                flows, shock, names, sigma=sigma, kind="full"
            ),
            30,
        )
        t_cond = _time(
            lambda flows=flows, names=names, shock=shock: solve(
                flows, shock, names, sigma=sigma, kind="conditional"
            ),
            30,
        )
        t_ref = _time(lambda flows=flows, shock=shock: scipy_full(flows, shock, sigma), 3)
        r = solve(flows, shock, names, sigma=sigma, kind="full", tol=1e-12)
        p_ref = scipy_full(flows, shock, sigma)
        p_ours = 1 + r.factory_price_pct / 100
        gap = float(np.max(np.abs(p_ours / p_ours[0] - p_ref / p_ref[0])))
        print(
            f"N={n:3d}: full GE {1e3 * t_full:7.2f} ms ({r.convergence.iterations} iterations, {r.convergence.method}), "
            f"conditional {1e3 * t_cond:6.2f} ms; scipy root(hybr) {1e3 * t_ref:8.1f} ms "
            f"-> {t_ref / t_full:5.1f}x faster; max price gap {gap:.1e}"
        )
    flows, names, rta = world(150)
    print(f"target: 150 countries < 10 ms per full solve: {'OK' if t_full < 0.010 else 'MISSED'}")
    t0 = time.perf_counter()
    mc = monte_carlo(
        flows,
        names,
        rta[None],
        np.array([0.5]),
        np.array([[0.01]]),
        sigma=sigma,
        n_draws=1000,
        seed=1,
    )
    t_mc = time.perf_counter() - t0
    print(
        f"Monte Carlo 1,000 draws, 150 countries: {t_mc:.2f} s ({mc.n_converged} converged); "
        f"sequential scipy estimate {1000 * t_ref:.0f} s -> {1000 * t_ref / t_mc:.0f}x; "
        f"target < 10 s: {'OK' if t_mc < 10 else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
