from __future__ import annotations

import datetime as dt
import random
import re

import pytest

from kaigai.core.errors import DataError, HSCodeError, TariffError
from kaigai.tariffs.expr import AdValorem, Basis
from kaigai.tariffs.options import DutyQuery, duty_options

ON = dt.date(2026, 11, 27)


def _opts(res, line=0):  # type: ignore[no-untyped-def]
    return {r.option: r for r in res.lines[line].options}


def test_named_jp_lines_equal_source_cells(full_index) -> None:  # type: ignore[no-untyped-def]
    # 0206.22.000 (livers of bovine, frozen): general 15%, WTO 12.8%, CPTPP 5.6%, RCEP(ASEAN/AU/NZ) 12.8%
    res = duty_options(full_index, DutyQuery("020622", "CAN", "JPN", ON, Basis(10000, "JPY")))
    o = _opts(res)
    assert o["MFN"].rate_pct == 12.8 and o["MFN"].duty.low == pytest.approx(1280.0)
    assert o["CPTPP"].rate_pct == 5.6 and o["CPTPP"].margin_pct == pytest.approx(7.2)
    assert o["CPTPP"].provenance.locator.startswith("national_line=0206.22.000 column=epa_cptpp")
    assert res.lines[0].best == "CPTPP"
    # 5516.31.011: general 10% sits on the parent row, WTO 8.8% on the line -> MFN 8.8%
    res = duty_options(full_index, DutyQuery("5516.31.011", "USA", "JPN", ON))
    assert _opts(res)["MFN"].rate_pct == 8.8


def test_vn_named_line(full_index) -> None:  # type: ignore[no-untyped-def]
    res = duty_options(
        full_index, DutyQuery("330499", "JPN", "VNM", ON, Basis(10000, "JPY"), line="3304.99.20")
    )
    o = _opts(res)
    assert (o["MFN"].rate_pct, o["RCEP"].rate_pct, o["CPTPP"].rate_pct) == (10.0, 5.5, 0.0)
    assert o["RCEP"].provenance.locator.split(" ")[1] == "column=rcep_d_japan"
    assert res.tax["by_option"]["MFN"] == pytest.approx(1100.0)
    assert {"AJCEP", "JP-VN", "CPTPP", "RCEP"} <= set(o)


def test_random_jp_lines_mfn_follows_precedence(full_index, jp_frame) -> None:  # type: ignore[no-untyped-def]
    """Lines whose own general/temporary/WTO cells are plain percentages: MFN = min(temporary or general, WTO)."""
    pct = re.compile(r"^\(?(\d+(?:\.\d+)?)%\)?$")
    sched = full_index.schedules["JPN"][0]
    rows = [
        r for r in jp_frame.itertuples() if isinstance(r.national_code_9, str) and r.national_code_9
    ]
    random.Random(7).shuffle(rows)
    checked = 0
    for r in rows:
        g, t, w = (
            pct.match(str(x or "").replace("（", "(").replace("）", ")"))
            for x in (r.general_rate, r.temporary_rate, r.wto_rate)
        )
        if not (g and w) or (r.temporary_rate and not t):
            continue
        nat = float((t or g).group(1))
        line = sched.by_code[r.national_code_9]
        if " / " in line.description:  # seasonal rows sharing a code: tested separately
            continue
        assert line.mfn == AdValorem(min(nat, float(w.group(1)))), r.national_code_9
        for col in ("epa_cptpp", "epa_eu", "epa_rcep_china"):
            raw = getattr(r, col)
            if isinstance(raw, str) and raw.strip():
                assert line.cells[col].text == raw.strip() and not line.cells[col].inherited
        checked += 1
        if checked == 300:
            break
    assert checked == 300


def test_no_agreement_no_preference(full_index) -> None:  # type: ignore[no-untyped-def]
    # USA-VNM: no agreement -> only MFN
    res = duty_options(full_index, DutyQuery("330499", "USA", "VNM", ON))
    assert {r.option for r in res.lines[0].options} == {"MFN"}
    # CHN-JPN: RCEP in force from 2022-01-01, not before
    before = duty_options(full_index, DutyQuery("020622", "CHN", "JPN", ON.replace(year=2026)))
    assert "RCEP" in _opts(before)
    res = duty_options(full_index, DutyQuery("020622", "PHL", "JPN", dt.date(2026, 8, 1)))
    assert "RCEP" in _opts(res)


def test_agreement_not_yet_in_force_shows_no_preference(full_index) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from kaigai.tariffs.agreements import find

    # the schedule starts 2026-07-09; move the UK's CPTPP accession after the date asked
    cptpp = find(full_index.agreements, "CPTPP")
    late = replace(cptpp, parties={**cptpp.parties, "GBR": dt.date(2027, 1, 1)})
    idx = replace(
        full_index, agreements=tuple(late if a.id == "CPTPP" else a for a in full_index.agreements)
    )
    assert "CPTPP" not in _opts(duty_options(idx, DutyQuery("020622", "GBR", "JPN", ON)))
    assert "CPTPP" in _opts(
        duty_options(idx, DutyQuery("020622", "GBR", "JPN", dt.date(2027, 2, 1)))
    )


def test_bad_input(full_index) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(HSCodeError):
        duty_options(full_index, DutyQuery("999999", "JPN", "VNM", ON))
    with pytest.raises(HSCodeError):
        duty_options(full_index, DutyQuery("8471", "JPN", "VNM", ON))
    with pytest.raises(TariffError, match="earliest schedule"):
        duty_options(full_index, DutyQuery("847130", "JPN", "VNM", dt.date(2020, 1, 1)))
    with pytest.raises(DataError, match="Importers with schedule data: JPN, VNM"):
        duty_options(full_index, DutyQuery("847130", "JPN", "THA", ON))


def test_specific_duty_without_quantity_is_reported_not_guessed(full_index) -> None:  # type: ignore[no-untyped-def]
    # 0401.10.190: 25%+63 JPY/kg or 21.3%+54 JPY/kg whichever lower
    res = duty_options(full_index, DutyQuery("0401.10.190", "USA", "JPN", ON, Basis(10000, "JPY")))
    mfn = _opts(res)["MFN"]
    assert mfn.status == "needs_input" and mfn.duty is None and "no quantity" in mfn.message
    assert res.missing
    res = duty_options(
        full_index, DutyQuery("0401.10.190", "USA", "JPN", ON, Basis(10000, "JPY", 10, "kg"))
    )
    # min(2500+630, 2130+540) = 2670
    assert _opts(res)["MFN"].duty.low == pytest.approx(2670.0)
    assert _opts(res)["MFN"].rate_is_ave and _opts(res)["MFN"].rate_pct == pytest.approx(26.7)


def test_excluded_line_vn(full_index) -> None:  # type: ignore[no-untyped-def]
    res = duty_options(full_index, DutyQuery("8703.23.11", "JPN", "VNM", ON))
    assert _opts(res)["CPTPP"].status == "excluded"


def test_seasonal_rows_sharing_a_code(full_index) -> None:  # type: ignore[no-untyped-def]
    # bananas 0803.90.100: 20% from 1 Apr to 30 Sep, 25% from 1 Oct to 31 Mar (WTO column)
    summer = duty_options(
        full_index, DutyQuery("0803.90.100", "USA", "JPN", dt.date(2026, 8, 1), Basis(1000, "JPY"))
    )
    winter = duty_options(
        full_index, DutyQuery("0803.90.100", "USA", "JPN", dt.date(2026, 11, 1), Basis(1000, "JPY"))
    )
    assert _opts(summer)["MFN"].duty.low == pytest.approx(200.0)
    assert _opts(winter)["MFN"].duty.low == pytest.approx(250.0)


def test_within_quota_only_preference_falls_back_to_mfn(jp_frame) -> None:  # type: ignore[no-untyped-def]
    from kaigai.tariffs.loader import index_from_frames

    # 0403.20.191: CPTPP cell "関税割当数量以内のもの 無税"; MFN = lower of 35%+1,076 JPY/kg and 29.8%+915 JPY/kg
    idx = index_from_frames(jp_frame[jp_frame["chapter"] == "04"])
    mfn_duty = 0.298 * 10000 + 915 * 10

    def cptpp(quota):  # type: ignore[no-untyped-def]
        res = duty_options(
            idx,
            DutyQuery("0403.20.191", "NZL", "JPN", ON, Basis(10000, "JPY", 10, "kg", quota=quota)),
        )
        o = _opts(res)
        assert o["MFN"].duty.low == pytest.approx(mfn_duty)
        return o["CPTPP"].duty

    assert (cptpp("in").low, cptpp("in").high) == (0.0, 0.0)
    assert cptpp("out").low == pytest.approx(mfn_duty)
    both = cptpp(None)
    assert (both.low, both.high) == (0.0, pytest.approx(mfn_duty)) and not both.exact
