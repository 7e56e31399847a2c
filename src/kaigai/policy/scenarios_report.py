"""Self-contained HTML report of a scenario run: tables and matplotlib charts as base64 PNGs.

No external resources (no CDN, no fonts, no scripts): the file opens offline.
"""

from __future__ import annotations

import base64
import html
import io
from typing import Any

import numpy as np

from kaigai.policy.scenarios_run import ScenarioResult

CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2rem auto;max-width:980px;color:#1b1b1b;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.6rem 0;font-size:.9rem}th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:right}
th{background:#f1f3f5}td:first-child,th:first-child{text-align:left}.muted{color:#555;font-size:.85rem}
img{max-width:100%;height:auto}code{background:#f4f4f4;padding:0 .2rem}
"""


def _png(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _fmt(v: Any, pct: bool = False, digits: int = 3) -> str:
    if v is None or (isinstance(v, float) and not np.isfinite(v)):
        return "–"
    if isinstance(v, float | int | np.floating):
        return f"{100 * v:.1f}%" if pct else f"{v:,.{digits}f}"
    return html.escape(str(v))


def _table(headers: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def welfare_chart(res: ScenarioResult, top: int = 20) -> str | None:
    """Bar chart of real GDP changes (largest absolute), with Monte Carlo bands."""
    if res.ge is None:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    g = res.ge
    order = np.argsort(-np.abs(g.real_gdp_pct))[:top]
    order = order[np.argsort(g.real_gdp_pct[order])]
    fig, ax = plt.subplots(figsize=(8, max(3, 0.28 * len(order))))
    vals = g.real_gdp_pct[order]
    colors = ["#2b8a3e" if v >= 0 else "#c92a2a" for v in vals]
    xerr = None
    if res.ge_mc is not None:
        b = res.ge_mc.band("real_gdp")
        xerr = np.vstack(
            [np.maximum(vals - b["lower"][order], 0), np.maximum(b["upper"][order] - vals, 0)]
        )
    ax.barh(
        [g.countries[k] for k in order], vals, color=colors, xerr=xerr, ecolor="#444", capsize=2
    )
    ax.axvline(0, color="#333", lw=0.8)
    ax.set_xlabel("real GDP / welfare change (%)")
    title = f"{res.scenario.title}: real GDP ({g.kind} GE, sigma={g.sigma:g})"
    if res.ge_mc is not None:
        title += f"\n{res.ge_mc.level:.0%} Monte Carlo bands, {res.ge_mc.n_draws} draws"
    ax.set_title(title, fontsize=10)
    return _png(fig)


def exporter_chart(res: ScenarioResult) -> str | None:
    """Exporter share and FTA utilisation by firm size, baseline vs scenario."""
    if res.firms is None:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = res.firms.by_size
    names = [r["size_class"] for r in rows]
    x = np.arange(len(names))
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.2))
    for ax, key, label in (
        (axes[0], "exporter_share", "exporters (% of firms)"),
        (axes[1], "fta_utilisation_firms", "FTA users (% of exporters to FTA markets)"),
    ):
        base = [100 * (r[f"{key}_base"] or 0) for r in rows]
        new = [100 * (r[f"{key}_new"] or 0) for r in rows]
        ax.bar(x - 0.2, base, 0.4, label="baseline", color="#adb5bd")
        ax.bar(x + 0.2, new, 0.4, label="scenario", color="#1c7ed6")
        ax.set_xticks(x, names)
        ax.set_title(label, fontsize=10)
        ax.set_yscale(
            "log" if key == "exporter_share" and min(b for b in base if b > 0) < 1 else "linear"
        )
    axes[0].legend(fontsize=8)
    fig.suptitle(f"{res.scenario.title}: firms by size", fontsize=11, y=1.04)
    return _png(fig)


def _codes(xs: list[str]) -> str:
    return html.escape(", ".join(xs)) if xs else "none"


def baseline_html(res: ScenarioResult, provenance: list[str] | None) -> list[str]:
    """Which year and source the GE baseline comes from, what is imputed, who is modelled."""
    b = res.baseline
    if not b:
        return []
    src = (provenance or [b["dataset"]])[0]
    out = [
        "<h3>Baseline</h3>",
        f"<p id='baseline'>Data year <b>{html.escape(str(b['year']))}</b>; source: "
        f"{html.escape(src)}. {b['countries']} countries with domestic flows.</p>",
        f"<p>Agreement parties modelled: {_codes(b['parties_modelled'])}. "
        f"Not modelled (absent from the data): {_codes(b['parties_not_modelled'])}.</p>",
    ]
    if b.get("imputed_domestic") is not None:
        out.append(
            f"<p>Domestic flows <b>imputed</b> (not observed) for {len(b['imputed_domestic'])} "
            f"countries, of which agreement parties: {_codes(b['parties_imputed_domestic'])}. "
            f"All imputed: <span class='muted'>{_codes(b['imputed_domestic'])}</span>.</p>"
        )
    if b.get("flows_from_itpde"):
        out.append(
            f"<p class='muted'>International flows taken from ITPD-E R02 2016 (empty in the "
            f"source matrix): {_codes(b['flows_from_itpde'])}.</p>"
        )
    return out


def sensitivity_html(res: ScenarioResult) -> list[str]:
    """Headline with the imputed-domestic countries dropped or their domestic flows scaled."""
    sv = res.sensitivity
    if not sv:
        return []
    h = sv["headline"]
    out = ["<h3>Sensitivity to imputed domestic flows</h3>"]
    if h is not None:
        out.append(
            f"<p id='sensitivity'>Headline: {html.escape(sv['headline_country'])} real GDP "
            f"{h['full']:+.3f}% with all {sv['countries_full']} countries; "
            f"{h['excluded']:+.3f}% without the {len(sv['imputed_countries'])} countries whose "
            f"domestic flow is imputed ({sv['countries_excluded_run']} countries left; "
            f"difference {h['excluded_diff']:+.3f} pp); {h['domestic_x0.5']:+.3f}% / "
            f"{h['domestic_x2']:+.3f}% with their imputed domestic flows halved / doubled.</p>"
        )
    rows = []
    for r in sv["parties"]:
        rows.append(
            [
                html.escape(r["country"]) + (" (imputed)" if r["imputed"] else ""),
                _fmt(r["full"]),
                *(
                    "not modelled" if r[k] is None else f"{r[k]:.3f} ({r[k + '_diff']:+.3f})"
                    for k in ("excluded", "domestic_x0.5", "domestic_x2")
                ),
            ]
        )
    out.append(
        _table(
            [
                "party",
                "real GDP % (full)",
                "imputed countries dropped",
                "imputed domestic x0.5",
                "imputed domestic x2",
            ],  # fmt: skip
            rows,
        )
    )
    out.append(f"<p class='muted'>{html.escape(sv['method'])}.</p>")
    return out


def fta_use_chart(block: dict[str, Any]) -> str | None:
    """EPA-rate imports by agreement and year (billion yen), the largest agreements."""
    rows = block.get("by_agreement") or []
    if not rows:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    tot: dict[str, float] = {}
    for r in rows:
        tot[r["agreement"]] = tot.get(r["agreement"], 0.0) + r["value_bn_jpy"]
    top = sorted(tot, key=lambda a: -tot[a])[:8]
    fig, ax = plt.subplots(figsize=(8, 3.4))
    for a in top:
        pts = sorted((r["year"], r["value_bn_jpy"]) for r in rows if r["agreement"] == a)
        name = next(r["name"] for r in rows if r["agreement"] == a)
        ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", ms=3, label=name)
    ax.set_ylabel("billion yen (CIF)")
    ax.set_title("Japan's imports entered under an EPA rate, by agreement", fontsize=10)
    ax.legend(fontsize=7, ncol=2)
    return _png(fig)


def fta_use_html(res: ScenarioResult) -> list[str]:
    """Observed EPA use by agreement over time, partner utilisation, the calibration target."""
    b = res.fta_use
    if not b:
        return []
    out = ["<h2>Observed FTA use (Japan's imports under EPAs)</h2>"]
    chart = fta_use_chart(b)
    if chart:
        out.append(f"<img alt='EPA use by agreement over time' src='{chart}'>")
    years = sorted({r["year"] for r in b["by_agreement"]})
    names = sorted({(r["agreement"], r["name"]) for r in b["by_agreement"]})
    val = {(r["agreement"], r["year"]): r["value_bn_jpy"] for r in b["by_agreement"]}
    out.append(
        _table(
            ["agreement (billion yen)", *map(str, years)],
            [[html.escape(n), *(_fmt(val.get((a, y)), digits=0) for y in years)] for a, n in names],
        )
    )
    if b.get("utilisation"):
        out.append(
            f"<p>Utilisation in {b['utilisation_year']} for the simulator's preference markets "
            "(EPA-rate imports / goods imports; / dutiable goods imports):</p>"
        )
        out.append(
            _table(
                [
                    "partner",
                    "EPA imports (USD mn)",
                    "goods imports (USD mn)",
                    "dutiable share",
                    "EPA share of imports",
                    "utilisation of dutiable imports",
                ],  # fmt: skip
                [
                    [
                        html.escape(u["country"]),
                        _fmt(u["epa_usd_mn"], digits=0),
                        _fmt(u["imports_usd_mn"], digits=0),
                        _fmt(u["dutiable_share"], True),
                        _fmt(u["epa_share"], True),
                        _fmt(u["utilisation"], True)
                        + (
                            " (above 100%: dutiable share from 2024 trade)"
                            if (u["utilisation"] or 0) > 1
                            else ""
                        ),
                    ]
                    for u in b["utilisation"]
                ],
            )
        )
    if b.get("calibration_label"):
        out.append(
            f"<p id='fta-target'>Simulator FTA-use target: {html.escape(b['calibration_label'])}.</p>"
        )
    out.append(f"<p class='muted'>Sources: {html.escape(b['source'])}.</p>")
    return out


def render_html(res: ScenarioResult, provenance: list[str] | None = None) -> str:
    """The whole report as one HTML string."""
    s = res.scenario
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{html.escape(s.title)} — kaigai policy lab</title><style>{CSS}</style></head><body>",
        f"<h1>{html.escape(s.title)}</h1>",
    ]
    if s.title_ja:
        parts.append(f"<p class='muted'>{html.escape(s.title_ja)}</p>")
    if s.description:
        parts.append(f"<p>{html.escape(s.description)}</p>")
    parts.append(
        f"<p class='muted'>Scenario <code>{html.escape(s.id)}</code>, evaluated in {s.year}; home country {s.home}.</p>"
    )
    if s.agreements:
        parts.append("<h2>Agreements</h2>")
        parts.append(
            _table(
                ["id", "parties", "start", "cut (full)", f"cut in {s.year}", "in baseline"],
                [
                    [
                        html.escape(a.id),
                        html.escape(" ".join(a.parties)),
                        str(a.start_year),
                        _fmt(a.tariff_cut, True),
                        _fmt(a.cut_in(s.year), True),
                        "yes" if a.in_baseline else "no",
                    ]
                    for a in s.agreements
                ],
            )
        )
    if res.ge is not None:
        g = res.ge
        parts.append("<h2>General equilibrium</h2>")
        parts.extend(baseline_html(res, provenance))
        chart = welfare_chart(res)
        if chart:
            parts.append(f"<img alt='real GDP change by country' src='{chart}'>")
        band = res.ge_mc.band("real_gdp") if res.ge_mc is not None else None
        order = np.argsort(-g.real_gdp_pct)
        rows = []
        for k in order:
            r = [
                html.escape(g.countries[k]),
                _fmt(g.real_gdp_pct[k]),
                _fmt(g.exports_pct[k]),
                _fmt(g.imports_pct[k]),
                _fmt(g.factory_price_pct[k]),
                _fmt(g.imr_pct[k]),
                _fmt(g.omr_pct[k]),
            ]
            if band is not None:
                r.append(f"{band['lower'][k]:.3f} … {band['upper'][k]:.3f}")
            rows.append(r)
        headers = [
            "country",
            "real GDP %",
            "exports %",
            "imports %",
            "factory-gate price %",
            "inward MR %",
            "outward MR %",
        ]
        if band is not None:
            headers.append(f"real GDP {res.ge_mc.level:.0%} band")  # type: ignore[union-attr]
        parts.append(_table(headers, rows))
        c = g.convergence
        parts.append(
            f"<p class='muted'>Convergence: {html.escape(c.method)}, {c.iterations} iterations, max change {c.max_change:.1e} (tolerance {c.tol:.0e}).</p>"
        )
        parts.extend(sensitivity_html(res))
    if res.firms is not None:
        f = res.firms
        parts.append("<h2>Small-firm export simulator</h2>")
        chart = exporter_chart(res)
        if chart:
            parts.append(f"<img alt='exporter share by firm size' src='{chart}'>")
        keys = [
            ("firms", "firms", False),
            ("exporters_base", "exporters (baseline)", False),
            ("exporters_new", "exporters (scenario)", False),
            ("new_exporters", "new exporters", False),
            ("exporter_share_base", "exporter share (baseline)", True),
            ("exporter_share_new", "exporter share (scenario)", True),
            ("new_exporters_sales", "export sales of new exporters", False),
            ("fta_utilisation_firms_base", "FTA utilisation, firms (baseline)", True),
            ("fta_utilisation_firms_new", "FTA utilisation, firms (scenario)", True),
            ("jobs_in_exporters_base", "jobs in exporting firms (baseline)", False),
            ("jobs_in_exporters_new", "jobs in exporting firms (scenario)", False),
            ("fdi_firms_new", "firms with a plant abroad (scenario)", False),
        ]
        cols = ["all", *[r["size_class"] for r in f.by_size]]
        rows = []
        for key, label, pct in keys:
            vals = [f.summary.get(key), *[r.get(key) for r in f.by_size]]
            rows.append([html.escape(label), *[_fmt(v, pct, 0 if not pct else 3) for v in vals]])
        parts.append(_table(["", *cols], rows))
        cal = f.calibration
        parts.append(
            f"<p class='muted'>Calibration: exporter share of {html.escape(str(cal.get('size_class')))} firms "
            f"{_fmt(cal.get('achieved_share'), True)} (target {_fmt(cal.get('target_share'), True)}); "
            f"export fixed cost {_fmt(cal.get('export_fixed_cost'))}; FTA fixed cost {_fmt(cal.get('fta_fixed_cost'))} x f_x. "
            "Sales are in units of the home sales of the smallest (one-employee) firm.</p>"
        )
    parts.extend(fta_use_html(res))
    parts.append("<h2>Trace and sources</h2><ul>")
    parts.extend(
        f"<li>{html.escape(t)}</li>" for t in (*res.trace, *(res.firms.trace if res.firms else ()))
    )
    parts.extend(f"<li>{html.escape(p)}</li>" for p in provenance or [])
    parts.append("</ul><p class='muted'>Generated by kaigai policy lab.</p></body></html>")
    return "\n".join(parts)


__all__ = [
    "baseline_html",
    "fta_use_html",
    "exporter_chart",
    "render_html",
    "sensitivity_html",
    "welfare_chart",
]
