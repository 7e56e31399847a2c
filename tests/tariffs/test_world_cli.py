"""Must-show commands with all of the shared data imported: `kaigai duty --hs 8482.10 --from JPN
--to USA|AUS|GBR|DEU --json`. Each figure is checked against the source file's own row."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from kaigai.cli.app import app
from kaigai.core.errors import HSCodeError

runner = CliRunner()
pytestmark = pytest.mark.shared


def _duty(to: str, *extra: str) -> dict:  # type: ignore[type-arg]
    r = runner.invoke(
        app, ["duty", "--hs", "8482.10", "--from", "JPN", "--to", to, "--json", *extra]
    )
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def _opts(line: dict) -> dict:  # type: ignore[type-arg]
    return {o["option"]: o for o in line["options"]}


def test_must_show_usa_aus_gbr(shared_data: Path) -> None:
    r = runner.invoke(app, ["data", "import", str(shared_data), "--json", "--no-prepare"])
    assert r.exit_code == 0, r.output[-2000:]
    tw = shared_data / "tariffs_world"

    us_src = pd.read_parquet(tw / "usa_hts_2026r4/usa_hts_2026r4_lines.parquet")
    us_src = us_src[us_src["hs6"] == "848210"].set_index("hts_number")
    d = _duty("USA")
    assert d["schedule"]["edition"] == "HTS 2026 Revision 4"
    assert [ln["national_line"] for ln in d["lines"]] == ["8482.10.10", "8482.10.50"]
    for ln in d["lines"]:
        o = _opts(ln)
        src = us_src.loc[ln["national_line"]]
        assert o["MFN"]["rate_pct"] == src["general_pct"]  # 2.4 and 9.0
        assert o["MFN"]["provenance"]["locator"].endswith(f"source_row={src['source_row']}")
        assert not src["jp_listed"] and o["US-JP"]["status"] == "no_preference"
    assert [_opts(ln)["MFN"]["rate_pct"] for ln in d["lines"]] == [2.4, 9.0]
    sur = {(s["national_line"], s["hts_number"]): s for s in d["surcharges"]}
    assert sur[("8482.10.10", "9903.02.73")]["rate_text"] == "15%"
    assert sur[("8482.10.10", "9903.02.73")]["provenance"]["locator"].endswith("source_row=34102")
    assert sur[("8482.10.50", "9903.02.73")]["applies"] == "threshold met (column-1 rate 9% < 15%)"
    # a US line with a Japan preference: 8461.40.10 General 5.8 %, JP 2.9 % (CSV record 26154)
    r = runner.invoke(app, ["duty", "--hs", "8461.40.10", "--from", "JPN", "--to", "USA", "--json"])
    o = _opts(json.loads(r.stdout)["lines"][0])
    assert (o["MFN"]["rate_pct"], o["US-JP"]["rate_pct"]) == (5.8, 2.9)
    assert o["US-JP"]["provenance"]["locator"].endswith("source_row=26154")

    d = _duty("AUS")
    assert d["schedule"]["edition"] == "ABF Working Tariff 2026-04"
    o = {ln["national_line"]: _opts(ln) for ln in d["lines"]}
    assert o["8482.10.10"]["MFN"]["rate_pct"] == 5.0 and o["8482.10.90"]["MFN"]["rate_pct"] == 5.0
    assert o["8482.10.10"]["CPTPP"]["rate_pct"] == 2.0  # Schedule 8B, from 30 December 2018
    assert o["8482.10.10"]["CPTPP"]["provenance"]["locator"].endswith("source_row=1810")
    assert o["8482.10.10"]["MFN"]["provenance"]["locator"].endswith("source_row=5573")
    assert o["8482.10.10"]["JP-AU"]["rate_pct"] == 0.0  # not in Schedule 11 (JAEPA)
    assert "not listed" in o["8482.10.10"]["JP-AU"]["message"]
    assert any("24 chapters are missing" in n for n in d["notes"])
    r = runner.invoke(app, ["duty", "--hs", "330499", "--from", "JPN", "--to", "AUS", "--json"])
    assert isinstance(r.exception, HSCodeError) and r.exception.exit_code == 2
    assert "chapter 33 is not in the data" in r.exception.message

    d = _duty("GBR")
    assert d["schedule"]["edition"] == "UK Global Tariff 2021-01-01"
    o = _opts(d["lines"][0])
    assert o["MFN"]["rate_pct"] == 8.0 and o["MFN"]["provenance"]["locator"].endswith(
        "source_row=10205"
    )
    assert o["UK-JP"]["status"] == "not_in_data" and o["CPTPP"]["status"] == "not_in_data"
    assert d["notes"][0].startswith("UK rate from the UK Global Tariff as announced for 2021-01-01")

    d = _duty("DEU")
    o = _opts(d["lines"][0])
    assert d["schedule"]["edition"] == "EU CET 2020" and o["MFN"]["rate_pct"] == 8.0
    assert o["EU-JP"]["status"] == "not_in_data"
