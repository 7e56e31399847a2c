"""Every intermediate of the pipeline on the hand-made toy world (tests/markets/toy.py).

Expected numbers were worked out by hand from the formulas in docs/markets.md; the
comments show the arithmetic.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from kaigai.data.markets import compute_potential
from kaigai.markets.types import EPIParams
from tests.markets.toy import K1, K2, frames

REL = 1e-9


@pytest.fixture(scope="module")
def static():
    return compute_potential(
        frames(), EPIParams(variant="static", target_year=2025), keep_stages=True
    )


@pytest.fixture(scope="module")
def projected():
    return compute_potential(
        frames(), EPIParams(variant="projected", target_year=2025), keep_stages=True
    )


def _get(df: pd.DataFrame, col: str, **keys: str) -> float:
    m = pd.Series(True, index=df.index)
    for k, v in keys.items():
        m &= df[k] == v
    assert m.sum() == 1, keys
    return float(df.loc[m, col].iloc[0])


def test_markets_complete(static):
    mk = static.markets.set_index("importer")
    assert mk.loc["XXX", "total_imports"] == 140.0  # 60+40+20+20
    assert mk["complete"].all()


def test_supply_shares(static):
    s = static.stages["supply"]
    # s_ik = X_ik / sum_l X_lk: 90/250, 90/250, 70/250 and 35/100, 20/100, 45/100
    for i, k, want in [("AAA", K1, 0.36), ("BBB", K1, 0.36), ("CCC", K1, 0.28),
                       ("AAA", K2, 0.35), ("BBB", K2, 0.20), ("CCC", K2, 0.45)]:  # fmt: skip
        assert _get(s, "share", exporter=i, hs6=k) == pytest.approx(want, rel=REL)
        assert _get(s, "proj_share", exporter=i, hs6=k) == pytest.approx(want, rel=REL)


def test_distance_factor(static):
    g = static.potential
    # dbar(XXX,k1) = (60*1 + 40*2)/100 = 1.4 ; dbar(XXX,k2) = (20*2 + 20*3)/40 = 2.5
    # dbar(YYY,k1) = (30*2 + 70*2)/100 = 2 ; dbar(ZZZ,k2) = (25*3 + 25*1)/50 = 2
    assert _get(g, "avg_ln_dist", exporter="AAA", importer="XXX", hs6=K1) == pytest.approx(1.4)
    assert _get(g, "avg_ln_dist", exporter="AAA", importer="XXX", hs6=K2) == pytest.approx(2.5)
    assert _get(g, "avg_ln_dist", exporter="BBB", importer="YYY", hs6=K1) == pytest.approx(2.0)
    assert _get(g, "avg_ln_dist", exporter="BBB", importer="ZZZ", hs6=K2) == pytest.approx(2.0)
    cases = [
        ("AAA", "XXX", K1, math.exp(-0.4)),  # |1.4 - 1|
        ("BBB", "XXX", K1, math.exp(-0.6)),  # |1.4 - 2|
        ("CCC", "XXX", K1, math.exp(-1.6)),  # |1.4 - 3|
        ("AAA", "XXX", K2, math.exp(-1.5)),  # |2.5 - 1|
        ("CCC", "XXX", K2, math.exp(-0.5)),  # |2.5 - 3|
        ("AAA", "YYY", K1, 1.0),  # |2 - 2|
        ("BBB", "YYY", K1, math.exp(-1.0)),  # |2 - 1|
        ("CCC", "ZZZ", K2, math.exp(-1.0)),  # |2 - 1|
    ]
    for i, j, k, want in cases:
        assert _get(g, "dist_factor", exporter=i, importer=j, hs6=k) == pytest.approx(want, rel=REL)
    assert not g["distance_missing"].any()


def test_ease(static):
    e = static.stages["ease"]
    # H(AAA,XXX,k1) = 100 * .36 e^-.4 / (.36 e^-.4 + .36 e^-.6 + .28 e^-1.6) = 48.709374069521
    # H(AAA,XXX,k2) = 40 * .35 e^-1.5 / (.35 e^-1.5 + .20 e^-.5 + .45 e^-.5) = 6.613496708777
    h = 100 * 0.36 * math.exp(-0.4) / (
        0.36 * math.exp(-0.4) + 0.36 * math.exp(-0.6) + 0.28 * math.exp(-1.6)
    ) + 40 * 0.35 * math.exp(-1.5) / (
        0.35 * math.exp(-1.5) + 0.20 * math.exp(-0.5) + 0.45 * math.exp(-0.5)
    )
    assert h == pytest.approx(55.322870778298, rel=1e-12)
    assert _get(e, "hypothetical_total", exporter="AAA", importer="XXX") == pytest.approx(
        h, rel=REL
    )
    assert _get(e, "actual_total", exporter="AAA", importer="XXX") == 60.0
    # e = actual / hypothetical: 60 / 55.322870778298
    assert _get(e, "ease", exporter="AAA", importer="XXX") == pytest.approx(
        1.084542417194, rel=1e-11
    )
    assert _get(e, "ease", exporter="CCC", importer="YYY") == pytest.approx(
        1.690814279647, rel=1e-11
    )
    assert _get(e, "ease", exporter="BBB", importer="ZZZ") == pytest.approx(
        0.990882188902, rel=1e-11
    )
    # BBB never sells to YYY: ease 0, flagged
    assert _get(e, "ease", exporter="BBB", importer="YYY") == 0.0
    assert bool(_get(e, "ease_zero", exporter="BBB", importer="YYY"))


def test_potential_static(static):
    p = static.potential
    want = {
        ("AAA", "XXX", K1): (49.303274778451, 0.0),
        ("BBB", "XXX", K1): (44.527451792077, 4.527451792077),
        ("CCC", "XXX", K1): (6.169273429472, 6.169273429472),
        ("AAA", "XXX", K2): (8.733200537108, 8.733200537108),
        ("AAA", "YYY", K1): (37.537856507329, 7.537856507329),
        ("CCC", "YYY", K1): (62.462143492671, 0.0),
        ("BBB", "YYY", K1): (0.0, 0.0),
        ("BBB", "ZZZ", K2): (20.039478319168, 20.039478319168),
        ("CCC", "ZZZ", K2): (16.479570596725, 0.0),
    }
    for (i, j, k), (epi, untapped) in want.items():
        got = _get(p, "epi", exporter=i, importer=j, hs6=k)
        assert got == pytest.approx(epi, rel=1e-11, abs=1e-12)
        got_u = _get(p, "untapped", exporter=i, importer=j, hs6=k)
        assert got_u == pytest.approx(untapped, rel=1e-11, abs=1e-12)
    sums = p.groupby(["importer", "hs6"]).agg(epi=("epi", "sum"), m=("proj_imports", "first"))
    assert ((sums.epi - sums.m).abs() / sums.m).max() < 1e-12
    assert p["tariff_missing"].all()


def test_projection(projected):
    s = projected.stages["supply"]
    # world growth = (110 + 100 + 210 + 115.5 + 100 + 104) / 700 = 739.5 / 700
    assert _get(s, "r", exporter="AAA", hs6=K1) == pytest.approx(770 / 739.5, rel=REL)
    assert _get(s, "r", exporter="BBB", hs6=K1) == pytest.approx(700 / 739.5, rel=REL)
    # s^ = s r / sum s r : k1 .36*770=277.2, .36*700=252, .28*735=205.8 (sum 735)
    assert _get(s, "proj_share", exporter="AAA", hs6=K1) == pytest.approx(277.2 / 735, rel=REL)
    assert _get(s, "proj_share", exporter="CCC", hs6=K1) == pytest.approx(0.28, rel=REL)
    # k2: .35*770=269.5, .20*700=140, .45*735=330.75 (sum 740.25)
    assert _get(s, "proj_share", exporter="BBB", hs6=K2) == pytest.approx(140 / 740.25, rel=REL)
    d = projected.stages["demand"]
    # XXX: pc factor 1.155/1.05 = 1.1, pop 1.05; eps(01, dev)=2 -> 1.21*1.05 = 1.2705
    assert _get(d, "demand_factor", importer="XXX", hs6=K1) == pytest.approx(1.2705, rel=REL)
    assert _get(d, "proj_imports", importer="XXX", hs6=K2) == pytest.approx(
        46.2, rel=REL
    )  # 40*1.155
    assert _get(d, "proj_imports", importer="ZZZ", hs6=K1) == pytest.approx(
        52.0, rel=REL
    )  # 50*1.04
    assert _get(d, "proj_imports", importer="YYY", hs6=K1) == pytest.approx(100.0, rel=REL)
    p = projected.potential
    # YYY,k1: v_A = (277.2/735)*0.790321913093, v_C = 0.28*1.690814279647, v_B = 0 (no trade)
    assert _get(p, "epi", exporter="AAA", importer="YYY", hs6=K1) == pytest.approx(
        38.63477040402938, rel=1e-10
    )
    sums = p.groupby(["importer", "hs6"]).agg(epi=("epi", "sum"), m=("proj_imports", "first"))
    assert ((sums.epi - sums.m).abs() / sums.m).max() < 1e-12


def test_tariff_factors():
    # one tariff line: XXX charges AAA 10% on 010101, BBB 0%; CCC has no tariff row
    tar = pd.DataFrame(
        [("AAA", "XXX", K1, 0.10), ("BBB", "XXX", K1, 0.0)],
        columns=["exporter", "importer", "hs6", "rate"],
    )
    res = compute_potential(
        frames(tar), EPIParams(variant="static", target_year=2025, sigma=2.0), keep_stages=True
    )
    g = res.stages["grid"]
    # market average tariff in XXX,k1 = (60*.10 + 40*0)/100 = 0.06
    # a(AAA) = (1.06/1.10)^2 ; a(BBB) = (1.06/1.00)^2 ; CCC: no rate -> neutral 1, flagged
    assert _get(g, "ta", exporter="AAA", importer="XXX", hs6=K1) == pytest.approx((1.06 / 1.1) ** 2)
    assert _get(g, "ta", exporter="BBB", importer="XXX", hs6=K1) == pytest.approx(1.06**2)
    assert _get(g, "ta", exporter="CCC", importer="XXX", hs6=K1) == 1.0
    assert bool(_get(g, "tariff_missing", exporter="CCC", importer="XXX", hs6=K1))
    s = res.stages["supply"]
    # global: AAA faces 0.10 on its tariffed flows, world average (60*.1 + 40*0)/100 = .06
    assert _get(s, "gtd", exporter="AAA", hs6=K1) == pytest.approx((1.06 / 1.10) ** 2)
    assert _get(s, "gtd", exporter="BBB", hs6=K1) == pytest.approx(1.06**2)
    assert _get(s, "gtd", exporter="CCC", hs6=K1) == 1.0
