from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from kaigai.app.duty import resolve_date
from kaigai.cli.app import app

runner = CliRunner()


def test_duty_json_starter_pack() -> None:
    r = runner.invoke(
        app,
        [
            "duty",
            "--hs",
            "330499",
            "--from",
            "JPN",
            "--to",
            "VNM",
            "--line",
            "3304.99.20",
            "--value",
            "10000",
            "--annual-value",
            "3000000",
            "--json",
        ],
    )
    assert r.exit_code == 0, r.output
    d = json.loads(r.output)
    assert set(d) >= {
        "hs6",
        "origin",
        "destination",
        "as_of",
        "lines",
        "summary",
        "path",
        "import_tax",
        "missing",
        "net_benefit",
    }
    o = {x["option"]: x for x in d["lines"][0]["options"]}
    assert o["MFN"]["rate_pct"] == 10.0 and o["RCEP"]["rate_pct"] == 5.5
    assert o["RCEP"]["duty"]["low"] == 550.0
    assert o["RCEP"]["provenance"]["dataset"] == "vn_tariff"
    assert d["import_tax"]["by_option"]["RCEP"] == 1055.0
    nb = {x["option"]: x for x in d["net_benefit"]}
    assert nb["CPTPP"]["worth_it"] and "Not worth it below" in nb["CPTPP"]["statement"]


def test_duty_errors_exit_codes() -> None:
    r = runner.invoke(app, ["duty", "--hs", "847130", "--from", "JPN", "--to", "Narnia", "--json"])
    assert r.exit_code != 0
    r = runner.invoke(app, ["duty", "--hs", "847130", "--from", "JPN", "--to", "THA"])
    assert r.exit_code != 0 and "Importers with schedule data" in str(r.exception)
    r = runner.invoke(
        app, ["duty", "--hs", "847130", "--from", "JPN", "--to", "VNM", "--year", "2020"]
    )
    assert r.exit_code != 0 and "earliest schedule" in str(r.exception)


def test_resolve_date() -> None:
    assert resolve_date(2027, None).isoformat() == "2027-12-31"
    assert resolve_date(None, "2026-08-01").isoformat() == "2026-08-01"


def test_cli_main_translates_errors() -> None:
    import subprocess
    import sys

    p = subprocess.run(
        [
            sys.executable,
            "-m",
            "kaigai.cli.app",
            "duty",
            "--hs",
            "999999",
            "--from",
            "JPN",
            "--to",
            "VNM",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert p.returncode == 2  # HSCodeError -> InputError exit code
    err = json.loads(p.stdout)["error"]
    assert err["code"] == "invalid_hs_code" and "999999" in err["message"]
    assert "Traceback" not in p.stderr


def test_specific_duty_needs_quantity_and_rate() -> None:
    # 2106.90.518: temporary 49 JPY/kg, WTO (341 JPY/kg) -> MFN 49 JPY/kg (starter pack line)
    base = [
        "duty",
        "--hs",
        "2106.90.518",
        "--from",
        "USA",
        "--to",
        "JPN",
        "--value",
        "1000",
        "--currency",
        "USD",
        "--json",
    ]
    d = json.loads(runner.invoke(app, base).output)
    mfn = d["lines"][0]["options"][0]
    assert (
        mfn["status"] == "needs_input" and "no quantity" in mfn["message"] and mfn["duty"] is None
    )
    d = json.loads(runner.invoke(app, [*base, "--quantity", "10", "--unit", "kg"]).output)
    mfn = d["lines"][0]["options"][0]
    assert mfn["status"] == "needs_input" and "exchange rate" in mfn["message"]
    d = json.loads(
        runner.invoke(app, [*base, "--quantity", "10", "--unit", "kg", "--jpy-rate", "150"]).output
    )
    mfn = d["lines"][0]["options"][0]
    assert mfn["status"] == "ok" and mfn["duty"]["low"] == pytest.approx(490 / 150, abs=1e-4)
    assert mfn["rate_is_ave"] and mfn["rate_pct"] == pytest.approx(100 * 490 / 150 / 1000, abs=1e-6)


def test_net_benefit_uses_annual_value_without_a_shipment_value() -> None:
    """Issue 15.1: the README's own example. MFN 10% vs CPTPP 0% on VN 3304.99.20 must save money."""
    args = ["duty", "--hs", "330499", "--from", "JPN", "--to", "VNM", "--line", "3304.99.20",
            "--annual-value", "3000000", "--shipments", "6"]  # fmt: skip
    r = runner.invoke(app, [*args, "--json"])
    assert r.exit_code == 0, r.output
    nb = {x["option"]: x for x in json.loads(r.stdout)["net_benefit"]}
    # By hand, default costs (tariffs/data/fta_costs.yaml), JPY 3,000 per staff hour:
    # saving 3,000,000 x (10% - 0%) = 300,000 a year.
    # running 6 x 2,500 (certificates) + 6 x 1 h + 2 x 4 h (supplier decl.) + 12 h (records) at 3,000
    #         + 2% x 300,000 (verification) = 15,000 + 18,000 + 24,000 + 36,000 + 6,000 = 99,000 a year.
    # fixed   (40 h learning + 16 h origin determination) x 3,000 = 168,000.
    annuity = sum(1.05**-t for t in range(1, 6))  # 5 years at 5%
    npv = (300_000 - 99_000) * annuity - 168_000
    break_even = (168_000 + 99_000 * annuity) / (0.10 * annuity)
    cptpp = nb["CPTPP"]
    assert cptpp["margins_pct"] == [10.0] * 5
    assert cptpp["savings"] == [300_000.0] * 5
    assert cptpp["running_costs"] == [99_000.0] * 5 and cptpp["fixed_cost"] == 168_000.0
    assert cptpp["npv"] == pytest.approx(npv, abs=0.01) and round(npv) == 702_225
    assert cptpp["break_even_annual_value"] == pytest.approx(break_even, abs=0.01)
    assert cptpp["worth_it"] is True
    # RCEP 5.5%: margin 4.5 points -> 135,000 a year, NPV below zero at this value.
    rcep = nb["RCEP"]
    assert rcep["savings"] == [135_000.0] * 5
    assert rcep["npv"] == pytest.approx((135_000 - 99_000) * annuity - 168_000, abs=0.01)
    human = runner.invoke(app, args)
    assert human.exit_code == 0, human.output
    text = " ".join(human.stdout.split())
    assert "CPTPP: Worth it: NPV 702,225 JPY over 5 years." in text
    assert "saves nothing" not in text
    assert "average shipment of JPY 500,000 (--annual-value 3,000,000 / --shipments 6)" in text
