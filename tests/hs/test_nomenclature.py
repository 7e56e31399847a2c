from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from kaigai.core.errors import HSCodeError
from kaigai.hs.nomenclature import HS2017, HS2022, Nomenclature, parse_code


def test_counts_match_source_readme(nom: Nomenclature) -> None:
    # trade_rules/README.md: 97 chapters, 1,229 headings, 5,613 subheadings; TOTAL row dropped
    assert len(nom.codes(2)) == 97
    assert len(nom.codes(4)) == 1229
    assert len(nom.codes(6)) == 5613
    assert "TOTAL" not in nom.hs22
    # markets/README.md: HS17 product table has 5,384 rows
    assert len(nom.codes(6, HS2017)) == 5384


@pytest.mark.parametrize("text", ["8471.30", "847130", "8471 30 00", "8471.30.0000", 847130])
def test_lookup_normalises_and_describes(nom: Nomenclature, text: object) -> None:
    e = nom.lookup(text)  # type: ignore[arg-type]
    assert e.code == "847130"
    assert e.description.startswith(
        "Automatic data processing machines; portable, weighing not more than 10kg"
    )
    assert (e.heading, e.chapter, e.section) == ("8471", "84", "XVI")
    assert e.heading_description.startswith("Automatic data processing machines and units thereof")
    assert e.edition == HS2022 and e.editions == (HS2017, HS2022)


def test_lookup_heading_and_chapter(nom: Nomenclature) -> None:
    assert nom.lookup("8482").description == "Ball or roller bearings"
    assert nom.lookup("84").description.startswith("Machinery and mechanical appliances")
    assert nom.children("8482") == [
        "848210",
        "848220",
        "848230",
        "848240",
        "848250",
        "848280",
        "848291",
        "848299",
    ]


def test_nonexistent_subheading_suggests_siblings(nom: Nomenclature) -> None:
    with pytest.raises(HSCodeError) as ei:
        nom.validate_hs6("847199")
    sugg = ei.value.fields["suggestions"]
    assert sugg[0] == "847190"  # nearest sibling under 8471
    assert set(sugg[:4]) <= set(nom.children("8471"))
    assert "847190" in (ei.value.hint or "")
    assert "not an HS2022 subheading" in ei.value.message


def test_heading_is_not_a_subheading(nom: Nomenclature) -> None:
    with pytest.raises(HSCodeError, match="heading, not a six-digit"):
        nom.validate_hs6("8482")
    assert nom.validate_hs6("8482.10") == "848210"


def test_edition_awareness(nom: Nomenclature) -> None:
    # 851712 (cellular phones) exists in HS2017 only; HS2022 split it into 851713/851714
    e = nom.lookup("851712")
    assert e.edition == HS2017 and e.editions == (HS2017,)
    assert "changed between editions" in e.note
    with pytest.raises(HSCodeError, match="exists in HS2017"):
        nom.validate_hs6("851712")
    assert nom.validate_hs6("851712", HS2017) == "851712"
    e22 = nom.lookup("851713")
    assert e22.editions == (HS2022,) and "not present in HS2017" in e22.note
    with pytest.raises(HSCodeError):
        nom.lookup("851713", HS2017)


@pytest.mark.parametrize("bad", ["84a", "8", "847", "84713", "12345678901", ""])
def test_malformed_codes(bad: str) -> None:
    with pytest.raises(HSCodeError):
        parse_code(bad)


def test_five_digit_hint_suggests_leading_zero() -> None:
    with pytest.raises(HSCodeError) as ei:
        parse_code("30722")
    assert "030722" in (ei.value.hint or "")
    assert parse_code(30722) == "030722"


def test_nomenclature_matches_shared_file(shared_data: Path) -> None:
    full = pd.read_parquet(shared_data / "trade_rules/hs_nomenclature/hs2022_nomenclature.parquet")
    nom = Nomenclature.from_frames(full)
    real = full[full.hscode != "TOTAL"]
    assert len(nom.hs22) == len(real)
    row = real[real.hscode == "330499"].iloc[0]
    assert nom.lookup("3304.99").description == row.description


def test_japanese_descriptions_from_japan_customs(nom: Nomenclature) -> None:
    e = nom.lookup("8482.10")
    assert e.description_ja == "玉軸受" and e.heading_description_ja == "玉軸受及びころ軸受"
    assert nom.lookup("848291").description_ja == "部分品 > 玉、針状ころ及びころ"
    assert nom.lookup("010121").description_ja == ""  # chapter 01 is not in the starter tariff


def test_japanese_descriptions_cover_full_tariff(shared_data: Path) -> None:
    from kaigai.core.config import get_settings
    from kaigai.data.importer import import_path
    from kaigai.data.nomenclature import load_ja_descriptions

    s = get_settings()
    import_path(shared_data / "trade_rules/japan_tariff", s)
    ja = load_ja_descriptions(s)
    jt = pd.read_parquet(
        shared_data / "trade_rules/japan_tariff/japan_applied_tariff_2026_07_09.parquet"
    )
    n_sub = (
        jt.stat_code.astype(str).str.fullmatch(r"\d{4}\.\d{2}").groupby(jt.stat_code).any().sum()
    )
    assert int((ja.code.str.len() == 6).sum()) == int(n_sub)
    assert ja.set_index("code").description_ja["090210"].startswith("緑茶")


def test_odd_length_codes_suggest_real_codes(nom: Nomenclature) -> None:
    with pytest.raises(HSCodeError) as ei:
        nom.lookup("8471.3")
    assert ei.value.message == "HS code 8471.3 is not 6 digits."
    assert ei.value.hint == "did you mean 847130?"
    with pytest.raises(HSCodeError) as ei2:
        nom.validate_hs6("30722")
    assert ei2.value.fields["suggestions"][0] == "030722"
