from __future__ import annotations

from pathlib import Path

import pytest

from kaigai.core.errors import InputError
from kaigai.tariffs.benefit import (
    FtaCosts,
    annual_fixed_cost_equivalent,
    default_costs,
    fta_net_benefit,
    load_costs,
)


def test_defaults_have_sources() -> None:
    costs, sources = default_costs()
    assert (
        costs.certificate_fee_jpy == 2500
        and "jcci.or.jp/gensanchi/fee.html" in sources["certificate_fee_jpy"]
    )
    assert set(sources) == set(FtaCosts.__dataclass_fields__)


def test_npv_and_break_even_by_hand() -> None:
    c = FtaCosts(
        hourly_cost_jpy=1000,
        learning_hours=10,
        origin_determination_hours=0,
        certificate_fee_jpy=2000,
        hours_per_certificate=0,
        supplier_declarations_per_year=0,
        record_keeping_hours_per_year=0,
        verification_probability=0,
        discount_rate=0.0,
        horizon_years=2,
    )
    r = fta_net_benefit([5.0], 1_000_000, 10, c)
    # savings 50,000/yr x 2 - running 20,000/yr x 2 - fixed 10,000 = 50,000
    assert r.npv == pytest.approx(50_000)
    # break-even: (10,000 + 40,000) / (0.05 x 2) = 500,000
    assert r.break_even_annual_value == pytest.approx(500_000)
    assert r.worth_it and "Not worth it below 500,000 JPY" in r.statement
    low = fta_net_benefit([5.0], 400_000, 10, c)
    assert not low.worth_it and low.npv == pytest.approx(40_000 - 40_000 - 10_000)
    none = fta_net_benefit([0.0], 1_000_000, 10, c)
    assert none.break_even_annual_value is None and "saves nothing" in none.statement


def test_staging_path_margins_are_used_in_order() -> None:
    c = FtaCosts(
        discount_rate=0.0,
        horizon_years=3,
        learning_hours=0,
        origin_determination_hours=0,
        certificate_fee_jpy=0,
        hours_per_certificate=0,
        supplier_declarations_per_year=0,
        record_keeping_hours_per_year=0,
        verification_probability=0,
    )
    r = fta_net_benefit([1.0, 2.0], 100_000, 1, c)
    assert r.savings == (1000.0, 2000.0, 2000.0)


def test_overrides(tmp_path: Path) -> None:
    f = tmp_path / "costs.toml"
    f.write_text('[fta_costs]\ncertificate_fee_jpy = 3000\ncertification = "self"\n')
    c = load_costs(f)
    assert c.certificate_fee_jpy == 3000 and c.certification == "self"
    assert c.running(10) == pytest.approx(
        10 * c.hours_per_certificate * c.hourly_cost_jpy
        + c.supplier_declarations_per_year * c.hours_per_supplier_declaration * c.hourly_cost_jpy
        + c.record_keeping_hours_per_year * c.hourly_cost_jpy
        + c.verification_probability * c.verification_cost_jpy
    )
    f.write_text("[fta_costs]\nnonsense = 1\n")
    with pytest.raises(InputError, match="Unknown FTA cost keys"):
        load_costs(f)


def test_policy_lab_fixed_cost() -> None:
    c = FtaCosts(discount_rate=0.0, horizon_years=4)
    assert annual_fixed_cost_equivalent(c, 12) == pytest.approx(c.fixed() / 4 + c.running(12))


def test_margin_path_and_option_net_benefit() -> None:
    from types import SimpleNamespace

    from kaigai.tariffs.benefit import margin_path, option_net_benefit

    path = (
        {"year": 2026, "rates": {"MFN": 5.0, "CPTPP": 3.0}},
        {"year": 2027, "rates": {"MFN": 5.0, "CPTPP": None}},
        {"year": 2028, "rates": {"MFN": None, "CPTPP": 1.0}},
    )
    assert margin_path(path, "CPTPP") == [2.0, 5.0, -1.0]
    assert margin_path((), "CPTPP") == []
    c = FtaCosts(discount_rate=0.0, horizon_years=3)
    row = SimpleNamespace(option="CPTPP", margin_pct=4.0)
    line = SimpleNamespace(national_code="8482.10.00", options=(row,))
    res = SimpleNamespace(hs="848210", lines=(line,), path=path)
    nb = option_net_benefit(res, "CPTPP", 1_000_000, 10, c)  # type: ignore[arg-type]
    assert nb == fta_net_benefit([2.0, 5.0, -1.0], 1_000_000, 10, c)
    assert nb.margins_pct == (2.0, 5.0, -1.0)
    no_path = SimpleNamespace(hs="848210", lines=(line,), path=())
    assert option_net_benefit(no_path, "CPTPP", 1_000_000, 10, c).margins_pct == (4.0,) * 3  # type: ignore[arg-type]
    two = SimpleNamespace(hs="848210", lines=(line, line), path=path)
    with pytest.raises(InputError, match="2 national lines"):
        option_net_benefit(two, "CPTPP", 1_000_000, 10, c)  # type: ignore[arg-type]
