"""Observed EPA use (Japan Customs) and the utilisation rates computed from it."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from kaigai.app.policy import fta_use_frames, observed_fta_use
from kaigai.cli.app import app
from kaigai.core.countries import expand
from kaigai.data import store
from kaigai.policy.fta_use import (
    ASSUMED_TARGET,
    CPTPP_TARIFF_CODES,
    harmonise_agreements,
    jpy_per_usd,
    observed_target,
    use_by_agreement,
    utilisation,
)
from kaigai.policy.scenarios import load_scenario
from kaigai.policy.scenarios_run import run_firms

runner = CliRunner()


def _frames(settings):  # type: ignore[no-untyped-def]
    f = fta_use_frames(settings)
    assert f is not None
    return f


def test_numerator_totals_equal_the_source_readme(settings) -> None:  # type: ignore[no-untyped-def]
    by_partner, _, _ = _frames(settings)
    tot = by_partner.groupby("year")["value_kjpy"].sum()
    # totals printed in fta_use/README.md (thousand yen)
    assert tot[2012] == 1_827_535_063 and tot[2015] == 3_096_071_455
    assert tot[2019] == 5_541_362_274 and tot[2021] == 6_833_763_332
    agg = use_by_agreement(by_partner).set_index(["agreement", "year"])
    assert agg.loc[("EU", 2019), "value_bn_jpy"] == pytest.approx(1318.0, abs=0.5)
    assert ("EU", 2018) not in agg.index and ("US", 2020) in agg.index  # entry into force
    assert agg.loc[("AS", 2012), "partners"] == 8


def test_cptpp_2021_counts_the_1a_1e_rows(settings) -> None:  # type: ignore[no-untyped-def]
    """The 34 rows of 2021 coded 1A-1E (EPA code 9/A: CPTPP only) are CPTPP imports: left out
    they took 99.4 bn yen off CPTPP and Canada's CPTPP use fell 277 -> 240 bn in 2021."""
    by_partner, _, _ = _frames(settings)
    agg = use_by_agreement(by_partner).set_index(["agreement", "year"])
    # 848,458,030 (TP) + 99,373,298 (1A-1E) thousand yen, totals of the source table
    assert agg.loc[("TP", 2021), "value_bn_jpy"] == pytest.approx(947.831328, abs=1e-9)
    assert agg.loc[("TP", 2021), "partners"] == 30  # origins as recorded (e.g. NOR, TUR)
    assert not any(str(a).startswith("1") for a, _ in agg.index)
    assert agg["value_kjpy"].sum() == by_partner[by_partner.agreement.notna()]["value_kjpy"].sum()
    tp = harmonise_agreements(by_partner)
    can = tp[(tp.country_en == "Canada") & (tp.agreement == "TP")].groupby("year")["value_kjpy"]
    assert can.sum().to_dict() == {2019: 288_065_906, 2020: 276_550_898, 2021: 329_471_121}


@pytest.mark.shared
def test_cptpp_2021_equals_the_hs9_source(shared_data: Path) -> None:
    """The 2021 CPTPP total recomputed from the HS9 rows: agreement TP or EPA field 1A-1E."""
    hs9 = pd.read_parquet(shared_data / "fta_use/japan_epa_imports_hs9_2012_2021.parquet")
    y = hs9[hs9.year == 2021]
    odd = y[y.epa_field.astype(str).isin(CPTPP_TARIFF_CODES)]
    assert len(odd) == 34 and set(odd.epa_code.astype(str)) == {"9", "A"}
    assert odd["value_kjpy"].sum() == 99_373_298
    assert odd.groupby("country_en")["value_kjpy"].sum().to_dict() == {
        "Australia": 287_894, "Canada": 89_880_332, "Mexico": 159_024,
        "New Zealand": 3_471_842, "Vietnam": 5_574_206,
    }  # fmt: skip
    expected = y[(y.agreement == "TP") | y.epa_field.astype(str).isin(CPTPP_TARIFF_CODES)]
    bp = pd.read_parquet(store.starter_path("fta_use_by_partner"))  # type: ignore[arg-type]
    agg = use_by_agreement(bp).set_index(["agreement", "year"])
    assert agg.loc[("TP", 2021), "value_kjpy"] == expected["value_kjpy"].sum() == 947_831_328


def test_observed_target_for_the_rcep_preference_markets(settings) -> None:  # type: ignore[no-untyped-def]
    by_partner, imports, dutiable = _frames(settings)
    u = utilisation(by_partner, imports, dutiable)
    assert sorted(u["year"].unique()) == list(range(2013, 2020))
    vnm = u[(u.iso3 == "VNM") & (u.year == 2019)].iloc[0]
    # by hand from the three tables: EPA imports (kJPY -> USD at 109.01) / (imports x share)
    kjpy = by_partner[(by_partner.country_en == "Vietnam") & (by_partner.year == 2019)]
    kjpy = kjpy[kjpy.agreement.isin(["AS", "VN", "TP"])]["value_kjpy"].sum()
    imp = imports[(imports.exporter == "VNM") & (imports.year == 2019)]["imports_usd_mn"].sum()
    share = dutiable.set_index("exporter").loc["VNM", "dutiable_share"]
    assert vnm.epa_usd_mn == pytest.approx(kjpy * 1e3 / 109.01 / 1e6, rel=1e-12)
    assert vnm.utilisation == pytest.approx(kjpy * 1e3 / 109.01 / 1e6 / (imp * share), rel=1e-12)
    assert vnm.utilisation == pytest.approx(0.877, abs=5e-4)
    countries = [*expand(["ASEAN"]), *expand(["EU27"]), "AUS", "NZL"]
    t = observed_target(u, countries)
    # GRC (991.1%) and ROU (293.6%) exceed 100%: left out of the rate (it was 0.6619 with them)
    assert t.year == 2019 and len(t.countries) == 37 and t.missing == ()
    assert [(c, round(v, 4)) for c, v in t.over_100] == [("GRC", 9.9108), ("ROU", 2.9362)]
    assert t.value == pytest.approx(0.651155, abs=5e-7)
    assert t.epa_usd_mn == pytest.approx(41375.35, abs=0.01)
    assert t.dutiable_usd_mn == pytest.approx(63541.47, abs=0.01)
    kept = u[(u.year == 2019) & u.iso3.isin(t.countries)]
    assert (kept.utilisation <= 1).all()
    assert t.value == kept.epa_usd_mn.sum() / (kept.imports_usd_mn * kept.dutiable_share).sum()
    scn, block, target = observed_fta_use(load_scenario("jpn-rcep"), settings)
    assert target is not None and target.value == pytest.approx(t.value, rel=1e-12)
    assert scn.firms is not None and scn.firms.fta_utilisation_measure == "value"
    assert scn.firms.fta_utilisation_label.startswith("OBSERVED: 65.1% of Japan's dutiable")
    assert (
        "left out, computed rate above 100% (EPA-rate imports exceed the dutiable imports: "
        "numerator and denominator disagree, e.g. lines reclassified between HS2017 and "
        "HS2022): GRC 991.1%, ROU 293.6%" in scn.firms.fta_utilisation_label
    )
    assert block["target"]["over_100"][0]["country"] == "GRC"
    assert block is not None and block["utilisation_year"] == 2019


def test_markets_without_a_japanese_epa_in_the_data_year_are_left_out(settings) -> None:  # type: ignore[no-untyped-def]
    from kaigai.policy.fta_use import japan_epa_since
    from kaigai.tariffs.agreements import load_registry

    since = japan_epa_since([{c: d.year for c, d in a.parties.items()} for a in load_registry()])
    assert since["VNM"] == 2008 and since["AUS"] == 2015 and since["CHN"] == since["KOR"] == 2022
    assert since["DEU"] == 2019 and since["GBR"] == 2021 and "USA" in since
    # jpn-cjk has RCEP in its baseline: China and Korea get a preference, but in 2019 (the
    # latest year with a denominator) Japan had no EPA with them
    scn, _, t = observed_fta_use(load_scenario("jpn-cjk"), settings)
    assert t is not None and t.no_epa == ("CHN", "KOR") and len(t.countries) == 37
    assert t.value == pytest.approx(0.651155, abs=5e-7)
    assert "left out, no Japanese EPA in force in 2019: CHN, KOR" in scn.firms.fta_utilisation_label  # type: ignore[union-attr]


def test_cptpp_scenario_has_the_bilateral_epas_of_mexico_chile_peru(settings) -> None:  # type: ignore[no-untyped-def]
    """Japan's EPAs with Mexico, Chile and Peru are in force in jpn-cptpp's baseline: their
    market has a preference there (it was null, leaving 290 bn yen of 2019 bilateral EPA use out
    of the target); Canada (CPTPP only) has none, and the label says it is not in the rate."""
    from kaigai.policy.scenarios_run import market_pref

    by_partner, _, _ = _frames(settings)
    b19 = by_partner[by_partner.year == 2019].set_index(["agreement", "country_en"])["value_kjpy"]
    assert [
        round(b19[a] / 1e6, 1) for a in (("CL", "Chile"), ("MX", "Mexico"), ("PE", "Peru"))
    ] == [203.0, 67.8, 19.0]  # bilateral EPAs, bn yen (and Mexico 79.7 under CPTPP)
    scn = load_scenario("jpn-cptpp")
    assert scn.firms is not None
    base = {
        m.name: market_pref(m, cs, scn.home, scn.agreements, scn.year, baseline=True)
        for m, cs in scn.firms.markets
    }
    assert base["Mexico, Chile, Peru"].pref_tariff == 0.005
    assert base["Mexico, Chile, Peru"].mfn_tariff == 0.05
    assert base["Canada"].pref_tariff is None
    scn, block, t = observed_fta_use(scn, settings)
    assert t is not None and t.year == 2019 and len(t.countries) == 39
    assert {"MEX", "PER"} <= set(t.countries) and "CAN" not in t.countries
    assert [c for c, _ in t.over_100] == ["CHL", "GRC", "ROU"]  # CHL 127.6%
    assert t.epa_no_pref == ("CAN",)  # CPTPP in force in 2019, not in this baseline
    assert t.value == pytest.approx(0.656811, abs=5e-7)  # 0.651155 without MEX and PER
    assert scn.firms is not None
    assert (
        "not in the rate, no preference in the scenario's baseline markets although Japan had "
        "an EPA with them in 2019: CAN)" in scn.firms.fta_utilisation_label
    )
    assert block is not None and block["target"]["epa_no_pref"] == ["CAN"]


def test_assumption_where_no_rate_can_be_computed(settings) -> None:  # type: ignore[no-untyped-def]
    base = load_scenario("jpn-rcep")
    kor, _, t = observed_fta_use(replace(base, home="KOR"), settings)
    assert t is None and kor.firms is not None
    assert kor.firms.fta_utilisation_target == ASSUMED_TARGET
    assert kor.firms.fta_utilisation_label.startswith("ASSUMPTION: 28.9%")
    assert "home country is not Japan" in kor.firms.fta_utilisation_label
    # no market with a preference in the baseline: nothing to compute the rate over
    assert base.firms is not None
    bare = replace(
        base,
        agreements=(),
        firms=replace(
            base.firms,
            markets=tuple((replace(m, pref_tariff=None), cs) for m, cs in base.firms.markets),
        ),
    )
    bare, _, _ = observed_fta_use(bare, settings)
    assert "no market with a baseline preference" in bare.firms.fta_utilisation_label  # type: ignore[union-attr]


def test_simulator_calibrates_to_the_observed_value_share(settings) -> None:  # type: ignore[no-untyped-def]
    scn, _, target = observed_fta_use(load_scenario("jpn-rcep"), settings)
    assert scn.firms is not None and target is not None
    res = run_firms(scn, replace(scn.firms, n_firms=200_000))
    cal = res.calibration
    assert cal["fta_utilisation_measure"] == "value"
    assert cal["fta_utilisation_target"] == pytest.approx(target.value)
    assert cal["fta_utilisation_achieved"] == pytest.approx(target.value, abs=0.005)
    assert cal["fta_utilisation_source"].startswith("OBSERVED: 65.1%")
    # implied share of exporters to preference markets that use a preference (cf. JETRO 28.9%)
    assert res.summary["fta_utilisation_firms_base"] == pytest.approx(0.3997, abs=5e-4)  # was 0.405
    # the target's population is the SME row: its value-based use is the calibrated figure
    assert res.sme is not None and res.sme["size_class"] == "small+medium"
    assert res.sme["fta_utilisation_value_base"] == pytest.approx(
        cal["fta_utilisation_achieved"], rel=1e-12
    )
    assert res.sme["fta_utilisation_firms_base"] == pytest.approx(0.2466, abs=5e-4)
    assert res.sme["firms"] == 199_679  # small 193,732 + medium 5,947
    med = next(r for r in res.by_size if r["size_class"] == "medium")
    assert med["fta_utilisation_value_base"] == pytest.approx(0.6852, abs=5e-4)  # was 0.696


def test_cli_firms_shows_epa_use_and_target(capsys: pytest.CaptureFixture[str]) -> None:
    r = runner.invoke(app, ["policy", "firms", "--n-firms", "50000", "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    years = {x["year"] for x in d["fta_use"]["by_agreement"] if x["agreement"] == "AS"}
    assert years == set(range(2012, 2022))
    assert d["calibration"]["fta_utilisation_measure"] == "value"
    r = runner.invoke(
        app, ["policy", "firms", "--n-firms", "50000", "--fta-target", "0.289", "--json"]
    )
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    # the 28.9% target is a share of SME exporters: the "sme" row shows it (all firms 42.3%,
    # medium 48.9%: neither is the calibrated population)
    assert d["calibration"]["fta_size_classes"] == ["small", "medium"]
    assert d["sme"]["fta_utilisation_firms_base"] == pytest.approx(
        d["calibration"]["fta_utilisation_achieved"], rel=1e-12
    )
    assert d["sme"]["fta_utilisation_firms_base"] == pytest.approx(0.29114, abs=5e-6)
    assert d["summary"]["fta_utilisation_firms_base"] == pytest.approx(0.42268, abs=5e-6)
    r = runner.invoke(app, ["policy", "firms", "--n-firms", "50000", "--fta-target", "0.289"])
    assert r.exit_code == 0, r.output
    text = " ".join(r.stdout.split())  # the table and the line wrap at the terminal's width
    assert "Japan-Viet Nam" in text and "FTA use firms-based 29.1% (target 28.9%)" in text
    assert "of SME (small + medium) exporters to preference markets; the table's FTA" in text
    assert "┃ FTA ┃" in text and "┃ use, ┃" in text  # the column header: "FTA use, firms-…"
    sme_row = next(ln for ln in r.stdout.splitlines() if ln.startswith("│ SME "))
    assert "│ 29.1% → │" in sme_row
    from kaigai.cli.app import main

    with pytest.raises(SystemExit) as exc:
        main(["policy", "firms", "--fta-target", "lots"])
    assert exc.value.code == 2
    assert "--fta-target must be a share in (0, 1) or 'observed'" in capsys.readouterr().err


@pytest.mark.shared
@pytest.mark.slow
def test_starter_tables_equal_the_shared_sources(shared_data: Path) -> None:
    """The starter's numerator equals the HS9 parquet summed; the denominator equals ITPD-E;
    the dutiable share of Viet Nam recomputed from the 2024 trade and the 2026 tariff."""
    from kaigai.tariffs.expr import is_value_free
    from kaigai.tariffs.schedule import build_jp_schedule

    hs9 = pd.read_parquet(shared_data / "fta_use/japan_epa_imports_hs9_2012_2021.parquet")
    bp = pd.read_parquet(store.starter_path("fta_use_by_partner"))  # type: ignore[arg-type]
    v = hs9[(hs9.year == 2019) & (hs9.country_code.astype(str) == "110")]["value_kjpy"].sum()
    assert bp[(bp.year == 2019) & (bp.country_code.astype(str) == "110")]["value_kjpy"].sum() == v
    it = pd.read_parquet(
        shared_data / "gravity_modern/itpde_r02_sector_2000_2019.parquet",
        filters=[("importer", "==", "JPN"), ("exporter", "==", "VNM"), ("year", "==", 2019)],
    )
    goods = it[it.broad_sector.astype(str) != "Services"]["trade_usd_mn"].sum()
    imp = pd.read_parquet(store.starter_path("jpn_goods_imports"))  # type: ignore[arg-type]
    assert imp[(imp.exporter == "VNM") & (imp.year == 2019)]["imports_usd_mn"].iloc[
        0
    ] == pytest.approx(goods, rel=1e-12)
    sched = build_jp_schedule(
        pd.read_parquet(
            shared_data / "trade_rules/japan_tariff/japan_applied_tariff_2026_07_09.parquet"
        )
    )
    tr = pd.read_parquet(
        shared_data / "markets/trade_hs6_2024_apac.parquet",
        filters=[("importer", "==", "JPN"), ("exporter", "==", "VNM")],
    )
    known = dut = 0.0
    for hs6, value in zip(tr.hs6.astype(str), tr.value_usd, strict=True):
        lines = sched.lines.get(hs6)
        if lines is None:
            continue
        known += value
        if any(ln.mfn is None or not is_value_free(ln.mfn) for ln in lines):
            dut += value
    d = pd.read_parquet(store.starter_path("jpn_dutiable_share")).set_index("exporter")  # type: ignore[arg-type]
    assert d.loc["VNM", "dutiable_share"] == pytest.approx(dut / known, rel=1e-12)
    assert jpy_per_usd()[0][2019] == 109.01
