from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kaigai.core.errors import ScenarioError
from kaigai.tariffs.agreements import find, load_registry, load_scenario
from kaigai.tariffs.expr import Basis
from kaigai.tariffs.loader import index_from_frames
from kaigai.tariffs.options import DutyQuery, duty_options

SCENARIO = """
[[agreement]]
id = "CJK-FTA"
name_en = "China-Japan-Korea FTA (scenario)"
name_ja = "日中韓FTA（シナリオ）"
[agreement.parties]
JPN = 2028-01-01
CHN = 2028-01-01
KOR = 2028-01-01
[agreement.schedules.JPN]
year_start = "04-01"
[agreement.staging]
category = "B10"
overrides = [{hs_prefix = "02", category = "X"}]
"""


def test_registry_parties_and_columns() -> None:
    reg = load_registry()
    rcep = find(reg, "rcep")
    assert rcep.parties["KOR"] == dt.date(2022, 2, 1) and rcep.parties["MYS"] == dt.date(
        2022, 3, 18
    )
    assert rcep.parties["IDN"] == dt.date(2023, 1, 2) and rcep.parties["PHL"] == dt.date(2023, 6, 2)
    assert rcep.schedules["JPN"].column_for("THA") == "epa_rcep_asean_au_nz"
    assert rcep.schedules["JPN"].column_for("CHN") == "epa_rcep_china"
    assert rcep.schedules["JPN"].column_for("KOR") == "epa_rcep_korea"
    assert rcep.schedules["VNM"].column_for("JPN") == "rcep_d_japan"
    assert not rcep.in_force("JPN", "PHL", dt.date(2023, 6, 1))
    assert rcep.in_force("JPN", "PHL", dt.date(2023, 6, 2))
    assert find(reg, "VJEPA").id == "JP-VN"
    eu = find(reg, "EU-JP")
    assert eu.in_force("DEU", "JPN", dt.date(2019, 2, 1)) and not eu.in_force(
        "USA", "JPN", dt.date(2025, 1, 1)
    )
    ids = {a.id for a in reg}
    assert {
        "CPTPP",
        "RCEP",
        "AJCEP",
        "EU-JP",
        "UK-JP",
        "US-JP",
        "JP-VN",
        "JP-TH",
        "JP-MN",
        "JP-CH",
    } <= ids


def test_scenario_file(tmp_path: Path, jp_frame) -> None:  # type: ignore[no-untyped-def]
    f = tmp_path / "cjk.toml"
    f.write_text(SCENARIO, encoding="utf-8")
    (cjk,) = load_scenario(f)
    assert cjk.id == "CJK-FTA" and cjk.scenario.category_for("0206") == "X"
    idx = index_from_frames(jp_frame[jp_frame["chapter"].isin(["02", "33"])], scenario_files=(f,))
    before = duty_options(idx, DutyQuery("330499", "CHN", "JPN", dt.date(2027, 12, 31)))
    assert "CJK-FTA" not in {r.option for r in before.lines[0].options}
    on = dt.date(2029, 12, 31)  # Japan year 3 (from 1 Apr 2029): 7/10 of MFN
    res = duty_options(idx, DutyQuery("330499", "KOR", "JPN", on, Basis(1000, "JPY")))
    o = {r.option: r for r in res.lines[0].options}
    assert o["CJK-FTA"].kind == "scenario"
    assert o["CJK-FTA"].rate_pct == pytest.approx(o["MFN"].rate_pct * 7 / 10)
    beef = duty_options(idx, DutyQuery("020622", "KOR", "JPN", on))
    assert {r.option: r for r in beef.lines[0].options}["CJK-FTA"].status == "excluded"
    code = res.lines[0].national_code
    path = duty_options(
        idx, DutyQuery("330499", "CHN", "JPN", dt.date(2026, 12, 31), line=code)
    ).path
    # 1 Jan 2028 entry into force, 10 stages, Japan years from 1 April: free from year 10 (1 Apr 2036)
    assert [p["year"] for p in path][-1] == 2036
    assert path[0]["rates"].get("CJK-FTA") is None and path[-1]["rates"]["CJK-FTA"] == 0.0


def test_bad_scenario(tmp_path: Path) -> None:
    f = tmp_path / "bad.toml"
    f.write_text(
        '[[agreement]]\nid = "X"\n[agreement.parties]\nJPN = 2028-01-01\n[agreement.staging]\ncategory = "Q7"\n'
    )
    with pytest.raises(ScenarioError, match="staging category"):
        load_scenario(f)
    with pytest.raises(ScenarioError, match="not found"):
        load_scenario(tmp_path / "nope.toml")


def test_bundled_cjk_example_loads() -> None:
    from importlib import resources

    path = Path(str(resources.files("kaigai.tariffs") / "data" / "cjk_fta_scenario.toml"))
    (a,) = load_scenario(path)
    assert a.id == "CJK-FTA" and a.parties["KOR"] == dt.date(2028, 1, 1)
    assert a.scenario.category_for("847130") == "EIF" and a.scenario.category_for("100630") == "X"
    assert a.scenario.category_for("330499") == "B10"
    assert a.schedules["JPN"].year_start == (4, 1) and a.schedules["CHN"].year_start == (1, 1)
