"""AGTPA (Yotov, Piermartini, Monteiro & Larch 2016) PPML examples against published results.

Published numbers and where they come from (all in the repository pachadotdev/tradepolicy,
the R "Solutions manual for An Advanced Guide to Trade Policy Analysis"):

* ``TP`` - fixest ``fepois(..., cluster = ~pair_id)`` outputs rendered in
  ``_freeze/01-traditional-gravity/execute-results/html.json`` at commit a4f3124 (3 decimals;
  fixest small-sample defaults, i.e. our ``small_sample="fixest"``).
* ``STATA_PPML`` - Stata ``ppml`` logs of the WTO/UNCTAD application files
  ``00-application-files/Chapter2/Applications/1_TradeWithoutBorder/Results/TradeWithoutBorder.log``
  and ``.../2_RTAsEffects/Results/RTAsEffects.log`` (7 digits; "semirobust" standard errors,
  q = N/(N-1), our ``small_sample="ppmlhdfe"``).
* ``STATA_SG`` - Stata ``ppml_panel_sg`` output of the WTO exercise in
  ``00-application-files/Chapter1/Exercises/2_UnilateralPolicyImpact/Results/UnilateralPolicyImpact.log``
  (7 digits, clustered, q = G/(G-1)) and the esttab table of the MFN-tariff exercise in
  ``.../UnilateralPolicyImpact.txt`` (3 decimals).

Every model is also re-estimated with pyfixest ``fepois`` in the test run (reference
implementation, fixest conventions) and compared at tighter tolerances.
"""

from __future__ import annotations

import functools
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kaigai.policy.ppml import fepois

pf = pytest.importorskip("pyfixest")

YEARS = list(range(1986, 2007, 4))


def _pyfixest(fml: str, df: pd.DataFrame, vcov: str | dict[str, str]):  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pf.fepois(fml, data=df, vcov=vcov, iwls_tol=1e-10, fixef_tol=1e-10, iwls_maxiter=100)


def _check_published(res, coef: list[float], se: list[float], atol: float) -> None:  # type: ignore[no-untyped-def]
    np.testing.assert_allclose(res.coef.to_numpy(), coef, rtol=0, atol=atol)
    np.testing.assert_allclose(res.se.to_numpy(), se, rtol=0, atol=atol)


def _check_pyfixest(res, fml: str, df: pd.DataFrame, vcov: str | dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    ref = _pyfixest(fml, df, vcov)
    assert res.n_obs == ref._N
    np.testing.assert_allclose(res.coef.to_numpy(), ref.coef().to_numpy(), rtol=1e-6)
    np.testing.assert_allclose(res.se.to_numpy(), ref.se().to_numpy(), rtol=1e-4)


@pytest.fixture
def gravity_dir(shared_data: Path) -> Path:
    p = shared_data / "gravity"
    if not (p / "agtpa_applications.parquet").exists():
        pytest.skip(f"AGTPA gravity data not found at {p}")
    return p


@functools.lru_cache(maxsize=1)
def _panel(path: str) -> pd.DataFrame:
    """agtpa_applications for 1986, 1990, ..., 2006 with the book's derived variables."""
    a = pd.read_parquet(Path(path) / "agtpa_applications.parquet")
    a = a[a["year"].isin(YEARS)].copy()
    a["exp_year"] = a["exporter"] + a["year"].astype(str)
    a["imp_year"] = a["importer"] + a["year"].astype(str)
    a["log_dist"] = np.log(a["dist"])
    dom = a["exporter"] == a["importer"]
    a["smctry"] = dom.astype(int)
    a["log_dist_intra"] = a["log_dist"] * a["smctry"]
    for y in YEARS:
        a[f"log_dist_{y}"] = a["log_dist"] * ((a["year"] == y) & ~dom)
        a[f"intl_border_{y}"] = ((a["year"] == y) & ~dom).astype(int)
    # domestic-pair fixed effect (each domestic pair its own level, all international one)
    a["intl_brdr"] = np.where(dom, a["pair_id"].astype(str), "inter")
    # pair fixed effect with all domestic pairs pooled in one level (tradepolicy's pair_id_2)
    a["pair_id_2"] = np.where(dom, "0-intra", a["pair_id"].astype(str))
    a["sum_trade"] = a.groupby("pair_id")["trade"].transform("sum")
    return a


@pytest.fixture
def panel(gravity_dir: Path) -> pd.DataFrame:
    return _panel(str(gravity_dir))


TRADITIONAL = "trade ~ log_dist + cntg + lang + clny | exp_year + imp_year"
DIST_INTRA = (
    "trade ~ log_dist_1986 + log_dist_1990 + log_dist_1994 + log_dist_1998 + log_dist_2002"
    " + log_dist_2006 + cntg + lang + clny + log_dist_intra | exp_year + imp_year"
)
DIST_INTRA_SMCTRY = DIST_INTRA.replace("log_dist_intra |", "log_dist_intra + smctry |")
RTA_INTL = "trade ~ log_dist + cntg + lang + clny + rta | exp_year + imp_year"
RTA_BORDER = "trade ~ log_dist + cntg + lang + clny + rta | exp_year + imp_year + intl_brdr"
RTA_PAIR = "trade ~ rta | exp_year + imp_year + pair_id_2"
RTA_LEAD = "trade ~ rta + rta_lead4 | exp_year + imp_year + pair_id_2"
RTA_LAGS = "trade ~ rta + rta_lag4 + rta_lag8 + rta_lag12 | exp_year + imp_year + pair_id_2"
RTA_GLOB = (
    "trade ~ rta + rta_lag4 + rta_lag8 + rta_lag12 + intl_border_1986 + intl_border_1990"
    " + intl_border_1994 + intl_border_1998 + intl_border_2002 | exp_year + imp_year + pair_id_2"
)

# (formula, sample, published coefficients, published SEs (TP, fixest cluster by pair_id), N)
CASES = {
    "traditional_ppml": (
        TRADITIONAL,
        "intl",
        [-0.841, 0.437, 0.247, -0.222],
        [0.032, 0.084, 0.078, 0.118],
        28152,
    ),
    "distance_puzzle_intra": (
        DIST_INTRA,
        "all",
        [-0.980, -0.940, -0.915, -0.887, -0.884, -0.872, 0.371, 0.337, 0.019, -0.488],
        [0.073, 0.074, 0.073, 0.072, 0.072, 0.072, 0.142, 0.171, 0.159, 0.102],
        28566,
    ),
    "distance_puzzle_intra_border": (
        DIST_INTRA_SMCTRY,
        "all",
        [-0.857, -0.819, -0.796, -0.770, -0.767, -0.754, 0.574, 0.352, 0.027, -0.602, 1.689],
        [0.064, 0.064, 0.064, 0.064, 0.064, 0.063, 0.157, 0.139, 0.127, 0.111, 0.582],
        28566,
    ),
    "rta_international": (
        RTA_INTL,
        "intl",
        [-0.822, 0.416, 0.250, -0.205, 0.191],
        [0.031, 0.084, 0.078, 0.116, 0.067],
        28152,
    ),
    "rta_domestic_diversion": (
        RTA_BORDER,
        "all",
        [-0.800, 0.393, 0.244, -0.182, 0.409],
        [0.031, 0.080, 0.078, 0.115, 0.070],
        28566,
    ),
    "rta_pair_fe": (RTA_PAIR, "pos", [0.557], [0.108], 28482),
    "rta_lead": (RTA_LEAD, "pos", [0.520, 0.077], [0.091, 0.098], 28482),
    "rta_lags": (
        RTA_LAGS,
        "pos",
        [0.291, 0.414, 0.169, 0.119],
        [0.095, 0.071, 0.046, 0.032],
        28482,
    ),
    "rta_globalization": (
        RTA_GLOB,
        "pos",
        [0.116, 0.288, 0.069, 0.002, -0.706, -0.480, -0.367, -0.158, -0.141],
        [0.092, 0.065, 0.051, 0.031, 0.051, 0.046, 0.035, 0.025, 0.018],
        28482,
    ),
}


# re-estimated with pyfixest as well (one per specification family, to keep the suite fast)
PYFIXEST_CASES = {"traditional_ppml", "distance_puzzle_intra_border", "rta_pair_fe"}


def _sample(panel: pd.DataFrame, which: str) -> pd.DataFrame:
    if which == "intl":
        return panel[panel["exporter"] != panel["importer"]]
    if which == "pos":
        return panel[panel["sum_trade"] > 0]
    return panel


@pytest.mark.parametrize("case", list(CASES))
def test_agtpa_chapter1_vs_published_and_pyfixest(panel: pd.DataFrame, case: str) -> None:
    fml, which, coef, se, n = CASES[case]
    df = _sample(panel, which)
    res = fepois(df, fml, {"CRV1": "pair_id"}, small_sample="fixest")
    assert res.converged
    assert res.n_obs == n
    # published to 3 decimals: within rounding
    _check_published(res, coef, se, atol=5e-4 + 1e-9)
    if case in PYFIXEST_CASES:  # the reference implementation, at tighter tolerances
        _check_pyfixest(res, fml, df, {"CRV1": "pair_id"})


def test_rta_pair_fe_vs_stata_ppml(panel: pd.DataFrame) -> None:
    """Stata ``ppml`` with pair dummies (AGTPA Ch.2 Application 2, RTAsEffects.log):
    RTA .5571853 (semirobust s.e. .055771), N = 28482, 84 observations excluded."""
    res = fepois(panel, RTA_PAIR, "hetero", small_sample="ppmlhdfe")
    assert res.n_obs == 28482
    assert res.dropped["separated"] == 84
    np.testing.assert_allclose(res.coef["rta"], 0.5571853, rtol=1e-6)
    np.testing.assert_allclose(res.se["rta"], 0.055771, rtol=1e-5)


def test_trade_without_border_vs_stata_ppml(gravity_dir: Path) -> None:
    """AGTPA Ch.2 Application 1 (TradeWithoutBorder.log), 2006 cross-section with exporter
    and importer dummies: ln_DIST -.7912879 (.0501494), CNTG .6736456 (.1073719),
    INTL_BRDR -2.47445 (.1193816), N = 4761."""
    b = pd.read_parquet(gravity_dir / "agtpa_ch2_trade_without_border_2006.parquet")
    fml = "trade ~ ln_DIST + CNTG + INTL_BRDR | exporter + importer"
    res = fepois(b, fml, "hetero", small_sample="ppmlhdfe")
    assert res.n_obs == 4761
    np.testing.assert_allclose(res.coef.to_numpy(), [-0.7912879, 0.6736456, -2.47445], rtol=1e-6)
    np.testing.assert_allclose(res.se.to_numpy(), [0.0501494, 0.1073719, 0.1193816], rtol=1e-5)
    # the fixest convention against pyfixest
    _check_pyfixest(fepois(b, fml, "hetero"), fml, b, "hetero")


def test_wto_exercise_vs_stata_ppml_panel_sg(gravity_dir: Path) -> None:
    """AGTPA Ch.1 Exercise 1: ``ppml_panel_sg trade RTA WTO, ex(exporter) im(importer) y(year)
    sym cluster(pair_id)`` with ``egen pair_id = group(DIST)``: RTA .4495273 (.0849643),
    WTO .681111 (.0873877), N = 25350. ppml_panel_sg stops at its own tolerance, hence the
    1e-4 relative tolerance on coefficients."""
    w = pd.read_parquet(gravity_dir / "agtpa_ch1_exercise1_wto.parquet")
    lo = np.where(w["exporter"] < w["importer"], w["exporter"], w["importer"])
    hi = np.where(w["exporter"] < w["importer"], w["importer"], w["exporter"])
    w["sym_pair"] = pd.factorize(pd.Series(lo) + "_" + pd.Series(hi))[0]
    w["pair_id"] = pd.factorize(w["DIST"], sort=True)[0]
    w["exp_year"] = w["exporter"] + w["year"].astype(str)
    w["imp_year"] = w["importer"] + w["year"].astype(str)
    fml = "trade ~ RTA + WTO | exp_year + imp_year + sym_pair"
    res = fepois(w, fml, {"CRV1": "pair_id"}, small_sample="ppmlhdfe")
    assert res.n_obs == 25350
    np.testing.assert_allclose(res.coef.to_numpy(), [0.4495273, 0.681111], rtol=1e-4)
    np.testing.assert_allclose(res.se.to_numpy(), [0.0849643, 0.0873877], rtol=1e-3)
    _check_pyfixest(fepois(w, fml, {"CRV1": "pair_id"}), fml, w, {"CRV1": "pair_id"})


def test_mfn_tariff_exercise_vs_stata(gravity_dir: Path) -> None:
    """AGTPA Ch.1 Exercise 2 (UnilateralPolicyImpact.txt, ppml_panel_sg, cluster pair_id):
    (1) RTA .392 (.064), RTA_LAG3 .248 (.040), RTA_LAG6 .246 (.043), RTA_LAG9 .083 (.034);
    (2) adds ln_MFN = ln(1 + MFN_TARIFF) (0 on domestic rows): RTA -.217 (.056),
    RTA_LAG3 .256 (.037), RTA_LAG6 .265 (.036), RTA_LAG9 .101 (.035), ln_MFN -7.604 (.516);
    N = 18886 in both."""
    m = pd.read_parquet(gravity_dir / "agtpa_ch1_exercise2_mfn_tariff.parquet")
    m["ln_MFN"] = np.log1p(m["MFN_TARIFF"]).where(m["exporter"] != m["importer"], 0.0)
    m["pair_id"] = pd.factorize(m["exporter"] + "_" + m["importer"])[0]
    m["exp_year"] = m["exporter"] + m["year"].astype(str)
    m["imp_year"] = m["importer"] + m["year"].astype(str)
    base = "trade ~ RTA + RTA_LAG3 + RTA_LAG6 + RTA_LAG9"
    cases = [
        (base, [0.392, 0.248, 0.246, 0.083], [0.064, 0.040, 0.043, 0.034]),
        (
            base + " + ln_MFN",
            [-0.217, 0.256, 0.265, 0.101, -7.604],
            [0.056, 0.037, 0.036, 0.035, 0.516],
        ),
    ]
    for rhs, coef, se in cases:
        fml = rhs + " | exp_year + imp_year + pair_id"
        res = fepois(m, fml, {"CRV1": "pair_id"}, small_sample="ppmlhdfe")
        assert res.n_obs == 18886
        assert res.dropped["separated"] == 42
        _check_published(res, coef, se, atol=5e-4 + 1e-9)
    _check_pyfixest(fepois(m, fml, {"CRV1": "pair_id"}), fml, m, {"CRV1": "pair_id"})
