"""Static charts for reports: matplotlib -> SVG (text as paths) embedded as data URIs.

The SVG carries no external reference, so reports open offline. Labels that need a CJK
font fall back to ISO codes / ids when no such font is installed.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from typing import Any

from kaigai.core.i18n import t

CJK_FONTS = (
    "IPAGothic",
    "IPAexGothic",
    "Noto Sans CJK JP",
    "Noto Sans JP",
    "TakaoGothic",
    "VL Gothic",
)


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """Name of an installed font with Japanese glyphs, or None."""
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    known = next((n for n in CJK_FONTS if n in names), None)
    if known is not None:
        return known
    # matplotlib's font list is cached and misses fonts installed after it was built: add the
    # file of the font fontconfig found for the PDF (the same font in charts and text)
    from kaigai.reports.fonts import cjk_family, font_file

    fam = cjk_family()
    path = font_file(fam) if fam else None
    if path is None:
        return None
    try:
        font_manager.fontManager.addfont(path)
        return str(font_manager.FontProperties(fname=path).get_name())
    except (OSError, RuntimeError, ValueError):
        return None


def chart_fonts(cjk: bool = True) -> list[str]:
    """matplotlib's ``font.family`` for kaigai's charts: DejaVu Sans, then (with ``cjk``) the
    installed Japanese font (:func:`cjk_font`) when there is one."""
    found = cjk_font() if cjk else None
    return ["DejaVu Sans"] + ([found] if found else [])


def _fig(width: float, height: float) -> tuple[Any, Any]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update(
        {"svg.fonttype": "path", "font.family": chart_fonts(), "svg.hashsalt": "kaigai"}
    )
    return plt.subplots(figsize=(width, height), dpi=100)


def _data_uri(fig: Any) -> str:
    import matplotlib.pyplot as plt

    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    return "data:image/svg+xml;base64," + base64.b64encode(buf.getvalue().encode("utf-8")).decode(
        "ascii"
    )


def _fig_label(key: str, lang: str) -> str:
    from kaigai.reports.html import label

    return label("fig", key, lang)


def _label(text: str, fallback: str, lang: str) -> str:
    """``text``, or ``fallback`` (English words, codes) when no font can draw Japanese."""
    return text if lang != "ja" or cjk_font() else fallback


def _draw_markets(product: Any, lang: str) -> str | None:
    """Horizontal bars per market: the engines'/data's USD figures (None when nothing to draw)."""
    keys = [
        k
        for k in ("untapped_usd", "potential_usd", "exports_usd", "imports_usd")
        if any(
            m.figures.get(k) is not None and m.figures[k].value is not None for m in product.markets
        )
    ]
    keys = keys[:2]
    if not keys or not product.markets:
        return None
    fig, ax = _fig(6.5, 0.45 * len(product.markets) + 1.2)
    names = [_label(m.name, m.iso3, lang) for m in product.markets][::-1]
    height = 0.8 / len(keys)
    for i, k in enumerate(keys):
        vals = [
            (m.figures[k].value or 0.0) / 1e6
            if m.figures.get(k) is not None and m.figures[k].value is not None
            else 0.0
            for m in product.markets
        ][::-1]
        ax.barh(
            [y + i * height for y in range(len(names))],
            vals,
            height=height,
            label=_label(_fig_label(k, lang), _fig_label(k, "en"), lang),
        )
    ax.set_yticks([y + height * (len(keys) - 1) / 2 for y in range(len(names))], names)
    ax.set_xlabel(_label(t("USD million", lang), "USD million", lang))
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    return _data_uri(fig)


def _draw_readiness(readiness: Any, lang: str, gap_below: float = 60.0) -> str:
    """Horizontal bars of the dimension scores with the gap threshold."""
    dims = list(readiness.dimensions)[::-1]
    fig, ax = _fig(6.5, 0.4 * len(dims) + 1.0)
    names = [_label(d.title.get(lang), d.id, lang) for d in dims]
    vals = [d.score if d.score is not None else 0.0 for d in dims]
    colors = [
        "#bbbbbb"
        if d.score is None
        else (
            "#c0392b" if d.status == "critical" else ("#e67e22" if d.status == "gap" else "#27ae60")
        )
        for d in dims
    ]
    ax.barh(names, vals, color=colors)
    ax.axvline(gap_below, color="#555555", linestyle="--", linewidth=1)
    ax.set_xlim(0, 100)
    ax.set_xlabel(_label(t("Score (0-100)", lang), "Score (0-100)", lang))
    ax.grid(axis="x", alpha=0.3)
    return _data_uri(fig)


def _draw_duty(product: Any, lang: str) -> str | None:
    """MFN vs best preferential rate per market, as reported by the duty engine."""
    rows = [
        m for m in product.markets
        if m.duty.status == "ok" and m.duty.figures.get("mfn_rate") is not None and m.duty.figures["mfn_rate"].value is not None
    ]  # fmt: skip
    if not rows:
        return None
    fig, ax = _fig(6.5, 0.45 * len(rows) + 1.2)
    names = [_label(m.name, m.iso3, lang) for m in rows][::-1]
    mfn = [m.duty.figures["mfn_rate"].value for m in rows][::-1]
    best = [
        (
            m.duty.figures["best_rate"].value
            if m.duty.figures.get("best_rate") is not None
            and m.duty.figures["best_rate"].value is not None
            else 0.0
        )
        for m in rows
    ][::-1]
    ys = list(range(len(rows)))
    ax.barh([y + 0.2 for y in ys], mfn, height=0.4, label="MFN", color="#95a5a6")
    ax.barh(
        [y - 0.2 for y in ys],
        best,
        height=0.4,
        label=_label(t("Best option", lang), "Best option", lang),
        color="#2980b9",
    )
    ax.set_yticks(ys, names)
    ax.set_xlabel("%")
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    return _data_uri(fig)


#: ``store(kind, spec, draw)``: the chart stored for ``spec`` or ``draw()`` (then kept).
ChartStore = Callable[[str, dict[str, Any], Callable[[], str | None]], str | None]
_STORE: ContextVar[ChartStore | None] = ContextVar("kaigai_chart_store", default=None)


@contextmanager
def chart_store(store: ChartStore | None) -> Iterator[None]:
    """Charts drawn inside the block are looked up in / kept by ``store`` (the application
    layer passes its stored results, :func:`kaigai.app.plan.render`): a chart whose figures,
    labels, language, fonts and matplotlib version are unchanged is not drawn again, and
    matplotlib is not even imported."""
    token = _STORE.set(store)
    try:
        yield
    finally:
        _STORE.reset(token)


def _env() -> dict[str, Any]:
    """What a drawing depends on besides its spec: matplotlib's version and the CJK font."""
    from importlib.metadata import version

    from kaigai.reports.fonts import cjk_family

    return {"matplotlib": version("matplotlib"), "cjk": cjk_family()}


def _cached(kind: str, spec: dict[str, Any], draw: Callable[[], str | None]) -> str | None:
    store = _STORE.get()
    if store is None:
        return draw()
    return store(kind, {**spec, "env": _env()}, draw)


def _v(f: Any) -> float | None:
    return None if f is None else f.value


def markets_chart(product: Any, lang: str) -> str | None:
    """Horizontal bars per market: the engines'/data's USD figures (None when nothing to draw)."""
    keys = ("untapped_usd", "potential_usd", "exports_usd", "imports_usd")
    spec = {"lang": lang, "markets": [
        [m.name, m.iso3, [_v(m.figures.get(k)) for k in keys]] for m in product.markets
    ]}  # fmt: skip
    return _cached("markets", spec, lambda: _draw_markets(product, lang))


def duty_chart(product: Any, lang: str) -> str | None:
    """MFN vs best preferential rate per market, as reported by the duty engine."""
    spec = {"lang": lang, "markets": [
        [m.name, m.iso3, m.duty.status, _v(m.duty.figures.get("mfn_rate")),
         _v(m.duty.figures.get("best_rate"))] for m in product.markets
    ]}  # fmt: skip
    return _cached("duty", spec, lambda: _draw_duty(product, lang))


def readiness_chart(readiness: Any, lang: str, gap_below: float = 60.0) -> str:
    """Horizontal bars of the dimension scores with the gap threshold."""
    spec = {"lang": lang, "gap_below": gap_below, "dims": [
        [d.id, d.title.get(lang), d.score, d.status] for d in readiness.dimensions
    ]}  # fmt: skip
    out = _cached("readiness", spec, lambda: _draw_readiness(readiness, lang, gap_below))
    assert out is not None
    return out


__all__ = [
    "chart_fonts",
    "chart_store",
    "cjk_font",
    "duty_chart",
    "markets_chart",
    "readiness_chart",
]
