"""Chart of a ranking: bars of untapped potential by market, coloured by risk (PNG/SVG/HTML).

HTML output is self-contained (inline SVG and CSS, no CDN, no script).
"""

from __future__ import annotations

import html
import io
from pathlib import Path

import pandas as pd

from kaigai.core.errors import InputError

FORMATS = (".png", ".svg", ".html")


def _figure(rows: pd.DataFrame, title: str):  # type: ignore[no-untyped-def]
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import cm, colors

    d = rows.sort_values("untapped_usd", ascending=True)
    norm = colors.Normalize(vmin=0, vmax=100)
    cmap = matplotlib.colormaps["RdYlGn_r"]
    col = [cmap(norm(r)) if pd.notna(r) else (0.7, 0.7, 0.7, 1.0) for r in d["risk"]]
    fig, ax = plt.subplots(figsize=(8, max(3.0, 0.35 * len(d) + 1.2)))
    ax.barh(d["market"], d["untapped_usd"] / 1e6, color=col)
    ax.set_xlabel("untapped export potential (USD million)")
    ax.set_title(title, fontsize=10)
    sm = cm.ScalarMappable(norm=norm, cmap=cmap)
    fig.colorbar(sm, ax=ax, label="market risk (0 low - 100 high; grey = no data)")
    fig.tight_layout()
    return fig


def save_chart(rows: pd.DataFrame, path: Path, title: str, notes: tuple[str, ...] = ()) -> Path:
    """Write the chart to ``path``; the suffix picks the format (.png, .svg, .html)."""
    import matplotlib.pyplot as plt

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise InputError(
            f"Chart format '{suffix or path.name}' is not supported.",
            hint="Use a file name ending in .png, .svg or .html.",
        )
    fig = _figure(rows, title)
    try:
        if suffix in (".png", ".svg"):
            fig.savefig(path, format=suffix[1:], dpi=150)
        else:
            buf = io.StringIO()
            fig.savefig(buf, format="svg")
            path.write_text(_html(buf.getvalue(), rows, title, notes), encoding="utf-8")
    finally:
        plt.close(fig)
    return path


def _html(svg: str, rows: pd.DataFrame, title: str, notes: tuple[str, ...]) -> str:
    svg = svg[svg.find("<svg") :]
    body = "".join(
        f"<tr><td>{int(r['rank'])}</td><td>{html.escape(str(r['market']))}</td>"
        f"<td>{html.escape(str(r['explanation']))}</td></tr>"
        for _, r in rows.iterrows()
    )
    items = "".join(f"<li>{html.escape(n)}</li>" for n in notes)
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>body{{font-family:sans-serif;margin:2em}}"
        "td{padding:2px 8px;vertical-align:top}table{border-collapse:collapse}"
        "tr:nth-child(even){background:#f4f4f4}</style></head><body>"
        f"<h1>{html.escape(title)}</h1>{svg}<table><tr><th>#</th><th>market</th>"
        f"<th>why</th></tr>{body}</table><ul>{items}</ul></body></html>"
    )


__all__ = ["FORMATS", "save_chart"]
