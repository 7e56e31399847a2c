from __future__ import annotations

import datetime as dt

import pytest

from kaigai.tariffs.expr import Basis
from kaigai.tariffs.options import DutyQuery, duty_options
from kaigai.tariffs.staging import match_category, staged_rate, year_index, year_start_date
from kaigai.tariffs.staging_check import check_cptpp_staging


def test_year_index_japan_april_cuts() -> None:
    eif = dt.date(2018, 12, 30)  # CPTPP for Japan
    assert year_index(eif, dt.date(2019, 3, 31), (4, 1)) == 1
    assert year_index(eif, dt.date(2019, 4, 1), (4, 1)) == 2
    assert year_index(eif, dt.date(2026, 7, 9), (4, 1)) == 9
    assert year_index(eif, dt.date(2018, 12, 29), (4, 1)) == 0
    assert year_start_date(eif, 9, (4, 1)) == dt.date(2026, 4, 1)
    assert year_index(dt.date(2019, 1, 14), dt.date(2020, 1, 1), (1, 1)) == 2  # Viet Nam, 1 January


def test_linear_formula() -> None:
    assert staged_rate(12.8, "B16", 9) == pytest.approx(12.8 * 7 / 16)
    assert staged_rate(12.8, "B16", 9, decimals=1, rounding="down") == 5.6
    assert staged_rate(10.0, "B5", 5) == 0.0
    assert staged_rate(10.0, "EIF", 1) == 0.0
    assert staged_rate(10.0, "X", 3) is None
    assert staged_rate(10.0, "R4", 2, final=2.0) == pytest.approx(6.0)
    m = match_category(12.8, 5.6, 9, decimals=1, rounding="down", tol=1e-6)
    assert m.category == "B16" and m.candidates == ("B16",)


def test_cptpp_staging_reproduces_printed_2026_rates(full_index, apfc_frame) -> None:  # type: ignore[no-untyped-def]
    """APFC base rates + linear elimination reproduce Japan's printed CPTPP 2026 rate (round down to 0.1)."""
    check = check_cptpp_staging(full_index.schedules["JPN"][0], apfc_frame)
    c = check.counts()
    assert check.year_index == 9
    nonfree = sum(v for k, v in c.items() if k not in ("free_ambiguous", "no_match")) + c.get(
        "no_match", 0
    )
    matched = nonfree - c.get("no_match", 0)
    assert nonfree >= 70 and matched / nonfree >= 0.95
    assert c["B11"] >= 50 and c["B16"] >= 10
    # named line: 0206.22.000 base 12.8 (APFC) -> B16 -> 5.6% printed in 2026
    m = next(x for x in check.matches if x.hs6 == "020622")
    assert (m.category, m.printed) == ("B16", 5.6)
    # rounding half-up reproduces far fewer lines: Japan's schedule truncates
    half = check_cptpp_staging(
        full_index.schedules["JPN"][0], apfc_frame, rounding="half_up"
    ).counts()
    assert half.get("no_match", 0) > c.get("no_match", 0)


def test_path_runs_until_final_rate(full_index) -> None:  # type: ignore[no-untyped-def]
    res = duty_options(
        full_index, DutyQuery("020622", "CAN", "JPN", dt.date(2026, 11, 27), Basis(1000, "JPY"))
    )
    path = res.path
    assert [p["rates"]["CPTPP"] for p in path] == [5.6, 4.8, 4.0, 3.2, 2.4, 1.6, 0.8, 0.0]
    assert path[-1]["year"] == 2033 and all(p["rates"]["MFN"] == 12.8 for p in path)
    # --year 2027 -> 31 Dec 2027, agreement year 10
    res27 = duty_options(full_index, DutyQuery("020622", "CAN", "JPN", dt.date(2027, 12, 31)))
    o = {r.option: r for r in res27.lines[0].options}
    assert o["CPTPP"].rate_pct == 4.8 and o["CPTPP"].staging["category"] == "B16"
