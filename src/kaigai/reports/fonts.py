"""Japanese fonts for PDF output: found through fontconfig (what WeasyPrint/Pango use).

kaigai ships no font (a Japanese font is 4-8 MB, more than the whole starter pack); a PDF with
Japanese text needs one installed. Without it WeasyPrint draws empty boxes and says nothing,
so :func:`require_cjk_font` fails first with a :class:`~kaigai.core.errors.ConfigError` that
names the package to install. Debian/Ubuntu: ``fonts-ipafont-gothic`` (IPA Font License),
also installed by ``.ci/run``; ``fonts-noto-cjk`` (OFL) works too; macOS and Windows have
Hiragino / Yu Gothic.
"""

from __future__ import annotations

import shutil
import subprocess
from functools import lru_cache

from kaigai.core.errors import ConfigError

#: Families tried in this order (the first one installed is used for Japanese text).
CJK_FAMILIES = (
    "IPAGothic",
    "IPAexGothic",
    "IPAPGothic",
    "Noto Sans CJK JP",
    "Noto Sans JP",
    "Source Han Sans JP",
    "Hiragino Sans",
    "Hiragino Kaku Gothic ProN",
    "Yu Gothic",
    "Meiryo",
    "TakaoGothic",
    "VL Gothic",
)


def _fontconfig_families() -> set[str] | None:
    """Families fontconfig knows with Japanese coverage (None when fc-list is absent)."""
    exe = shutil.which("fc-list")
    if exe is None:
        return None
    try:
        out = subprocess.run(
            [exe, ":lang=ja", "family"], capture_output=True, text=True, timeout=20, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return {name.strip() for line in out.splitlines() for name in line.split(",") if name.strip()}


def _matplotlib_families() -> set[str]:
    from matplotlib import font_manager

    return {f.name for f in font_manager.fontManager.ttflist}


@lru_cache(maxsize=1)
def cjk_family() -> str | None:
    """The installed font family used for Japanese text in PDFs, or None."""
    found = _fontconfig_families()
    if found is not None:  # every family listed covers Japanese; prefer the known ones
        return next((f for f in CJK_FAMILIES if f in found), min(found) if found else None)
    # no fontconfig tools: matplotlib's scan of the system font folders, known families only
    scanned = _matplotlib_families()
    return next((f for f in CJK_FAMILIES if f in scanned), None)


def font_file(family: str) -> str | None:
    """Path of the file fontconfig uses for ``family`` (None without fc-match)."""
    exe = shutil.which("fc-match")
    if exe is None:
        return None
    try:
        out = subprocess.run(
            [exe, "-f", "%{file}", f"{family}:lang=ja"], capture_output=True, text=True,
            timeout=20, check=False,
        ).stdout.strip()  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    return out or None


def require_cjk_font() -> str:
    """The Japanese font family for a PDF; raise :class:`ConfigError` when none is installed."""
    fam = cjk_family()
    if fam is None:
        raise ConfigError(
            "A Japanese PDF needs a font with Japanese glyphs, and none is installed: the PDF "
            "would show empty boxes.",
            hint="Install one (Debian/Ubuntu: sudo apt-get install fonts-ipafont-gothic; "
            "Fedora: google-noto-sans-cjk-fonts), or write the report as .html "
            "(the browser supplies the font).",
        )
    return fam


__all__ = ["CJK_FAMILIES", "cjk_family", "font_file", "require_cjk_font"]
