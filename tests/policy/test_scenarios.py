"""Scenario files: parsing and validation, bundled examples, runs, HTML report, CLI."""

from __future__ import annotations

import base64
import json
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from kaigai.cli.app import app
from kaigai.core.errors import ScenarioError
from kaigai.data.store import load
from kaigai.policy.firms_model import Market
from kaigai.policy.scenarios import Agreement, bundled_scenarios, load_scenario, scenario_from_dict
from kaigai.policy.scenarios_run import agreement_delta, market_pref, run_scenario
from kaigai.reports.scenario import render_html

BUNDLED = {
    "jpn-rcep",
    "jpn-cptpp",
    "jpn-cjk",
    "origin-cost-half",
    "global-staff-40",
    "shared-parks",
}
runner = CliRunner()


def test_bundled_scenarios_parse() -> None:
    assert set(bundled_scenarios()) >= BUNDLED
    for sid in BUNDLED:
        s = load_scenario(sid)
        assert s.id == sid and s.firms is not None
    cjk = load_scenario("jpn-cjk")
    rcep_base, a = cjk.agreements  # the CJK agreement comes from the tariff module's file
    assert rcep_base.id == "RCEP" and rcep_base.in_baseline
    assert (a.id, set(a.parties), a.start_year, a.tariff_cut, a.staging_years) == (
        "CJK-FTA", {"CHN", "JPN", "KOR"}, 2028, 1.0, 10,
    )  # fmt: skip
    rcep = load_scenario("jpn-rcep").agreements[0]
    assert "VNM" in rcep.parties and len(rcep.parties) == 15


def test_reads_tariff_module_scenario_format(tmp_path: Path) -> None:
    """docs/tariffs.md "Scenario files": [[agreement]], parties = {ISO3: date}, staging."""
    f = tmp_path / "s.toml"
    f.write_text(
        'id = "t"\ntitle = "t"\nyear = 2030\n'
        '[[agreement]]\nid = "X-FTA"\n[agreement.parties]\nJPN = 2027-04-01\nTHA = 2026-01-01\n'
        '[agreement.staging]\ncategory = "B5"\n'
        '[firms]\n[[firms.markets]]\nname = "THA"\nmfn_tariff = 0.05\n',
        encoding="utf-8",
    )
    a = load_scenario(f).agreements[0]
    assert (a.id, a.start_year, a.staging_years, a.tariff_cut) == ("X-FTA", 2026, 5, 1.0)
    bad = f.read_text(encoding="utf-8").replace('"B5"', '"Q7"')
    f.write_text(bad, encoding="utf-8")
    with pytest.raises(ScenarioError, match="staging category 'Q7'"):
        load_scenario(f)


def test_phase_in() -> None:
    a = Agreement("X", ("JPN", "CHN"), 2030, tariff_cut=1.0, staging_years=10)
    assert a.cut_in(2029) == 0.0
    assert a.cut_in(2030) == pytest.approx(0.1)
    assert a.cut_in(2034) == pytest.approx(0.5)
    assert a.cut_in(2045) == 1.0


def test_agreement_delta_only_new_pairs() -> None:
    cs = ["CHN", "DEU", "JPN", "KOR"]
    var = np.zeros((4, 4))
    var[1, 2] = var[2, 1] = 1  # an existing agreement is left alone
    a = Agreement("CJK", ("CHN", "JPN", "KOR", "DEU"), 2030, 1.0, 2)
    d = agreement_delta(cs, var, (a,), 2030)
    assert d[0, 2] == pytest.approx(0.5) and d[2, 0] == pytest.approx(0.5)
    assert d[1, 2] == 0 and np.all(np.diag(d) == 0)


def test_market_preference_from_agreements() -> None:
    m = Market("ASEAN", mfn_tariff=0.08)
    ag = Agreement("RCEP", ("JPN", "THA", "VNM"), 2022, 1.0, 1)
    got = market_pref(m, ("THA", "VNM", "MYS", "IDN"), "JPN", (ag,), 2030, baseline=False)
    assert got.pref_tariff == pytest.approx(0.08 * (1 - 0.5))  # half the market's countries
    assert market_pref(m, ("THA",), "JPN", (ag,), 2030, baseline=True).pref_tariff is None
    assert market_pref(m, ("THA",), "KOR", (ag,), 2030, baseline=False).pref_tariff is None


def test_validation_errors_name_the_key(tmp_path: Path) -> None:
    good = {
        "id": "x",
        "title": "t",
        "year": 2030,
        "firms": {"markets": [{"name": "CHN", "mfn_tariff": 0.05}]},
    }
    scenario_from_dict(good)
    with pytest.raises(ScenarioError, match="missing top-level key 'year'"):
        scenario_from_dict({"id": "x", "title": "t"})
    with pytest.raises(ScenarioError, match=r"agreements\[0\].*missing start_year"):
        scenario_from_dict({**good, "agreements": [{"id": "A", "parties": ["JPN"]}]})
    with pytest.raises(ScenarioError, match=r"agreements\[0\].tariff_cut = 1.5"):
        scenario_from_dict(
            {
                **good,
                "agreements": [
                    {"id": "A", "parties": ["JPN"], "start_year": 2020, "tariff_cut": 1.5}
                ],
            }
        )
    with pytest.raises(ScenarioError, match="Unknown country|not a country|Atlantis"):
        scenario_from_dict(
            {**good, "agreements": [{"id": "A", "parties": ["Atlantis"], "start_year": 2020}]}
        )
    with pytest.raises(ScenarioError, match=r"firms.markets\[0\].*fraction"):
        scenario_from_dict({**good, "firms": {"markets": [{"name": "CHN", "mfn_tariff": -1}]}})
    with pytest.raises(ScenarioError, match="unknown key"):
        scenario_from_dict({**good, "colour": "red"})
    with pytest.raises(ScenarioError, match="no value for the agreement variable 'pta'"):
        scenario_from_dict({**good, "ge": {"coefficients": {"lndist": -1.0}}})
    bad = tmp_path / "bad.toml"
    bad.write_text("id = [unclosed", encoding="utf-8")
    with pytest.raises(ScenarioError, match="not valid TOML"):
        load_scenario(bad)
    with pytest.raises(ScenarioError, match="neither a file nor a bundled scenario"):
        load_scenario("no-such-scenario")
    y = tmp_path / "s.yaml"
    y.write_text(
        "id: y\ntitle: YAML\nyear: 2030\nfirms:\n  markets:\n    - {name: CHN, mfn_tariff: 0.05}\n",
        encoding="utf-8",
    )
    assert load_scenario(y).title == "YAML"


def test_run_cjk_scenario_ge_and_firms(settings) -> None:  # type: ignore[no-untyped-def]
    scn = load_scenario("jpn-cjk")
    assert scn.ge is not None and scn.firms is not None
    scn = replace(scn, ge=replace(scn.ge, mc_draws=50), firms=replace(scn.firms, n_firms=100_000))
    res = run_scenario(scn, load(scn.ge.dataset, settings))
    assert res.ge is not None and res.firms is not None and res.ge_mc is not None
    pos = {c: k for k, c in enumerate(res.ge.countries)}
    for c in ("CHN", "JPN", "KOR"):
        assert res.ge.real_gdp_pct[pos[c]] > 0
        lo, hi = res.ge_mc.band()["lower"][pos[c]], res.ge_mc.band()["upper"][pos[c]]
        assert lo < res.ge.real_gdp_pct[pos[c]] < hi
    assert res.ge.real_gdp_pct[pos["USA"]] < 0  # trade diversion
    pairs = {(i, j) for i, j, _ in res.shocked_pairs}
    assert ("JPN", "CHN") in pairs and ("USA", "JPN") not in pairs
    f = res.firms.summary
    assert f["new_exporters"] > 0 and f["stopped_exporting"] == 0
    med = next(r for r in res.firms.by_size if r["size_class"] == "medium")
    assert med["exporter_share_base"] == pytest.approx(0.10, abs=1e-3)
    assert res.firms.calibration["fta_utilisation_achieved"] == pytest.approx(
        0.289, abs=2e-3
    )  # SMEs
    util = {r["size_class"]: r["fta_utilisation_firms_base"] for r in res.firms.by_size}
    assert util["small"] < util["medium"] < util["large"]
    html_text = render_html(res, ["gravity_gegravity_sample (2006)"])
    imgs = re.findall(r"src='data:image/png;base64,([^']+)'", html_text)
    assert len(imgs) == 2 and all(base64.b64decode(b)[:4] == b"\x89PNG" for b in imgs)
    assert "<script" not in html_text and "http://" not in html_text and "https://" not in html_text
    json.dumps(res.to_dict())  # JSON-safe


def test_staff_scenario_reaches_40_percent() -> None:
    scn = load_scenario("global-staff-40")
    assert scn.firms is not None
    res = run_scenario(replace(scn, firms=replace(scn.firms, n_firms=100_000)))
    s = res.firms.summary  # type: ignore[union-attr]
    assert s["new_exporters"] > 0
    assert s["staff_share_base"] == pytest.approx(0.25, abs=0.01)
    assert s["staff_share_new"] == pytest.approx(0.40, abs=0.01)


def test_cli_run_json_and_report(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    r = runner.invoke(
        app,
        ["policy", "run", "origin-cost-half", "--firms", "50000", "--json", "--report", str(out)],
    )
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["scenario"]["id"] == "origin-cost-half" and d["ge"] is None
    assert (
        d["firms"]["summary"]["fta_utilisation_firms_new"]
        > d["firms"]["summary"]["fta_utilisation_firms_base"]
    )
    assert out.read_text(encoding="utf-8").startswith("<!doctype html>")
    r = runner.invoke(app, ["policy", "run", "--list", "--json"])
    assert r.exit_code == 0 and "jpn-rcep" in r.stdout


def test_cli_ge_reproduces_gegravity_example() -> None:
    coefs = "lndist=-0.3898623,contiguity=0.891577,common_language=0.0326249,pta=0.4711383,international=-3.412584"
    r = runner.invoke(
        app,
        ["policy", "ge", "--agreement", "CAN,JPN", "--coef", coefs, "--constant", "16.32434", "--sigma", "5",
         "--kind", "one_step", "--reference", "DEU", "--json"],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    rows = {row["country"]: row for row in json.loads(r.stdout)["countries"]}
    assert rows["CAN"]["real_gdp_pct"] == pytest.approx(0.418261, abs=1e-5)
    assert rows["AUS"]["exports_pct"] == pytest.approx(-0.087678, abs=1e-5)


def test_cli_firms_and_errors() -> None:
    r = runner.invoke(
        app, ["policy", "firms", "--n-firms", "50000", "--staff-share", "0.4", "--json"]
    )
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["summary"]["new_exporters"] > 0
    from kaigai.cli.app import main

    with pytest.raises(SystemExit) as exc:
        main(["policy", "firms", "--n-firms", "50000", "--target", "1.5"])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main(["policy", "run", "no-such-scenario"])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main(["policy", "ge", "--agreement", "CAN,JPN", "--coef", "pta"])
    assert exc.value.code == 2


def test_ge_tariff_shock_matches_direct_solve(settings) -> None:  # type: ignore[no-untyped-def]
    from kaigai.policy.ge import solve
    from kaigai.policy.scenarios_run import run_ge

    doc = {
        "id": "t",
        "title": "CAN-JPN tariff cut",
        "year": 2030,
        "agreements": [{"id": "X", "parties": ["CAN", "JPN"], "start_year": 2026, "staging_years": 10}],
        "ge": {
            "coefficients": {"pta": 0.47}, "baseline": "observed", "shock": "tariff",
            "tariff_elasticity": -5.0, "tariff": 0.05, "sigma": 5, "reference": "DEU",
        },
    }  # fmt: skip
    scn = scenario_from_dict(doc)
    data = load("gravity_gegravity_sample", settings)
    res, _, shocked, trace = run_ge(scn, data)
    assert {(i, j) for i, j, _ in shocked} == {("CAN", "JPN"), ("JPN", "CAN")}
    cs = list(res.countries)
    flows = (
        data.pivot(index="exporter", columns="importer", values="trade").loc[cs, cs].to_numpy(float)
    )
    shock = np.ones_like(flows)
    factor = np.exp(-5.0 * (np.log1p(0.05 * (1 - 0.5)) - np.log1p(0.05)))  # half phased in by 2030
    shock[cs.index("CAN"), cs.index("JPN")] = shock[cs.index("JPN"), cs.index("CAN")] = factor
    direct = solve(flows, shock, cs, sigma=5, reference="DEU")
    assert np.allclose(res.real_gdp_pct, direct.real_gdp_pct, atol=1e-12)
    assert any("tariff shock" in t for t in trace)
    with pytest.raises(ScenarioError, match="needs ge.tariff_elasticity"):
        scenario_from_dict({**doc, "ge": {**doc["ge"], "tariff_elasticity": None}})


def test_ge_with_estimated_coefficients_matches_gegravity_printout(settings) -> None:  # type: ignore[no-untyped-def]
    """ge.estimate runs kaigai's PPML on the GE data: it reproduces the ppmlhdfe estimates
    printed in gegravity's example (coefficients and robust standard errors), and the GE
    equals the run with those printed coefficients."""
    from kaigai.policy.scenarios_run import run_ge

    from .test_ge import GEGRAVITY_COEF, GEGRAVITY_CONST

    base = {
        "id": "t", "title": "CAN-JPN", "year": 2030,
        "agreements": [{"id": "X", "parties": ["CAN", "JPN"], "start_year": 2000}],
    }  # fmt: skip
    est = scenario_from_dict(
        {
            **base,
            "ge": {
                "estimate": "trade ~ lndist + contiguity + common_language + pta + international | exporter + importer",
                "sigma": 5,
                "reference": "DEU",
                "mc_draws": 20,
            },
        }  # fmt: skip
    )
    given = scenario_from_dict(
        {
            **base,
            "ge": {
                "coefficients": GEGRAVITY_COEF,
                "constant": GEGRAVITY_CONST,
                "sigma": 5,
                "reference": "DEU",
            },
        }
    )
    data = load("gravity_gegravity_sample", settings)
    r_est, mc, _, trace = run_ge(est, data)
    r_given, _, _, _ = run_ge(given, data)
    assert np.allclose(r_est.real_gdp_pct, r_given.real_gdp_pct, atol=1e-6)
    assert mc is not None and mc.coef_names == ("pta",)
    text = " ".join(trace)
    assert "pta 0.4711 (0.1077)" in text and "lndist -0.3899 (0.0730)" in text


def test_shared_parks_scenario_calibrates_with_fdi() -> None:
    """With the FDI option the exporter share is not monotone in the fixed cost (tiny costs
    make every firm invest abroad); calibration takes the bracket below prohibitive costs."""
    scn = load_scenario("shared-parks")
    assert scn.firms is not None
    res = run_scenario(replace(scn, firms=replace(scn.firms, n_firms=100_000)))
    assert res.firms is not None
    assert res.firms.calibration["achieved_share"] == pytest.approx(0.10, abs=1e-3)
    s = res.firms.summary
    assert s["fdi_firms_new"] > s["fdi_firms_base"] > 0


def test_cli_ge_tariff_shock(settings) -> None:  # type: ignore[no-untyped-def]
    from kaigai.policy.ge import solve

    r = runner.invoke(
        app,
        ["policy", "ge", "--agreement", "CAN,JPN", "--coef", "pta=0.47", "--baseline", "observed",
         "--shock", "tariff", "--tariff", "0.05", "--tariff-elasticity", "-5", "--reference", "DEU", "--json"],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    got = {row["country"]: row["real_gdp_pct"] for row in json.loads(r.stdout)["countries"]}
    data = load("gravity_gegravity_sample", settings)
    cs = sorted(data["exporter"].unique())
    flows = (
        data.pivot(index="exporter", columns="importer", values="trade").loc[cs, cs].to_numpy(float)
    )
    shock = np.ones_like(flows)
    shock[cs.index("CAN"), cs.index("JPN")] = shock[cs.index("JPN"), cs.index("CAN")] = 1.05**5
    direct = solve(flows, shock, cs, sigma=5, reference="DEU")
    assert got["CAN"] == pytest.approx(direct.real_gdp_pct[cs.index("CAN")], abs=1e-10)
