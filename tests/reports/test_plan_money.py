"""Issue 15: the plan report's money goes through ``core.i18n.format_money`` in English and
Japanese, and a Japanese plan carries the English plan's numbers (only words and format change).

Both plans are the example firm's (bearings, HS 848210, JPY 30,000,000 a year per market) on
the starter pack, built once for the module.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from kaigai.app.plan import build_plan, load_profile
from kaigai.core.config import get_settings
from kaigai.plan.examples import example_profile_path
from kaigai.reports.html import render_html
from kaigai.reports.writer import render_json


@pytest.fixture(scope="module")
def plans(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    home = tmp_path_factory.mktemp("money")
    st = get_settings(data_dir=home / "data", cache_dir=home / "cache", use_starter=True)
    p = example_profile_path()
    profile = load_profile(p, st)
    return {
        lang: build_plan(profile, st, lang=lang, base_dir=p.parent, as_of=None)
        for lang in ("en", "ja")
    }


def _numbers(doc: Any, path: tuple[Any, ...] = ()) -> dict[tuple[Any, ...], float]:
    """Every number of a plan document by its place (texts left out)."""
    if isinstance(doc, bool) or doc is None or isinstance(doc, str):
        return {}
    if isinstance(doc, int | float):
        return {path: doc}
    items = doc.items() if isinstance(doc, dict) else enumerate(doc)
    out: dict[tuple[Any, ...], float] = {}
    for k, v in items:
        out.update(_numbers(v, (*path, k)))
    return out


def _vnm(plan: Any) -> Any:
    return next(m for m in plan.products[0].markets if m.iso3 == "VNM")


def test_japanese_plan_has_the_english_plans_numbers(plans: dict[str, Any]) -> None:
    en = _numbers(json.loads(render_json(plans["en"])))
    ja = _numbers(json.loads(render_json(plans["ja"])))
    assert ja == en
    figures = [k for k in en if "figures" in k and k[-1] == "value"]
    # 7 markets x 8 market figures, Viet Nam's 6 duty figures, 2 headroom figures x 2 CPTPP markets
    assert len(figures) == 7 * 8 + 6 + 2 * 2


def test_duty_saving_is_money_in_each_language(plans: dict[str, Any]) -> None:
    """Viet Nam: MFN 3% vs CPTPP 0% on JPY 30,000,000 a year saves JPY 900,000 = 90万円."""
    saved = _vnm(plans["en"]).duty.figures["duty_saved"].value
    assert saved == pytest.approx(0.03 * 30_000_000)
    net = _vnm(plans["en"]).duty.figures["net_benefit"].value
    en, ja = render_html(plans["en"]), render_html(plans["ja"])
    assert f"Duty saved per year JPY {saved:,.0f}<sup>" in en  # JPY 900,000
    assert f"年間の関税削減額 {saved / 1e4:,.0f}万円<sup>" in ja  # 90万円
    assert "年間の関税削減額 90万円<sup>" in ja
    assert f"Net benefit of using the FTA JPY {net:,.0f}<sup>" in en
    assert f"FTA利用の純便益 {net / 1e4:,.0f}万円<sup>" in ja
    # the duty column of the options table: MFN's duty, then CPTPP's nothing
    assert re.search(r'<td>MFN</td>.*?<td class="num">90万円</td>', ja)
    assert re.search(r'<td>MFN</td>.*?<td class="num">JPY 900,000</td>', en)
    assert re.search(r'<td>CPTPP</td>.*?<td class="num">0円</td>', ja)
    # the planned exports of the assumptions
    assert "Planned exports per market: JPY 30,000,000 a year" in en
    assert "市場あたりの輸出計画額：年3,000万円" in ja


def test_market_figures_are_usd_in_millions(plans: dict[str, Any]) -> None:
    untapped = _vnm(plans["en"]).figures["untapped_usd"].value
    assert untapped == pytest.approx(_vnm(plans["ja"]).figures["untapped_usd"].value)
    en, ja = render_html(plans["en"]), render_html(plans["ja"])
    assert f"USD {untapped / 1e6:,.1f}m<sup>" in en
    assert f"{untapped / 1e6:,.1f}百万ドル<sup>" in ja


def test_plan_headers_are_the_plans_words(plans: dict[str, Any]) -> None:
    """The plan's own translations of msgids the dashboard translates otherwise (core.i18n.PLAN):
    "Part" of the plan is 部分 (the dashboard's BOM part is 部品), "Status" 状況."""
    ja = render_html(plans["ja"])
    assert "<th>製品</th><th>部分</th><th>状況</th><th>詳細</th>" in ja
    assert "<h2>輸出準備状況</h2>" in ja and "<tr><th>項目</th><th>スコア</th>" in ja
    assert "<th>部品</th>" not in ja
