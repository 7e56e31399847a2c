from __future__ import annotations

import json

from typer.testing import CliRunner

from kaigai.cli.app import app

runner = CliRunner()


def test_countries_group_json() -> None:
    r = runner.invoke(app, ["countries", "--group", "rcep", "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert len(d["countries"]) == 15 and d["group"] == "RCEP"
    jp = next(c for c in d["countries"] if c["iso3"] == "JPN")
    assert jp["name_ja"] == "日本" and "CPTPP" in jp["groups"]


def test_countries_resolve_and_unknown() -> None:
    d = json.loads(runner.invoke(app, ["countries", "Korea, Rep.", "--json"]).stdout)
    assert d["countries"][0]["iso3"] == "KOR"
    r = runner.invoke(app, ["countries", "--lang", "ja", "--group", "ASEAN"])
    assert "ベトナム" in r.stdout and "国・地域" in r.stdout
    bad = runner.invoke(app, ["countries", "--group", "NAFTA"])
    assert bad.exit_code != 0
