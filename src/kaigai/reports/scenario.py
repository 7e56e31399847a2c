"""Self-contained HTML report of a scenario run, in English or Japanese (``kaigai policy run
--report``): tables and matplotlib charts as base64 PNGs.

No external resources (no CDN, no fonts, no scripts): the file opens offline. Engine text (trace,
method notes, the FTA-use target) is translated through the message catalogue
(:func:`kaigai.core.i18n.tr`); numbers are formatted the same way in both languages.
"""

from __future__ import annotations

import html
from typing import Any

import numpy as np

from kaigai.core.i18n import check_lang, join_list, t, tr
from kaigai.policy.scenarios_run import ScenarioResult
from kaigai.policy.scenarios_sensitivity import flagged_flows
from kaigai.reports.scenario_charts import (
    exporter_chart,
    fta_use_chart,
    scenario_title,
    size_label,
    welfare_chart,
)

CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI','Hiragino Sans','Noto Sans CJK JP',sans-serif;margin:2rem auto;max-width:980px;color:#1b1b1b;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.6rem 0;font-size:.9rem}th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:right}
th{background:#f1f3f5}td:first-child,th:first-child{text-align:left}.muted{color:#555;font-size:.85rem}
img{max-width:100%;height:auto}code{background:#f4f4f4;padding:0 .2rem}
"""
_e = html.escape


def _fmt(v: Any, pct: bool = False, digits: int = 3) -> str:
    if v is None or (isinstance(v, float) and not np.isfinite(v)):
        return "–"
    if isinstance(v, float | int | np.floating):
        return f"{100 * v:.1f}%" if pct else f"{v:,.{digits}f}"
    return _e(str(v))


def _table(headers: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _codes(xs: list[str], lang: str) -> str:
    return _e(join_list(xs, lang)) if xs else _e(t("none", lang))


def baseline_html(res: ScenarioResult, provenance: list[str] | None, lang: str = "en") -> list[str]:
    """Which year and source the GE baseline comes from, what is imputed, who is modelled."""
    b = res.baseline
    if not b:
        return []
    src = (provenance or [b["dataset"]])[0]
    out = [
        f"<h3>{_e(t('Baseline', lang))}</h3>",
        "<p id='baseline'>" + t("Data year <b>{year}</b>; source: {source}. {n} countries with "
                                "domestic flows.", lang, year=_e(str(b["year"])),
                                source=_e(tr(src, lang)), n=b["countries"]) + "</p>",
        "<p>" + t("Agreement parties modelled: {modelled}. Not modelled (absent from the data): "
                  "{absent}.", lang, modelled=_codes(b["parties_modelled"], lang),
                  absent=_codes(b["parties_not_modelled"], lang)) + "</p>",
    ]  # fmt: skip
    if b.get("imputed_domestic") is not None:
        out.append("<p>" + t(
            "Domestic flows <b>imputed</b> (not observed) for {n} countries, of which agreement "
            "parties: {parties}. All imputed: <span class='muted'>{all}</span>.", lang,
            n=len(b["imputed_domestic"]), parties=_codes(b["parties_imputed_domestic"], lang),
            all=_codes(b["imputed_domestic"], lang)) + "</p>")  # fmt: skip
    if b.get("implausible_domestic"):
        lo, hi = b["plausible_band"]
        out.append("<p id='implausible'>" + _e(t(
            "Domestic flows flagged as implausible: {flows}. Their ratio of domestic flow to total "
            "exports is outside {lo} to {hi} (Tukey's fences, 1.5 x the interquartile range of "
            "the log ratio over the countries with observed domestic flows); they are replaced by "
            "the imputation used for the other imputed countries (exports / 0.843099) and counted "
            "among them.", lang,
            flows=flagged_flows(b["implausible_domestic"]),
            lo=f"{lo:.3f}", hi=f"{hi:.1f}")) + "</p>")  # fmt: skip
    if b.get("flows_from_itpde"):
        out.append("<p class='muted'>" + t(
            "International flows taken from ITPD-E R02 2016 (empty in the source matrix): "
            "{codes}.", lang, codes=_codes(b["flows_from_itpde"], lang)) + "</p>")  # fmt: skip
    return out


def sensitivity_html(res: ScenarioResult, lang: str = "en") -> list[str]:
    """Headline with the imputed-domestic countries dropped or their domestic flows scaled."""
    sv = res.sensitivity
    if not sv:
        return []
    h = sv["headline"]
    out = [f"<h3>{_e(t('Sensitivity to imputed domestic flows', lang))}</h3>"]
    if h is not None:
        out.append("<p id='sensitivity'>" + _e(t(
            "Headline: {country} real GDP {full}% with all {n} countries; {excluded}% without "
            "the {k} countries whose domestic flow is imputed ({left} countries left; difference "
            "{diff} pp); {half}% / {double}% with their imputed domestic flows halved / doubled.",
            lang, country=sv["headline_country"], full=f"{h['full']:+.3f}",
            n=sv["countries_full"], excluded=f"{h['excluded']:+.3f}",
            k=len(sv["imputed_countries"]), left=sv["countries_excluded_run"],
            diff=f"{h['excluded_diff']:+.3f}", half=f"{h['domestic_x0.5']:+.3f}",
            double=f"{h['domestic_x2']:+.3f}")) + "</p>")  # fmt: skip
    m = sv.get("most_moved_scaled")
    if m is not None:
        out.append("<p id='sensitivity-most'>" + _e(t(
            "Party moved most by halving / doubling the imputed domestic flows: {country} real "
            "GDP {full}% -> {half}% / {double}% (up to {max} pp).", lang,
            country=m["country"], full=f"{m['full']:+.3f}", half=f"{m['domestic_x0.5']:+.3f}",
            double=f"{m['domestic_x2']:+.3f}", max=f"{sv['max_abs_diff_scaled_pp']:.3f}"))
            + "</p>")  # fmt: skip
    imputed, absent = _e(t(" (imputed)", lang)), _e(t("not modelled", lang))
    rows = [
        [_e(r["country"]) + (imputed if r["imputed"] else ""), _fmt(r["full"]),
         *(absent if r[k] is None else f"{r[k]:.3f} ({r[k + '_diff']:+.3f})"
           for k in ("excluded", "domestic_x0.5", "domestic_x2"))]
        for r in sv["parties"]
    ]  # fmt: skip
    heads = ["party", "real GDP % (full)", "imputed countries dropped", "imputed domestic x0.5",
             "imputed domestic x2"]  # fmt: skip
    out.append(_table([t(x, lang) for x in heads], rows))
    out.append(f"<p class='muted'>{_e(tr(sv['method'], lang))}.</p>")
    return out


def fta_use_html(res: ScenarioResult, lang: str = "en") -> list[str]:
    """Observed EPA use by agreement over time, partner utilisation, the calibration target."""
    b = res.fta_use
    if not b:
        return []
    head = t("Observed FTA use (Japan's imports under EPAs)", lang)
    out = [f"<h2>{_e(head)}</h2>"]
    chart = fta_use_chart(b, lang)
    if chart:
        out.append(f"<img alt='{_e(t('EPA use by agreement over time', lang))}' src='{chart}'>")
    years = sorted({r["year"] for r in b["by_agreement"]})
    names = sorted({(r["agreement"], r["name"]) for r in b["by_agreement"]})
    val = {(r["agreement"], r["year"]): r["value_bn_jpy"] for r in b["by_agreement"]}
    out.append(_table(
        [t("agreement (billion yen)", lang), *map(str, years)],
        [[_e(tr(n, lang)), *(_fmt(val.get((a, y)), digits=0) for y in years)] for a, n in names],
    ))  # fmt: skip
    if b.get("utilisation"):
        out.append("<p>" + _e(t(
            "Utilisation in {year} for the simulator's preference markets (EPA-rate imports / "
            "goods imports; / dutiable goods imports):", lang, year=b["utilisation_year"]))
            + "</p>")  # fmt: skip
        above = _e(t(" (above 100%: dutiable share from 2024 trade)", lang))
        heads = ["partner", "EPA imports (USD mn)", "goods imports (USD mn)", "dutiable share",
                 "EPA share of imports", "utilisation of dutiable imports"]  # fmt: skip
        out.append(_table([t(x, lang) for x in heads], [
            [_e(u["country"]), _fmt(u["epa_usd_mn"], digits=0),
             _fmt(u["imports_usd_mn"], digits=0), _fmt(u["dutiable_share"], True),
             _fmt(u["epa_share"], True),
             _fmt(u["utilisation"], True) + (above if (u["utilisation"] or 0) > 1 else "")]
            for u in b["utilisation"]
        ]))  # fmt: skip
    if b.get("calibration_label"):
        out.append("<p id='fta-target'>" + _e(t("Simulator FTA-use target: {label}.", lang,
                   label=tr(b["calibration_label"], lang))) + "</p>")  # fmt: skip
    out.append(f"<p class='muted'>{_e(t('Sources: {source}.', lang, source=b['source']))}</p>")
    return out


def _ge_html(res: ScenarioResult, provenance: list[str] | None, lang: str) -> list[str]:
    assert res.ge is not None
    g = res.ge
    parts = [
        f"<h2>{_e(t('General equilibrium', lang))}</h2>",
        *baseline_html(res, provenance, lang),
    ]
    chart = welfare_chart(res, lang=lang)
    if chart:
        parts.append(f"<img alt='{_e(t('real GDP change by country', lang))}' src='{chart}'>")
    band = res.ge_mc.band("real_gdp") if res.ge_mc is not None else None
    rows = []
    for k in np.argsort(-g.real_gdp_pct):
        r = [_e(g.countries[k]), *(_fmt(v[k]) for v in (g.real_gdp_pct, g.exports_pct,
             g.imports_pct, g.factory_price_pct, g.imr_pct, g.omr_pct))]  # fmt: skip
        if band is not None:
            r.append(f"{band['lower'][k]:.3f} … {band['upper'][k]:.3f}")
        rows.append(r)
    heads = [t(x, lang) for x in ("country", "real GDP %", "exports %", "imports %",
             "factory-gate price %", "inward MR %", "outward MR %")]  # fmt: skip
    if res.ge_mc is not None:
        heads.append(t("real GDP {level} band", lang, level=f"{res.ge_mc.level:.0%}"))
    parts.append(_table(heads, rows))
    c = g.convergence
    parts.append("<p class='muted'>" + _e(t(
        "Convergence: {method}, {n} iterations, max change {change} (tolerance {tol}).", lang,
        method=tr(c.method, lang), n=c.iterations, change=f"{c.max_change:.1e}",
        tol=f"{c.tol:.0e}")) + "</p>")  # fmt: skip
    return [*parts, *sensitivity_html(res, lang)]


#: rows of the simulator table: result key, label, shown as a percentage
FIRM_ROWS = (
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
)


def _firms_html(res: ScenarioResult, lang: str) -> list[str]:
    assert res.firms is not None
    f = res.firms
    parts = [f"<h2>{_e(t('Small-firm export simulator', lang))}</h2>"]
    chart = exporter_chart(res, lang)
    if chart:
        parts.append(f"<img alt='{_e(t('exporter share by firm size', lang))}' src='{chart}'>")
    cols = [size_label(c, lang) for c in ["all", *[r["size_class"] for r in f.by_size]]]
    rows = []
    for key, label, pct in FIRM_ROWS:
        vals = [f.summary.get(key), *[r.get(key) for r in f.by_size]]
        rows.append([_e(t(label, lang)), *[_fmt(v, pct, 0 if not pct else 3) for v in vals]])
    parts.append(_table(["", *cols], rows))
    cal = f.calibration
    parts.append("<p class='muted'>" + _e(t(
        "Calibration: exporter share of {size} firms {share} (target {target}); export fixed "
        "cost {fx}; FTA fixed cost {fta} x f_x. Sales are in units of the home sales of the "
        "smallest (one-employee) firm.", lang, size=size_label(str(cal.get("size_class")), lang),
        share=_fmt(cal.get("achieved_share"), True), target=_fmt(cal.get("target_share"), True),
        fx=_fmt(cal.get("export_fixed_cost")), fta=_fmt(cal.get("fta_fixed_cost")))) + "</p>")  # fmt: skip
    return parts


def render_html(res: ScenarioResult, provenance: list[str] | None = None, lang: str = "en") -> str:
    """The whole report as one HTML string, in ``lang`` (``en`` or ``ja``)."""
    lg = check_lang(lang)
    s = res.scenario
    title = scenario_title(res, lg)
    parts = [
        f"<!doctype html><html lang='{lg}'><head><meta charset='utf-8'>",
        f"<title>{_e(t('{title} — kaigai policy lab', lg, title=title))}</title>"
        f"<style>{CSS}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
    ]
    if s.title_ja and lg == "en":
        parts.append(f"<p class='muted' lang='ja'>{_e(s.title_ja)}</p>")
    if s.description:
        parts.append(f"<p>{_e(tr(s.description, lg))}</p>")
    parts.append("<p class='muted'>" + t(
        "Scenario {id}, evaluated in {year}; home country {home}.", lg,
        id=f"<code>{_e(s.id)}</code>", year=s.year, home=_e(s.home)) + "</p>")  # fmt: skip
    if s.agreements:
        yes, no = _e(t("yes", lg)), _e(t("no", lg))
        heads = [t("id", lg), t("parties", lg), t("start", lg), t("cut (full)", lg),
                 t("cut in {year}", lg, year=s.year), t("in baseline", lg)]  # fmt: skip
        parts.append(f"<h2>{_e(t('Agreements', lg))}</h2>")
        parts.append(_table(heads, [
            [_e(a.id), _e(" ".join(a.parties)), str(a.start_year), _fmt(a.tariff_cut, True),
             _fmt(a.cut_in(s.year), True), yes if a.in_baseline else no]
            for a in s.agreements
        ]))  # fmt: skip
    if res.ge is not None:
        parts.extend(_ge_html(res, provenance, lg))
    if res.firms is not None:
        parts.extend(_firms_html(res, lg))
    parts.extend(fta_use_html(res, lg))
    parts.append(f"<h2>{_e(t('Trace and sources', lg))}</h2><ul>")
    trace = [*res.trace, *(res.firms.trace if res.firms else ())]
    if lg != "en":  # the first line repeats the title (in English)
        trace = trace[1:]
    parts.extend(f"<li>{_e(tr(x, lg))}</li>" for x in trace)
    parts.extend(
        f"<li>{_e(t('source: {line}', lg, line=tr(p, lg)) if lg != 'en' else p)}</li>"
        for p in provenance or []
    )
    parts.append(f"</ul><p class='muted'>{_e(t('Generated by kaigai policy lab.', lg))}</p>"
                 "</body></html>")  # fmt: skip
    return "\n".join(parts)


__all__ = [
    "baseline_html",
    "exporter_chart",
    "fta_use_html",
    "render_html",
    "sensitivity_html",
    "welfare_chart",
]
