"""Rate texts of the US, Australian, UK and EU schedules -> rate expressions (pure).

Understood: ``Free``, ``N%``, specific duties in US cents/dollars (``3.7¢/kg``, ``$1.035/kg``,
``0.9¢ each``), Australian dollars (``$0.526/L``), GBP/EUR per unit (``16.00 GBP / hl``,
``86.90 EUR / 100 kg``) and sums of those (``31¢/kg + 6.9%``). Anything qualified (``on drained
weight``, ``of alcohol``, ``MIN``/``MAX``, ``The duty provided in the applicable subheading``)
raises :class:`RateParseError`: the text is kept and shown, no number is guessed.
"""

from __future__ import annotations

import re

from kaigai.core.errors import RateParseError
from kaigai.tariffs.expr import FREE, AdValorem, Compound, RateExpr, Specific

_NUM = r"(\d[\d,]*(?:\.\d+)?)"
_PCT = re.compile(rf"^{_NUM}\s*%$")
_CENTS = re.compile(
    rf"^{_NUM}\s*¢\s*(?:/\s*|\s+)(kg|liter|litre|l|each|doz\.?|m2|pair|no\.)$", re.I
)
_DOLLARS = re.compile(
    rf"^\$\s*{_NUM}\s*(?:/\s*|\s+)(kg|liter|litre|l|each|doz\.?|m2|pair|no\.)$", re.I
)
_PER = re.compile(rf"^{_NUM}\s*(GBP|EUR)\s*/\s*(?:(\d+)\s*)?(kg|hl|l|tonne|t|p/st|m2)$", re.I)
_UNITS = {
    "kg": ("kg", 1.0), "liter": ("l", 1.0), "litre": ("l", 1.0), "l": ("l", 1.0),
    "each": ("u", 1.0), "no.": ("u", 1.0), "p/st": ("u", 1.0), "doz": ("u", 1 / 12),
    "doz.": ("u", 1 / 12), "m2": ("m2", 1.0), "pair": ("pair", 1.0), "hl": ("l", 0.01),
    "tonne": ("kg", 0.001), "t": ("kg", 0.001),
}  # fmt: skip


def _num(s: str) -> float:
    return float(s.replace(",", ""))


def _part(text: str, currency: str) -> RateExpr:
    t = text.strip()
    if t.lower() == "free":
        return FREE
    if m := _PCT.match(t):
        return AdValorem(_num(m.group(1)))
    if m := _CENTS.match(t):
        unit, f = _UNITS[m.group(2).lower()]
        return Specific(round(_num(m.group(1)) / 100.0 * f, 8), unit, "USD")
    if m := _DOLLARS.match(t):
        unit, f = _UNITS[m.group(2).lower()]
        return Specific(_num(m.group(1)) * f, unit, currency)
    if m := _PER.match(t):
        per = float(m.group(3)) if m.group(3) else 1.0
        unit, f = _UNITS[m.group(4).lower()]
        return Specific(round(_num(m.group(1)) / per * f, 8), unit, m.group(2).upper())
    raise RateParseError(f"rate text not understood: '{t}'", hint="kept as text; no number guessed")


def parse_world_rate(text: str, currency: str = "USD") -> RateExpr:
    """Parse one rate cell; ``currency`` is the currency of a bare ``$`` (USD, AUD).

    Raises
    ------
    RateParseError
        for qualified or unknown texts (the caller keeps the text and says it is not computed).
    """
    t = re.sub(r"\s+", " ", str(text or "")).strip()
    if not t:
        raise RateParseError("empty rate cell")
    parts = re.split(r"\s*\+\s*|\s+plus\s+", t)
    exprs = [_part(p, currency) for p in parts]
    if len(exprs) == 1:
        return exprs[0]
    return Compound(tuple(exprs))


__all__ = ["parse_world_rate"]
