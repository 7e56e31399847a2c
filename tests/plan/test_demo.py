"""`kaigai demo`: the export plan of the bundled example firm, report path + summary."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kaigai.cli.app import app
from kaigai.plan.examples import packaged_example_path, repo_examples_dir

runner = CliRunner()


def test_demo_writes_the_report_and_prints_a_summary(tmp_path: Path) -> None:
    out = tmp_path / "demo.html"
    r = runner.invoke(app, ["demo", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert f"Report written to {out}" in r.stdout.replace("\n", "")
    assert "Readiness score: 39/100" in r.stdout
    assert "Vietnam: best duty option CPTPP (MFN 3%, CPTPP 0%)" in r.stdout
    assert out.is_file() and "Ota Precision Bearings" in out.read_text(encoding="utf-8")


def test_demo_default_location_and_json(settings) -> None:
    r = runner.invoke(app, ["demo", "--json", "--lang", "ja"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert (
        Path(d["report_path"])
        == Path(settings.data_dir) / "reports" / "firm_tokyo_bearings_plan_ja.html"
    )
    assert Path(d["report_path"]).is_file()
    assert d["firm"]["name"] == "大田精密ベアリング株式会社"


def test_packaged_example_runs_without_the_checkout(tmp_path: Path) -> None:
    """The packaged copy (profile + BOM) is self-sufficient, as for a pip-installed kaigai."""
    r = runner.invoke(
        app,
        [
            "demo",
            "--firm",
            str(packaged_example_path()),
            "--out",
            str(tmp_path / "p.json"),
            "--json",
        ],
    )
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    vnm = next(m for m in d["products"][0]["markets"] if m["iso3"] == "VNM")
    assert vnm["origin"]["status"] == "ok"


def test_packaged_bom_is_a_copy_of_the_origin_example() -> None:
    repo = repo_examples_dir()
    if repo is None:
        pytest.skip("not running from a source checkout")
    assert (repo / "bom_bearing.csv").read_bytes() == (
        packaged_example_path().parent / "bom_bearing.csv"
    ).read_bytes()
