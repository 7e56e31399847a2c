"""Countries: ISO3 codes with English and Japanese names, aliases, ISO2/numeric, and groups."""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from kaigai.core.errors import CountryError


@dataclass(frozen=True)
class Country:
    """A country: ISO 3166 alpha-3/alpha-2/numeric codes, English and Japanese names.

    ``numeric`` is the ISO 3166-1 numeric code; ``baci_code`` the CEPII BACI/UN Comtrade code,
    which differs for a few reporters (France 251, India 699, USA 842, Taiwan 490 ...).
    """

    iso3: str
    iso2: str
    numeric: int
    name_en: str
    name_ja: str
    baci_code: int = 0

    def name(self, lang: str = "en") -> str:
        return self.name_ja if lang == "ja" and self.name_ja else self.name_en


# Economic groups (ISO3). Membership as of 2026.
GROUPS: dict[str, tuple[str, ...]] = {
    "ASEAN": ("BRN", "KHM", "IDN", "LAO", "MYS", "MMR", "PHL", "SGP", "THA", "VNM"),
    "RCEP": (
        "BRN", "KHM", "IDN", "LAO", "MYS", "MMR", "PHL", "SGP", "THA", "VNM",
        "AUS", "CHN", "JPN", "KOR", "NZL",
    ),
    "CPTPP": (
        "AUS", "BRN", "CAN", "CHL", "JPN", "MYS", "MEX", "NZL", "PER", "SGP", "VNM", "GBR",
    ),
    "EU27": (
        "AUT", "BEL", "BGR", "HRV", "CYP", "CZE", "DNK", "EST", "FIN", "FRA", "DEU", "GRC",
        "HUN", "IRL", "ITA", "LVA", "LTU", "LUX", "MLT", "NLD", "POL", "PRT", "ROU", "SVK",
        "SVN", "ESP", "SWE",
    ),
    "G7": ("CAN", "FRA", "DEU", "ITA", "JPN", "GBR", "USA"),
}  # fmt: skip

# Extra spellings seen in the datasets (WGI, WEO, World Bank, UN) and common usage.
ALIASES: dict[str, str] = {
    "viet nam": "VNM", "vietnam": "VNM", "korea": "KOR", "korea, rep.": "KOR",
    "republic of korea": "KOR", "south korea": "KOR", "korea, rep": "KOR",
    "korea, dem. people's rep.": "PRK", "north korea": "PRK",
    "turkiye": "TUR", "türkiye": "TUR", "turkey": "TUR", "taiwan": "TWN",
    "taiwan province of china": "TWN", "chinese taipei": "TWN", "other asia, nes": "TWN",
    "s19": "TWN", "hong kong": "HKG", "hong kong sar, china": "HKG", "china, hong kong sar": "HKG",
    "macao": "MAC", "macau": "MAC", "lao pdr": "LAO", "laos": "LAO",
    "lao people's democratic republic": "LAO", "burma": "MMR", "myanmar": "MMR",
    "usa": "USA", "united states of america": "USA", "us": "USA", "america": "USA",
    "uk": "GBR", "great britain": "GBR", "britain": "GBR", "russia": "RUS",
    "russian federation": "RUS", "iran, islamic rep.": "IRN", "iran": "IRN",
    "egypt, arab rep.": "EGY", "czechia": "CZE", "czech republic": "CZE",
    "brunei darussalam": "BRN", "brunei": "BRN", "ivory coast": "CIV", "cote d'ivoire": "CIV",
    "slovak republic": "SVK", "kyrgyz republic": "KGZ", "uae": "ARE",
    "holland": "NLD", "the netherlands": "NLD", "rom": "ROU",
}  # fmt: skip


# BACI/Comtrade reporter codes that differ from ISO 3166-1 numeric.
ISO_NUMERIC: dict[str, int] = {
    "FRA": 250,
    "NOR": 578,
    "IND": 356,
    "CHE": 756,
    "USA": 840,
    "TWN": 158,
}
# Shorter Japanese names than CLDR's official forms.
JA_SHORT: dict[str, str] = {"HKG": "香港", "MAC": "マカオ"}


def _fold(text: str) -> str:
    t = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"\s+", " ", t).strip().lower()


@lru_cache(maxsize=1)
def _table() -> tuple[dict[str, Country], dict[str, str]]:
    """Countries by ISO3 and folded spelling -> ISO3 (the generated :mod:`country_table`)."""
    from kaigai.core.country_table import LOOKUP, ROWS

    by_iso3 = {r[0]: Country(*r) for r in ROWS}
    lookup = dict(LOOKUP)
    for alias, iso3 in ALIASES.items():
        lookup[_fold(alias)] = iso3
    return by_iso3, lookup


def normalize_country(text: str) -> str:
    """Turn an ISO3/ISO2/numeric code, a name (EN/JA) or an alias into an ISO3 code.

    Raises
    ------
    CountryError
        with close matches as a hint when nothing matches.

    Examples
    --------
    >>> normalize_country("Viet Nam")
    'VNM'
    """
    raw = str(text).strip()
    if not raw:
        raise CountryError("Empty country code.", hint="Use an ISO3 code such as JPN or VNM.")
    by_iso3, lookup = _table()
    up = raw.upper()
    if up in by_iso3:
        return up
    key = _fold(raw) or raw
    if key in lookup:
        return lookup[key]
    if raw.isdecimal() and str(int(raw)) in lookup:  # not isdigit: "²" is a digit, not a number
        return lookup[str(int(raw))]
    names = [c.name_en for c in by_iso3.values()]
    close = difflib.get_close_matches(raw, names + list(by_iso3), n=3, cutoff=0.6)
    hint = (
        "did you mean " + ", ".join(close) + "?"
        if close
        else "Use an ISO3 code such as JPN or VNM."
    )
    raise CountryError(f"Unknown country '{raw}'.", hint=hint, country=raw)


def country(text: str) -> Country:
    """The :class:`Country` record for a code or name."""
    return _table()[0][normalize_country(text)]


def country_label(code: str, lang: str = "en") -> str:
    """A market's name for reading, from any code the data use (``S19`` -> ``Taiwan`` / ``台湾``);
    the code itself when it names no country (JSON output keeps codes).

    >>> country_label("S19", "ja"), country_label("VNM"), country_label("XXX")
    ('台湾', 'Vietnam', 'XXX')
    """
    try:
        return country(code).name(lang)
    except CountryError:
        return code


def all_countries() -> list[Country]:
    return sorted(_table()[0].values(), key=lambda c: c.iso3)


def group_members(name: str) -> tuple[str, ...]:
    """Members of a group (ASEAN, RCEP, CPTPP, EU27, G7)."""
    key = name.strip().upper()
    if key not in GROUPS:
        raise CountryError(f"Unknown country group '{name}'.", hint="Groups: " + ", ".join(GROUPS))
    return GROUPS[key]


def renamed_codes(codes: list[str] | tuple[str, ...]) -> list[str]:
    """Notes for entries typed like an ISO3 code that mean another code, e.g. the old code
    ROM for Romania: ``["ROM read as ROU (Romania)"]``. Shells print them so no mapping is silent.

    >>> renamed_codes(["JPN", "ROM"])
    ['ROM read as ROU (Romania)']
    """
    out: list[str] = []
    for c in codes:
        raw = c.strip()
        if len(raw) != 3 or not raw.isalpha() or raw.upper() in GROUPS:
            continue
        try:
            iso3 = normalize_country(raw)
        except CountryError:
            continue
        if iso3 != raw.upper():
            out.append(f"{raw} read as {iso3} ({country(iso3).name_en})")
    return out


def expand(codes: list[str] | tuple[str, ...]) -> list[str]:
    """Normalise codes and expand group names into their members (order kept, no duplicates)."""
    out: list[str] = []
    for c in codes:
        members = GROUPS.get(c.strip().upper()) or (normalize_country(c),)
        out += [m for m in members if m not in out]
    return out


__all__ = [
    "ALIASES",
    "GROUPS",
    "ISO_NUMERIC",
    "JA_SHORT",
    "Country",
    "all_countries",
    "country",
    "country_label",
    "expand",
    "group_members",
    "normalize_country",
    "renamed_codes",
]
