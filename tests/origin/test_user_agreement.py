"""Adding an agreement is a data task: a YAML entry plus a CSV of rules in canonical notation."""

from __future__ import annotations

from pathlib import Path

import pytest

from kaigai.core.config import Settings
from kaigai.core.errors import DataError
from kaigai.data.origin import build_books
from kaigai.origin.api import check, rule_for
from kaigai.origin.bom import Product, parse_bom
from kaigai.origin.provisions import load_agreements, parse_agreements

YAML = """
agreements:
  AJCEP:
    name_en: ASEAN-Japan Comprehensive Economic Partnership (user rules)
    name_ja: 日ASEAN包括的経済連携協定
    aliases: [AJCEP]
    parties: [JPN, BRN, KHM, IDN, LAO, MYS, MMR, PHL, SGP, THA, VNM]
    rules: {path: "%s", dialect: notation, hs_edition: HS2017, note: "user copy of AJCEP Annex 2"}
    value_basis: FOB
    rvc_methods: [build-down]
    de_minimis: {percent: 10, basis: FOB, cite: "user: AJCEP Art. 28"}
    cumulation: {type: full, zone: parties, cite: "user: AJCEP Art. 29"}
    retention: {years: 3, cite: "user: AJCEP Art. 40"}
"""


def test_user_agreement_csv(tmp_path: Path, settings: Settings) -> None:
    csv = tmp_path / "ajcep.csv"
    csv.write_text('hs_code,rule\n84,CTH or RVC 40%\n8482.10,"CTSH except from subheading 8482.99 or RVC 40%"\n99,RVC fourty\n',
                   encoding="utf-8")  # fmt: skip
    y = tmp_path / "ajcep.yaml"
    y.write_text(YAML % csv, encoding="utf-8")
    load_agreements.cache_clear()
    ags = load_agreements(y)
    books = build_books(settings, y)
    assert books["AJCEP"].coverage() == {
        "rows": 3,
        "parsed": 2,
        "unparsed": 1,
        "share_parsed": 0.6667,
    }
    m = rule_for("AJCEP", "848210", books, ags, frozenset({"848210"}))
    assert m.rule is not None and m.rows[0].provenance.locator == "row=1 hs_code=8482.10"
    bom = parse_bom([{"part_id": "R", "part": "ring", "hs_code": "8482.99", "origin": "CHN", "value": 300,
                      "currency": "JPY"}], "JPY")  # fmt: skip
    v = check(
        bom,
        Product("848210", "JPN", "THA", "JPY", fob=1000),
        books,
        ags,
        frozenset({"848210"}),
        ["AJCEP"],
    )[0]
    assert (
        v.status == "qualifies" and v.path == "RVC 40%"
    )  # CTSH fails on the excluded rings; RVC 70% passes
    load_agreements.cache_clear()


def test_bad_agreement_yaml() -> None:
    with pytest.raises(DataError, match="agreement X needs at least 'parties'"):
        parse_agreements({"agreements": {"X": {"name_en": "x"}}})
