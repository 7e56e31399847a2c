"""The modern GE baseline (WTO SGD 2016 + ITPD-E repair) and the shipped RTA estimate."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kaigai.data import store
from kaigai.policy.ge import solve
from kaigai.policy.gravity_modern import (
    IMPUTATION_RATIO,
    MUST_MODEL,
    PARAMS_DIR,
    build_baseline,
    estimate_rta,
    implausible_domestic,
    imputed_countries,
    load_params,
    rta_sample,
)
from kaigai.policy.scenarios import load_scenario
from kaigai.policy.scenarios_run import run_scenario
from kaigai.reports.scenario import render_html

GM = "gravity_modern"


def _starter() -> pd.DataFrame:
    p = store.starter_path("gravity_modern_2016")
    assert p is not None
    return pd.read_parquet(p)


def test_starter_baseline_models_every_required_country() -> None:
    b = _starter()
    countries = sorted(set(b.exporter))
    assert len(countries) == 160 and len(b) == 160 * 160
    assert set(MUST_MODEL) <= set(countries)  # RCEP, CPTPP, EU27, USA, IND
    assert {"VNM", "PHL", "NZL", "BRN", "KHM", "LAO", "MMR"} <= set(countries)
    imp = imputed_countries(b)
    assert len(imp) == 88 and "VNM" in imp and "JPN" not in imp and "PHL" not in imp
    assert (b["year"] == 2016).all() and (b["trade"] >= 0).all()
    # every country trades (the upstream matrix has 8 countries without any international flow)
    intl = b[b.exporter != b.importer]
    assert (intl.groupby("exporter")["trade"].sum() > 0).all()
    assert (intl.groupby("importer")["trade"].sum() > 0).all()


@pytest.mark.shared
def test_starter_baseline_is_the_rebuild_of_the_shared_files(shared_data: Path) -> None:
    g = shared_data / GM
    sgd = pd.read_parquet(g / "sgd_wto_manufacturing_2016.parquet")
    it = pd.read_parquet(g / "itpde_r02_sector_2000_2019.parquet")
    it16 = it[(it.year == 2016) & (it.broad_sector == "Manufacturing")]
    b = build_baseline(sgd, it16)
    pd.testing.assert_frame_equal(b, _starter(), check_dtype=False)
    # SGD values kept as they are: JPN domestic and JPN->VNM equal the source cells
    key = ["exporter", "importer"]
    src = sgd.assign(exporter=sgd.exporter.astype(str), importer=sgd.importer.astype(str))
    src = src.set_index(key)["trade_usd"]
    out = b.set_index(key)["trade"]
    for pair in [("JPN", "JPN"), ("JPN", "VNM"), ("VNM", "VNM"), ("NZL", "PHL")]:
        assert out[pair] == src[pair]
    # BEL, LUX, ROU, TWN have no flow in the SGD matrix: ITPD-E 2016 manufacturing (USD mn x 1e6)
    it16 = it16.assign(exporter=it16.exporter.astype(str), importer=it16.importer.astype(str))
    bel_deu = it16[(it16.exporter == "BEL") & (it16.importer == "DEU")]["trade_usd_mn"].sum()
    assert src[("BEL", "DEU")] == 0 and out[("BEL", "DEU")] == pytest.approx(
        bel_deu * 1e6, rel=1e-12
    )
    bel_x = b[(b.exporter == "BEL") & (b.importer != "BEL")]["trade"].sum()
    assert out[("BEL", "BEL")] == pytest.approx(bel_x / IMPUTATION_RATIO, rel=1e-12)
    assert b.loc[(b.exporter == "BEL") & (b.importer == "BEL"), "domestic_imputed"].all()
    flagged = sorted(
        src.index[sgd.set_index(key)["domestic_imputed"].to_numpy()].get_level_values(0)
    )
    # the 84 upstream flags (BEL etc. already among them) and the 4 implausible observed values
    implausible = ["BLR", "IRN", "NLD", "SGP"]
    assert imputed_countries(b) == sorted([*flagged, *implausible])
    for c in implausible:  # the source value is kept; the one used is the upstream imputation
        row = b[(b.exporter == c) & (b.importer == c)].iloc[0]
        assert row["domestic_implausible"] and row["domestic_reported"] == src[(c, c)]
        x = b[(b.exporter == c) & (b.importer != c)]["trade"].sum()
        assert row["trade"] == pytest.approx(x / IMPUTATION_RATIO, rel=1e-12)
    assert src[("BLR", "BLR")] == pytest.approx(292_426.405e9, rel=1e-8)


def test_implausible_domestic_flows_on_the_starter_baseline() -> None:
    """domestic / total exports of the 76 observed-domestic countries: Tukey's fences on the
    log ratio give 0.0571 to 18.28 and flag BLR (13,963x), IRN (23.1x), NLD (0.042x) and SGP
    (0.016x), recomputed here from the matrix without the module's function."""
    b = _starter()
    flagged, (lo, hi) = implausible_domestic(b)
    assert flagged == ["BLR", "IRN", "NLD", "SGP"]
    assert lo == pytest.approx(0.0571219, rel=1e-5) and hi == pytest.approx(18.28111, rel=1e-5)
    dom = b[b.exporter == b.importer].set_index("exporter")
    x = b[b.exporter != b.importer].groupby("exporter")["trade"].sum()
    value = dom["domestic_reported"].fillna(dom["trade"])
    observed = ~dom["domestic_imputed"] | dom["domestic_implausible"]
    assert int(observed.sum()) == 76 and sorted(dom.index[dom["domestic_implausible"]]) == flagged
    ratio = (value / x)[observed]
    assert ratio["BLR"] == pytest.approx(13962.99, rel=1e-6)
    assert ratio["SGP"] == pytest.approx(0.0162582, rel=1e-5)
    assert ratio["IRN"] == pytest.approx(23.1162, rel=1e-5)
    assert ratio["NLD"] == pytest.approx(0.0424457, rel=1e-5)
    assert ((ratio < lo) | (ratio > hi)).sum() == 4  # KEN (9.26) and LTU (0.086) stay inside
    assert dom.loc["BLR", "trade"] == pytest.approx(x["BLR"] / IMPUTATION_RATIO, rel=1e-12)
    assert dom.loc["BLR", "trade"] == pytest.approx(24.840459e9, rel=1e-7)


def test_shipped_parameters_have_provenance() -> None:
    p = load_params("rta_itpde_dgd")
    prov = p["provenance"]
    assert prov["years"] == [2003, 2007, 2011, 2015, 2019] and prov["sector"] == "Manufacturing"
    assert prov["formula"] == "trade ~ rta | exp_year + imp_year + pair"
    assert prov["n_obs"] == 196_650 and prov["sample_rows"] == 220_549
    assert p["coefficients"]["rta"] == pytest.approx(0.1167863, abs=5e-8)
    assert p["standard_errors"]["rta"] == pytest.approx(0.0229043, abs=5e-8)
    assert {Path(k).name for k in prov["files"]} == {
        "itpde_r02_sector_2000_2019.parquet",
        "dgd_2_1_gravity_2000_2019.parquet",
    }


@pytest.mark.shared
@pytest.mark.slow
def test_shipped_rta_estimate_reproduces(shared_data: Path) -> None:
    """Re-estimate on the shared data: the shipped numbers to 1e-6 (coef) / 1e-5 (SE),
    N exactly; and pyfixest's fepois on the same rows gives the same coefficient and SE."""
    import pyfixest as pf

    shipped = json.loads((PARAMS_DIR / "rta_itpde_dgd.json").read_text())
    years = shipped["provenance"]["years"]
    it = pd.read_parquet(
        shared_data / GM / "itpde_r02_sector_2000_2019.parquet",
        filters=[("broad_sector", "==", "Manufacturing"), ("year", "in", years)],
    )
    dgd = pd.read_parquet(
        shared_data / GM / "dgd_2_1_gravity_2000_2019.parquet",
        filters=[("year", "in", years)],
    )
    sample = rta_sample(it, dgd, tuple(years))
    assert len(sample) == shipped["provenance"]["sample_rows"]
    est = estimate_rta(sample)
    assert est.n_obs == shipped["provenance"]["n_obs"]
    assert est.coef == pytest.approx(shipped["coefficients"]["rta"], rel=1e-6)
    assert est.se == pytest.approx(shipped["standard_errors"]["rta"], rel=1e-5)
    from kaigai.policy.ppml import fepois

    used = sample.loc[fepois(sample, "trade ~ rta | exp_year + imp_year + pair").obs_index]
    ref = pf.fepois("trade ~ rta | exp_year + imp_year + pair", data=used, vcov={"CRV1": "pair"})
    assert est.n_obs == ref._N
    assert float(ref.coef()["rta"]) == pytest.approx(est.coef, rel=1e-6)
    assert float(ref.se()["rta"]) == pytest.approx(est.se, rel=1e-4)


def _rcep(draws: int = 0):  # type: ignore[no-untyped-def]
    scn = load_scenario("jpn-rcep")
    assert scn.ge is not None and scn.firms is not None
    return replace(
        scn, ge=replace(scn.ge, mc_draws=draws), firms=replace(scn.firms, n_firms=20_000)
    )


def test_jpn_rcep_on_the_modern_baseline(settings) -> None:  # type: ignore[no-untyped-def]
    scn = _rcep(draws=40)
    data = store.load("gravity_modern_2016", settings)
    res = run_scenario(scn, data)
    g = res.ge
    assert g is not None and res.ge_mc is not None
    for c in ("VNM", "PHL", "NZL", "BRN", "KHM", "LAO", "MMR"):
        assert c in g.countries
    b = res.baseline
    assert b is not None and b["year"] == 2016 and b["countries"] == 160
    assert b["parties_not_modelled"] == []
    assert b["parties_imputed_domestic"] == ["BRN", "KHM", "LAO", "MMR", "SGP", "THA", "VNM"]
    assert [r["country"] for r in b["implausible_domestic"]] == ["BLR", "IRN", "NLD", "SGP"]
    assert b["flows_from_itpde"] == ["BEL", "COD", "LUX", "MNE", "ROU", "SDN", "SSD", "TWN"]
    # shocked pairs = ordered RCEP pairs whose 2016 DGD rta dummy is 0, counted by hand
    parties = set(scn.agreements[0].parties)
    d16 = data[data.exporter.isin(parties) & data.importer.isin(parties)]
    new = d16[(d16.exporter != d16.importer) & (d16.rta == 0)]
    assert len(res.shocked_pairs) == len(new) and ("JPN", "CHN") in {
        (i, j) for i, j, _ in res.shocked_pairs
    }
    assert ("JPN", "VNM") not in {(i, j) for i, j, _ in res.shocked_pairs}  # AJCEP/JVEPA in force
    # the shock is the shipped RTA coefficient x the phased-in cut (0.9 x 14/16 in 2035)
    beta = load_params("rta_itpde_dgd")["coefficients"]["rta"]
    assert all(v == pytest.approx(0.9 * 14 / 16) for *_, v in res.shocked_pairs)
    pos = {c: k for k, c in enumerate(g.countries)}
    assert g.real_gdp_pct[pos["JPN"]] == pytest.approx(0.1578, abs=5e-4)
    lo, hi = res.ge_mc.band()["lower"][pos["JPN"]], res.ge_mc.band()["upper"][pos["JPN"]]
    assert lo < g.real_gdp_pct[pos["JPN"]] < hi
    assert any("rta ~ N(0.1168, 0.0229^2)" in t for t in res.trace)
    # sensitivity: an independent rerun without the 88 imputed-domestic countries
    sv = res.sensitivity
    assert sv is not None and sv["countries_excluded_run"] == 72
    imp = set(sv["imputed_countries"])
    sub = data[~data.exporter.isin(imp) & ~data.importer.isin(imp)]
    cs = sorted(set(sub.exporter))
    x = sub.pivot(index="exporter", columns="importer", values="trade").loc[cs, cs].to_numpy()
    r = sub.pivot(index="exporter", columns="importer", values="rta").loc[cs, cs].to_numpy()
    m = np.array([c in parties for c in cs])
    delta = (m[:, None] & m[None, :] & (r == 0) & ~np.eye(len(cs), dtype=bool)) * 0.9 * 14 / 16
    alt = solve(x, np.exp(beta * delta), cs, sigma=5, kind="full", reference="DEU")
    h = sv["headline"]
    assert h["excluded"] == pytest.approx(alt.real_gdp_pct[cs.index("JPN")], abs=1e-9)
    assert h["excluded_diff"] == pytest.approx(h["excluded"] - h["full"], abs=1e-12)
    vnm = next(p for p in sv["parties"] if p["country"] == "VNM")
    assert vnm["imputed"] and vnm["excluded"] is None  # dropped in that run
    p = store.provenance("gravity_modern_2016", settings)
    html_text = render_html(res, [f"{p}; source: {p.source}"])
    assert "Data year <b>2016</b>" in html_text and "WTO Structural Gravity Database" in html_text
    assert "Sensitivity to imputed domestic flows" in html_text and "72 countries left" in html_text
    assert (
        "Domestic flows flagged as implausible: BLR 292,426.4 -&gt; 24.8 bn USD; IRN 241.6 -&gt; "
        "12.4 bn USD; NLD 16.5 -&gt; 462.2 bn USD; SGP 4.9 -&gt; 355.5 bn USD. Their ratio of "
        "domestic flow to total exports is outside 0.057 to 18.3"
    ) in html_text
    ja = render_html(res, None, lang="ja")
    assert "不自然として検出した国内取引額：BLR 292,426.4 -&gt; 24.8 bn USD" in ja


def test_no_shock_no_change_on_modern_baseline(settings) -> None:  # type: ignore[no-untyped-def]
    scn = _rcep()
    scn = replace(scn, agreements=tuple(replace(a, tariff_cut=0.0) for a in scn.agreements))
    res = run_scenario(scn, store.load("gravity_modern_2016", settings))
    assert res.ge is not None
    assert np.abs(res.ge.real_gdp_pct).max() < 1e-9 and np.abs(res.ge.exports_pct).max() < 1e-9
    assert res.sensitivity is not None
    assert abs(res.sensitivity["headline"]["excluded"]) < 1e-9


def _scenario_no_mc(name: str):  # type: ignore[no-untyped-def]
    scn = load_scenario(name)
    assert scn.ge is not None
    return replace(scn, ge=replace(scn.ge, mc_draws=0), firms=None)


def test_sensitivity_headline_names_the_party_moved_most(settings) -> None:  # type: ignore[no-untyped-def]
    """jpn-cptpp: Japan barely moves (0.0002 pp) when the imputed domestic flows are halved /
    doubled, Brunei (imputed itself) by 0.07 pp; the report says so, in both languages."""
    res = run_scenario(_scenario_no_mc("jpn-cptpp"), store.load("gravity_modern_2016", settings))
    sv = res.sensitivity
    assert sv is not None
    m = sv["most_moved_scaled"]
    assert m["country"] == "BRN" and m["imputed"]
    assert m["full"] == pytest.approx(0.22047, abs=5e-6)
    assert m["domestic_x0.5"] == pytest.approx(0.28877, abs=5e-6)
    assert m["domestic_x2"] == pytest.approx(0.14916, abs=5e-6)
    assert sv["max_abs_diff_scaled_pp"] == pytest.approx(0.07131, abs=5e-6)
    h = sv["headline"]
    assert h["domestic_x0.5_diff"] == pytest.approx(-0.00019, abs=5e-6)
    assert h["domestic_x2_diff"] == pytest.approx(0.00016, abs=5e-6)
    en = render_html(res, None)
    assert (
        "Party moved most by halving / doubling the imputed domestic flows: BRN real GDP "
        "+0.220% -&gt; +0.289% / +0.149% (up to 0.071 pp)."
    ) in en
    ja = render_html(res, None, lang="ja")
    assert "最も動く締約国：BRNの実質GDP +0.220% → +0.289% / +0.149%（最大 0.071 pp）" in ja


def test_excluded_run_note_names_the_parties_it_drops(settings) -> None:  # type: ignore[no-untyped-def]
    """Dropping the 88 imputed-domestic countries drops BRN, GBR, SGP and VNM from CPTPP (and no
    party of the China-Japan-Korea FTA): the note says so, in English and Japanese."""
    data = store.load("gravity_modern_2016", settings)
    cptpp = run_scenario(_scenario_no_mc("jpn-cptpp"), data)
    assert cptpp.sensitivity is not None
    assert cptpp.sensitivity["parties_dropped"] == ["BRN", "GBR", "SGP", "VNM"]
    en = render_html(cptpp, None)
    assert (
        "the agreement parties among them are dropped too (BRN, GBR, SGP, VNM), so that run also has "
        "fewer shocked pairs and its difference is not a pure domestic-flow effect"
    ) in en
    ja = render_html(cptpp, None, lang="ja")
    assert "その中の協定締約国も除かれる（BRN, GBR, SGP, VNM）" in ja
    cjk = run_scenario(_scenario_no_mc("jpn-cjk"), data)
    assert cjk.sensitivity is not None and cjk.sensitivity["parties_dropped"] == []
    assert "dropped too (none)" in render_html(cjk, None)
    assert "その中の協定締約国も除かれる（なし）" in render_html(cjk, None, lang="ja")


def test_policy_run_prints_the_implausible_domestic_flows() -> None:
    from typer.testing import CliRunner

    from kaigai.cli.app import app

    args = ["policy", "run", "jpn-cjk", "--draws", "0", "--firms", "20000"]
    en = CliRunner().invoke(app, args, env={"COLUMNS": "300"})
    assert en.exit_code == 0, en.output
    text = " ".join(en.output.split())
    assert (
        "domestic flows flagged as implausible, replaced by the imputation: BLR 292,426.4 -> "
        "24.8 bn USD; IRN 241.6 -> 12.4 bn USD; NLD 16.5 -> 462.2 bn USD; SGP 4.9 -> 355.5 bn USD"
    ) in text
    ja = CliRunner().invoke(app, [*args, "--lang", "ja"], env={"COLUMNS": "300"})
    assert ja.exit_code == 0, ja.output
    assert "不自然として補完値に置き換えた国内取引額：BLR 292,426.4 -> 24.8 bn USD" in " ".join(
        ja.output.split()
    )
