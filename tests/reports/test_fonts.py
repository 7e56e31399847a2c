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
