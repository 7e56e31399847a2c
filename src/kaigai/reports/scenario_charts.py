"""Charts of a scenario report (matplotlib -> base64 PNG), labelled in the reader's language.

Japanese labels are drawn with the font fontconfig found (:func:`kaigai.reports.charts.chart_fonts`).
"""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from kaigai.core.i18n import t, term, tr
from kaigai.policy.scenarios_run import ScenarioResult


@contextmanager
def _style(lang: str) -> Iterator[Any]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from kaigai.reports.charts import chart_fonts

    with plt.rc_context({"font.family": chart_fonts(lang == "ja")}):
        yield plt


def _png(fig: Any) -> str:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def scenario_title(res: ScenarioResult, lang: str) -> str:
    """The scenario's title in ``lang`` (``title_ja`` in Japanese when the scenario has one)."""
    s = res.scenario
    return s.title_ja or s.title if lang == "ja" else s.title


def size_label(name: str, lang: str) -> str:
    """A firm size class for reading (``small`` -> 小規模（20人以下） in Japanese)."""
    return name if lang == "en" else t(f"size:{name}", lang)


def welfare_chart(res: ScenarioResult, top: int = 20, lang: str = "en") -> str | None:
    """Bar chart of real GDP changes (largest absolute), with Monte Carlo bands."""
    if res.ge is None:
        return None
    g = res.ge
    order = np.argsort(-np.abs(g.real_gdp_pct))[:top]
    order = order[np.argsort(g.real_gdp_pct[order])]
    with _style(lang) as plt:
        fig, ax = plt.subplots(figsize=(8, max(3, 0.28 * len(order))))
        vals = g.real_gdp_pct[order]
        colors = ["#2b8a3e" if v >= 0 else "#c92a2a" for v in vals]
        xerr = None
        if res.ge_mc is not None:
            b = res.ge_mc.band("real_gdp")
            xerr = np.vstack(
                [np.maximum(vals - b["lower"][order], 0), np.maximum(b["upper"][order] - vals, 0)]
            )
        ax.barh([g.countries[k] for k in order], vals, color=colors, xerr=xerr, ecolor="#444",
                capsize=2)  # fmt: skip
        ax.axvline(0, color="#333", lw=0.8)
        ax.set_xlabel(t("real GDP / welfare change (%)", lang))
        kind = term("ge", g.kind, lang)
        title = t("{title}: real GDP ({kind} GE, sigma={sigma})", lang,
                  title=scenario_title(res, lang), kind=kind, sigma=f"{g.sigma:g}")  # fmt: skip
        if res.ge_mc is not None:
            title += "\n" + t("{level} Monte Carlo bands, {n} draws", lang,
                              level=f"{res.ge_mc.level:.0%}", n=res.ge_mc.n_draws)  # fmt: skip
        ax.set_title(title, fontsize=10)
        return _png(fig)


def exporter_chart(res: ScenarioResult, lang: str = "en") -> str | None:
    """Exporter share and FTA utilisation by firm size, baseline vs scenario."""
    if res.firms is None:
        return None
    rows = res.firms.by_size
    names = [size_label(r["size_class"], lang) for r in rows]
    x = np.arange(len(names))
    with _style(lang) as plt:
        fig, axes = plt.subplots(1, 2, figsize=(9, 3.2))
        for ax, key, label in (
            (axes[0], "exporter_share", "exporters (% of firms)"),
            (axes[1], "fta_utilisation_firms", "FTA users (% of exporters to FTA markets)"),
        ):
            base = [100 * (r[f"{key}_base"] or 0) for r in rows]
            new = [100 * (r[f"{key}_new"] or 0) for r in rows]
            ax.bar(x - 0.2, base, 0.4, label=t("baseline", lang), color="#adb5bd")
            ax.bar(x + 0.2, new, 0.4, label=t("scenario", lang), color="#1c7ed6")
            ax.set_xticks(x, names, fontsize=8 if lang == "ja" else None)
            ax.set_title(t(label, lang), fontsize=10)
            small = min((b for b in base if b > 0), default=1.0) < 1
            ax.set_yscale("log" if key == "exporter_share" and small else "linear")
        axes[0].legend(fontsize=8)
        fig.suptitle(t("{title}: firms by size", lang, title=scenario_title(res, lang)),
                     fontsize=11, y=1.04)  # fmt: skip
        return _png(fig)


def fta_use_chart(block: dict[str, Any], lang: str = "en") -> str | None:
    """EPA-rate imports by agreement and year (billion yen), the largest agreements."""
    rows = block.get("by_agreement") or []
    if not rows:
        return None
    tot: dict[str, float] = {}
    for r in rows:
        tot[r["agreement"]] = tot.get(r["agreement"], 0.0) + r["value_bn_jpy"]
    top = sorted(tot, key=lambda a: -tot[a])[:8]
    with _style(lang) as plt:
        fig, ax = plt.subplots(figsize=(8, 3.4))
        for a in top:
            pts = sorted((r["year"], r["value_bn_jpy"]) for r in rows if r["agreement"] == a)
            name = next(r["name"] for r in rows if r["agreement"] == a)
            ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", ms=3,
                    label=tr(name, lang))  # fmt: skip
        ax.set_ylabel(t("billion yen (CIF)", lang))
        ax.set_title(t("Japan's imports entered under an EPA rate, by agreement", lang),
                     fontsize=10)  # fmt: skip
        ax.legend(fontsize=7, ncol=2)
        return _png(fig)


__all__ = ["exporter_chart", "fta_use_chart", "scenario_title", "size_label", "welfare_chart"]
