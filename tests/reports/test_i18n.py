"""Every message the plan, readiness CLI and reports use has a Japanese translation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import kaigai
from kaigai.core.i18n import CONTEXT_SEP, PLAN, catalogue

SRC = Path(kaigai.__file__).parent
FILES = [
    *sorted((SRC / "plan").glob("*.py")),
    *sorted((SRC / "reports").glob("*.py")),
    *sorted((SRC / "reports" / "templates").glob("*.j2")),
    SRC / "cli" / "plan.py",
    SRC / "cli" / "readiness.py",
]
KEYED = {
    "horizon": ("now", "next", "later"),
    "part": ("markets", "duty", "origin"),
    "status": ("ok", "partial", "not_available", "error", "gap", "critical", "not_assessed"),
    "fig": ("exports_usd", "imports_usd", "untapped_usd", "potential_usd", "risk", "score",
            "import_growth", "distance_km", "mfn_rate", "best_rate", "margin_pts", "duty_saved",
            "net_benefit", "break_even", "headroom_pts", "headroom_amount", "mfn_rate_min",
            "mfn_rate_max", "best_rate_min", "best_rate_max"),
}  # fmt: skip


def msgids() -> set[str]:
    out: set[str] = set()
    for f in FILES:
        text = f.read_text(encoding="utf-8")
        for m in re.finditer(r'\bt\(\s*((?:"(?:[^"\\]|\\.)*"\s*)+)', text):
            msg = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(1))).replace('\\"', '"')
            if not msg.endswith(":"):  # keyed prefixes are checked through KEYED
                out.add(msg)
    for prefix, keys in KEYED.items():
        out |= {f"{prefix}:{k}" for k in keys}
    return out


def test_there_are_messages() -> None:
    assert len(msgids()) > 80


@pytest.mark.parametrize("lang", ["ja"])
def test_every_message_is_translated(lang: str) -> None:
    cat = catalogue(lang)
    missing = sorted(m for m in msgids() if m not in cat and PLAN + CONTEXT_SEP + m not in cat)
    assert missing == []


def test_keyed_labels_have_english_text() -> None:
    cat = catalogue("en")
    assert all(f"{p}:{k}" in cat for p, keys in KEYED.items() for k in keys)


def test_chart_legends_are_japanese(settings, monkeypatch) -> None:
    """Issue 15 item 5: the plan's chart legends read 未開拓の輸出ポテンシャル, not untapped_usd.

    matplotlib's cached font list may miss the Japanese font fontconfig finds; the chart then adds
    that font's file instead of falling back to raw keys.
    """
    import shutil

    from kaigai.app.plan import build_plan, load_profile
    from kaigai.plan.examples import example_profile_path
    from kaigai.reports import charts, fonts

    if fonts.cjk_family() is None or shutil.which("fc-match") is None:
        pytest.skip("no Japanese font installed (.ci/run installs fonts-ipafont-gothic)")
    legends: list[list[str]] = []

    def capture(fig):  # type: ignore[no-untyped-def]
        for ax in fig.axes:
            if ax.get_legend() is not None:
                legends.append([x.get_text() for x in ax.get_legend().get_texts()])
        return "data:image/svg+xml;base64,"

    monkeypatch.setattr(charts, "_data_uri", capture)
    charts.cjk_font.cache_clear()
    monkeypatch.setattr(charts, "CJK_FONTS", ())  # as if matplotlib's cache did not list it
    try:
        p = example_profile_path()
        plan = build_plan(load_profile(p, settings), settings, lang="ja", base_dir=p.parent)
        charts.markets_chart(plan.products[0], "ja")
        charts.duty_chart(plan.products[0], "ja")
    finally:
        charts.cjk_font.cache_clear()
    flat = [x for xs in legends for x in xs]
    assert "未開拓の輸出ポテンシャル" in flat and "untapped_usd" not in flat
    assert all("_" not in x for x in flat)
