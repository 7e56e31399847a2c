"""Japanese PDFs need a Japanese font: found through fontconfig, or a clear error (issue 15.9)."""

from __future__ import annotations

import shutil
import types

import pytest

from kaigai.core.errors import ConfigError
from kaigai.reports import fonts
from kaigai.reports.writer import render_pdf


def test_missing_japanese_font_is_a_clear_error(monkeypatch) -> None:
    fonts.cjk_family.cache_clear()
    monkeypatch.setattr(fonts, "_fontconfig_families", lambda: set())
    try:
        with pytest.raises(ConfigError) as e:
            render_pdf(types.SimpleNamespace(lang="ja"))
    finally:
        fonts.cjk_family.cache_clear()
    assert e.value.exit_code == 78
    assert e.value.message.startswith("A Japanese PDF needs a font with Japanese glyphs")
    assert "fonts-ipafont-gothic" in (e.value.hint or "")


def test_fontconfig_family_is_preferred_in_order(monkeypatch) -> None:
    fonts.cjk_family.cache_clear()
    monkeypatch.setattr(fonts, "_fontconfig_families", lambda: {"Noto Sans CJK JP", "IPAGothic"})
    try:
        assert fonts.cjk_family() == "IPAGothic"
    finally:
        fonts.cjk_family.cache_clear()


@pytest.mark.skipif(shutil.which("fc-list") is None, reason="fontconfig tools not installed")
def test_installed_font_is_found_where_ci_installs_it() -> None:
    fonts.cjk_family.cache_clear()
    fam = fonts.cjk_family()
    if fam is None:
        pytest.skip("no Japanese font installed (.ci/run installs fonts-ipafont-gothic)")
    assert fam in fonts.CJK_FAMILIES


def test_pdf_template_puts_the_found_font_first(settings, monkeypatch) -> None:
    """The plan's CSS names the fontconfig font first in Japanese (issue 15 leftover)."""
    import re

    from kaigai.app.plan import build_plan, load_profile
    from kaigai.plan.examples import example_profile_path
    from kaigai.reports.html import render_html

    fonts.cjk_family.cache_clear()
    monkeypatch.setattr(fonts, "_fontconfig_families", lambda: {"Source Han Sans JP"})
    try:
        p = example_profile_path()
        plan = build_plan(load_profile(p, settings), settings, lang="ja", base_dir=p.parent)
        html = render_html(plan)
    finally:
        fonts.cjk_family.cache_clear()
    m = re.search(r"body \{ font-family: ([^;]+);", html)
    assert m is not None
    assert m.group(1).startswith('"Source Han Sans JP", "DejaVu Sans", "IPAGothic"')
    assert m.group(1).endswith(", sans-serif")


def test_font_family_list_in_english_keeps_dejavu_first() -> None:
    from kaigai.reports.html import font_family

    assert font_family("en", "IPAGothic").startswith('"DejaVu Sans", "IPAGothic", "IPAexGothic"')
    assert font_family("ja", "IPAGothic").startswith('"IPAGothic", "DejaVu Sans", "IPAexGothic"')
    assert font_family("ja", 'Evil"; } body { x').startswith('"Evil  body  x", "DejaVu Sans"')
