"""Small server-side SVG charts (no JavaScript, no external assets; CSP-friendly)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from html import escape


def bar_chart(
    labels: Sequence[str],
    values: Sequence[float | None],
    *,
    title: str,
    unit: str = "",
    width: int = 640,
    bar_h: int = 22,
) -> str:
    """Horizontal bars with value labels; missing values are drawn as 'n/a', not 0."""
    n = len(labels)
    h = 30 + n * (bar_h + 6)
    vals = [v for v in values if v is not None and not math.isnan(v)]
    vmax = max([abs(v) for v in vals], default=1.0) or 1.0
    left, right = 120, 110
    span = width - left - right
    parts = [
        f'<svg role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {h}" width="100%" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
    ]
    for i, (lab, v) in enumerate(zip(labels, values, strict=True)):
        y = 20 + i * (bar_h + 6)
        parts.append(
            f'<text x="{left - 6}" y="{y + bar_h * 0.7:.0f}" text-anchor="end">{escape(lab)}</text>'
        )
        if v is None or math.isnan(v):
            parts.append(f'<text x="{left + 4}" y="{y + bar_h * 0.7:.0f}">n/a</text>')
            continue
        w = max(1.0, span * abs(v) / vmax)
        parts.append(f'<rect class="bar" x="{left}" y="{y}" width="{w:.1f}" height="{bar_h}"/>')
        parts.append(
            f'<text x="{left + w + 4:.1f}" y="{y + bar_h * 0.7:.0f}">{_fmt(v)}{escape(unit)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def point_map(
    points: Sequence[tuple[str, float, float, float]], *, title: str, width: int = 720
) -> str:
    """Markets placed by longitude/latitude (equirectangular), circle area ~ value."""
    height = width / 2
    vmax = max((p[3] for p in points), default=1.0) or 1.0
    parts = [
        f'<svg role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" width="100%" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#eef3f8" stroke="#c8c8c8"/>',
    ]
    for lon in range(-150, 180, 30):
        x = (lon + 180) / 360 * width
        parts.append(f'<line x1="{x:.0f}" y1="0" x2="{x:.0f}" y2="{height}" stroke="#d5dde6"/>')
    for lat in range(-60, 90, 30):
        y = (90 - lat) / 180 * height
        parts.append(f'<line x1="0" y1="{y:.0f}" x2="{width}" y2="{y:.0f}" stroke="#d5dde6"/>')
    for iso, plat, plon, v in points:
        x, y = (plon + 180) / 360 * width, (90 - plat) / 180 * height
        r = 3 + 22 * math.sqrt(max(v, 0) / vmax)
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="#0b5394" fill-opacity="0.55" '
            f'stroke="#0b5394"><title>{escape(iso)}: {_fmt(v)}</title></circle>'
        )
        parts.append(f'<text x="{x + r + 2:.1f}" y="{y + 4:.1f}">{escape(iso)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def line_chart(
    series: Mapping[str, Sequence[tuple[str, float | None]]],
    *,
    title: str,
    unit: str = "%",
    width: int = 640,
    height: int = 240,
) -> str:
    """One line per series over shared x labels (e.g. duty rate per option over the years)."""
    xs = sorted({x for pts in series.values() for x, _ in pts})
    ys = [y for pts in series.values() for _, y in pts if y is not None]
    if not xs or not ys:
        return ""
    ymax = max(ys) or 1.0
    left, bottom, top, right = 40, 30, 10, 90
    pw, ph = width - left - right, height - top - bottom

    def px(i: int) -> float:
        return left + (pw * i / max(len(xs) - 1, 1))

    def py(y: float) -> float:
        return top + ph * (1 - y / ymax)

    colours = ["#0b5394", "#a4161a", "#1e6b34", "#7a4f01", "#5b2a86", "#00626a"]
    parts = [
        f'<svg role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" width="100%" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
        f'<line x1="{left}" y1="{top + ph}" x2="{left + pw}" y2="{top + ph}" stroke="#767676"/>',
    ]
    for i, x in enumerate(xs):
        parts.append(
            f'<text x="{px(i):.0f}" y="{height - 8}" text-anchor="middle">{escape(x)}</text>'
        )
    parts.append(f'<text x="4" y="{top + 10}">{_fmt(ymax)}{escape(unit)}</text>')
    ends: list[tuple[float, float, str, str]] = []  # (y, x, colour, name) of each line's end
    for k, (name, pts) in enumerate(series.items()):
        c = colours[k % len(colours)]
        d = {x: y for x, y in pts}
        coords = [(px(i), py(float(y))) for i, x in enumerate(xs) if (y := d.get(x)) is not None]
        if coords:
            path = " ".join(f"{a:.1f},{b:.1f}" for a, b in coords)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{c}" stroke-width="2"/>')
            ends.append((coords[-1][1], coords[-1][0], c, name))
    # Lines ending at one rate lie on top of each other: one label names them all ("CPTPP, RCEP"),
    # written along the line's end inside the plot; labels of nearby lines are kept apart.
    groups: dict[int, list[tuple[float, float, str, str]]] = {}
    for e in ends:
        groups.setdefault(round(e[0]), []).append(e)
    last = -math.inf
    for _, grp in sorted(groups.items()):
        ey, ex, c = grp[-1][0], grp[-1][1], grp[-1][2]  # the line drawn last is the one seen
        y = ey - 5 if ey - 5 > top + 12 else ey + 15
        y = max(y, last + 14)
        last = y
        label = ", ".join(g[3] for g in grp)
        parts.append(
            f'<text x="{ex:.0f}" y="{y:.0f}" text-anchor="end" fill="{c}">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _fmt(v: float) -> str:
    a = abs(v)
    if a >= 1e9:
        return f"{v / 1e9:.1f}bn"
    if a >= 1e6:
        return f"{v / 1e6:.1f}m"
    if a >= 1e3:
        return f"{v:,.0f}"
    return f"{v:.3g}"


__all__ = ["bar_chart", "line_chart", "point_map"]
