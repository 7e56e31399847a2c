"""US / Australia / UK / EU schedules: parsers on real source rows (fixture) and the full tables.

Fixture rows are copied from the shared files (README of tariffs_world/), with their source rows:
US HTS 2026 Rev. 4 CSV records 26948 (8482.10.10), 26154 (8461.40.10), 34101/34102
(9903.02.72/.73); ABF aus_schedule3_lines.csv line 5573 (8482.10.10) and aus_fta_schedules.csv
line 1810 (CPTPP 8482.10.10); UKGT file record 10205 (8482.10.10).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from kaigai.core.errors import HSCodeError, RateParseError
from kaigai.tariffs.agreements import load_registry
from kaigai.tariffs.expr import AdValorem, Basis, Compound, Specific
from kaigai.tariffs.index import TariffIndex
from kaigai.tariffs.options import DutyQuery, duty_options
from kaigai.tariffs.world_parse import parse_world_rate
from kaigai.tariffs.world_schedules import au_schedule, eu_schedules, uk_schedule, us_schedule

ON = dt.date(2026, 7, 1)


def test_parse_world_rates() -> None:
    assert parse_world_rate("Free") == AdValorem(0.0)
    assert parse_world_rate("2.4%") == AdValorem(2.4)
    assert parse_world_rate("1.5¢/kg") == Specific(0.015, "kg", "USD")
    assert parse_world_rate("$2.146/kg") == Specific(2.146, "kg", "USD")
    assert parse_world_rate("$0.526 /L", "AUD") == Specific(0.526, "l", "AUD")
    assert parse_world_rate("31¢/kg + 6.9%") == Compound(
        (Specific(0.31, "kg", "USD"), AdValorem(6.9))
    )
    assert parse_world_rate("86.90 EUR / 100 kg") == Specific(0.869, "kg", "EUR")
    assert parse_world_rate("16.00 GBP / hl") == Specific(0.16, "l", "GBP")
    for bad in ("3.7¢/kg on drained weight", "The duty provided in the applicable subheading", ""):
        with pytest.raises(RateParseError):
            parse_world_rate(bad)


SRC = "github:jakefitzpatrick/Export-Import-SanctionsChatbot@1aefadf5"
JP_TEXT = (
    "Except for goods loaded onto a vessel ... articles the product of Japan, with an ad valorem "
    "(or ad valorem equivalent) rate of duty under column 1 {} 15 percent, as provided for in "
    "subdivision (v) of U.S. note 2 to this subchapter"
)


def _us() -> tuple[pd.DataFrame, pd.DataFrame]:
    lines = pd.DataFrame(
        {
            "source_row": [26948, 26154],
            "hts_number": ["8482.10.10", "8461.40.10"],
            "hs6": ["848210", "846140"],
            "description": ["Ball bearings with integral shafts", "Gear cutting machines"],
            "desc_path": ["Ball or roller bearings > Ball bearings with integral shafts", ""],
            "general_text": ["2.4%", "5.8%"],
            "special_text": [
                "Free (A+,AU,B,BH,CL,CO,D,E,IL,JO,KR,MA,OM,P,PA,PE,S,SG)",
                "Free (A,AU,BH,CL,CO,D,E,IL,JO,KR,MA,OM,P,PA,PE,S,SG)2.9% (JP)",
            ],
            "jp_listed": [False, True],
            "jp_rate_text": [None, "2.9%"],
            "is_ch98_99": [False, False],
            "edition": ["HTS 2026 Revision 4"] * 2,
            "source": [SRC] * 2,
        }
    )
    rows = pd.DataFrame(
        {
            "source_row": [34101, 34102, 34059],
            "hts_number": ["9903.02.72", "9903.02.73", "9903.02.30"],
            "general_text": [
                "The duty provided in the applicable subheading",
                "15%",
                "The duty provided in the applicable subheading + 15%",
            ],
            "description": [
                JP_TEXT.format("equal to or greater than"),
                JP_TEXT.format("less than"),
                "articles the product of Japan [Compiler's note: provision terminated.]",
            ],
            "is_ch98_99": [True, True, True],
        }
    )
    return lines, rows


def _index(*scheds) -> TariffIndex:  # type: ignore[no-untyped-def]
    d: dict = {}
    for s in scheds:
        d[s.importer] = (s,)
    return TariffIndex(d, load_registry())


def test_us_fixture_mfn_preference_and_chapter99() -> None:
    sched = us_schedule(*_us())
    res = duty_options(_index(sched), DutyQuery("846140", "JPN", "USA", ON, Basis(10000.0, "USD")))
    opts = {o.option: o for o in res.lines[0].options}
    assert opts["MFN"].rate_pct == 5.8 and opts["US-JP"].rate_pct == 2.9
    assert opts["US-JP"].duty is not None and opts["US-JP"].duty.low == pytest.approx(290.0)
    assert (
        opts["US-JP"].provenance.locator == "national_line=8461.40.10 column=US-JP source_row=26154"
    )
    assert res.lines[0].best == "US-JP"
    res = duty_options(_index(sched), DutyQuery("848210", "JPN", "USA", ON))
    opts = {o.option: o for o in res.lines[0].options}
    assert opts["MFN"].rate_pct == 2.4 and opts["US-JP"].status == "no_preference"
    # Chapter 99: the terminated 9903.02.30 is left out; .72/.73 shown apart with the threshold
    sur = {s["hts_number"]: s for s in res.surcharges}
    assert set(sur) == {"9903.02.72", "9903.02.73"}
    assert sur["9903.02.73"]["rate_text"] == "15%"
    assert sur["9903.02.73"]["applies"] == "threshold met (column-1 rate 2.4% < 15%)"
    assert sur["9903.02.72"]["applies"].startswith("not applicable")
    assert sur["9903.02.73"]["provenance"]["locator"] == "hts_number=9903.02.73 source_row=34102"
    assert opts["MFN"].rate_pct == 2.4  # never added to the line rate
    # another origin sees no Japan row
    res = duty_options(_index(sched), DutyQuery("848210", "KOR", "USA", ON))
    assert res.surcharges == ()


def test_au_fixture_listed_unlisted_and_missing_chapter() -> None:
    lines = pd.DataFrame(
        {
            "reference_number": ["8482.10.10", "8482.10.90"],
            "chapter": ["84", "84"],
            "hs6": ["848210", "848210"],
            "description": [
                "--- Of a kind used as components in passenger motor vehicles",
                "--- Other",
            ],
            "general_text": ["5%", "5%"],
            "is_tariff_line": [True, True],
        },
        index=[5571, 5572],
    )
    lines = pd.concat([pd.DataFrame({"is_tariff_line": [False] * 5571}), lines]).reset_index(
        drop=True
    )
    lines["chapter"] = lines["chapter"].fillna("01")
    fta = pd.DataFrame(
        {
            "schedule": ["Schedule 8B"],
            "agreement": ["CPTPP"],
            "hs_code_raw": ["8482.10.10"],
            "hs8": ["84821010"],
            "prescribed_goods_only": [False],
            "partner_note": [None],
            "effective_from": ["2018-12-30"],
            "rate_text": ["2%"],
        },
        index=[1808],
    )
    fta = pd.concat([pd.DataFrame({"agreement": ["x"] * 1808}), fta]).reset_index(drop=True)
    sched = au_schedule(lines, fta)
    assert "33" in sched.missing_chapters and "84" not in sched.missing_chapters
    idx = _index(sched)
    res = duty_options(idx, DutyQuery("848210", "JPN", "AUS", ON, Basis(1000.0, "AUD")))
    first = {o.option: o for o in res.lines[0].options}
    assert first["MFN"].rate_pct == 5.0
    assert first["MFN"].provenance.locator == "national_line=8482.10.10 column=mfn source_row=5573"
    assert first["CPTPP"].rate_pct == 2.0 and "from 2018-12-30" in (first["CPTPP"].message or "")
    assert first["CPTPP"].provenance.locator.endswith("source_row=1810")
    assert first["JP-AU"].rate_pct == 0.0 and "not listed" in (first["JP-AU"].message or "")
    with pytest.raises(HSCodeError, match="chapter 33 is not in the data"):
        duty_options(idx, DutyQuery("330499", "JPN", "AUS", ON))


def test_uk_eu_fixture_mfn_only() -> None:
    df = pd.DataFrame(
        {
            "source_row": [10205, 10206],
            "cn8": ["84821010", "84821010"],
            "hs6": ["848210", "848210"],
            "code_digits_shown": [8, 10],
            "description": ["Ball bearings", "Ball bearings, sub"],
            "ukgt_duty_rate": ["8.0%", "8.0%"],
            "cet_duty_rate": ["8.0%", "8.0%"],
        }
    )
    idx = _index(uk_schedule(df), eu_schedules(df)["DEU"])
    res = duty_options(idx, DutyQuery("848210", "JPN", "GBR", ON))
    assert len(res.lines) == 1 and res.schedule.edition == "UK Global Tariff 2021-01-01"
    opts = {o.option: o for o in res.lines[0].options}
    assert opts["MFN"].rate_pct == 8.0 and opts["MFN"].provenance.locator.endswith(
        "source_row=10205"
    )
    assert opts["UK-JP"].status == "not_in_data" and opts["UK-JP"].rate_pct is None
    assert "uk-tariff" in (opts["UK-JP"].message or "")
    assert any("2021-01-01" in n for n in res.notes)
    res = duty_options(idx, DutyQuery("848210", "JPN", "DEU", ON))
    opts = {o.option: o for o in res.lines[0].options}
    assert res.schedule.edition == "EU CET 2020" and opts["EU-JP"].status == "not_in_data"


def test_coverage_rows_from_fixture_schedules() -> None:
    from kaigai.tariffs.coverage import coverage, pull_command, to_markdown

    lines, rows = _us()
    df = pd.DataFrame(
        {
            "source_row": [10205],
            "cn8": ["84821010"],
            "hs6": ["848210"],
            "code_digits_shown": [8],
            "description": ["Ball bearings"],
            "ukgt_duty_rate": ["8.0%"],
            "cet_duty_rate": ["8.0%"],
        }
    )
    idx = _index(us_schedule(lines, rows), uk_schedule(df), *eu_schedules(df).values())
    got = {(r.destination, r.agreement): r for r in coverage(idx)}
    assert set(got) == {
        ("USA", "MFN"), ("USA", "US-JP"), ("GBR", "MFN"), ("GBR", "UK-JP"), ("GBR", "CPTPP"),
        ("EU27", "MFN"), ("EU27", "EU-JP"),
    }  # fmt: skip
    us = got[("USA", "US-JP")]
    assert (us.lines_with_rate, us.lines_parsed, us.lines_total) == (1, 1, 2)
    assert us.unlisted == "MFN applies" and us.edition == "HTS 2026 Revision 4"
    assert got[("GBR", "UK-JP")].unlisted == "not in data"
    assert got[("GBR", "UK-JP")].lines_with_rate == 0
    md = to_markdown(list(got.values()))
    assert "| USA | US-JP | 1 | 1 | 2 | MFN applies | HTS 2026 Revision 4 | 2026-01-01 |" in md
    assert pull_command("THA") == "kaigai data pull wits --reporter THA"
    assert pull_command("FRA") == "kaigai data pull wits --reporter FRA"
    assert pull_command("USA") == "kaigai data pull usitc-hts"
