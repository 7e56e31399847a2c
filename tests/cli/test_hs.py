from __future__ import annotations

import json

from typer.testing import CliRunner

from kaigai.cli.app import app

runner = CliRunner()


def test_hs_show_json() -> None:
    r = runner.invoke(app, ["hs", "show", "8471.30", "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["code"] == "847130"
    assert d["description"].startswith("Automatic data processing machines; portable")
    assert d["heading"]["code"] == "8471" and d["chapter"]["code"] == "84"
    assert d["edition"] == "HS2022"
    assert d["provenance"]["dataset"] == "hs_nomenclature"


def test_hs_show_unknown_exits_nonzero_with_suggestions(capfd) -> None:  # type: ignore[no-untyped-def]
    import subprocess
    import sys
    from pathlib import Path

    exe = Path(sys.executable).parent / "kaigai"
    p = subprocess.run([str(exe), "hs", "show", "847199"], capture_output=True, text=True)
    assert p.returncode == 2
    assert "847199 is not an HS2022 subheading" in p.stderr
    assert "847190" in p.stderr
    assert "Traceback" not in p.stderr + p.stdout


def test_hs_search_json_and_japanese_labels() -> None:
    r = runner.invoke(app, ["hs", "search", "ball bearings", "--json", "-n", "3"])
    assert r.exit_code == 0, r.output
    hits = json.loads(r.stdout)["hits"]
    assert hits[0]["code"] == "848210" and len(hits) == 3
    r = runner.invoke(app, ["hs", "search", "ball bearings", "--lang", "ja"])
    assert r.exit_code == 0 and "説明" in r.stdout


def test_hs_concord_json() -> None:
    r = runner.invoke(app, ["hs", "concord", "851712", "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["status"] == "changed" and d["targets"] == []


def test_hs_show_json_keys_are_stable() -> None:
    keys = None
    for code in ["848210", "8482", "84", "851712"]:
        r = runner.invoke(app, ["hs", "show", code, "--json"])
        assert r.exit_code == 0, r.output
        k = set(json.loads(r.stdout))
        assert keys is None or k == keys, code
        keys = k
    d = json.loads(runner.invoke(app, ["hs", "show", "848210", "--json"]).stdout)
    assert d["description_ja"] == "玉軸受" and d["provenance_ja"]["dataset"] == "jp_tariff"
