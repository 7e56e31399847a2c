"""Firm simulator speed: 1,000,000 firms, one scenario < 1 s.

Reference measured in the same run: the same per-firm decision rule as a plain Python
loop over a 20,000-firm slice, extrapolated linearly to 1,000,000 firms.
"""

from __future__ import annotations

import time

import numpy as np

from kaigai.policy.firms import calibrate, choose, compare, staff_mask
from kaigai.policy.firms_model import FirmParams, Population, draw_population
from kaigai.policy.scenarios import load_scenario
from kaigai.policy.scenarios_run import market_pref


def python_loop(pop: Population, markets, params: FirmParams, staff: np.ndarray, n: int) -> int:  # type: ignore[no-untyped-def]
    s = params.sigma
    exporters = 0
    for i in range(n):
        fx = (
            params.export_fixed_cost
            * (1 - params.staff_fx_cut * staff[i])
            * np.exp(params.fx_dispersion * pop.z_fx[i])
        )
        ffta = (
            params.fta_fixed_cost * params.export_fixed_cost * (1 - params.staff_fta_cut * staff[i])
        )
        exp_any = False
        for m in markets:
            a = m.demand * m.trade_cost ** (1 - s)
            best = a * (1 + m.mfn_tariff) ** (1 - s) * pop.phi_pow[i] / s - fx * m.fixed_cost
            if m.pref_tariff is not None:
                best = max(
                    best,
                    a * (1 + m.pref_tariff) ** (1 - s) * pop.phi_pow[i] / s
                    - fx * m.fixed_cost
                    - ffta,
                )
            exp_any = exp_any or best > 0
        exporters += exp_any
    return exporters


def main() -> None:
    scn = load_scenario("jpn-cjk")
    assert scn.firms is not None
    base_m = tuple(
        market_pref(m, cs, scn.home, scn.agreements, scn.year, baseline=True)
        for m, cs in scn.firms.markets
    )
    new_m = tuple(
        market_pref(m, cs, scn.home, scn.agreements, scn.year, baseline=False)
        for m, cs in scn.firms.markets
    )
    n = 1_000_000
    t0 = time.perf_counter()
    pop = draw_population(n, scn.firms.params, seed=0)
    t_draw = time.perf_counter() - t0
    t0 = time.perf_counter()
    pc, thr, _ = calibrate(pop, base_m, scn.firms.params, 0.10, fta_utilisation_target=0.289)
    t_cal = time.perf_counter() - t0
    ts = []
    for _ in range(3):
        t0 = time.perf_counter()
        res = compare(pop, base_m, pc, new_m, pc, thr)
        ts.append(time.perf_counter() - t0)
    t_scn = float(np.median(ts))
    g = staff_mask(pop, thr, None, 0.0)
    t0 = time.perf_counter()
    choose(pop, new_m, pc, g)
    t_choose = time.perf_counter() - t0
    k = 20_000
    t0 = time.perf_counter()
    python_loop(pop, new_m, pc, g, k)
    t_loop = (time.perf_counter() - t0) * n / k
    print(
        f"draw 1,000,000 firms: {t_draw:.2f} s; calibration (exporter share + FTA utilisation): {t_cal:.2f} s"
    )
    print(
        f"one scenario (baseline + scenario choices + aggregation by size): {t_scn:.3f} s; "
        f"scenario choices alone {t_choose:.3f} s; Python loop (extrapolated) {t_loop:.1f} s "
        f"-> {t_loop / t_choose:.0f}x"
    )
    print(
        f"new exporters: {res.summary['new_exporters']:.0f}; target < 1 s: {'OK' if t_scn < 1 else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
