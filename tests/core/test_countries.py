from __future__ import annotations

import pandas as pd
import pytest

from kaigai.core.countries import (
    GROUPS,
    all_countries,
    country,
    expand,
    group_members,
    normalize_country,
)
from kaigai.core.errors import CountryError
from kaigai.data import store


@pytest.mark.parametrize(
    ("text", "iso3"),
    [
        ("Viet Nam", "VNM"), ("Vietnam", "VNM"), ("VN", "VNM"), ("704", "VNM"), ("ベトナム", "VNM"),
        ("Korea, Rep.", "KOR"), ("韓国", "KOR"), ("Türkiye", "TUR"), ("Turkiye", "TUR"),
        ("jpn", "JPN"), ("日本", "JPN"), ("S19", "TWN"), ("Taiwan Province of China", "TWN"),
        ("Lao PDR", "LAO"), ("Hong Kong SAR, China", "HKG"), ("香港", "HKG"),
        ("840", "USA"), ("842", "USA"), ("250", "FRA"), ("NA", "NAM"), ("Namibia", "NAM"),
    ],
)  # fmt: skip
def test_normalize(text: str, iso3: str) -> None:
    assert normalize_country(text) == iso3


def test_country_records_use_iso_numeric_and_keep_baci_code() -> None:
    usa = country("USA")
    assert (usa.iso2, usa.numeric, usa.baci_code) == ("US", 840, 842)
    jp = country("Japan")
    assert (jp.iso2, jp.numeric, jp.name("ja"), jp.name("en")) == ("JP", 392, "日本", "Japan")
    assert country("IND").numeric == 356 and country("IND").baci_code == 699
    assert country("NAM").iso2 == "NA"


def test_every_baci_iso3_in_trade_resolves(settings) -> None:  # type: ignore[no-untyped-def]
    trade = store.load("trade_hs6", settings, columns=["exporter"])
    codes = set(trade.exporter.unique())
    assert all(normalize_country(c) for c in codes)
    jp_names = sum(bool(c.name_ja) for c in all_countries())
    assert jp_names >= 220  # CLDR has Japanese names for nearly all


def test_groups() -> None:
    assert len(GROUPS["ASEAN"]) == 10 and len(GROUPS["RCEP"]) == 15
    assert len(GROUPS["CPTPP"]) == 12 and "GBR" in GROUPS["CPTPP"]
    assert len(GROUPS["EU27"]) == 27 and "GBR" not in GROUPS["EU27"]
    assert group_members("g7") == ("CAN", "FRA", "DEU", "ITA", "JPN", "GBR", "USA")
    assert set(GROUPS["ASEAN"]) < set(GROUPS["RCEP"])
    assert expand(["ASEAN", "Japan", "VNM"])[-1] == "JPN" and len(expand(["ASEAN", "VNM"])) == 10
    with pytest.raises(CountryError, match="Unknown country group"):
        group_members("NAFTA")


def test_unknown_country_suggests() -> None:
    with pytest.raises(CountryError) as ei:
        normalize_country("Vietnamm")
    assert "Vietnam" in (ei.value.hint or "")
    with pytest.raises(CountryError):
        normalize_country("  ")


def test_iso2_matches_geodist_table(settings) -> None:  # type: ignore[no-untyped-def]
    geo = store.load("geodist_geo", settings, columns=["iso2", "iso3"])
    geo = geo[geo.iso3.isin(["JPN", "VNM", "THA", "DEU", "USA", "KOR", "AUS"])]
    for r in geo.itertuples():
        assert country(r.iso3).iso2 == r.iso2
    assert isinstance(geo, pd.DataFrame)
