"""The plan's duty and origin figures equal the engines' own outputs (no re-computation)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kaigai.app.plan import build_plan, load_profile
from kaigai.cli.app import app
from kaigai.plan.examples import example_profile_path

ON = dt.date(2026, 11, 27)


@pytest.fixture
def plan(settings):
    p = example_profile_path()
    return build_plan(load_profile(p, settings), settings, base_dir=p.parent, as_of=ON)


def _market(plan, iso3):
    return next(m for m in plan.products[0].markets if m.iso3 == iso3)


def test_duty_figures_equal_kaigai_duty(plan) -> None:
    """Reference: `kaigai duty` on the full (unscoped) tariff index, same date, value and shipments."""
    res = CliRunner().invoke(
        app,
        ["duty", "--hs", "848210", "--from", "JPN", "--to", "VNM", "--as-of", ON.isoformat(),
         "--value", "30000000", "--currency", "JPY", "--annual-value", "30000000", "--shipments", "12", "--json"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    ref = json.loads(res.stdout)
    (line,) = ref["lines"]
    vnm = _market(plan, "VNM")
    assert vnm.duty.status == "ok"
    assert vnm.duty.best_option == line["best"]
    opts = {o["option"]: o for o in line["options"]}
    best = opts[line["best"]]
    assert vnm.duty.figures["mfn_rate"].value == opts["MFN"]["rate_pct"]
    assert vnm.duty.figures["best_rate"].value == best["rate_pct"]
    assert vnm.duty.figures["margin_pts"].value == best["margin_pct_points"]
    assert vnm.duty.figures["duty_saved"].value == best["margin_amount"]
    nb = next(x for x in ref["net_benefit"] if x["option"] == line["best"])
    assert vnm.duty.figures["net_benefit"].value == nb["npv"]
    assert vnm.duty.figures["break_even"].value == nb["break_even_annual_value"]
    # the numbers themselves, from vn_tariff row 12671 (national line 8482.10.00): MFN 3%, CPTPP free
    assert vnm.duty.figures["mfn_rate"].value == 3.0 and vnm.duty.figures["best_rate"].value == 0.0
    assert vnm.duty.figures["duty_saved"].value == pytest.approx(900_000.0)
    assert "source_row=12671" in vnm.duty.figures["mfn_rate"].provenance[0].locator
    assert len(vnm.duty.options) == len(line["options"])


def test_markets_without_schedule_are_stated(plan) -> None:
    for iso3 in ("THA", "IDN", "IND"):
        m = _market(plan, iso3)
        assert m.duty.status == "not_available"
        assert f"No tariff schedule for importer {iso3}" in m.duty.detail
        assert m.duty.figures == {}
    assert any("No tariff schedule for importer THA" in x for x in plan.missing)


def test_origin_verdicts_equal_kaigai_origin_check(plan) -> None:
    bom = Path(example_profile_path()).parent / "bom_bearing.csv"
    vnm = _market(plan, "VNM")
    res = CliRunner().invoke(
        app,
        ["origin", "check", "--bom", str(bom), "--hs", "848210", "--to", "VNM", "--agreement", vnm.origin.agreement,
         "--exw", "1200", "--fob", "1300", "--currency", "JPY", "--json"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    (v,) = json.loads(res.stdout)["verdicts"]
    assert vnm.origin.status == "ok"
    assert vnm.origin.agreement == v["agreement"] == "CPTPP"
    assert vnm.origin.qualifies is (v["status"] == "qualifies")
    assert vnm.origin.rule == v["rule_text"]
    assert list(vnm.origin.reasons[: len(v["reasons"])]) == v["reasons"]
    assert vnm.origin.figures["headroom_pts"].value == v["outcome"]["headroom_points"]
    assert vnm.origin.documents and "Keep this worksheet" in vnm.origin.documents[1]
    tha = _market(plan, "THA")  # no duty data: every agreement in force is checked
    assert tha.origin.agreement == "RCEP" and tha.origin.qualifies is True
    assert "no duty data" in tha.origin.detail


def test_market_figures_equal_find_markets(plan, settings) -> None:
    pytest.importorskip("kaigai.app.markets", reason="market finder not in this build")
    ref = plan.engine_outputs["markets:848210"]  # the engine's own result object, as returned
    assert type(ref).__name__ == "RankingResult"
    rows = {r["market"]: r for r in ref.rows.to_dict(orient="records")}
    prod = plan.products[0]
    ranked = [m for m in prod.markets if m.selected_by == "ranking"]
    assert [m.iso3 for m in ranked] == [str(x) for x in ref.rows["market"].head(5)]
    assert [m.rank for m in ranked] == [1, 2, 3, 4, 5]
    for m in prod.markets:
        r = rows[m.iso3]
        assert m.rank == r["rank"]
        assert m.explanation == r["explanation"]
        for k in ("potential_usd", "untapped_usd", "risk", "score"):
            v = r[k]
            assert m.figures[k].value == (None if v != v else float(v)), (m.iso3, k)
    first = next(a for a in plan.actions if a.kind == "market")
    assert ranked[0].name in first.title and first.why == ranked[0].explanation


def test_risk_appetite_reaches_the_ranking(settings) -> None:
    finder = pytest.importorskip("kaigai.app.markets", reason="market finder not in this build")
    from kaigai.markets.weights import Weights

    p = example_profile_path()
    base = load_profile(p, settings)
    prof = base.model_copy(
        update={"preferences": base.preferences.model_copy(update={"risk_appetite": "low"})}
    )
    plan = build_plan(prof, settings, base_dir=p.parent, as_of=ON)
    w = Weights()
    ref = finder.find_markets(
        settings,
        "JPN",
        "848210",
        weights=Weights(w.risk, {**w.ranking, "risk": 2 * w.ranking["risk"]}),
    )
    ranked = [m.iso3 for m in plan.products[0].markets if m.selected_by == "ranking"]
    assert ranked == [str(x) for x in ref.rows["market"].head(5)]
    assert any("multiplied by 2" in a for a in plan.assumptions)
