"""Money: a Decimal amount with an ISO 4217 currency, and explicit exchange rates.

kaigai never invents an exchange rate. A :class:`Rates` table holds only rates the user (or
their config) supplied, each with a date and a source; :func:`convert` raises
:class:`~kaigai.core.errors.InputError` naming the missing pair when no rate is known.

Examples
--------
>>> from datetime import date
>>> r = Rates.of([Rate("USD", "JPY", Decimal("150"), date(2025, 1, 6), "my bank")])
>>> convert(Money.parse("10000 JPY"), "USD", r).amount.quantize(Decimal("0.01"))
Decimal('66.67')
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from kaigai.core.errors import InputError

# ISO 4217 active codes kaigai users are likely to meet (minor units per currency).
MINOR_UNITS: dict[str, int] = {
    "JPY": 0, "USD": 2, "EUR": 2, "CNY": 2, "KRW": 0, "TWD": 2, "HKD": 2, "SGD": 2, "THB": 2,
    "VND": 0, "IDR": 2, "MYR": 2, "PHP": 2, "KHR": 2, "LAK": 2, "MMK": 2, "BND": 2, "INR": 2,
    "AUD": 2, "NZD": 2, "GBP": 2, "CHF": 2, "CAD": 2, "MXN": 2, "CLP": 0, "PEN": 2, "BRL": 2,
    "SEK": 2, "NOK": 2, "DKK": 2, "PLN": 2, "CZK": 2, "HUF": 2, "RON": 2, "BGN": 2, "TRY": 2,
    "RUB": 2, "AED": 2, "SAR": 2, "ZAR": 2, "ILS": 2, "EGP": 2, "PKR": 2, "BDT": 2, "LKR": 2,
}  # fmt: skip

_SYMBOLS = {
    "¥": "JPY",
    "円": "JPY",
    "$": "USD",
    "US$": "USD",
    "€": "EUR",
    "£": "GBP",
    "₩": "KRW",
    "₫": "VND",
}
_CODE = re.compile(r"^[A-Z]{3}$")


def currency_code(text: str) -> str:
    """Validate and normalise an ISO 4217 code ("jpy" -> "JPY").

    Unknown but well-formed three-letter codes are accepted only if listed in
    :data:`MINOR_UNITS`; anything else raises :class:`InputError`.
    """
    raw = str(text).strip()
    code = _SYMBOLS.get(raw, raw.upper())
    if not _CODE.match(code) or code not in MINOR_UNITS:
        raise InputError(
            f"Unknown currency '{raw}'.",
            hint="Use an ISO 4217 code such as JPY, USD, EUR or VND.",
            currency=raw,
        )
    return code


def _decimal(value: Any, what: str) -> Decimal:
    if isinstance(value, float):
        value = repr(value)
    try:
        d = Decimal(str(value).replace(",", "").replace("_", "").strip())
    except InvalidOperation as exc:
        raise InputError(f"{what} '{value}' is not a number.", hint="e.g. 10000 or 12.50") from exc
    if not d.is_finite():
        raise InputError(f"{what} '{value}' is not a finite number.", hint="e.g. 10000 or 12.50")
    return d


@dataclass(frozen=True)
class Money:
    """An amount of one currency. Arithmetic only between equal currencies."""

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "amount", _decimal(self.amount, "Amount"))
        object.__setattr__(self, "currency", currency_code(self.currency))

    @classmethod
    def of(cls, amount: Any, currency: str) -> Money:
        return cls(_decimal(amount, "Amount"), currency)

    @classmethod
    def parse(cls, text: str, default_currency: str | None = None) -> Money:
        """Parse ``"10000 JPY"``, ``"JPY 10,000"``, ``"¥10000"``, ``"12.5 usd"``.

        Raises
        ------
        InputError
            when the amount or currency is missing or malformed.
        """
        raw = str(text).strip()
        m = re.fullmatch(
            r"([A-Za-z]{3}|[¥$€£₩₫]|US\$)?\s*([-+]?[\d,_]*\.?\d+)\s*([A-Za-z]{3}|円)?", raw
        )
        if not m or (m.group(1) and m.group(3)):
            raise InputError(
                f"Cannot read money amount '{raw}'.",
                hint="Write an amount and an ISO 4217 currency, e.g. '10000 JPY' or 'USD 12.50'.",
                text=raw,
            )
        cur = m.group(1) or m.group(3) or default_currency
        if not cur:
            raise InputError(
                f"Money amount '{raw}' has no currency.",
                hint=f"Add a currency code, e.g. '{raw} JPY'.",
                text=raw,
            )
        return cls(_decimal(m.group(2), "Amount"), cur)

    def _same(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError("Money arithmetic needs Money operands")
        if other.currency != self.currency:
            raise InputError(
                f"Cannot combine {self.currency} and {other.currency} amounts directly.",
                hint="Convert one of them first with explicit rates (kaigai.core.money.convert).",
            )

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __mul__(self, k: Any) -> Money:
        return Money(self.amount * _decimal(k, "Factor"), self.currency)

    __rmul__ = __mul__

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def rounded(self) -> Money:
        """Rounded to the currency's minor unit (ROUND_HALF_EVEN)."""
        q = Decimal(1).scaleb(-MINOR_UNITS[self.currency])
        return Money(self.amount.quantize(q), self.currency)

    def to_dict(self) -> dict[str, Any]:
        return {"amount": str(self.amount), "currency": self.currency}

    def __str__(self) -> str:
        r = self.rounded().amount
        return f"{r:,} {self.currency}"


@dataclass(frozen=True)
class Rate:
    """``1 base = rate quote`` on ``date``, according to ``source``."""

    base: str
    quote: str
    rate: Decimal
    date: dt.date
    source: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "base", currency_code(self.base))
        object.__setattr__(self, "quote", currency_code(self.quote))
        r = _decimal(self.rate, "Rate")
        if r <= 0:
            raise InputError(f"Exchange rate {self.base}/{self.quote} must be positive, got {r}.")
        object.__setattr__(self, "rate", r)
        if isinstance(self.date, str):
            object.__setattr__(self, "date", _date(self.date))
        if not str(self.source).strip():
            raise InputError(
                f"Exchange rate {self.base}/{self.quote} has no source.",
                hint="Say where the rate comes from (bank, central bank, invoice).",
            )

    @property
    def pair(self) -> str:
        return f"{self.base}/{self.quote}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "base": self.base,
            "quote": self.quote,
            "rate": str(self.rate),
            "date": self.date.isoformat(),
            "source": self.source,
        }


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise InputError(
            f"Rate date '{value}' is not an ISO date.", hint="e.g. 2025-01-06"
        ) from exc


@dataclass(frozen=True)
class Rates:
    """Explicit exchange rates. Empty by default: kaigai ships no rates."""

    rates: tuple[Rate, ...] = field(default_factory=tuple)

    @classmethod
    def of(cls, rates: Iterable[Rate]) -> Rates:
        return cls(tuple(rates))

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Rates:
        """Build from config, e.g. ``{"USD/JPY": {"rate": 150, "date": "2025-01-06", "source": "BoJ"}}``.

        Raises
        ------
        InputError
            when a pair, rate, date or source is missing or malformed.
        """
        out = []
        for pair, spec in data.items():
            parts = re.split(r"[/\s_-]+", str(pair).strip())
            if len(parts) != 2:
                raise InputError(f"Rate pair '{pair}' should look like USD/JPY.")
            if not isinstance(spec, Mapping):
                raise InputError(
                    f"Rate {pair} needs rate, date and source.",
                    hint='e.g. "USD/JPY" = {rate = 150.2, date = "2025-01-06", source = "MUFG TTM"}',
                )
            missing = [k for k in ("rate", "date", "source") if k not in spec]
            if missing:
                raise InputError(f"Rate {pair} is missing {', '.join(missing)}.")
            out.append(
                Rate(parts[0], parts[1], spec["rate"], _date(spec["date"]), str(spec["source"]))
            )
        return cls(tuple(out))

    def with_rate(self, rate: Rate) -> Rates:
        return Rates((*self.rates, rate))

    def find(self, base: str, quote: str, on: dt.date | None = None) -> tuple[Decimal, Rate] | None:
        """The multiplier base->quote and the rate it came from (direct or inverted).

        With ``on``, the latest rate dated on or before ``on`` is used; otherwise the latest.
        """
        base, quote = currency_code(base), currency_code(quote)
        cands: list[tuple[Decimal, Rate]] = []
        for r in self.rates:
            if on is not None and r.date > on:
                continue
            if (r.base, r.quote) == (base, quote):
                cands.append((r.rate, r))
            elif (r.base, r.quote) == (quote, base):
                cands.append((Decimal(1) / r.rate, r))
        if not cands:
            return None
        return max(cands, key=lambda c: c[1].date)

    def to_dict(self) -> dict[str, Any]:
        return {"rates": [r.to_dict() for r in self.rates]}


def rates_from_settings(settings: Any) -> Rates:
    """The exchange rates configured in ``settings.rates`` (``[rates."USD/JPY"]`` in kaigai.toml).

    Raises
    ------
    InputError
        when a configured rate lacks its rate, date or source.
    """
    return Rates.from_mapping(getattr(settings, "rates", None) or {})


def convert(money: Money, to: str, rates: Rates, on: dt.date | None = None) -> Money:
    """Convert ``money`` into currency ``to`` with an explicit rate (direct or inverse).

    Raises
    ------
    InputError
        naming the missing pair when ``rates`` has no rate for it.
    """
    target = currency_code(to)
    if money.currency == target:
        return money
    found = rates.find(money.currency, target, on)
    if found is None:
        pair = f"{money.currency}/{target}"
        when = f" dated on or before {on.isoformat()}" if on else ""
        raise InputError(
            f"No exchange rate for {pair}{when}; kaigai does not guess rates.",
            hint=f'Supply one, e.g. in kaigai.toml: [rates."{pair}"] rate = ..., date = "YYYY-MM-DD", source = "...".',
            pair=pair,
        )
    return Money(money.amount * found[0], target)


def conversion_source(
    money: Money, to: str, rates: Rates, on: dt.date | None = None
) -> Rate | None:
    """The :class:`Rate` that :func:`convert` would use (``None`` for same currency)."""
    if money.currency == currency_code(to):
        return None
    found = rates.find(money.currency, to, on)
    return found[1] if found else None


__all__ = [
    "MINOR_UNITS",
    "Money",
    "Rate",
    "Rates",
    "conversion_source",
    "convert",
    "currency_code",
    "rates_from_settings",
]
