from __future__ import annotations

import pytest

from kaigai.core.errors import RateParseError, TariffError
from kaigai.tariffs.expr import (
    AdValorem,
    Basis,
    Choice,
    Compound,
    Conditional,
    Formula,
    Specific,
    evaluate,
)
from kaigai.tariffs.jp_parse import parse_jp_rate
from kaigai.tariffs.parse_report import jp_parse_stats
from kaigai.tariffs.vn_parse import parse_vn_rate


def test_basic_forms() -> None:
    assert parse_jp_rate("無税").expr == AdValorem(0.0)
    assert parse_jp_rate("3%").expr == AdValorem(3.0)
    p = parse_jp_rate("(10.9%)")
    assert p.expr == AdValorem(10.9) and p.bracketed
    assert parse_jp_rate("10.9円/kg").expr == Specific(10.9, "kg")
    assert parse_jp_rate("1,159円/kg").expr == Specific(1159.0, "kg")
    assert parse_jp_rate("29.8%＋915円/kg").expr == Compound(
        (AdValorem(29.8), Specific(915.0, "kg"))
    )
    assert parse_jp_rate("◎無税 ◆2").markers == ("◎", "◆2")


def test_whichever_higher_evaluates_to_the_larger_duty() -> None:
    e = parse_jp_rate("8.5%又は6円/kgのうちいずれか高い税率").expr
    assert isinstance(e, Choice) and e.mode == "max"
    # 100 kg worth 5,000 JPY: 8.5% = 425, 6 JPY/kg = 600 -> 600
    assert evaluate(e, Basis(5000, "JPY", 100, "kg")).low == pytest.approx(600.0)
    assert evaluate(e, Basis(50000, "JPY", 100, "kg")).low == pytest.approx(4250.0)


def test_quota_branches_and_proviso() -> None:
    e = parse_jp_rate("関税割当数量以内のもの\u3000無税\n関税割当数量以外のもの\u300025%").expr
    assert isinstance(e, Conditional)
    assert [b.condition for b in e.branches] == ["in_quota", "out_quota"]
    assert evaluate(e, Basis(1000, "JPY", quota="out")).low == pytest.approx(250.0)
    iv = evaluate(e, Basis(1000, "JPY"))
    assert (iv.low, iv.high) == (0.0, 250.0)
    f = parse_jp_rate(
        "10%又は20円/lのうちいずれか低い税率\nただしその税率が15円/lを下回る場合は15円/l"
    ).expr
    assert isinstance(f, Choice) and f.floor == Specific(15.0, "l")
    # 10 l worth 100 JPY: min(10, 200) = 10, floored at 150
    assert evaluate(f, Basis(100, "JPY", 10, "l")).low == pytest.approx(150.0)


def test_gate_price_formula() -> None:
    e = parse_jp_rate("（393円×1.002-課税価格）/kg又は40.50円/kgのうちいずれか低い税率").expr
    assert isinstance(e, Choice) and isinstance(e.options[0], Formula)
    # 10 kg at 380 JPY/kg: (393.786-380)=13.786/kg < 40.5 -> 137.86
    assert evaluate(e, Basis(3800, "JPY", 10, "kg")).low == pytest.approx(137.86, abs=0.01)


def test_specific_duty_without_quantity_is_a_clear_error() -> None:
    with pytest.raises(TariffError) as ei:
        evaluate(Specific(10.9, "kg"), Basis(1000, "JPY"))
    assert "per kg" in ei.value.message and ei.value.fields["missing"] == "quantity"
    with pytest.raises(TariffError) as ei:
        evaluate(AdValorem(5.0), Basis())
    assert ei.value.fields["missing"] == "value"
    with pytest.raises(TariffError, match="exchange rate"):
        evaluate(Specific(10.0, "kg"), Basis(100, "USD", 5, "kg"))


def test_unparsable_text_raises() -> None:
    with pytest.raises(RateParseError):
        parse_jp_rate("◆3")


def test_vn_cells() -> None:
    assert parse_vn_rate("10,9").expr == AdValorem(10.9)
    c = parse_vn_rate("*")
    assert c.excluded and c.expr is None
    assert parse_vn_rate("0 (-KH, MY)").excluded_origins == ("KHM", "MYS")
    m = parse_vn_rate("28; M: 35").expr
    assert evaluate(m, Basis(100, "VND", origin="MEX")).low == pytest.approx(35.0)
    assert evaluate(m, Basis(100, "VND", origin="JPN")).low == pytest.approx(28.0)


def test_jp_parse_rate_at_least_99_percent(jp_frame) -> None:  # type: ignore[no-untyped-def]
    stats = jp_parse_stats(jp_frame)
    assert stats.cells > 200_000
    assert stats.parsed / stats.cells >= 0.99
    # every unparsed cell is listed, none dropped
    assert sum(n for _, _, n in stats.unparsed) == stats.cells - stats.parsed


def test_vn_parse_rate(vn_frame) -> None:  # type: ignore[no-untyped-def]
    from kaigai.tariffs.parse_report import vn_parse_stats

    stats = vn_parse_stats(vn_frame)
    assert stats.cells == 251_694  # 263,694 long rows minus 12,000 NORMAL cells
    assert stats.parsed / stats.cells >= 0.99
    assert stats.by_column["rcep_d_japan"][1] / stats.by_column["rcep_d_japan"][0] >= 0.99
