"""The export plan for the example firm, end to end on the starter pack (no network)."""

from __future__ import annotations

import pandas as pd
import pytest

from kaigai.app.plan import build_plan, load_profile
from kaigai.data.store import starter_path
from kaigai.plan.examples import example_profile_path, packaged_example_path, repo_examples_dir
from kaigai.readiness import assess


@pytest.fixture
def profile(settings):
    return load_profile(example_profile_path(), settings)


def _plan(profile, settings, lang="en", n=5):
    return build_plan(
        profile, settings, n_markets=n, lang=lang, base_dir=example_profile_path().parent
    )


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_example_plan_end_to_end(profile, settings, lang) -> None:
    plan = _plan(profile, settings, lang)
    assert plan.lang == lang and plan.data_source == "starter"
    (prod,) = plan.products
    assert prod.hs6 == "848210"
    iso = [m.iso3 for m in prod.markets]
    # the firm's four considered markets are always analysed
    assert {"THA", "VNM", "IDN", "IND"} <= set(iso)
    assert plan.summary and plan.actions
    if lang == "ja":
        assert plan.firm["name"] == "大田精密ベアリング株式会社"
        assert any("輸出準備スコア" in s for s in plan.summary)
        assert prod.name == "深溝玉軸受"
        assert next(m for m in prod.markets if m.iso3 == "VNM").name == "ベトナム"
    else:
        assert any(s.startswith("Readiness score: 39/100") for s in plan.summary)


def test_trade_figures_equal_the_source_cells(profile, settings) -> None:
    plan = _plan(profile, settings)
    trade = pd.read_parquet(starter_path("trade_hs6"))
    imports = pd.read_parquet(starter_path("imports_by_importer"))
    for m in plan.products[0].markets:
        cell = trade[
            (trade.exporter == "JPN") & (trade.importer == m.iso3) & (trade.hs6 == "848210")
        ]
        assert m.figures["exports_usd"].value == float(cell.value_usd.iloc[0])
        assert m.figures["exports_usd"].provenance[0].dataset == "trade_hs6"
        assert f"importer={m.iso3}" in m.figures["exports_usd"].provenance[0].locator
        icell = imports[(imports.importer == m.iso3) & (imports.hs6 == "848210")]
        assert m.figures["imports_usd"].value == float(icell.import_value_usd.iloc[0])
    tha = next(m for m in plan.products[0].markets if m.iso3 == "THA")
    assert tha.figures["exports_usd"].value == 82_668_688.0  # JPN->THA 848210, 2024, starter pack


def test_readiness_figures_are_the_engines_own(profile, settings) -> None:
    plan = _plan(profile, settings)
    ref = assess(profile.readiness)
    assert plan.readiness == ref
    assert plan.readiness.overall == pytest.approx(38.75, abs=1e-12)
    data = plan.to_dict()
    assert data["readiness"]["overall"] == ref.overall
    assert [d["score"] for d in data["readiness"]["dimensions"]] == [
        d.score for d in ref.dimensions
    ]
    ready = [a for a in plan.actions if a.kind == "readiness"]
    assert {a.title for a in ready} == {s.title.en for s in ref.next_steps}
    for a in ready:
        step = next(s for s in ref.next_steps if s.title.en == a.title)
        assert a.priority == step.priority


def test_missing_pieces_are_stated_not_skipped(profile, settings) -> None:
    plan = _plan(profile, settings)
    for p in plan.products:
        for part in p.parts:
            if part.status != "ok":
                assert part.detail, part
        for m in p.markets:
            for view in (m.duty, m.origin):
                if view.status != "ok":
                    assert view.detail
                    assert not view.figures  # no number without the engine
    not_ok = [pt for p in plan.products for pt in p.parts if pt.status != "ok"]
    assert len(plan.missing) >= len(not_ok)


def test_actions_are_ranked_by_horizon_then_priority(profile, settings) -> None:
    plan = _plan(profile, settings)
    order = {"now": 0, "next": 1, "later": 2}
    keys = [(order[a.horizon], -a.priority) for a in plan.actions]
    assert keys == sorted(keys)
    assert [a.rank for a in plan.actions] == list(range(1, len(plan.actions) + 1))
    assert plan.actions[0].kind == "market"


def test_excluded_market_is_dropped(settings, tmp_path) -> None:
    text = (
        example_profile_path()
        .read_text(encoding="utf-8")
        .replace("excluded_markets = []", 'excluded_markets = ["India"]')
    )
    f = tmp_path / "firm.toml"
    f.write_text(text, encoding="utf-8")
    prof = load_profile(f, settings)
    plan = build_plan(prof, settings, base_dir=tmp_path)
    assert "IND" not in [m.iso3 for m in plan.products[0].markets]


def test_example_copies_are_identical() -> None:
    repo = repo_examples_dir()
    if repo is None:
        pytest.skip("not running from a source checkout")
    assert (repo / "firm_tokyo_bearings.toml").read_bytes() == packaged_example_path().read_bytes()


def test_two_products_and_a_failing_engine(settings, tmp_path, monkeypatch) -> None:
    """A second product without BOM, and an engine that crashes: the plan states both."""
    from collections import OrderedDict

    import kaigai.app.markets as finder
    from kaigai.app import cache

    def boom(*args, **kwargs):
        raise RuntimeError("simulated engine failure")

    monkeypatch.setattr(finder, "every_language", boom)
    monkeypatch.setattr(cache, "_MEMO", OrderedDict())  # no ranking reused from an earlier test
    text = (
        example_profile_path()
        .read_text(encoding="utf-8")
        .replace(
            "[preferences]",
            '[[products]]\nname = "Tapered roller bearings"\nhs = "848220"\n\n[preferences]',
        )
    )
    f = tmp_path / "two.toml"
    f.write_text(text, encoding="utf-8")
    prof = load_profile(f, settings)
    plan = build_plan(prof, settings, base_dir=example_profile_path().parent)
    assert [p.hs6 for p in plan.products] == ["848210", "848220"]
    for p in plan.products:
        part = next(x for x in p.parts if x.key == "markets")
        assert part.status == "error" and "RuntimeError" in part.detail
        assert "simulated engine failure" not in part.detail  # exception text: log only
        assert [m.iso3 for m in p.markets] == ["THA", "VNM", "IDN", "IND"]  # the firm's own list
    second = plan.products[1]
    assert all(m.origin.status == "not_available" for m in second.markets)
    assert sum("848220" in x and "bill of materials" in x for x in plan.missing) == 1
    assert any(a.kind == "origin" and "Tapered roller bearings" in a.title for a in plan.actions)


def test_origin_engine_message_in_the_plans_language(profile, settings, monkeypatch) -> None:
    """An origin failure with a user message reaches a Japanese plan in Japanese: in the market's
    view and in the parts table (the template no longer translates views a second time)."""
    from kaigai.app import plan_engines
    from kaigai.core.errors import DataError
    from kaigai.reports.html import render_html

    def unreadable(self):
        raise DataError("BOM file x.csv not found (looked in /tmp)")

    monkeypatch.setattr(plan_engines.EngineContext, "origin", unreadable)
    plan = _plan(profile, settings, lang="ja", n=1)
    said = "BOMファイルx.csvが見つからない（/tmpを確認）"
    markets = plan.products[0].markets
    assert [m.origin.detail for m in markets] == [said] * 4  # VNM, and the firm's THA, IDN, IND
    part = next(x for x in plan.products[0].parts if x.key == "origin")
    assert part.detail == " | ".join(f"{m.iso3}: {said}" for m in markets)
    html = render_html(plan)
    assert html.count(f"未確認: {said}</span>") == 4 and f"<td>VNM: {said} | " in html
    assert "BOM file" not in html
