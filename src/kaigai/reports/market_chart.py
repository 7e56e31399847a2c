"""Chart of a market ranking: bars of untapped potential by market, coloured by risk (PNG/SVG/HTML).

Labels are in the reader's language (markets by name, axis and colour-bar titles through the
message catalogue); Japanese text is drawn with the font fontconfig found
(:func:`kaigai.reports.charts.cjk_font`). HTML output is self-contained (inline SVG and CSS,
no CDN, no script).
"""

from __future__ import annotations

import html
import io
from pathlib import Path
from typing import Any

import pandas as pd

from kaigai.core.countries import country_label
from kaigai.core.errors import InputError
from kaigai.core.i18n import check_lang, t, tr

FORMATS = (".png", ".svg", ".html")


def _figure(rows: pd.DataFrame, title: str, lang: str) -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import cm, colors

    from kaigai.reports.charts import chart_fonts

    d = rows.sort_values("untapped_usd", ascending=True)
    norm = colors.Normalize(vmin=0, vmax=100)
    cmap = matplotlib.colormaps["RdYlGn_r"]
    col = [cmap(norm(r)) if pd.notna(r) else (0.7, 0.7, 0.7, 1.0) for r in d["risk"]]
    with plt.rc_context({"font.family": chart_fonts(lang == "ja"), "svg.hashsalt": "kaigai"}):
        fig, ax = plt.subplots(figsize=(8, max(3.0, 0.35 * len(d) + 1.2)))
        names = [country_label(str(m), lang) for m in d["market"]]
        ax.barh(names, d["untapped_usd"] / 1e6, color=col)
        ax.set_xlabel(t("untapped export potential (USD million)", lang))
        ax.set_title(title, fontsize=10)
        sm = cm.ScalarMappable(norm=norm, cmap=cmap)
        fig.colorbar(sm, ax=ax, label=t("market risk (0 low - 100 high; grey = no data)", lang))
        fig.tight_layout()
    return fig


def chart_title(exporter: str, hs: str, lang: str = "en") -> str:
    """``JPN -> markets, HS 847130: untapped potential by market (colour = risk)``."""
    lg = check_lang(lang)
    name = exporter if lg == "en" else country_label(exporter, lg)
    return t("{exporter} -> markets, HS {hs}: untapped potential by market (colour = risk)",
             lg, exporter=name, hs=hs)  # fmt: skip


def save_chart(
    rows: pd.DataFrame, path: Path, title: str, notes: tuple[str, ...] = (), lang: str = "en"
) -> Path:
    """Write the chart to ``path``; the suffix picks the format (.png, .svg, .html)."""
    import matplotlib.pyplot as plt

    lg = check_lang(lang)
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise InputError(
            f"Chart format '{suffix or path.name}' is not supported.",
            hint="Use a file name ending in .png, .svg or .html.",
        )
    fig = _figure(rows, title, lg)
    try:
        if suffix in (".png", ".svg"):
            fig.savefig(path, format=suffix[1:], dpi=150)
        else:
            buf = io.StringIO()
            fig.savefig(buf, format="svg")
            path.write_text(_html(buf.getvalue(), rows, title, notes, lg), encoding="utf-8")
    finally:
        plt.close(fig)
    return path


def _html(svg: str, rows: pd.DataFrame, title: str, notes: tuple[str, ...], lang: str) -> str:
    svg = svg[svg.find("<svg") :]
    body = "".join(
        f"<tr><td>{int(r['rank'])}</td><td>{html.escape(country_label(str(r['market']), lang))}"
        f"</td><td>{html.escape(str(r['explanation']))}</td></tr>"
        for _, r in rows.iterrows()
    )
    items = "".join(
        f"<li>{html.escape(t('note: {text}', lang, text=tr(n, lang)) if lang != 'en' else n)}</li>"
        for n in notes
    )
    return (
        f"<!doctype html><html lang='{lang}'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>body{{font-family:sans-serif;margin:2em}}"
        "td{padding:2px 8px;vertical-align:top}table{border-collapse:collapse}"
        "tr:nth-child(even){background:#f4f4f4}</style></head><body>"
        f"<h1>{html.escape(title)}</h1>{svg}<table><tr><th>#</th>"
        f"<th>{html.escape(t('market', lang))}</th><th>{html.escape(t('why', lang))}</th></tr>"
        f"{body}</table><ul>{items}</ul></body></html>"
    )


__all__ = ["FORMATS", "chart_title", "save_chart"]
