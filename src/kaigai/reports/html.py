"""Render an export plan as one self-contained HTML page (Jinja2; charts inline; no CDN).

Every figure is printed with a footnote link to its provenance (dataset, edition, row,
source) in the "Sources of the figures" list at the end of the page.
"""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from kaigai.core.i18n import PLAN, format_money, join_clauses, join_list, pt, t, tr
from kaigai.core.provenance import Figure, Provenance
from kaigai.reports import charts

FIG_ORDER = (
    "score", "untapped_usd", "potential_usd", "exports_usd", "imports_usd", "risk",
    "import_growth", "distance_km",
)  # fmt: skip


def format_value(f: Figure, lang: str = "en") -> str:
    """Human text of a figure's value (no rounding beyond display); money through
    :func:`kaigai.core.i18n.format_money` (``USD 3.9m`` / ``3.9百万ドル``, ``90万円``)."""
    v = f.value
    if v is None:
        return t("n/a", lang)
    unit = f.unit
    if unit in ("USD", "JPY") or unit.isupper() and len(unit) == 3:
        return format_money(v, unit, lang)
    if unit == "%":
        return f"{v:,.2f}%"
    if unit == "share":  # a ratio shown as a percentage (display only)
        return f"{v:+.0%}"
    if unit == "pts":
        return f"{v:,.1f}ポイント" if lang == "ja" else f"{v:,.1f} pts"
    if unit in ("", "score", "index"):
        return f"{v:,.1f}"
    if unit == "km" and lang == "ja":
        return f"{v:,.1f}km"
    return f"{v:,.1f} {unit}"


class _Cites:
    """Collects provenance records in order of first citation."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.prov: list[Provenance] = []
        self.ext: list[Any] = []

    def fig(self, f: Figure | None) -> Markup:
        if f is None:
            return Markup("—")
        text = escape(format_value(f, self.lang))
        if f.value is None:
            text = Markup('<span class="missing">') + text + Markup("</span>")
        refs = []
        for p in f.provenance:
            if p not in self.prov:
                self.prov.append(p)
            n = self.prov.index(p) + 1
            refs.append(Markup('<sup><a href="#src-{0}">[{0}]</a></sup>').format(n))
        return text + Markup("").join(refs)

    def ext_ref(self, s: Any) -> int:
        key = (s.label, s.url)
        keys = [(x.label, x.url) for x in self.ext]
        if key not in keys:
            self.ext.append(s)
            return len(self.ext)
        return keys.index(key) + 1


def option_cell(key: str, value: Any, currency: str, lang: str) -> str:
    """One cell of a duty options table: the duty amount as money in the firm's currency,
    statuses and rate texts in ``lang`` (engine words translated here, see :func:`tr`)."""
    if value is None:
        return "—"
    if key == "duty" and isinstance(value, int | float):
        return format_money(value, currency, lang)
    if key == "status":
        out = t(f"duty-status:{value}", lang)
        return str(value) if out == f"duty-status:{value}" else out
    if key in ("rate", "rule_of_origin"):
        return tr(str(value), lang)
    return str(value)


_SUBSET = " [starter pack subset]"


def source_title(source: str, lang: str) -> Markup:
    """A dataset's source title as written (marked ``lang="en"`` in a Japanese page: a quoted
    title), with kaigai's own annotation of a starter-pack copy in ``lang``."""
    subset = source.endswith(_SUBSET)
    title = source.removesuffix(_SUBSET)
    out = Markup('<span lang="en">{}</span>').format(title) if lang == "ja" else escape(title)
    return out + (" " + t(_SUBSET.strip(), lang) if subset else "")


def label(prefix: str, key: str, lang: str) -> str:
    """Translated label of a keyed term (``fig:``, ``status:``, ...); the bare key if none."""
    msgid = f"{prefix}:{key}"
    out = t(msgid, lang)
    return key.replace("_", " ") if out == msgid else out


def _env() -> Environment:
    return Environment(
        loader=PackageLoader("kaigai.reports", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def fig_keys(product: Any) -> list[str]:
    keys: list[str] = []
    for m in product.markets:
        for k in m.figures:
            if k not in keys:
                keys.append(k)
    return sorted(keys, key=lambda k: (FIG_ORDER.index(k) if k in FIG_ORDER else len(FIG_ORDER), k))


def _duty_range(m: Any, lang: str) -> str:
    """Summary cell for a product with several national lines: options and rate range."""
    lo, hi = m.duty.figures.get("best_rate_min"), m.duty.figures.get("best_rate_max")
    rate = ""
    if lo is not None and hi is not None and lo.value is not None and hi.value is not None:
        rate = f" {lo.value:g}%" if lo.value == hi.value else f" {lo.value:g}–{hi.value:g}%"
    return t(
        "{options}{rate} (range over {n} lines)",
        lang,
        options="/".join(m.duty.best_options),
        rate=rate,
        n=len(m.duty.lines),
    )


#: CSS fallbacks after the font fontconfig found (browsers pick the first one installed).
FONT_FALLBACKS = (
    "DejaVu Sans", "IPAGothic", "IPAexGothic", "Noto Sans CJK JP", "Hiragino Sans", "Yu Gothic",
)  # fmt: skip


def font_family(lang: str, found: str | None) -> str:
    """The CSS ``font-family`` list: in Japanese the font fontconfig found comes first, so
    WeasyPrint uses it for every glyph; in English DejaVu Sans leads and the found font follows."""
    names = list(FONT_FALLBACKS)
    if found:
        names = [n for n in names if n != found]
        names.insert(0 if lang == "ja" else 1, found)
    clean = ("".join(c for c in n if c not in '"<>\\;{}') for n in names)
    return ", ".join(f'"{n}"' for n in clean) + ", sans-serif"


def render_html(plan: Any) -> str:
    """The plan as a complete HTML document (str)."""
    from kaigai.readiness import load_questionnaire

    lang = plan.lang
    cites = _Cites(lang)
    chart_data = {
        "markets": {p.hs6: charts.markets_chart(p, lang) for p in plan.products},
        "duty": {p.hs6: charts.duty_chart(p, lang) for p in plan.products},
        "readiness": charts.readiness_chart(plan.readiness, lang, load_questionnaire().gap_below),
    }
    from kaigai.reports.fonts import cjk_family

    tmpl = _env().get_template("plan.html.j2")
    return tmpl.render(
        plan=plan,
        font_family=Markup(font_family(lang, cjk_family() if lang == "ja" else None)),
        qn=load_questionnaire(),
        charts=chart_data,
        t=lambda msgid, **kw: pt(PLAN, msgid, lang, **kw),  # the plan's words first
        label=lambda prefix, key: label(prefix, key, lang),
        fig=cites.fig,
        fig_keys=fig_keys,
        cited=lambda: cites.prov,
        ext=cites.ext_ref,
        ext_list=lambda: cites.ext,
        duty_range=lambda m: _duty_range(m, lang),
        tr=lambda text: tr(str(text), lang),
        trs=lambda texts: [tr(str(x), lang) for x in texts],
        join_list=lambda items: join_list(items, lang),
        join_clauses=lambda items: join_clauses(items, lang),
        source_title=lambda source: source_title(source, lang),
        cell=lambda key, value: option_cell(key, value, plan.firm.get("currency", "JPY"), lang),
    )


__all__ = ["fig_keys", "format_value", "render_html"]
