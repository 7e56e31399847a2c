"""General provisions an origin audit checks, each with a case that qualifies and one that does not.

Sources (cited per test): the UK CPTPP and Japan Origin Reference Documents as copied in
../shared/data/trade_rules/uk_tariff_roo/raw/articles/ (cptpp__tolerances.md = CPTPP Art. 3.11/4.2,
cptpp__cumulation-export.md = CPTPP Art. 3.10, japan__tolerances.md, japan__insufficient-processing.md,
japan__cumulation-export.md, japan__introductory_notes.md = UK-JP CEPA Annex 3-A mirroring EU-JP
Annex 3-A); RCEP Chapter 3 (Art. 3.4, 3.6, 3.7); EU Access2Markets guidance on the EU-Japan EPA
(https://trade.ec.europa.eu/access-to-markets/en/roo-explain-term/origin/JP/destination/DE/term/minimalOperations).
"""

from __future__ import annotations

from typing import Any

import pytest

from kaigai.origin.api import check, check_rule, rule_for
from kaigai.origin.ast import Condition
from kaigai.origin.bom import BOM, Product, parse_bom
from kaigai.origin.evaluator import Verdict
from kaigai.origin.general import provisions_table
from kaigai.origin.render import to_text

from .conftest import Rules


def _bom(rows: list[dict[str, Any]], cur: str = "JPY") -> BOM:
    return parse_bom([{"currency": cur, **r} for r in rows], cur)


def _one(vs: list[Verdict], aid: str) -> Verdict:
    return next(v for v in vs if v.agreement == aid)


# --- 1. textile tolerance by weight ---------------------------------------------------------


def _pullover(yarn_kg: float, yarn_code: str = "5205.22") -> BOM:
    return _bom([
        {"part_id": "FAB", "part": "cotton knitted fabric (body)", "hs_code": "6006.22", "origin": "JPN",
         "value": 400, "originating": "yes", "supplier_declaration": "CPTPP", "weight_kg": 0.30, "component": "yes"},
        {"part_id": "YARN", "part": "yarn knitted into the rib (in-house)", "hs_code": yarn_code, "origin": "CHN",
         "value": 30, "originating": "no", "weight_kg": yarn_kg, "component": "yes"},
        {"part_id": "BTN", "part": "buttons", "hs_code": "9606.21", "origin": "CHN", "value": 10, "weight_kg": 0.005},
    ])  # fmt: skip


@pytest.mark.parametrize(("yarn_kg", "status"), [(0.02, "qualifies"), (0.04, "does not qualify")])
def test_cptpp_apparel_tolerance_is_by_weight_of_the_component(
    rules: Rules, yarn_kg: float, status: str
) -> None:
    """CPTPP ORD Art. 11(5) (CPTPP Art. 4.2.2): a good of Chapters 61-63 with non-originating yarn in the
    component that determines classification qualifies if that yarn is at most 10% of the component's
    weight. The yarn (52.05) is in the rule's excluded range 52.04-52.12 (Annex 4-A, 6110), and is only 3% of
    FOB: the old value de minimis would have passed both cases."""
    p = Product("611020", "JPN", "VNM", "JPY", fob=1000, exw=950, confirmed=("all",))
    v = _one(
        check(_pullover(yarn_kg), p, rules.books, rules.agreements, rules.hs17, ["CPTPP"]), "CPTPP"
    )
    assert v.status == status
    shift = v.outcome.children[0] if v.outcome.rule.startswith("(") is False else v.outcome  # type: ignore[union-attr]
    text = " ".join(str(x) for x in (v.reasons, v.margins, shift.reason))
    share = yarn_kg / (0.30 + yarn_kg) * 100
    assert f"{share:.1f}% of the weight of the component that determines classification" in text


def test_cptpp_elastomeric_yarn_gets_no_tolerance(rules: Rules) -> None:
    """CPTPP ORD Art. 11(6): elastomeric yarn in the component must be wholly formed in the Parties, however
    light (here 0.003 kg = 1% of the component)."""
    p = Product("611020", "JPN", "VNM", "JPY", fob=1000, exw=950, confirmed=("all",))
    v = _one(
        check(_pullover(0.003, "5402.44"), p, rules.books, rules.agreements, rules.hs17, ["CPTPP"]),
        "CPTPP",
    )
    assert v.status == "does not qualify" and "elastomeric yarn" in " ".join(v.reasons)


def _rcep_knit(collar_kg: float) -> BOM:
    return _bom([
        {"part_id": "BODY", "part": "knitted body panels made in-house from Japanese yarn", "hs_code": "5205.12",
         "origin": "JPN", "value": 300, "originating": "yes", "supplier_declaration": "all", "weight_kg": 0.35},
        {"part_id": "COLLAR", "part": "knitted collar (bought-in)", "hs_code": "6117.90", "origin": "CHN",
         "value": 20, "originating": "no", "weight_kg": collar_kg},
    ])  # fmt: skip


@pytest.mark.parametrize(("collar_kg", "status"), [(0.03, "qualifies"), (0.05, "does not qualify")])
def test_rcep_textile_tolerance_is_by_weight_of_the_good(
    rules: Rules, collar_kg: float, status: str
) -> None:
    """RCEP Art. 3.7(1)(b): for Chapters 50-63 the non-originating materials that miss the change of chapter
    may weigh at most 10% of the good (0.03/0.4 = 7.5%; 0.05/0.4 = 12.5%), whatever their value (2% of FOB)."""
    p = Product("611020", "JPN", "VNM", "JPY", fob=1000, exw=950, weight_kg=0.4)
    v = _one(
        check(_rcep_knit(collar_kg), p, rules.books, rules.agreements, rules.hs17, ["RCEP"]), "RCEP"
    )
    assert v.status == status
    assert f"{collar_kg / 0.4 * 100:.1f}% of the weight of the good" in " ".join(
        (*v.reasons, *v.margins)
    )


def test_rcep_textile_tolerance_needs_weights(rules: Rules) -> None:
    p = Product("611020", "JPN", "VNM", "JPY", fob=1000, exw=950)  # no --weight-kg
    v = _one(
        check(_rcep_knit(0.03), p, rules.books, rules.agreements, rules.hs17, ["RCEP"]), "RCEP"
    )
    assert v.status == "needs confirmation" and "textile tolerance is by weight" in " ".join(
        v.reasons
    )


@pytest.mark.parametrize(("fabric_kg", "status"), [(0.05, "qualifies"), (0.15, "does not qualify")])
def test_eu_jp_note_7_basic_textile_materials(rules: Rules, fabric_kg: float, status: str) -> None:
    """EU-JP Annex 3-A Note 7.2 (= Japan ORD Annex A Note 7.2 and its example of a woollen fabric of 51.12 with
    woollen yarn of 51.07 and synthetic staple yarn of 55.09): non-originating basic textile materials may
    weigh up to 10% of all basic textile materials used (0.05/1.0 = 5%; 0.15/1.1 = 13.6%)."""
    bom = _bom([
        {"part_id": "WOOL", "part": "woollen yarn", "hs_code": "5107.10", "origin": "JPN", "value": 300,
         "originating": "yes", "supplier_declaration": "all", "weight_kg": 0.85},
        {"part_id": "SYN", "part": "synthetic staple yarn", "hs_code": "5509.51", "origin": "JPN", "value": 40,
         "originating": "yes", "supplier_declaration": "all", "weight_kg": 0.10},
        {"part_id": "FAB", "part": "woven wool fabric (bought-in)", "hs_code": "5112.11", "origin": "CHN",
         "value": 20, "originating": "no", "weight_kg": fabric_kg},
    ], "EUR")  # fmt: skip
    p = Product("511211", "JPN", "DEU", "EUR", fob=600, exw=600)
    v = check_rule(bom, p, "CTH", "EU-JP", rules.agreements)
    assert v.status == status
    share = fabric_kg / (0.95 + fabric_kg) * 100
    assert f"{share:.1f}% of the weight of all basic textile materials used" in " ".join(
        (*v.reasons, *v.margins)
    )


# --- 2. de minimis exclusions and minimal operations ------------------------------------------


@pytest.mark.parametrize(
    ("product", "status"), [("150790", "does not qualify"), ("151590", "qualifies")]
)
def test_cptpp_de_minimis_excludes_chapter_15_oils(rules: Rules, product: str, status: str) -> None:
    """CPTPP ORD Art. 11(7)(d) (CPTPP Annex 3-C style exception): non-originating Chapter 15 materials used in
    oils of 15.07, 15.08, 15.12 or 15.14 get no de minimis; other oils (15.15) do. Crude soya oil is 5% of FOB."""
    bom = _bom([{"part_id": "OIL", "part": "crude soya-bean oil", "hs_code": "1507.10", "origin": "USA",
                 "value": 50, "originating": "no"}])  # fmt: skip
    v = check_rule(
        bom, Product(product, "JPN", "VNM", "JPY", fob=1000), "CC", "CPTPP", rules.agreements
    )
    assert v.status == status
    if status == "does not qualify":
        assert "no tolerance for OIL (CPTPP ORD Art. 11(7)(d)" in " ".join(v.reasons)


@pytest.mark.parametrize(
    ("product", "status"), [("040690", "does not qualify"), ("040630", "qualifies")]
)
def test_cptpp_de_minimis_excludes_dairy_except_processed_cheese(
    rules: Rules, product: str, status: str
) -> None:
    """CPTPP ORD Art. 11(7)(a): dairy materials of 04.01-04.06 in goods of 04.01-04.06 other than milk powder
    (0402.10-0402.29) or processed cheese (0406.30) get no de minimis."""
    bom = _bom([{"part_id": "MILK", "part": "milk", "hs_code": "0401.20", "origin": "NZL", "value": 60,
                 "originating": "no"}])  # fmt: skip
    v = check_rule(
        bom, Product(product, "JPN", "VNM", "JPY", fob=1000), "CC", "CPTPP", rules.agreements
    )
    assert v.status == status


def _blend() -> BOM:
    return _bom([
        {"part_id": "SUGAR", "part": "cane sugar", "hs_code": "1701.99", "origin": "THA", "value": 300, "originating": "no"},
        {"part_id": "COFFEE", "part": "instant coffee", "hs_code": "2101.11", "origin": "BRA", "value": 200, "originating": "no"},
    ], "EUR")  # fmt: skip


@pytest.mark.parametrize(
    ("ops", "status"),
    [
        (("simple-mixing", "simple-packing"), "does not qualify"),
        (("agglomeration and granulation",), "qualifies"),
    ],
)
def test_eu_jp_minimal_operations(rules: Rules, ops: tuple[str, ...], status: str) -> None:
    """EU-JP EPA Art. 3.4(1)(l), (n) (Access2Markets 'minimal operations': simple mixing, simple packaging): a
    coffee-sugar mix of 21.06 meets CTH (materials of 17.01 and 21.01), but does not originate if the only
    operations were simple mixing and packing."""
    v = check_rule(_blend(), Product("210690", "JPN", "DEU", "EUR", fob=1000, operations=ops), "CTH", "EU-JP",
                   rules.agreements)  # fmt: skip
    assert v.status == status
    if status == "does not qualify":
        assert v.reasons[0].startswith(
            "only minimal operations were performed (simple-mixing, simple-packing)"
        )


def test_minimal_operations_are_asked_when_not_declared(rules: Rules) -> None:
    v = check_rule(
        _blend(), Product("210690", "JPN", "VNM", "JPY", fob=1000), "CTH", "RCEP", rules.agreements
    )
    assert v.status == "qualifies"
    q = next(n for n in v.notes if n.startswith("Which operations were performed"))
    assert "RCEP Art. 3.6" in q and "simple-mixing" in q and "--operations" in q
    marked = check_rule(_blend(), Product("210690", "JPN", "VNM", "JPY", fob=1000, operations=("marking",)), "CTH",
                        "RCEP", rules.agreements)  # fmt: skip
    assert marked.status == "does not qualify"  # RCEP Art. 3.6(d): affixing labels only


# --- 3. cumulation ---------------------------------------------------------------------------


def _ring_from(origin: str, decl: str) -> BOM:
    return _bom([
        {"part_id": "OR", "part": "outer ring made by a supplier", "hs_code": "8482.99", "origin": origin,
         "value": 150, "originating": "no", "supplier_declaration": decl},
        {"part_id": "BAR", "part": "bearing steel bar", "hs_code": "7228.30", "origin": "CHN", "value": 50,
         "originating": "no", "parent": "OR"},
        {"part_id": "BALL", "part": "balls", "hs_code": "8482.91", "origin": "JPN", "value": 100,
         "originating": "yes", "supplier_declaration": "all"},
    ])  # fmt: skip


@pytest.mark.parametrize(("origin", "ok"), [("MYS", True), ("CHN", False)])
def test_cptpp_cumulation_of_production_in_a_party(rules: Rules, origin: str, ok: bool) -> None:
    """CPTPP ORD Art. 10(3) (CPTPP Art. 3.10(3)): production on non-originating material in another Party
    counts. The ring turned in Malaysia from Chinese bar (supplier information = the child line) qualifies
    under its own rule and the bearing meets CTSH except rings of 8482.99; from China it does not count."""
    p = Product("848210", "JPN", "VNM", "JPY", fob=1000, exw=950)
    v = _one(
        check(_ring_from(origin, "CPTPP"), p, rules.books, rules.agreements, rules.hs17, ["CPTPP"]),
        "CPTPP",
    )
    ring = next(m for m in v.materials if m.line.part_id == "OR")
    assert ring.originating is ok
    if ok:
        assert "a supplier in MYS (cumulation of production" in ring.why and v.path.startswith(
            "CTSH"
        )
    else:
        assert "its own materials are not credited" in ring.why and not v.path.startswith("CTSH")


def test_rcep_cumulation_of_production_not_in_force(rules: Rules) -> None:
    """RCEP Art. 3.4(2) (cumulation of production) awaits review: a Thai supplier's ring is not credited."""
    p = Product("848210", "JPN", "VNM", "JPY", fob=1000, exw=950)
    v = _one(
        check(_ring_from("THA", "RCEP"), p, rules.books, rules.agreements, rules.hs17, ["RCEP"]),
        "RCEP",
    )
    ring = next(m for m in v.materials if m.line.part_id == "OR")
    assert not ring.originating and "RCEP Art. 3.4(2)" in ring.why


@pytest.mark.parametrize(("confirm", "ok"), [(("UK-JP Annex C",), True), ((), False)])
def test_uk_jp_extended_cumulation_with_the_eu(
    rules: Rules, confirm: tuple[str, ...], ok: bool
) -> None:
    """Japan ORD Art. 5(2) (UK-JP CEPA Art. 3.5): EU-originating materials count for products listed in
    Annex C, with the supplier's declaration; kaigai asks the producer to confirm the listing."""
    bom = _bom([{"part_id": "STEEL", "part": "German bearing steel", "hs_code": "7228.30", "origin": "DEU",
                 "value": 400, "originating": "yes", "supplier_declaration": "UK-JP"}])  # fmt: skip
    p = Product("848210", "JPN", "GBR", "JPY", fob=1000, exw=950, confirmed=confirm)
    v = _one(check(bom, p, rules.books, rules.agreements, rules.hs17, ["UK-JP"]), "UK-JP")
    m = v.materials[0]
    assert m.originating is ok
    assert ("extended cumulation" in m.why) and (ok or '--confirm "UK-JP Annex C"' in m.why)


# --- 4./5. HS editions, lost alternatives, proofs, process questions --------------------------


def test_cptpp_hs2012_is_not_assumed_unchanged(rules: Rules) -> None:
    m = rule_for("CPTPP", "847130", rules.books, rules.agreements, rules.hs17)
    assert (
        "HS2012 -> HS2017 cannot be checked" in m.edition_note
        and "not assumed unchanged" in m.edition_note
    )
    new = rule_for(
        "CPTPP", "851713", rules.books, rules.agreements, rules.hs17
    )  # smartphones: new in 2022
    assert new.edition_ambiguous and "does not exist in HS2017" in new.edition_note
    bom = _bom(
        [{"part_id": "G", "part": "glass", "hs_code": "7007.19", "origin": "CHN", "value": 10}]
    )
    v = _one(check(bom, Product("851713", "JPN", "VNM", "JPY", fob=1000, exw=950), rules.books, rules.agreements,
                   rules.hs17, ["CPTPP"]), "CPTPP")  # fmt: skip
    assert (
        v.status == "needs confirmation"
    )  # would qualify, but the HS2012 rule for a 2022 code is ambiguous


TUNA = "Atlantic Bluefin tuna (Thunnus thynnus)"


@pytest.mark.parametrize(
    ("confirm", "status"), [(("all", TUNA), "qualifies"), ((TUNA,), "needs confirmation")]
)
def test_uk_jp_farmed_tuna_alternative_is_evaluated(
    rules: Rules, confirm: tuple[str, ...], status: str
) -> None:
    """Japan ORD Annex B, Chapter 3 (UK-JP CEPA Annex 3-B): Atlantic bluefin tuna is wholly obtained OR farmed
    (caged, fed and fattened at least 3 months in a Party). The farming row does not parse; it stays an
    alternative, verbatim, that the producer confirms."""
    m = rule_for("UK-JP", "030245", rules.books, rules.agreements, rules.hs17)
    assert any(isinstance(n, Condition) and "caging in farms" in n.text for n in _walk(m.rule))
    bom = _bom([{"part_id": "FRY", "part": "juvenile tuna caught at sea", "hs_code": "0301.99", "origin": "ESP",
                 "value": 300, "originating": "no"}])  # fmt: skip
    p = Product("030245", "JPN", "GBR", "JPY", fob=1000, exw=950, confirmed=confirm)
    assert (
        _one(check(bom, p, rules.books, rules.agreements, rules.hs17, ["UK-JP"]), "UK-JP").status
        == status
    )


def _walk(n: Any) -> list[Any]:
    from kaigai.origin.ast import walk

    return walk(n)


def test_cptpp_proofs_entry_is_one_item(rules: Rules) -> None:
    assert rules.agreements["CPTPP"].proofs == (
        "certification of origin (exporter, producer or importer)",
    )


def test_process_question_names_the_process(rules: Rules) -> None:
    bom = _bom(
        [
            {
                "part_id": "C",
                "part": "crude chemical",
                "hs_code": "2902.30",
                "origin": "CHN",
                "value": 300,
            }
        ]
    )
    v = check_rule(bom, Product("290230", "JPN", "GBR", "JPY", fob=1000, exw=950), 'CTSH or process "chemical reaction"',
                   "UK-JP", rules.agreements)  # fmt: skip
    assert v.status == "needs confirmation"
    assert (
        'do you perform the process "chemical reaction"? If so, declare it: --process "chemical reaction"'
        in " ".join(v.reasons)
    )
    ok = check_rule(bom, Product("290230", "JPN", "GBR", "JPY", fob=1000, exw=950, processes=("chemical reaction",)),
                    'CTSH or process "chemical reaction"', "UK-JP", rules.agreements)  # fmt: skip
    assert ok.status == "qualifies"


# --- provisions table ------------------------------------------------------------------------

STATUS = {
    "CPTPP": ["implemented", "implemented", "implemented", "implemented", "implemented", "not in agreement",
              "implemented (full)", "implemented", "not in agreement"],
    "RCEP": ["implemented", "implemented", "implemented", "not in agreement", "implemented", "implemented",
             "implemented (full)", "not in force", "not in agreement"],
    "UK-JP": ["implemented", "implemented", "implemented", "not in agreement", "implemented", "implemented",
              "implemented (bilateral)", "implemented", "partly implemented"],
    "EU-JP": ["implemented", "implemented", "implemented", "not in agreement", "implemented", "implemented",
              "implemented (bilateral)", "implemented", "not in agreement"],
    "JP-VN": ["implemented", "implemented", "implemented", "not in agreement", "implemented", "implemented",
              "implemented (bilateral)", "not in agreement", "not in agreement"],
}  # fmt: skip
NAMES = [
    "product-specific rules", "HS edition concordance", "value de minimis", "de minimis exclusions",
    "textile tolerance by weight", "minimal operations", "cumulation of originating materials",
    "cumulation of production in a partner", "extended/diagonal cumulation", "direct transport / non-alteration",
    "proofs of origin", "record keeping", "accessories, spare parts and tools", "packing materials and containers",
    "indirect materials / neutral elements", "sets", "accounting segregation of fungible materials",
]  # fmt: skip
TAIL = ["stated, not checked", "documents drafted", "stated", *["not implemented"] * 5]


@pytest.mark.parametrize("agreement", sorted(STATUS))
def test_provisions_table_per_agreement(rules: Rules, agreement: str) -> None:
    rows = provisions_table(rules.agreements[agreement])
    assert [r["provision"] for r in rows] == NAMES
    assert [r["status"] for r in rows] == STATUS[agreement] + TAIL
    for r in rows[:9]:
        if r["status"] != "not in agreement":
            assert r["detail"], (
                agreement,
                r["provision"],
            )  # every applied provision carries its citation


def test_rule_text_round_trips_with_verbatim_alternative(rules: Rules) -> None:
    from kaigai.origin.parser import parse_notation

    m = rule_for("UK-JP", "030245", rules.books, rules.agreements, rules.hs17)
    assert parse_notation(to_text(m.rule)) == m.rule  # type: ignore[arg-type]
