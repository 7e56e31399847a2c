"""feols / fepois options against pyfixest (computed in the test run): weights, offsets,
``C()`` and ``i()`` terms, iid / hetero / one- and two-way clustering, R-squared, Wald tests;
three-way clustering against an independent dummy-variable computation of the
Cameron-Gelbach-Miller formula."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pandas as pd
import pytest

from kaigai.core.errors import EstimationError, InputError
from kaigai.policy.inference import delta_method, wald_test
from kaigai.policy.ols import feols
from kaigai.policy.ppml import fepois
from kaigai.policy.ppml_synthetic import synthetic_gravity_panel

pf = pytest.importorskip("pyfixest")


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    d = synthetic_gravity_panel(20, 5, seed=3)
    rng = np.random.default_rng(1)
    d["w"] = rng.uniform(0.5, 2.0, len(d))
    d["off"] = rng.normal(0.0, 0.3, len(d))
    d["g"] = rng.choice(["a", "b", "c"], len(d))
    d["yr"] = d["year"]
    d["lt"] = np.log(d["trade"].where(d["trade"] > 0))
    return d


def _rel(a: pd.Series, b: pd.Series) -> float:
    return float(np.max(np.abs(a.to_numpy() - b.to_numpy()) / np.abs(b.to_numpy())))


def _pf(fn: str, fml: str, d: pd.DataFrame, vcov: object, **kw: object) -> object:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if fn == "fepois":
            return pf.fepois(fml, data=d, vcov=vcov, iwls_tol=1e-12, fixef_tol=1e-12, **kw)
        return pf.feols(fml, data=d, vcov=vcov, fixef_tol=1e-12, **kw)


PPML_CASES = [
    ("trade ~ rta + ln_tariff | exp_year + imp_year + pair", {"CRV1": "pair"}, {"weights": "w"}),
    ("trade ~ rta + ln_tariff | exp_year + imp_year + pair", "hetero", {"offset": "off"}),
    ("trade ~ rta + ln_tariff | exp_year + imp_year", {"CRV1": "pair"}, {"weights": "w", "offset": "off"}),
    ("trade ~ ln_dist + C(g) + i(yr, rta, ref=0) | exporter + importer", {"CRV1": "pair"}, {}),
    ("trade ~ ln_dist + cntg + C(g)", "hetero", {"weights": "w", "offset": "off"}),
    ("trade ~ ln_dist:i(yr) + rta | exp_year + imp_year", {"CRV1": "pair"}, {}),
    ("trade ~ ln_dist*rta + ln_tariff | exp_year + imp_year", {"CRV1": "pair"}, {}),
]  # fmt: skip
OLS_CASES = [
    ("lt ~ rta + ln_tariff | exp_year + imp_year + pair", {"CRV1": "pair"}, {}),
    ("lt ~ rta + ln_tariff | exp_year + imp_year + pair", "iid", {}),
    ("lt ~ ln_dist + rta + ln_tariff | exp_year + imp_year", "hetero", {"weights": "w"}),
    ("lt ~ ln_dist + rta | exp_year + imp_year", {"CRV1": "exporter+importer"}, {"weights": "w"}),
    ("lt ~ ln_dist + cntg + C(g) + i(yr, rta, ref=0)", "iid", {}),
    ('lt ~ ln_dist + cntg + i(g, ref="b") + i(yr, ln_dist)', "hetero", {"weights": "w"}),
    # a factor times a numeric column keeps every level (x:g::level, x:C(g)[level]) unless
    # the column's own term is in the model (then the first level is the reference)
    ("lt ~ ln_dist:i(yr) + cntg | exp_year + imp_year", "hetero", {}),
    ("lt ~ i(yr):ln_dist + cntg | exp_year + imp_year", {"CRV1": "pair"}, {}),
    ("lt ~ ln_dist:i(yr) + ln_dist + cntg | exp_year", "hetero", {}),
    ("lt ~ ln_dist:C(g) + cntg:rta + cntg | exp_year", "hetero", {}),
    # a*b = a + b + a:b; a*b*c every product of a subset; ':' binds tighter than '*'
    ("lt ~ ln_dist*cntg | exp_year + imp_year", "hetero", {}),
    ("lt ~ ln_dist*cntg*rta + ln_tariff | exp_year", {"CRV1": "pair"}, {}),
    ("lt ~ ln_dist:cntg*rta | exp_year", "iid", {}),
    ("lt ~ ln_dist*i(yr) | exp_year", "hetero", {}),
]


@pytest.mark.parametrize(("fml", "vcov", "kw"), PPML_CASES)
def test_fepois_options_match_pyfixest(
    panel: pd.DataFrame, fml: str, vcov: object, kw: dict
) -> None:  # type: ignore[type-arg]
    ours = fepois(panel, fml, vcov, separation=("fe",), **kw)  # type: ignore[arg-type]
    ref = _pf("fepois", fml, panel, vcov, **kw)
    assert ours.n_obs == ref._N  # type: ignore[attr-defined]
    assert list(ours.coef.index) == list(ref.coef().index)  # type: ignore[attr-defined]
    assert _rel(ours.coef, ref.coef()) < 1e-7  # type: ignore[attr-defined]
    assert _rel(ours.se, ref.se()) < 1e-6  # type: ignore[attr-defined]
    # PPML p-values from the normal distribution, as pyfixest's fepois
    assert ours.df_t is None
    np.testing.assert_allclose(ours.pvalue, ref.pvalue(), rtol=1e-5, atol=1e-12)  # type: ignore[attr-defined]


@pytest.mark.parametrize(("fml", "vcov", "kw"), OLS_CASES)
def test_feols_matches_pyfixest(panel: pd.DataFrame, fml: str, vcov: object, kw: dict) -> None:  # type: ignore[type-arg]
    ours = feols(panel, fml, vcov, **kw)  # type: ignore[arg-type]
    ref = _pf("feols", fml, panel, vcov, **kw)
    assert ours.n_obs == ref._N  # type: ignore[attr-defined]
    assert list(ours.coef.index) == list(ref.coef().index)  # type: ignore[attr-defined]
    assert _rel(ours.coef, ref.coef()) < 1e-7  # type: ignore[attr-defined]
    assert _rel(ours.se, ref.se()) < 1e-6  # type: ignore[attr-defined]
    # Student's t with N - K (G - 1 clustered) degrees of freedom, as pyfixest
    assert ours.df_t == ref._df_t  # type: ignore[attr-defined]
    np.testing.assert_allclose(ours.pvalue, ref.pvalue(), rtol=1e-5, atol=1e-12)  # type: ignore[attr-defined]
    assert abs(ours.stats["r2"] - ref._r2) < 1e-10  # type: ignore[attr-defined]
    assert abs(ours.stats["adj_r2"] - ref._adj_r2) < 1e-10  # type: ignore[attr-defined]
    if ours.fe_names:
        assert abs(ours.stats["r2_within"] - ref._r2_within) < 1e-10  # type: ignore[attr-defined]


def test_three_way_clustering_cgm(panel: pd.DataFrame) -> None:
    """V = sum over non-empty subsets S of {a, b, c} of (-1)^(|S|+1) V_S, computed here
    from a dummy-variable OLS (no fixed-effect machinery), small_sample="none"."""
    fml = "lt ~ ln_dist + rta | exp_year"
    res = feols(panel, fml, {"CRV1": "exporter+importer+year"}, small_sample="none")
    d = panel.loc[res.obs_index]
    dummies = pd.get_dummies(d["exp_year"], dtype=float).to_numpy()
    x = np.column_stack([d[["ln_dist", "rta"]].to_numpy(float), dummies])
    beta, *_ = np.linalg.lstsq(x, d["lt"].to_numpy(), rcond=None)
    e = d["lt"].to_numpy() - x @ beta
    bread = np.linalg.pinv(x.T @ x)
    v = np.zeros_like(bread)
    cols = ["exporter", "importer", "year"]
    for r in (1, 2, 3):
        for sub in itertools.combinations(cols, r):
            g = d[list(sub)].astype(str).agg("-".join, axis=1).to_numpy()
            s = pd.DataFrame(x * e[:, None]).groupby(g).sum().to_numpy()
            v += (1 if r % 2 else -1) * bread @ (s.T @ s) @ bread
    np.testing.assert_allclose(res.coef.to_numpy(), beta[:2], rtol=1e-9)
    np.testing.assert_allclose(res.vcov.to_numpy(), v[:2, :2], rtol=1e-8)


def test_wald_test_matches_pyfixest(panel: pd.DataFrame) -> None:
    fml = "lt ~ ln_dist + cntg + rta + ln_tariff | exp_year + imp_year"
    ours = feols(panel, fml, {"CRV1": "pair"})
    ref = _pf("feols", fml, panel, {"CRV1": "pair"})
    r = np.zeros((2, 4))
    r[0, 2] = r[1, 3] = 1.0
    w_ref = ref.wald_test(R=r)  # type: ignore[attr-defined]
    w = wald_test(ours, ["rta", "ln_tariff"])
    assert w.df == 2
    np.testing.assert_allclose(w.statistic, w_ref["statistic"], rtol=1e-8)
    np.testing.assert_allclose(w.p_chi2, w_ref["pvalue"], rtol=1e-6)
    # one linear restriction = the squared z of the difference
    one = wald_test(ours, "rta - ln_tariff = 0")
    d = delta_method(ours, "rta - ln_tariff")
    np.testing.assert_allclose(one.statistic, d.z**2, rtol=1e-6)


def test_inference_input_errors(panel: pd.DataFrame) -> None:
    res = feols(panel, "lt ~ ln_dist + rta | exp_year", "hetero")
    with pytest.raises(InputError, match="not a coefficient"):
        delta_method(res, "100 * nope / rta")
    with pytest.raises(InputError, match="not linear"):
        wald_test(res, "rta * ln_dist = 1")
    with pytest.raises(EstimationError, match="negative"):
        fepois(panel.assign(w=-panel["w"]), "trade ~ rta | exp_year", weights="w")
    with pytest.raises(EstimationError, match="reference level"):
        feols(panel, "lt ~ i(g, ref=z)", "iid")


def test_factor_names_in_wald_and_delta(panel: pd.DataFrame) -> None:
    """C(g)[T.b], yr::1:rta, ln_dist:cntg are usable in Wald and delta expressions (they
    were read by Python's parser as calls, subscripts and annotations)."""
    fml = "lt ~ ln_dist*cntg + C(g) + i(yr, rta, ref=0)"
    ours = feols(panel, fml, "hetero")
    ref = _pf("feols", fml, panel, "hetero")
    names = list(ours.coef.index)
    assert names == list(ref.coef().index)  # type: ignore[attr-defined]
    r = np.zeros((2, len(names)))
    r[0, names.index("C(g)[T.b]")], r[0, names.index("C(g)[T.c]")] = 1.0, -1.0
    r[1, names.index("ln_dist:cntg")], r[1, names.index("yr::1:rta")] = 1.0, 2.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w_ref = ref.wald_test(R=r, distribution="chi2")  # type: ignore[attr-defined]
    w = wald_test(ours, ["C(g)[T.b] = C(g)[T.c]", "ln_dist:cntg + 2 * `yr::1:rta` = 0"])
    np.testing.assert_allclose(w.statistic, w_ref["statistic"], rtol=1e-8)
    np.testing.assert_allclose(w.p_chi2, w_ref["pvalue"], rtol=1e-6)
    d = delta_method(ours, "exp(C(g)[T.b]) - 1")
    b = ours.coef["C(g)[T.b]"]
    np.testing.assert_allclose(d.estimate, np.exp(b) - 1, rtol=1e-12)
    np.testing.assert_allclose(d.se, np.exp(b) * ours.se["C(g)[T.b]"], rtol=1e-7)
    with pytest.raises(InputError, match="not a coefficient"):
        wald_test(ours, "`C(g)[T.z]` = 0")
    with pytest.raises(InputError, match="unsupported element") as exc:  # not in the model
        wald_test(ours, "C(g)[T.z] = 0")
    assert exc.value.hint and "C(g)[T.b]" in exc.value.hint


@pytest.mark.parametrize(
    ("fn", "fml", "vcov"),
    [
        ("feols", "lt ~ ln_dist + cntg + rta | exp_year + imp_year", {"CRV1": "pair"}),
        ("feols", "lt ~ ln_dist + cntg + rta | exp_year + imp_year", {"CRV1": "exporter+importer"}),
        ("feols", "lt ~ ln_dist + cntg + rta | exp_year + imp_year", "hetero"),
        ("feols", "lt ~ ln_dist + cntg + rta | exp_year + imp_year + pair", "iid"),
        ("feols", "lt ~ ln_dist + cntg + rta", "hetero"),
        ("fepois", "trade ~ ln_dist + cntg + rta | exp_year + imp_year", {"CRV1": "pair"}),
        ("fepois", "trade ~ ln_dist + cntg + rta | exp_year + imp_year", "hetero"),
    ],
)
def test_wald_f_denominator_df_as_pyfixest(
    panel: pd.DataFrame, fn: str, fml: str, vcov: object
) -> None:
    """F form of the joint test of every coefficient: denominator df G - 1 when clustered
    (the smallest G two-way), N - k - sum of the fixed-effect levels otherwise."""
    est = feols if fn == "feols" else fepois
    ours = est(panel, fml, vcov)  # type: ignore[operator]
    ref = _pf(fn, fml, panel, vcov)
    w_ref = ref.wald_test()  # type: ignore[attr-defined]
    w = wald_test(ours, list(ours.coef.index))
    assert w.df_denom == ref._dfd  # type: ignore[attr-defined]
    np.testing.assert_allclose(w.f, w_ref["statistic"], rtol=1e-6)
    np.testing.assert_allclose(w.p_f, w_ref["pvalue"], rtol=1e-5, atol=1e-14)


def test_t_pvalue_matches_scipy() -> None:
    """The OLS p-values' Student's t (no scipy import) against scipy.stats.t."""
    from scipy import stats

    from kaigai.policy.results import t_pvalue

    t = np.array([0.0, 1e-3, 0.5, 1.0, 1.96, 3.0, 7.5, 10.0, 29.0, 40.0])
    for df in (1, 2, 5, 19, 20, 41, 383, 1597, 24857, 10**6, 10**7):
        ref = 2 * stats.t.sf(t, df)
        np.testing.assert_allclose(t_pvalue(t, df), ref, rtol=1e-9, atol=0)
        np.testing.assert_allclose(t_pvalue(-t, df), ref, rtol=1e-9, atol=0)


def test_a_product_of_two_factors_is_refused() -> None:
    """``C(g):C(h)`` took reference coding on both sides (2 columns where pyfixest fits 5):
    a restricted model without a word. It is refused with a way out."""
    from kaigai.core.errors import InputError
    from kaigai.policy.ols import feols

    df = pd.DataFrame(
        {
            "y": np.arange(12.0) ** 1.5,
            "g": [0, 1, 2] * 4,
            "h": [0] * 6 + [1] * 6,
            "x": np.arange(12.0),
        }
    )
    for fml, term in (
        ("y ~ C(g):C(h)", "C(g):C(h)"),
        ("y ~ x + i(g):C(h)", "i(g):C(h)"),
        ("y ~ C(g)*C(h)", "C(g):C(h)"),
    ):
        with pytest.raises(InputError) as exc:
            feols(df, fml, "iid")
        assert (
            exc.value.message == f"the term {term!r} multiplies two factors, which is not supported"
        )
        assert exc.value.hint.startswith("make one column of the combinations")
    # one factor times a number is still fine
    assert feols(df, "y ~ x:C(h)", "iid").coef.index.tolist() == [
        "Intercept", "x:C(h)[0]", "x:C(h)[1]"
    ]  # fmt: skip
