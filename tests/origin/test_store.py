"""Rule store: parse coverage of every shared set, lookup specificity, oddities, edition notes."""

from __future__ import annotations

import datetime as dt

import pytest

from kaigai.core.errors import OriginRuleError
from kaigai.origin.api import rule_for
from kaigai.origin.ast import RVC, Dated, ForProduct, MaxNOM, Or
from kaigai.origin.prose import parse_prose
from kaigai.origin.provisions import applicable, resolve_agreement
from kaigai.origin.render import to_text

from .conftest import Rules


def test_every_rcep_subheading_has_exactly_one_most_specific_row(rules: Rules) -> None:
    for hs6 in [c for c in sorted(rules.hs22) if not c.startswith(("77", "99"))][::50]:
        m = rule_for("RCEP", hs6, rules.books, rules.agreements, rules.hs17)
        assert len(m.rows) == 1, hs6


def test_cptpp_bearing_rule_keeps_ring_exception_and_rvc_rows(rules: Rules) -> None:
    # UK CPTPP ORD, rule set 848210: CTSH except rings of 8482.99, or RVC 40% build-up / 50% build-down
    m = rule_for("CPTPP", "848210", rules.books, rules.agreements, rules.hs17)
    assert to_text(m.rule) == ("CTSH except from subheading 8482.99 [inner or outer rings or races] "
                               "or RVC 40% (build-up) or RVC 50% (build-down)")  # fmt: skip
    assert {p.provenance.locator for p in m.rows} == {
        f"scheme=cptpp rule_set_index=903 rule_index={i} heading=848210" for i in range(3)
    }


def test_most_specific_rule_set_wins_and_dates_are_kept(rules: Rules) -> None:
    # Japan has both 8702-8705 and an 8703-specific rule set (README oddity); 8703 must win.
    m = rule_for("UK-JP", "870323", rules.books, rules.agreements, rules.hs17)
    assert isinstance(m.rule, Or) and len(m.rule.parts) == 6
    first = m.rule.parts[4]
    assert first == Dated(MaxNOM(45.0, "EXW"), dt.date(2026, 1, 1), None)
    m2 = rule_for("UK-JP", "870210", rules.books, rules.agreements, rules.hs17)
    assert m2.rule == Or((MaxNOM(45.0, "EXW"), RVC(60.0, None, "FOB")))


def test_wrong_rule_class_is_not_copied() -> None:
    # README: Japan 2203-2208 is classed WO but the rule is a CTH with limits.
    n, _ = parse_prose(
        "<abbr title='Change of tariff heading'>CTH</abbr>: All non-originating materials used in the production of the "
        "good have undergone a change in tariff classification at the 4-digit level (tariff heading) except from heading "
        "2207 and heading 2208, provided that all the materials of subheading 080610, subheading 200961 and subheading "
        "200969 used are wholly obtained"
    )
    assert to_text(n).startswith(
        "CTH except from heading 22.07, heading 22.08 and wholly obtained materials"
    )


def test_country_specific_rows_are_scoped(rules: Rules) -> None:
    m = rule_for("CPTPP", "870323", rules.books, rules.agreements, rules.hs17)
    txt = to_text(m.rule)
    assert txt.startswith(
        'RVC 45% (net cost) or (RVC 55% (build-down) or for "goods imported from Malaysia'
    )
    assert not any(isinstance(p, RVC) and p.threshold == 25.0 for p in m.rule.parts)  # type: ignore[union-attr]


def test_subdivisions_become_product_splits(rules: Rules) -> None:
    m = rule_for("UK-JP", "030231", rules.books, rules.agreements, rules.hs17)
    assert isinstance(m.rule, Or) and all(isinstance(p, ForProduct) for p in m.rule.parts)


def test_no_rule_data_is_reported_not_guessed(rules: Rules) -> None:
    with pytest.raises(OriginRuleError, match="no rule data for AJCEP 8471"):
        rule_for("AJCEP", "847130", rules.books, rules.agreements, rules.hs17)
    with pytest.raises(OriginRuleError, match="no rule data for JP-VN 8482"):
        rule_for("日越EPA", "848210", rules.books, rules.agreements, rules.hs17)


def test_hs_edition_mapping_flags_codes_new_in_2022(rules: Rules) -> None:
    new = rule_for(
        "UK-JP", "852411", rules.books, rules.agreements, rules.hs17
    )  # flat panel modules: new in HS2022
    assert new.edition_ambiguous and "does not exist in HS2017" in new.edition_note
    old = rule_for("UK-JP", "847130", rules.books, rules.agreements, rules.hs17)
    assert not old.edition_ambiguous
    rc = rule_for("RCEP", "852411", rules.books, rules.agreements, rules.hs17)
    assert not rc.edition_ambiguous


def test_aliases_and_applicability(rules: Rules) -> None:
    ags = rules.agreements
    assert resolve_agreement("TPP11", ags).id == "CPTPP"
    assert resolve_agreement("地域的な包括的経済連携協定", ags).id == "RCEP"
    assert resolve_agreement("eu japan epa", ags).id == "EU-JP"
    assert [a.id for a in applicable("JPN", "VNM", ags)] == ["CPTPP", "RCEP", "AJCEP", "JP-VN"]
    with pytest.raises(OriginRuleError):
        resolve_agreement("NAFTA", ags)


def test_provisions_carry_citations(rules: Rules) -> None:
    for a in rules.agreements.values():
        if a.rules:
            assert a.de_minimis["cite"] and a.cumulation["cite"] and a.retention["cite"]
    assert rules.agreements["UK-JP"].de_minimis_applies("848210")
    assert not rules.agreements["UK-JP"].de_minimis_applies(
        "610910"
    )  # Chapters 50-63 excluded (Art. 6(1))
