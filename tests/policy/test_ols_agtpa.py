"""feols and the delta method against the OLS columns of AGTPA chapter 1 (Yotov et al. 2016).

Published numbers: pachadotdev/tradepolicy, ``_freeze/01-traditional-gravity/execute-results/
html.json`` (the R solutions manual; 4 decimals, clustered by ``pair_id`` with the Stata
convention q = G/(G-1), our ``small_sample="ppmlhdfe"``; R-squared to 7 decimals where printed):

* OLS ignoring multilateral resistance (table 1 col. 1): Intercept -11.2831 (0.2958),
  log_dist -1.0016 (0.0273), cntg 0.5738 (0.1847), lang 0.8015 (0.0821), clny 0.7349 (0.1442),
  log_y 1.1902 (0.0095), log_e 0.9076 (0.0099); R2 0.7585251, adj. R2 0.7584687; N 25689.
* OLS with remoteness indexes (col. 2): -35.2185 (1.9859), -1.1848 (0.0313), 0.2466 (0.1769),
  0.7394 (0.0784), 0.8425 (0.1502), 1.1643 (0.0095), 0.9026 (0.0099), 0.9718 (0.0682),
  0.2737 (0.0598).
* OLS with exporter-year and importer-year fixed effects (col. 3): -1.2156 (0.0376),
  0.2232 (0.1995), 0.6609 (0.0807), 0.6705 (0.1470); R2 0.8432, adj. R2 0.838.
* OLS distance puzzle (section 2): log_dist_1986..2006 -1.1685 (0.0429), -1.1551 (0.0416),
  -1.2106 (0.0449), -1.2481 (0.0421), -1.2413 (0.0434), -1.2613 (0.0430), cntg 0.2230
  (0.1993), lang 0.6611 (0.0807), clny 0.6702 (0.1469); % change of the distance elasticity
  1986-2006 by the delta method 7.9502 (3.6976), p 0.0316. PPML counterpart: -2.7503
  (3.0038), p 0.3599.
* OLS RTA with international trade only (section 3): -1.2159 (0.0384), 0.2230 (0.1996),
  0.6607 (0.0808), 0.6705 (0.1470), rta -0.0044 (0.0531).

Every OLS model is also compared with pyfixest ``feols`` (fixest conventions) at 1e-7 / 1e-6.
"""

from __future__ import annotations

import functools
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kaigai.policy.inference import delta_method, wald_test
from kaigai.policy.ols import feols
from kaigai.policy.ppml import fepois

pf = pytest.importorskip("pyfixest")

DIST = " + ".join(f"log_dist_{y}" for y in range(1986, 2007, 4))
PCT = "100 * (log_dist_2006 - log_dist_1986) / log_dist_1986"
CASES = {
    "ols_no_mr": (
        "log_trade ~ log_dist + cntg + lang + clny + log_y + log_e",
        [-11.2831, -1.0016, 0.5738, 0.8015, 0.7349, 1.1902, 0.9076],
        [0.2958, 0.0273, 0.1847, 0.0821, 0.1442, 0.0095, 0.0099],
    ),
    "ols_remoteness": (
        "log_trade ~ log_dist + cntg + lang + clny + log_y + log_e"
        " + log_remoteness_exp + log_remoteness_imp",
        [-35.2185, -1.1848, 0.2466, 0.7394, 0.8425, 1.1643, 0.9026, 0.9718, 0.2737],
        [1.9859, 0.0313, 0.1769, 0.0784, 0.1502, 0.0095, 0.0099, 0.0682, 0.0598],
    ),
    "ols_fe": (
        "log_trade ~ log_dist + cntg + lang + clny | exp_year + imp_year",
        [-1.2156, 0.2232, 0.6609, 0.6705],
        [0.0376, 0.1995, 0.0807, 0.1470],
    ),
    "ols_distance_puzzle": (
        f"log_trade ~ {DIST} + cntg + lang + clny | exp_year + imp_year",
        [-1.1685, -1.1551, -1.2106, -1.2481, -1.2413, -1.2613, 0.2230, 0.6611, 0.6702],
        [0.0429, 0.0416, 0.0449, 0.0421, 0.0434, 0.0430, 0.1993, 0.0807, 0.1469],
    ),
    "ols_rta": (
        "log_trade ~ log_dist + cntg + lang + clny + rta | exp_year + imp_year",
        [-1.2159, 0.2230, 0.6607, 0.6705, -0.0044],
        [0.0384, 0.1996, 0.0808, 0.1470, 0.0531],
    ),
}


@functools.lru_cache(maxsize=1)
def _panel(path: str) -> pd.DataFrame:
    """agtpa_applications 1986-2006 (every 4 years) with tradepolicy's derived variables
    (Y, E and the remoteness indexes include domestic flows, as the manual computes them)."""
    a = pd.read_parquet(Path(path) / "agtpa_applications.parquet")
    a = a[a["year"].isin(range(1986, 2007, 4))].copy()
    a["log_trade"] = np.log(a["trade"].where(a["trade"] > 0))
    a["log_dist"] = np.log(a["dist"])
    a["y"] = a.groupby(["exporter", "year"])["trade"].transform("sum")
    a["e"] = a.groupby(["importer", "year"])["trade"].transform("sum")
    a["log_y"], a["log_e"] = np.log(a["y"]), np.log(a["e"])
    total_e = a.groupby(["exporter", "year"])["e"].transform("sum").groupby(a["year"])
    a["total_e"] = total_e.transform("max")
    rem_exp = (a["dist"] * a["total_e"] / a["e"]).groupby([a["exporter"], a["year"]])
    a["log_remoteness_exp"] = np.log(rem_exp.transform("sum"))
    total_y = a.groupby(["importer", "year"])["y"].transform("sum").groupby(a["year"])
    a["total_y"] = total_y.transform("max")
    rem_imp = (a["dist"] / (a["y"] / a["total_y"])).groupby([a["importer"], a["year"]])
    a["log_remoteness_imp"] = np.log(rem_imp.transform("sum"))
    a["exp_year"] = a["exporter"] + a["year"].astype(str)
    a["imp_year"] = a["importer"] + a["year"].astype(str)
    dom = a["exporter"] == a["importer"]
    for y in range(1986, 2007, 4):
        a[f"log_dist_{y}"] = a["log_dist"] * ((a["year"] == y) & ~dom)
    a["intl"] = ~dom
    return a


@pytest.fixture
def panel(shared_data: Path) -> pd.DataFrame:
    p = shared_data / "gravity"
    if not (p / "agtpa_applications.parquet").exists():
        pytest.skip(f"AGTPA gravity data not found at {p}")
    return _panel(str(p))


@pytest.mark.parametrize("case", list(CASES))
def test_agtpa_ols_columns(panel: pd.DataFrame, case: str) -> None:
    fml, coef, se = CASES[case]
    ols = panel[panel["intl"] & (panel["trade"] > 0)]
    res = feols(ols, fml, {"CRV1": "pair_id"}, small_sample="ppmlhdfe")
    assert res.n_obs == 25689
    np.testing.assert_allclose(res.coef.to_numpy(), coef, rtol=0, atol=5e-5 + 1e-12)
    np.testing.assert_allclose(res.se.to_numpy(), se, rtol=0, atol=5e-5 + 1e-12)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = pf.feols(fml, data=ols, vcov={"CRV1": "pair_id"}, fixef_tol=1e-12)
    ours = feols(ols, fml, {"CRV1": "pair_id"})  # fixest conventions
    assert list(ours.coef.index) == list(ref.coef().index)
    np.testing.assert_allclose(ours.coef.to_numpy(), ref.coef().to_numpy(), rtol=1e-7)
    np.testing.assert_allclose(ours.se.to_numpy(), ref.se().to_numpy(), rtol=1e-6)
    np.testing.assert_allclose(ours.stats["r2"], ref._r2, rtol=1e-9)
    np.testing.assert_allclose(ours.stats["adj_r2"], ref._adj_r2, rtol=1e-9)


def test_agtpa_ols_r_squared(panel: pd.DataFrame) -> None:
    ols = panel[panel["intl"] & (panel["trade"] > 0)]
    r = feols(ols, CASES["ols_no_mr"][0], {"CRV1": "pair_id"})
    assert round(r.stats["r2"], 7) == 0.7585251 and round(r.stats["adj_r2"], 7) == 0.7584687
    r = feols(ols, CASES["ols_fe"][0], {"CRV1": "pair_id"})
    assert round(r.stats["r2"], 4) == 0.8432 and round(r.stats["adj_r2"], 3) == 0.838


def test_distance_elasticity_change_delta_method(panel: pd.DataFrame) -> None:
    ols = panel[panel["intl"] & (panel["trade"] > 0)]
    r = feols(ols, CASES["ols_distance_puzzle"][0], {"CRV1": "pair_id"}, small_sample="ppmlhdfe")
    d = delta_method(r, PCT)
    assert (round(d.estimate, 4), round(d.se, 4), round(d.p, 4)) == (7.9502, 3.6976, 0.0316)
    ppml = fepois(
        panel[panel["intl"]],
        f"trade ~ {DIST} + cntg + lang + clny | exp_year + imp_year",
        {"CRV1": "pair_id"},
        small_sample="ppmlhdfe",
    )
    d = delta_method(ppml, PCT)
    # the manual's PPML stops at its own convergence tolerance: SE 3.00390 here vs 3.0038
    assert (round(d.estimate, 4), round(d.p, 4)) == (-2.7503, 0.3599)
    assert abs(d.se - 3.0038) < 1.5e-4


def test_factor_coefficient_names_in_delta_and_wald(panel: pd.DataFrame) -> None:
    """The change of the distance elasticity 1986-2006 written with i(year, log_dist)'s own
    names (year::1986:log_dist; as written or in backticks) equals the hand-dummy version
    (7.9502 (3.6976)), a by-hand G V G' and pyfixest's Wald statistic of b1986 = b2006."""
    ols = panel[panel["intl"] & (panel["trade"] > 0)]
    fml = "log_trade ~ i(year, log_dist) + cntg + lang + clny | exp_year + imp_year"
    r = feols(ols, fml, {"CRV1": "pair_id"}, small_sample="ppmlhdfe")
    hand = feols(ols, CASES["ols_distance_puzzle"][0], {"CRV1": "pair_id"}, small_sample="ppmlhdfe")
    b86, b06 = "year::1986:log_dist", "year::2006:log_dist"
    for expr in (f"100 * ({b06} - {b86}) / {b86}", f"100 * (`{b06}` - `{b86}`) / `{b86}`"):
        d = delta_method(r, expr)
        ref = delta_method(hand, PCT)
        np.testing.assert_allclose([d.estimate, d.se], [ref.estimate, ref.se], rtol=1e-7)
        assert (round(d.estimate, 4), round(d.se, 4)) == (7.9502, 3.6976)
    names = list(r.coef.index)
    g = np.zeros(len(names))
    g[names.index(b06)] = 100 / r.coef[b86]
    g[names.index(b86)] = -100 * r.coef[b06] / r.coef[b86] ** 2
    np.testing.assert_allclose(d.se, np.sqrt(g @ r.vcov.to_numpy() @ g), rtol=1e-7)
    w = wald_test(r, f"{b86} = {b06}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p = pf.feols(fml, data=ols, vcov={"CRV1": "pair_id"}, fixef_tol=1e-12)
        rr = np.zeros((1, len(names)))
        rr[0, list(p.coef().index).index(b86)] = 1.0
        rr[0, list(p.coef().index).index(b06)] = -1.0
        w_ref = p.wald_test(R=rr)
    w_fixest = wald_test(feols(ols, fml, {"CRV1": "pair_id"}), [f"{b86} - {b06}"])
    np.testing.assert_allclose(w_fixest.statistic, w_ref["statistic"], rtol=1e-6)
    assert w.df == 1 and w.statistic > 0
    np.testing.assert_allclose(
        w.statistic, wald_test(hand, "log_dist_1986 = log_dist_2006").statistic, rtol=1e-8
    )
