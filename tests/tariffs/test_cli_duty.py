from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from kaigai.cli.app import app
from kaigai.cli.duty import resolve_date

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
