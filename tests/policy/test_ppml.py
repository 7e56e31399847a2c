"""fepois against pyfixest (the reference implementation) on synthetic gravity panels.

References are computed in the test run with pyfixest ``fepois`` (tight tolerances), not
hard-coded.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from kaigai.policy.ppml import fepois
from kaigai.policy.ppml_synthetic import synthetic_gravity_panel

pf = pytest.importorskip("pyfixest")


def _pf(fml: str, df: pd.DataFrame, vcov: str | dict[str, str]) -> object:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pf.fepois(fml, data=df, vcov=vcov, iwls_tol=1e-12, fixef_tol=1e-12, iwls_maxiter=100)


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return synthetic_gravity_panel(30, 6, seed=3)


def _rel(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(a - b) / np.abs(b)))


@pytest.mark.parametrize(
    ("fml", "vcov"),
    [
        ("trade ~ ln_dist + cntg + rta + ln_tariff | exp_year + imp_year", "hetero"),
        ("trade ~ ln_dist + cntg + rta | exp_year + imp_year", {"CRV1": "pair"}),
        ("trade ~ rta + ln_tariff | exp_year + imp_year + pair", {"CRV1": "pair"}),
        ("trade ~ rta + ln_tariff | exp_year + imp_year + pair", "hetero"),
        ("trade ~ ln_dist + cntg + rta | exp_year + imp_year", {"CRV1": "exporter+importer"}),
        ("trade ~ ln_dist + rta | exporter^year + importer^year", {"CRV1": "pair"}),
    ],
)
def test_matches_pyfixest(panel: pd.DataFrame, fml: str, vcov: str | dict[str, str]) -> None:
    # pyfixest only drops FE-separated rows by default; compare on the same rule
    ours = fepois(panel, fml, vcov, separation=("fe",))
    ref = _pf(fml, panel, vcov)
    assert ours.n_obs == ref._N
    assert list(ours.coef.index) == list(ref.coef().index)
    assert _rel(ours.coef.to_numpy(), ref.coef().to_numpy()) < 1e-7
    assert _rel(ours.se.to_numpy(), ref.se().to_numpy()) < 1e-6


def test_no_fixed_effects_intercept(panel: pd.DataFrame) -> None:
    fml = "trade ~ ln_dist + cntg"
    ours = fepois(panel, fml, "hetero")
    ref = _pf(fml, panel, "hetero")
    assert list(ours.coef.index) == ["Intercept", "ln_dist", "cntg"]
    assert _rel(ours.coef.to_numpy(), ref.coef().to_numpy()) < 1e-7
    assert _rel(ours.se.to_numpy(), ref.se().to_numpy()) < 1e-6


def test_fitted_and_fixef_reproduce_linear_predictor(panel: pd.DataFrame) -> None:
    res = fepois(panel, "trade ~ rta + ln_tariff | exp_year + imp_year + pair")
    used = panel.loc[res.obs_index]
    fx = res.fixef()
    eta = (
        used[["rta", "ln_tariff"]].to_numpy() @ res.coef.to_numpy()
        + fx["exp_year"].loc[used["exp_year"]].to_numpy()
        + fx["imp_year"].loc[used["imp_year"]].to_numpy()
        + fx["pair"].loc[used["pair"]].to_numpy()
    )
    np.testing.assert_allclose(np.exp(eta), res.fitted, rtol=1e-9)
    # first-order conditions of the fixed effects: fitted totals equal observed totals
    tot = pd.DataFrame(
        {"g": used["exp_year"].to_numpy(), "y": used["trade"].to_numpy(), "mu": res.fitted}
    )
    s = tot.groupby("g").sum()
    np.testing.assert_allclose(s["mu"], s["y"], rtol=1e-9)
    # normalisation: the first level of the 2nd and 3rd fixed effects is zero
    assert fx["imp_year"].iloc[0] == 0.0 and fx["pair"].iloc[0] == 0.0


def test_numpy_path_equals_compiled_path(panel: pd.DataFrame) -> None:
    """The pure-numpy kernels (used when numba is absent) give the same fit."""
    fml = "trade ~ rta + ln_tariff | exp_year + imp_year + pair"
    a = fepois(panel, fml, {"CRV1": "pair"}, backend="numpy")
    b = fepois(panel, fml, {"CRV1": "pair"}, backend="auto")
    ref = _pf(fml, panel, {"CRV1": "pair"})
    assert a.n_obs == b.n_obs
    assert _rel(a.coef.to_numpy(), ref.coef().to_numpy()) < 1e-7
    np.testing.assert_allclose(a.coef.to_numpy(), b.coef.to_numpy(), rtol=1e-9)
    np.testing.assert_allclose(a.se.to_numpy(), b.se.to_numpy(), rtol=1e-7)


def test_parallel_demeaning_equals_serial(monkeypatch: pytest.MonkeyPatch) -> None:
    """Columns demeaned on the fit's thread pool give bit-identical results to one thread."""
    from concurrent.futures import ThreadPoolExecutor

    from kaigai.policy import ppml_kernels as k
    from kaigai.policy import threads
    from kaigai.policy.demean import FixedEffects

    if not k.available():
        pytest.skip("numba not installed")
    d = synthetic_gravity_panel(50, 10, seed=3)
    fe = FixedEffects.from_codes([d[c].to_numpy() for c in ("exp_year", "imp_year", "pair")])
    x = np.asfortranarray(d[["rta", "ln_tariff", "ln_dist"]].to_numpy(dtype=float))
    w = d["trade"].to_numpy() + 1.0
    tol = np.full(3, 1e-10)
    out = {}
    with ThreadPoolExecutor(max_workers=2) as pool:
        for name, p in (("serial", None), ("pool", pool)):
            monkeypatch.setattr(threads, "fit_pool", lambda p=p: p)
            r = x.copy(order="F")
            sweeps, ok = k.demean_all(r, w, fe.codes2d, fe.offsets, tol, 10_000)
            assert ok
            out[name] = (r, sweeps)
    assert out["serial"][1] == out["pool"][1]
    np.testing.assert_array_equal(out["serial"][0], out["pool"][0])
    assert np.max(np.abs(out["serial"][0] - x)) > 0.1  # something was demeaned


def test_tracked_deviance_equals_the_direct_one(panel: pd.DataFrame) -> None:
    """The solver tracks sum(y log mu) from the multiplicative updates of mu (no logarithm
    per row): at every iterate it equals the deviance computed row by row; the null
    deviance is closed-form."""
    from kaigai.policy import ppml as ppml_mod
    from kaigai.policy.ppml_solver import poisson_deviance

    states = []
    solve = ppml_mod.solve_ppml

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        st = solve(*args, **kwargs)
        states.append((args[0], st))
        return st

    fml = "trade ~ rta + ln_tariff | exp_year + imp_year + pair"
    try:
        ppml_mod.solve_ppml = spy  # type: ignore[assignment]
        res = fepois(panel, fml, {"CRV1": "pair"})
        off = fepois(panel.assign(o=0.1 * (panel.index % 5)), fml, "hetero", offset="o")
    finally:
        ppml_mod.solve_ppml = solve  # type: ignore[assignment]
    for y, st in states:
        direct = poisson_deviance(y, st.mu)
        assert abs(st.history[-1] / direct - 1) < 1e-12  # tracked, last iterate
        assert st.deviance == poisson_deviance(y, st.mu, fast=True)  # reported: row by row
    assert res.deviance == states[0][1].deviance and off.deviance == states[1][1].deviance
    y = states[0][0]
    assert res.null_deviance == pytest.approx(
        poisson_deviance(y, np.full(y.size, y.mean())), rel=1e-12
    )
