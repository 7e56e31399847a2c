"""Country pickers for the dashboard forms: names in the reader's language, ISO3 as the value.

Names come from the project's country table (:mod:`kaigai.core.countries`: CLDR English and
Japanese names), so Taiwan reads "Taiwan" / "台湾" whatever code a dataset uses (BACI's ``S19``).
Japanese names are listed in gojūon order: katakana read as hiragana, and the few names that
start with kanji (中国, 韓国, 台湾, 香港, 北朝鮮 ...) by their reading.
"""

from __future__ import annotations

from functools import lru_cache

from kaigai.core.countries import CountryError, all_countries, normalize_country

#: Japan's main export markets and the parties of its agreements, offered first in the picker.
MAIN_MARKETS = (
    "CHN", "USA", "KOR", "TWN", "HKG", "THA", "VNM", "SGP", "MYS", "IDN", "PHL", "IND",
    "AUS", "NZL", "DEU", "GBR", "FRA", "ITA", "NLD", "CAN", "MEX", "CHL", "PER",
    "BRN", "KHM", "LAO", "MMR", "ARE", "SAU",
)  # fmt: skip

# Readings of the kanji that start Japanese country names (for sorting only).
_READINGS = (
    ("中華人民共和国", "ちゅうかじんみんきょうわこく"), ("中国", "ちゅうごく"),
    ("中央", "ちゅうおう"), ("韓国", "かんこく"), ("台湾", "たいわん"), ("香港", "ほんこん"),
    ("日本", "にほん"), ("北", "きた"), ("南", "みなみ"), ("東", "ひがし"), ("西", "にし"),
    ("赤道", "せきどう"), ("米領", "べいりょう"), ("英領", "えいりょう"),
    ("仏領", "ふつりょう"), ("蘭領", "らんりょう"),
)  # fmt: skip


def sort_key(name: str, lang: str) -> str:
    """Alphabetical key in English; gojūon key (hiragana) in Japanese."""
    if lang != "ja":
        return name.casefold()
    for kanji, kana in _READINGS:
        if name.startswith(kanji):
            name = kana + name[len(kanji) :]
            break
    # katakana -> hiragana (same order, one table); the long-vowel mark is ignored
    return "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in name if c != "ー")


@lru_cache(maxsize=2)
def country_choices(lang: str) -> tuple[tuple[str, str], ...]:
    """Every country as (ISO3, name in ``lang``), sorted by name for a reader of ``lang``.

    Former entities kept in the table for old trade data (USSR, Czechoslovakia, Netherlands
    Antilles ...; they have no Japanese name) are not offered."""
    rows = [(c.iso3, c.name(lang)) for c in all_countries() if c.name_ja]
    return tuple(sorted(rows, key=lambda r: sort_key(r[1], lang)))


def market_groups(
    lang: str, selected: list[str] | tuple[str, ...] = (), home: str = "JPN"
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(main markets, every other country) for the market picker, the home country left out;
    chosen markets that are not main markets come first among the others (never hidden)."""
    main = set(MAIN_MARKETS)
    rows = [r for r in country_choices(lang) if r[0] != home]
    chosen = set(selected)
    others = [r for r in rows if r[0] not in main]
    others.sort(key=lambda r: r[0] not in chosen)  # stable: chosen first, then by name
    return [r for r in rows if r[0] in main], others


def iso3_or_blank(text: str | None) -> str:
    """ISO3 for any code or name (``S19``, ``Viet Nam``, ``台湾``), or "" when none matches."""
    try:
        return normalize_country(text or "")
    except CountryError:
        return ""


__all__ = ["MAIN_MARKETS", "country_choices", "iso3_or_blank", "market_groups", "sort_key"]
