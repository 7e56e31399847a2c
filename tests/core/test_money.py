from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kaigai.core.errors import InputError
from kaigai.core.money import Money, Rate, Rates, conversion_source, convert, currency_code


def test_parse_variants() -> None:
    assert Money.parse("10000 JPY") == Money(Decimal("10000"), "JPY")
    assert Money.parse("JPY 10,000") == Money(Decimal("10000"), "JPY")
    assert Money.parse("¥10000") == Money(Decimal("10000"), "JPY")
    assert Money.parse("12.50 usd") == Money(Decimal("12.50"), "USD")
    assert Money.parse("3000円").currency == "JPY"
    assert Money.parse("42", default_currency="EUR") == Money(Decimal("42"), "EUR")


@pytest.mark.parametrize("bad", ["", "JPY", "ten JPY", "100 XYZ", "USD 10 JPY", "100"])
def test_parse_rejects_malformed(bad: str) -> None:
    with pytest.raises(InputError):
        Money.parse(bad)


def test_currency_code() -> None:
    assert currency_code("vnd") == "VND"
    with pytest.raises(InputError, match="Unknown currency"):
        currency_code("YEN")


def test_no_default_rates_and_missing_pair_is_named() -> None:
    assert Rates().rates == ()
    with pytest.raises(InputError) as ei:
        convert(Money.parse("10000 JPY"), "USD", Rates())
    assert "JPY/USD" in ei.value.message
    assert ei.value.fields["pair"] == "JPY/USD"
    assert "does not guess" in ei.value.message


def test_convert_direct_and_inverse() -> None:
    r = Rates.of([Rate("USD", "JPY", Decimal("150"), dt.date(2025, 1, 6), "test bank TTM")])
    assert convert(Money.parse("300 USD"), "JPY", r) == Money(Decimal("45000"), "JPY")
    usd = convert(Money.parse("10000 JPY"), "USD", r)
    assert usd.rounded().amount == Decimal("66.67")
    assert str(usd) == "66.67 USD"
    assert convert(Money.parse("5 JPY"), "JPY", Rates()) == Money(Decimal("5"), "JPY")
    src = conversion_source(Money.parse("1 JPY"), "USD", r)
    assert src is not None and src.source == "test bank TTM"


def test_rate_date_selection() -> None:
    r = Rates.of(
        [
            Rate("USD", "JPY", Decimal("140"), dt.date(2024, 1, 4), "a"),
            Rate("USD", "JPY", Decimal("157"), dt.date(2024, 12, 30), "b"),
        ]
    )
    assert convert(Money.parse("1 USD"), "JPY", r).amount == Decimal("157")
    assert convert(Money.parse("1 USD"), "JPY", r, on=dt.date(2024, 6, 1)).amount == Decimal("140")
    with pytest.raises(InputError, match="on or before 2023-01-01"):
        convert(Money.parse("1 USD"), "JPY", r, on=dt.date(2023, 1, 1))


def test_rates_from_config_mapping() -> None:
    r = Rates.from_mapping({"USD/VND": {"rate": "25400", "date": "2025-02-03", "source": "SBV"}})
    assert r.rates[0].pair == "USD/VND" and r.rates[0].date == dt.date(2025, 2, 3)
    with pytest.raises(InputError, match="missing source"):
        Rates.from_mapping({"USD/VND": {"rate": 25400, "date": "2025-02-03"}})
    with pytest.raises(InputError, match="positive"):
        Rate("USD", "JPY", Decimal("0"), dt.date(2025, 1, 1), "x")


def test_arithmetic_same_currency_only() -> None:
    a = Money.parse("100 JPY") + Money.parse("50 JPY")
    assert a.amount == Decimal("150") and (a * 2).amount == Decimal("300")
    with pytest.raises(InputError, match="Cannot combine"):
        _ = Money.parse("1 JPY") + Money.parse("1 USD")
    assert Money.parse("1000 VND").rounded().amount == Decimal("1000")
    assert Money.of(0.1, "USD").amount == Decimal("0.1")
    assert Money.parse("10 USD").to_dict() == {"amount": "10", "currency": "USD"}


def test_rates_from_kaigai_toml(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from kaigai.core.config import get_settings
    from kaigai.core.money import rates_from_settings

    f = tmp_path / "kaigai.toml"
    f.write_text('[rates."USD/JPY"]\nrate = 150.25\ndate = "2025-01-06"\nsource = "MUFG TTM"\n')
    r = rates_from_settings(get_settings(f))
    assert convert(Money.parse("2 USD"), "JPY", r).amount == Decimal("300.50")
    assert r.rates[0].source == "MUFG TTM"
    assert rates_from_settings(get_settings()).rates == ()
