"""Stored results of the application layer (kaigai.app.cache.stored): kept between processes,
read back equal, keyed by the data state, written whole."""

from __future__ import annotations

import datetime as dt
import json
import math

import pandas as pd
import pytest

from kaigai.app import cache
from kaigai.app.plan import build_plan, load_profile
from kaigai.plan.examples import example_profile_path

ON = dt.date(2026, 11, 27)


def test_frame_round_trip_is_exact() -> None:
    df = pd.DataFrame(
        {
            "rank": [1, 2, 3],
            "market": pd.Series(["VNM", "THA", None], dtype="str"),
            "score": [83.21389512345678, float("nan"), 1e-300],
            "ok": [True, False, True],
            "flags": [(), ("growth_missing",), ("a", "b")],
        }
    )
    back = cache.frame_from_json(json.loads(json.dumps(cache.frame_to_json(df))))
    pd.testing.assert_frame_equal(back, df, check_exact=True)
    assert back["flags"].tolist() == [(), ("growth_missing",), ("a", "b")]
    assert math.isnan(back["score"][1]) and back["score"][0] == 83.21389512345678


def test_stored_reads_back_without_recomputing(settings) -> None:
    calls: list[int] = []

    def make() -> dict[str, float]:
        calls.append(1)
        return {"x": 0.1 + 0.2}

    a = cache.stored("probe", settings, {"q": 1}, make, dict, dict)
    cache.clear()  # a new process: only the file remains
    b = cache.stored("probe", settings, {"q": 1}, make, dict, dict)
    c = cache.stored("probe", settings, {"q": 2}, make, dict, dict)
    assert a == b == c == {"x": 0.30000000000000004}
    assert len(calls) == 2  # q=1 once, q=2 once
    files = sorted((settings.cache_dir / "app" / "probe").iterdir())
    assert len(files) == 2 and all(f.suffix == ".json" for f in files)  # no temporary left


def test_stored_key_follows_the_data_state(settings, monkeypatch) -> None:
    calls: list[int] = []
    make = lambda: calls.append(1) or {"n": len(calls)}  # noqa: E731
    assert cache.stored("probe", settings, {}, make, dict, dict) == {"n": 1}
    monkeypatch.setattr(cache, "data_state", lambda s: "another catalog state")
    assert cache.stored("probe", settings, {}, make, dict, dict) == {"n": 2}


def test_unreadable_file_is_recomputed(settings) -> None:
    cache.stored("probe", settings, {}, lambda: {"v": 1}, dict, dict)
    (f,) = (settings.cache_dir / "app" / "probe").iterdir()
    f.write_text('{"key": "', encoding="utf-8")  # a torn file (cannot happen with os.replace)
    cache.clear()
    assert cache.stored("probe", settings, {}, lambda: {"v": 2}, dict, dict) == {"v": 2}


def test_second_plan_reads_the_stored_ranking_and_duty(settings, monkeypatch) -> None:
    """A second process builds the same plan (every figure equal) without ranking markets or
    building a tariff index."""
    p = example_profile_path()
    first = build_plan(load_profile(p, settings), settings, base_dir=p.parent, as_of=ON)
    cache.clear()

    def boom(*a: object, **k: object) -> None:
        raise AssertionError("recomputed")

    import kaigai.app.duty
    import kaigai.app.markets

    monkeypatch.setattr(kaigai.app.markets, "_find_markets", boom)
    monkeypatch.setattr(kaigai.app.duty, "tariff_index", boom)
    second = build_plan(load_profile(p, settings), settings, base_dir=p.parent, as_of=ON)
    assert second.to_dict() == first.to_dict()
    ref = first.engine_outputs["markets:848210"]
    got = second.engine_outputs["markets:848210"]
    pd.testing.assert_frame_equal(got.rows, ref.rows, check_exact=True)
    assert got.to_dict() == ref.to_dict()
    assert sorted(p.name for p in (settings.cache_dir / "app").iterdir()) == [
        "markets.ranking", "plan.changes", "plan.duty", "plan.versions",
    ]  # fmt: skip


def test_one_ranking_serves_every_language(settings, monkeypatch) -> None:
    """A Japanese plan after an English one ranks no markets again (the stored ranking holds
    the texts of every language), and its explanations are Japanese, its figures the same."""
    p = example_profile_path()
    cache.clear()  # no ranking kept in this process by an earlier test: the English plan stores it
    en = build_plan(load_profile(p, settings), settings, base_dir=p.parent, as_of=ON)
    cache.clear()

    def boom(*a: object, **k: object) -> None:
        raise AssertionError("ranked again")

    import kaigai.app.markets

    monkeypatch.setattr(kaigai.app.markets, "_find_markets", boom)
    ja = build_plan(load_profile(p, settings), settings, base_dir=p.parent, as_of=ON, lang="ja")
    got = {m.iso3: m for m in ja.products[0].markets}
    ref = {m.iso3: m for m in en.products[0].markets}
    assert list(got) == list(ref) and len(got) == 7
    vnm = got["VNM"]
    assert vnm.explanation.startswith("潜在輸出額 39.8百万ドル、うち未開拓 57%; 市場の輸入 +33%")
    assert ref["VNM"].explanation.startswith("potential USD 39.8m, 57% untapped; market imports")
    assert {k: f.value for k, f in vnm.figures.items()} == {
        k: f.value for k, f in ref["VNM"].figures.items()
    }


@pytest.mark.parametrize("since", [None, ON])
def test_changes_equal_with_and_without_stored_versions(settings, since) -> None:
    """The rate-change entries built from stored version heads equal the index-built ones."""
    from kaigai.app import plan_engines as pe

    ctx = pe.EngineContext(settings)
    ctx.scope(("848210",), ("VNM", "JPN"))
    for market in ("VNM", "JPN", "THA"):
        direct = pe.rate_changes(ctx, market, "848210", since, ON)
        assert pe.run_changes(ctx, market, "848210", since, ON) == direct
        cache.clear()
        assert pe.run_changes(ctx, market, "848210", since, ON) == direct


def test_report_charts_are_stored_and_equal(settings, monkeypatch) -> None:
    """The second rendering of a plan reads its charts back (nothing drawn) and the HTML is
    byte-identical to a rendering without the store."""
    from kaigai.app.plan import render
    from kaigai.reports import charts
    from kaigai.reports.html import render_html

    p = example_profile_path()
    plan = build_plan(load_profile(p, settings), settings, base_dir=p.parent, as_of=ON)
    plain = render_html(plan)
    assert render(plan, "html", settings) == plain
    cache.clear()

    def boom(*a: object, **k: object) -> None:
        raise AssertionError("drawn again")

    for name in ("_draw_markets", "_draw_duty", "_draw_readiness"):
        monkeypatch.setattr(charts, name, boom)
    assert render(plan, "html", settings) == plain
    kinds = sorted(d.name for d in (settings.cache_dir / "app").iterdir() if "report" in d.name)
    assert kinds == ["report.duty", "report.markets", "report.readiness"]


def test_oldest_results_are_pruned(settings, monkeypatch) -> None:
    import os

    monkeypatch.setattr(cache, "MAX_STORED", 3)
    folder = settings.cache_dir / "app" / "probe"
    for i in range(5):
        cache.stored("probe", settings, {"i": i}, lambda i=i: {"i": i}, dict, dict)
        for f in folder.iterdir():  # distinct ages whatever the file system's time resolution
            n = json.loads(f.read_text(encoding="utf-8"))["value"]["i"]
            os.utime(f, ns=(n * 10**9, n * 10**9))
    left = sorted(
        json.loads(f.read_text(encoding="utf-8"))["value"]["i"]
        for f in (settings.cache_dir / "app" / "probe").iterdir()
    )
    assert left == [2, 3, 4]
