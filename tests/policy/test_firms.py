"""Firm simulator: closed forms under Pareto, calibration targets, monotonicity, errors."""

from __future__ import annotations

import numpy as np
import pytest

from kaigai.core.errors import ScenarioError
from kaigai.policy.firms import calibrate, choose, compare, staff_mask
from kaigai.policy.firms_model import SIZE_CLASSES, FirmParams, Market, draw_population

N = 200_000
MARKETS = (
    Market("CHN", demand=1.2, trade_cost=1.6, mfn_tariff=0.08),
    Market("USA", demand=1.5, trade_cost=1.8, mfn_tariff=0.03),
    Market("ASEAN", demand=0.8, trade_cost=1.6, mfn_tariff=0.07, pref_tariff=0.0),
)


def _plain(**kw: float) -> FirmParams:
    """No fixed-cost dispersion, no staff effect, no FTA: the textbook Melitz-Chaney case."""
    base = {
        "fx_dispersion": 0.0,
        "staff_fx_cut": 0.0,
        "staff_fta_cut": 0.0,
        "staff_share": 0.0,
        "staff_share_base": 0.0,
    }
    base.update(kw)
    return FirmParams(**base)  # type: ignore[arg-type]


def test_pareto_exporter_share_matches_closed_form() -> None:
    """Exporters are firms with phi >= phi_x; with phi ~ Pareto(k, 1) the share is
    (1 / phi_x)^k overall and the truncated-Pareto formula within a size class."""
    p = _plain(export_fixed_cost=10.0)
    pop = draw_population(N, p, seed=11)
    m = (Market("X", demand=1.0, trade_cost=1.5, mfn_tariff=0.05),)
    ch = choose(pop, m, p, staff_mask(pop, 0.0, None, 0.0))
    s, k = p.sigma, p.pareto_k
    a = 1.5 ** (1 - s) * 1.05 ** (1 - s)
    cut = s * p.export_fixed_cost / a  # phi_x^(sigma-1)
    kappa = k / (s - 1)
    share = cut**-kappa
    se = np.sqrt(share * (1 - share) / N)
    assert ch.exporter.mean() == pytest.approx(share, abs=4 * se)
    assert np.all(ch.exporter == (pop.phi_pow >= cut))  # sorting by productivity
    lo, hi = SIZE_CLASSES[1][1], SIZE_CLASSES[1][2]
    med = pop.size_class == 1
    assert lo < cut < hi
    closed = (max(cut, lo) ** -kappa - hi**-kappa) / (lo**-kappa - hi**-kappa)
    se_m = np.sqrt(closed * (1 - closed) / med.sum())
    assert ch.exporter[med].mean() == pytest.approx(closed, abs=4 * se_m)
    # export sales of an exporter: a * phi^(sigma-1)
    assert ch.export_sales[ch.exporter] == pytest.approx(a * pop.phi_pow[ch.exporter], rel=1e-12)


@pytest.mark.parametrize(("target", "who"), [(0.10, "Japan"), (0.15, "US"), (0.32, "EU")])
def test_calibration_hits_target_and_closed_form(target: float, who: str) -> None:
    p = _plain()
    pop = draw_population(N, p, seed=5)
    m = (Market("X", demand=1.0, trade_cost=1.5, mfn_tariff=0.05),)
    pc, _, rep = calibrate(pop, m, p, target)
    assert rep["achieved_share"] == pytest.approx(target, abs=2e-4), who
    # closed form for the cutoff that gives `target` among medium firms
    s, kappa = p.sigma, p.pareto_k / (p.sigma - 1)
    lo, hi = SIZE_CLASSES[1][1], SIZE_CLASSES[1][2]
    cut = (target * (lo**-kappa - hi**-kappa) + hi**-kappa) ** (-1 / kappa)
    fx_closed = 1.5 ** (1 - s) * 1.05 ** (1 - s) * cut / s
    n_med = int((pop.size_class == 1).sum())
    rel_se = np.sqrt((1 - target) / (target * n_med)) / kappa  # delta method on the cutoff
    assert pc.export_fixed_cost == pytest.approx(fx_closed, rel=4 * rel_se + 1e-3)


def test_calibration_with_dispersion_staff_and_fta_targets() -> None:
    p = FirmParams()
    pop = draw_population(N, p, seed=2)
    pc, thr, rep = calibrate(pop, MARKETS, p, 0.10, fta_utilisation_target=0.289)
    assert rep["achieved_share"] == pytest.approx(0.10, abs=5e-4)
    assert rep["fta_utilisation_achieved"] == pytest.approx(0.289, abs=2e-3)
    g = staff_mask(pop, thr, None, 0.0)
    ch = choose(pop, MARKETS, pc, g)
    non_int = ~ch.exporter
    assert g[non_int].mean() == pytest.approx(0.25, abs=1e-3)
    # utilisation is lower for small and medium firms than for large ones
    res = compare(pop, MARKETS, pc, MARKETS, pc, thr, rep)
    util = {r["size_class"]: r["fta_utilisation_firms_base"] for r in res.by_size}
    assert util["large"] > util["medium"]
    assert res.summary["new_exporters"] == 0  # identical policy: nothing changes


@pytest.fixture(scope="module")
def calibrated() -> tuple:  # type: ignore[type-arg]
    p = FirmParams()
    pop = draw_population(N, p, seed=3)
    pc, thr, rep = calibrate(pop, MARKETS, p, 0.10)
    return pop, pc, thr, rep


def test_monotonicity(calibrated: tuple) -> None:  # type: ignore[type-arg]
    pop, pc, thr, _ = calibrated
    prev = -1.0
    for scale in (1.5, 1.0, 0.75, 0.5):  # lower fixed export cost -> more exporters
        r = compare(
            pop, MARKETS, pc, MARKETS, pc.with_(export_fixed_cost=pc.export_fixed_cost * scale), thr
        )
        assert r.summary["exporters_new"] >= prev
        prev = r.summary["exporters_new"]
    assert prev > compare(pop, MARKETS, pc, MARKETS, pc, thr).summary["exporters_base"]
    # cheaper proof of origin -> higher utilisation
    cheap = compare(pop, MARKETS, pc, MARKETS, pc.with_(fta_fixed_cost=pc.fta_fixed_cost / 2), thr)
    assert cheap.summary["fta_utilisation_firms_new"] > cheap.summary["fta_utilisation_firms_base"]
    # a preference in China -> more exporters and export sales, nobody stops
    fta = (
        Market("CHN", demand=1.2, trade_cost=1.6, mfn_tariff=0.08, pref_tariff=0.0),
        *MARKETS[1:],
    )
    r = compare(pop, MARKETS, pc, fta, pc, thr)
    assert r.summary["new_exporters"] > 0 and r.summary["stopped_exporting"] == 0
    assert r.summary["export_sales_new"] > r.summary["export_sales_base"]
    assert r.summary["new_exporters_sales"] > 0
    # more global staff (25% -> 40% of non-internationalised firms) -> more exporters
    st = compare(pop, MARKETS, pc, MARKETS, pc.with_(staff_share=0.40), thr)
    assert st.summary["new_exporters"] > 0
    base = choose(pop, MARKETS, pc, staff_mask(pop, thr, None, 0.0))
    assert st.summary["jobs_in_exporters_new"] > st.summary["jobs_in_exporters_base"]
    non_int = ~base.exporter
    assert non_int.sum() > 0
    im = compare(pop, MARKETS, pc, MARKETS, pc.with_(immigration_share=0.2), thr)
    assert im.summary["new_exporters"] > 0


def test_fdi_shared_park_lowers_fixed_cost(calibrated: tuple) -> None:  # type: ignore[type-arg]
    pop, pc, thr, _ = calibrated
    on = pc.with_(fdi_enabled=True)
    r = compare(pop, MARKETS, on, MARKETS, on.with_(fdi_fixed_cost=on.fdi_fixed_cost * 0.5), thr)
    assert r.summary["fdi_firms_new"] > r.summary["fdi_firms_base"] > 0
    # HMY sorting: FDI firms are more productive than exporters on average
    ch = choose(pop, MARKETS, on, staff_mask(pop, thr, None, 0.0))
    assert pop.phi_pow[ch.fdi].mean() > pop.phi_pow[ch.exporter & ~ch.fdi].mean()


def test_seeded_and_reproducible() -> None:
    p = FirmParams()
    a = draw_population(1000, p, seed=9)
    b = draw_population(1000, p, seed=9)
    c = draw_population(1000, p, seed=10)
    assert np.array_equal(a.phi_pow, b.phi_pow) and not np.array_equal(a.phi_pow, c.phi_pow)


def test_bad_inputs() -> None:
    with pytest.raises(ScenarioError, match="pareto_k"):
        draw_population(10, FirmParams(sigma=4, pareto_k=2.5))
    with pytest.raises(ScenarioError, match="fraction"):
        Market("X", mfn_tariff=-0.1).validate()
    with pytest.raises(ScenarioError, match="above MFN"):
        Market("X", mfn_tariff=0.02, pref_tariff=0.05).validate()
    with pytest.raises(ScenarioError, match="iceberg"):
        Market("X", trade_cost=0.5).validate()
    pop = draw_population(20_000, FirmParams(), seed=1)
    with pytest.raises(ScenarioError, match="Target exporter share"):
        calibrate(pop, MARKETS, FirmParams(), 1.5)
    with pytest.raises(ScenarioError, match="Unknown size class"):
        calibrate(pop, MARKETS, FirmParams(), 0.1, size_class="huge")
    with pytest.raises(ScenarioError, match="no market has a preferential"):
        calibrate(pop, MARKETS[:2], FirmParams(), 0.1, fta_utilisation_target=0.3)
    with pytest.raises(ScenarioError, match="Unknown firm parameter"):
        FirmParams().with_(colour=1)
