"""Issue 15 as a first-time user meets it: green tea (wholly obtained), cosmetics and sake
(several national lines), a chapter missing from the starter pack, the gaps section.

All on the starter pack with its real rule and schedule rows (RCEP Annex 3A for 0902.10 is
"WO"; Viet Nam's 2026 schedule rows 4327-4329 for 3304.99.20/.30/.90).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kaigai.app.plan import build_plan
from kaigai.core.errors import BOMError, MarketError
from kaigai.origin.bom import load_bom
from kaigai.plan.profile import parse_profile
from kaigai.reports.html import render_html


def _tea(wholly: bool, bom: str | None = None) -> dict:
    product = {"name": "Sencha green tea", "name_ja": "煎茶", "hs": "0902.10",
               "unit_value": 2000, "unit_fob": 2200, "annual_export_value": 5_000_000}  # fmt: skip
    if wholly:
        product["wholly_obtained"] = True
    if bom:
        product["bom"] = bom
    return {
        "name": "Shizuoka Green Tea Co.",
        "size": {"employees": 12},
        "products": [product],
        "preferences": {"target_markets": ["CHN", "KOR", "TWN"]},
    }


def _plan(data: dict, settings, lang: str = "en", base_dir: Path | None = None, n: int = 1):
    return build_plan(parse_profile(data), settings, n_markets=n, lang=lang, base_dir=base_dir)


def _market(plan, iso3: str):
    return next(m for m in plan.products[0].markets if m.iso3 == iso3)


def test_wholly_obtained_tea_qualifies_under_rcep_and_says_why(settings) -> None:
    plan = _plan(_tea(True), settings)
    for iso in ("CHN", "KOR"):
        o = _market(plan, iso).origin
        assert (o.status, o.agreement, o.qualifies, o.rule, o.rule_is_wo) == (
            "ok", "RCEP", True, "WO", True,
        )  # fmt: skip
        assert o.reasons[0].startswith("Criterion WO (RCEP Art. 3.3 (Goods Wholly Obtained")
        assert "The firm declares the product wholly obtained." in o.reasons[0]
    titles = [a.title for a in plan.actions]
    assert "Prepare the proof of origin for RCEP (China)" in titles
    assert not [x for x in titles if "qualify" in x or "sourcing" in x]


def _leaf_bom(folder: Path) -> str:
    (folder / "bom_tea.csv").write_text(
        "part_id,part,hs_code,origin,value,currency,originating\n"
        "LEAF,Tea leaves from own farm,0902.10,JPN,1200,JPY,yes\n",
        encoding="utf-8",
    )
    return "bom_tea.csv"


def test_tea_not_declared_is_asked_to_confirm_not_to_change_sourcing(settings, tmp_path) -> None:
    plan = _plan(_tea(False, _leaf_bom(tmp_path)), settings, base_dir=tmp_path)
    o = _market(plan, "CHN").origin
    assert (o.qualifies, o.rule_is_wo) == (False, True)
    assert "set wholly_obtained = true" in o.reasons[0]
    origin_actions = [a for a in plan.actions if a.kind == "origin"]
    assert [a.title for a in origin_actions] == [
        "Confirm that Sencha green tea is wholly obtained in Japan (RCEP, China)",
        "Confirm that Sencha green tea is wholly obtained in Japan (RCEP, South Korea)",
    ]
    assert all(a.horizon == "now" for a in origin_actions)
    ja = _plan(_tea(False, "bom_tea.csv"), settings, "ja", base_dir=tmp_path)
    assert (
        _market(ja, "CHN")
        .origin.reasons[0]
        .startswith("基準WO（RCEP第3.3条（完全に得られ、又は生産された産品）(a)")
    )
    assert any(a.title.startswith("煎茶が日本の完全生産品であることを確認する") for a in ja.actions)


def test_bom_level_wholly_obtained_flag(settings, tmp_path) -> None:
    bom = tmp_path / "bom_tea.csv"
    bom.write_text(
        "part_id,part,hs_code,origin,value,currency,wholly_obtained\n"
        "LEAF,Tea leaves from own farm,0902.10,JPN,1200,JPY,yes\n",
        encoding="utf-8",
    )
    b = load_bom(bom, "JPY")
    assert b.wholly_obtained_in("JPN") and not b.wholly_obtained_in("CHN")
    plan = _plan(_tea(False, "bom_tea.csv"), settings, base_dir=tmp_path)
    assert _market(plan, "KOR").origin.qualifies is True
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "part_id,part,hs_code,origin,value,currency,wholly_obtained,originating\n"
        "LEAF,Leaves,0902.10,JPN,1200,JPY,maybe,\nX,Other,0902.10,JPN,1,JPY,yes,no\n",
        encoding="utf-8",
    )
    with pytest.raises(BOMError) as e:
        load_bom(bad, "JPY")
    assert e.value.fields["problems"] == [
        "bad.csv row 1, column 'wholly_obtained': 'maybe' is not yes/no",
        "bad.csv row 2, column 'wholly_obtained': a wholly obtained material cannot be "
        "non-originating",
    ]


def _one_market(hs: str, market: str = "VNM", lines: dict | None = None) -> dict:
    product = {"name": "Product", "hs": hs, "annual_export_value": 3_000_000}
    if lines:
        product["lines"] = lines
    return {
        "name": "Firm",
        "size": {"employees": 20},
        "products": [product],
        "preferences": {"target_markets": [market]},
    }


def test_cosmetics_three_viet_nam_lines_show_the_range(settings) -> None:
    d = _market(_plan(_one_market("3304.99"), settings), "VNM").duty
    assert d.status == "partial" and d.best_option == "CPTPP"
    # Viet Nam 2026 schedule rows 4327-4329: MFN 10 / 18 / 18, CPTPP 0 on all three
    assert [(x["line"], x["mfn_pct"], x["best"], x["best_pct"]) for x in d.lines] == [
        ("3304.99.20", 10.0, "CPTPP", 0.0),
        ("3304.99.30", 18.0, "CPTPP", 0.0),
        ("3304.99.90", 18.0, "CPTPP", 0.0),
    ]
    assert (d.figures["mfn_rate_min"].value, d.figures["mfn_rate_max"].value) == (10.0, 18.0)
    assert d.detail.startswith(
        "HS 330499 has 3 national lines in the VNM schedule: MFN 10–18%; best option CPTPP 0% "
        "on 3 line(s) (3304.99.20, 3304.99.30, 3304.99.90)."
    )


def test_sake_ten_viet_nam_lines_group_by_best_option(settings) -> None:
    plan = _plan(_one_market("2206.00"), settings)
    d = _market(plan, "VNM").duty
    assert len(d.lines) == 10 and {x["mfn_pct"] for x in d.lines} == {55.0}
    assert d.best_options == ("JP-VN", "CPTPP")
    assert [x["line"] for x in d.lines if x["best"] == "CPTPP"] == ["2206.00.20"]
    assert "JP-VN 0% on 9 line(s) (2206.00.10, 2206.00.31, 2206.00.39 … 2206.00.99)" in d.detail
    assert "CPTPP 0% on 1 line(s) (2206.00.20)" in d.detail
    assert any(
        a.title == "Name the national tariff line of Product for Vietnam" for a in plan.actions
    )


def test_profile_names_the_line_per_market(settings) -> None:
    plan = _plan(_one_market("3304.99", lines={"Viet Nam": "3304.99.20"}), settings)
    d = _market(plan, "VNM").duty
    assert d.status == "ok" and not d.lines
    assert (d.figures["mfn_rate"].value, d.best_option, d.figures["best_rate"].value) == (
        10.0, "CPTPP", 0.0,
    )  # fmt: skip
    assert d.figures["duty_saved"].value == 300_000.0  # 10% of JPY 3,000,000
    with pytest.raises(Exception) as e:
        parse_profile(_one_market("3304.99", lines={"VNM": "33"}))
    assert "products[0].lines: [VNM] '33' is not a national line" in str(e.value)


def test_chapter_missing_from_the_starter_pack_is_said(settings) -> None:
    from kaigai.app.markets import find_markets

    with pytest.raises(MarketError) as e:
        find_markets(settings, "JPN", "090210")
    assert e.value.message == (
        "HS chapter 09 is not in the starter pack, so there are no trade data for 090210 "
        "(the starter pack holds chapters 21, 22, 33, 61, 62, 84, 85, 90)."
    )
    assert "kaigai data import ../shared/data/markets" in (e.value.hint or "")


def test_first_action_comes_from_a_ranked_market_and_gaps_follow_actions(settings) -> None:
    plan = _plan(_tea(True), settings)
    first = plan.actions[0]
    assert (first.kind, first.title) == (
        "data", "Rank the markets for Sencha green tea (HS 090210) before choosing one",
    )  # fmt: skip
    assert not [a for a in plan.actions if a.title.startswith("Choose the first market")]
    fills = {g.topic: g.fill for g in plan.gaps}
    assert fills["markets"].startswith("Import the full trade data: kaigai data import")
    texts = [g.text for g in plan.gaps]
    assert "Import duties for HS 090210 in China, South Korea, Taiwan: kaigai has no tariff schedule for them." in texts  # fmt: skip
    assert any(x.startswith("No trade agreement with Taiwan") for x in texts)
    html = render_html(plan)
    assert html.index('id="actions"') < html.index('id="gaps"') < html.index('id="product-')
    summary = html[: html.index('id="actions"')]
    assert '<li class="missing">' not in summary and "Not available in this plan" not in summary
    ja = _plan(_tea(True), settings, "ja")
    assert any(g.text.startswith("台湾") or "台湾" in g.text for g in ja.gaps)
    assert "本計画で確認できなかった点と補う方法" in render_html(ja)


def test_ranked_market_is_first_when_the_ranking_exists(settings) -> None:
    plan = _plan(_one_market("3304.99", market="IDN"), settings)
    first = next(a for a in plan.actions if a.kind == "market")
    ranked = [m for m in plan.products[0].markets if m.selected_by == "ranking"]
    assert ranked[0].rank == 1
    assert first.title == f"Choose the first market for Product (HS 330499): {ranked[0].name}"
