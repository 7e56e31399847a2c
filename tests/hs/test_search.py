from __future__ import annotations

import pytest

from kaigai.core.errors import InputError
from kaigai.hs.nomenclature import HS2017, Nomenclature
from kaigai.hs.search import search, stem, tokens


def test_stem_and_tokens() -> None:
    assert stem("bearings") == "bearing"
    assert stem("batteries") == "battery"
    assert stem("glasses") == "glass"
    assert tokens("Ball or roller bearings") == ["ball", "roller", "bearing"]
    assert tokens("T-shirts") == ["shirt", "tshirt"]


def test_ball_bearings_ranks_8482_first(nom: Nomenclature) -> None:
    hits = search(nom, "ball bearings", limit=5)
    assert hits[0].code == "848210"
    assert [h.code[:4] for h in hits[:4]] == ["8482"] * 4


@pytest.mark.parametrize(
    ("query", "top"),
    [
        ("green tea", "0902"),
        ("sake", "2206"),
        ("microscope", "9011"),
        ("soy sauce", "210310"),
        ("cotton t-shirts", "610910"),
        ("lip make-up", "330410"),
    ],
)
def test_common_products(nom: Nomenclature, query: str, top: str) -> None:
    assert search(nom, query, limit=1)[0].code.startswith(top)


def test_level_filter_and_prefix_query(nom: Nomenclature) -> None:
    hits = search(nom, "bearings", level=4)
    assert hits and all(h.level == 4 for h in hits)
    assert [h.code for h in search(nom, "8482", level=6, limit=3)] == ["848210", "848220", "848230"]


def test_hs2017_edition_search(nom: Nomenclature) -> None:
    hits = search(nom, "cellular telephones", edition=HS2017, limit=3)
    assert "851712" in [h.code for h in hits]


def test_empty_query_is_an_input_error(nom: Nomenclature) -> None:
    with pytest.raises(InputError):
        search(nom, "of the")
    assert search(nom, "zzzqqq") == []


def test_japanese_query_searches_japan_customs_text(nom: Nomenclature) -> None:
    hits = search(nom, "玉軸受", limit=3)
    assert hits[0].code == "848210" and hits[0].description.startswith("玉軸受 / Ball bearings")
    assert [h.code for h in search(nom, "顕微鏡", level=6, limit=2)] == ["901110", "901180"]
