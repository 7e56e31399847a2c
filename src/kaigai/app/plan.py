"""The export plan use case: firm profile in, :class:`~kaigai.plan.model.ExportPlan` out.

market finder -> duty & FTA options for the top markets -> origin check of the product's
BOM for the best agreement per market -> readiness gaps -> prioritised actions + summary.

CLI (``kaigai plan``), REST API and web dashboard all call :func:`load_profile` /
:func:`profile_from_mapping`, :func:`build_plan` and :func:`render` / :func:`write_plan`
here. Every engine is reached through the other app functions (:mod:`kaigai.app.markets`,
:mod:`kaigai.app.duty`, :mod:`kaigai.app.origin`) by the adapters of
:mod:`kaigai.app.plan_engines`, which copy their figures into the plan's views; the plan
package (:mod:`kaigai.plan`) holds only the typed model, the profile schema and the pure
rules (actions, gaps). Missing pieces are recorded in ``ExportPlan.missing`` and in each
view's ``status``/``detail``. Reports are rendered by :mod:`kaigai.reports`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from kaigai.app import plan_engines as engines
from kaigai.app.readiness import assess
from kaigai.core.countries import country
from kaigai.core.i18n import check_lang, format_money, join_list, t, tr
from kaigai.core.provenance import Figure, Provenance
from kaigai.plan.actions import build_actions
from kaigai.plan.gaps import Gap, product_gaps, readiness_gap
from kaigai.plan.model import DutyView, ExportPlan, MarketPlan, OriginView, Part, ProductPlan
from kaigai.plan.profile import FirmProfile, Product, parse_profile, read_profile
from kaigai.readiness import ReadinessResult, unanswered_text


def _resolve_bom(
    product: Product, base_dir: Path | None, lang: str
) -> tuple[str | None, str | None]:
    """(path of the BOM file or None, problem text or None)."""
    if product.bom is None:
        return None, None
    p = Path(product.bom)
    if not p.is_absolute() and base_dir is not None:
        p = base_dir / p
    if not p.is_file():
        return None, t(
            "BOM file {bom} not found (looked in {folder})",
            lang,
            bom=product.bom,
            folder=str(p.parent),
        )
    return str(p), None


def _description(settings: Any, hs6: str, lang: str) -> str:
    try:
        nom = engines.nomenclature(settings)
    except Exception:  # description is cosmetic; a missing table must not stop the plan
        return ""
    ja = getattr(nom, "ja", {}) if lang == "ja" else {}
    en = str(nom.description(hs6) or "")
    if lang == "ja" and not ja.get(hs6) and en:  # no Japanese text in the data: quote the English
        return t("(original: {text})", lang, text=en)
    return str(ja.get(hs6) or en)


def _select_markets(
    profile: FirmProfile, outcome: engines.MarketsOutcome, n: int
) -> list[tuple[str, int | None, str]]:
    """(iso3, rank or None, selected_by) for the markets the plan analyses."""
    excluded = set(profile.preferences.excluded_markets) | {profile.home_country}
    chosen: list[tuple[str, int | None, str]] = []
    if outcome.status in ("ok", "partial"):
        for row in outcome.rows:
            if row.iso3 not in excluded and len(chosen) < n:
                chosen.append((row.iso3, row.rank, "ranking"))
    have = {c[0] for c in chosen}
    ranks = {r.iso3: r.rank for r in outcome.rows}
    for m in profile.preferences.target_markets:
        if m not in have and m not in excluded:
            chosen.append((m, ranks.get(m), "firm"))
            have.add(m)
    return chosen


def _product_plan(
    profile: FirmProfile,
    product: Product,
    settings: Any,
    n_markets: int,
    lang: str,
    base_dir: Path | None,
    on: dt.date,
    ctx: engines.EngineContext,
    outputs: dict[str, Any],
    missing: list[str],
    gaps: list[Gap],
) -> ProductPlan:
    exporter = profile.home_country
    hs6 = product.hs
    parts: list[Part] = []
    mo = engines.run_markets(
        settings,
        exporter,
        hs6,
        n_markets,
        tuple(profile.preferences.excluded_markets),
        lang,
        profile.preferences.risk_appetite,
    )
    outputs[f"markets:{hs6}"] = mo.raw
    parts.append(Part("markets", mo.status, mo.detail, mo.engine))
    if mo.status not in ("ok", "partial"):
        missing.append(f"{hs6}: " + t("Market ranking: {detail}", lang, detail=mo.detail))
    elif mo.status == "partial":
        missing.append(
            f"{hs6}: " + t("Market ranking is partial: {detail}", lang, detail=mo.detail)
        )
    selected = _select_markets(profile, mo, n_markets)
    rows = {r.iso3: r for r in mo.rows}
    why_not = {x["market"]: x["reason"] for x in getattr(mo.raw, "not_computed", ()) or ()}
    data = engines.trade_figures(settings, exporter, hs6, [m for m, _, _ in selected])
    bom, bom_problem = _resolve_bom(product, base_dir, lang)
    value = product.annual_export_value
    cur = profile.size.currency
    shipments = product.shipments_per_year or engines.DEFAULT_SHIPMENTS
    ctx.scope((hs6,), tuple(m for m, _, _ in selected))
    markets: list[MarketPlan] = []
    for iso3, rank, by in selected:
        duty, raw_duty = engines.run_duty(
            ctx, exporter, iso3, hs6, value, cur, on, shipments, lang, product.lines.get(iso3)
        )
        outputs[f"duty:{hs6}:{iso3}"] = raw_duty
        origin, raw_origin = engines.run_origin(
            ctx, bom, hs6, exporter, iso3, duty, currency=cur, exw=product.unit_value,
            fob=product.unit_fob, bom_problem=bom_problem, lang=lang,
            wholly_obtained=product.wholly_obtained,
        )  # fmt: skip
        outputs[f"origin:{hs6}:{iso3}"] = raw_origin
        row = rows.get(iso3)
        figs = dict(data.get(iso3, {}))
        if row is not None:
            figs.update(row.figures)
        markets.append(
            MarketPlan(
                iso3=iso3,
                name=country(iso3).name(lang),
                rank=rank,
                considered=iso3 in profile.preferences.target_markets,
                selected_by=by,
                figures=figs,
                explanation=row.explanation if row is not None else tr(why_not.get(iso3, ""), lang),
                duty=duty,
                origin=origin,
            )
        )
    checks: list[tuple[str, list[DutyView | OriginView]]] = [
        ("duty", [m.duty for m in markets]),
        ("origin", [m.origin for m in markets]),
    ]
    for key, views in checks:
        statuses = {v.status for v in views}
        if not views:
            continue
        if statuses == {"ok"}:
            parts.append(Part(key, "ok", "", views[0].engine))
        else:
            bad = [
                f"{m.iso3}: {v.detail}"
                for m, v in zip(markets, views, strict=True)
                if v.status != "ok"
            ]
            status = "partial" if "ok" in statuses else next(iter(sorted(statuses - {"ok"})))
            parts.append(Part(key, status, " | ".join(bad), views[0].engine))  # type: ignore[arg-type]
            label = t("Duty & FTA options", lang) if key == "duty" else t("Origin check", lang)
            uniq = sorted({v.detail for v in views if v.status != "ok"})
            missing.append(f"{hs6}: {label}: " + " | ".join(uniq))
    plan = ProductPlan(
        name=product.display_name(lang),
        hs6=hs6,
        description=_description(settings, hs6, lang),
        bom=product.bom,
        markets=tuple(markets),
        parts=tuple(parts),
    )
    gaps.extend(product_gaps(plan, exporter, mo.hint, lang))
    return plan


def _money(value: float | None, currency: str, lang: str) -> str:
    return "-" if value is None else format_money(value, currency, lang)


def _pct(f: Figure | None) -> str:
    return "?" if f is None or f.value is None else f"{f.value:g}%"


def _summary(
    profile: FirmProfile,
    products: list[ProductPlan],
    readiness: ReadinessResult,
    actions: Any,
    lang: str,
) -> list[str]:
    out = [
        t(
            "Firm: {name} ({employees} employees)",
            lang,
            name=profile.display_name(lang),
            employees=profile.size.employees,
        )
    ]
    for p in products:
        out.append(
            t(
                "Product: {name}, HS {hs6} {desc}", lang, name=p.name, hs6=p.hs6, desc=p.description
            ).rstrip()
        )
        ranked = [m for m in p.markets if m.selected_by == "ranking"]
        if ranked:
            out.append(
                t(
                    "Markets ranked first by the market finder: {markets}",
                    lang,
                    markets=join_list([f"{m.rank}. {m.name}" for m in ranked], lang),
                )
            )
        firm = [m.name for m in p.markets if m.selected_by == "firm"]
        if firm:
            out.append(
                t(
                    "Also analysed because the firm is considering them: {markets}",
                    lang,
                    markets=join_list(firm, lang),
                )
            )
        for m in p.markets:
            if m.duty.status == "ok" and m.duty.best_option:
                out.append(
                    t(
                        "{market}: best duty option {option} (MFN {mfn}, {option} {rate})",
                        lang,
                        market=m.name,
                        option=m.duty.best_option,
                        mfn=_pct(m.duty.figures.get("mfn_rate")),
                        rate=_pct(m.duty.figures.get("best_rate")),
                    )
                )
            if m.origin.status == "ok" and m.origin.qualifies is not None:
                verdict = (
                    t("qualifies", lang) if m.origin.qualifies else t("does not qualify", lang)
                )
                out.append(
                    t(
                        "{market}: origin under {agreement}: {verdict}",
                        lang,
                        market=m.name,
                        agreement=m.origin.agreement,
                        verdict=verdict,
                    )
                )
    if readiness.overall is not None:
        out.append(t("Readiness score: {score}/100", lang, score=f"{readiness.overall:.0f}"))
    if readiness.gaps:
        titles = [readiness.dimension(g).title.get(lang) for g in readiness.gaps]
        out.append(t("Readiness gaps: {gaps}", lang, gaps=join_list(titles, lang)))
    for a in list(actions)[:3]:
        out.append(t("Action {rank}: {title}", lang, rank=a.rank, title=a.title))
    return out


def build_plan(
    profile: FirmProfile,
    settings: Any,
    *,
    n_markets: int = 5,
    lang: str = "en",
    base_dir: Path | None = None,
    as_of: dt.date | None = None,
    since: dt.date | None = None,
) -> ExportPlan:
    """Build the export plan for ``profile``.

    Parameters
    ----------
    profile
        Validated firm profile.
    settings
        kaigai settings (data location).
    n_markets
        How many markets of the market finder's ranking to analyse (the firm's own
        ``target_markets`` are always added).
    lang
        ``"en"`` or ``"ja"`` for all texts of the plan.
    base_dir
        Folder the profile's relative BOM paths are resolved against.
    as_of
        Date of the duty options (default: today).
    since
        Date of the firm's last plan: the plan lists every rate change of its products in its
        markets since then (default: since the earliest schedule version in the data).
    """
    lang = check_lang(lang)
    from kaigai.core.errors import InputError

    if n_markets < 1:
        raise InputError(
            f"--markets must be at least 1 (got {n_markets}).", hint="e.g. --markets 5"
        )
    on = as_of or dt.date.today()
    yr = on.isoformat()
    ctx = engines.EngineContext(settings)
    outputs: dict[str, Any] = {}
    missing: list[str] = []
    readiness = assess(profile.readiness, lang)
    outputs["readiness"] = readiness
    if readiness.unanswered:
        missing.append(
            t(
                "Readiness: {n} question(s) unanswered: {ids}",
                lang,
                n=len(readiness.unanswered),
                ids=("、" if lang == "ja" else "; ").join(unanswered_text(readiness, lang)),
            )
        )
    gaps: list[Gap] = []
    products = [
        _product_plan(
            profile, p, settings, n_markets, lang, base_dir, on, ctx, outputs, missing, gaps
        )
        for p in profile.products
    ]
    gaps.extend(readiness_gap(readiness, lang))
    actions = build_actions(products, readiness, lang)
    changed = tuple(
        engines.run_changes(ctx, m.iso3, p.hs6, since, on) for p in products for m in p.markets
    )
    from kaigai.data.store import where

    try:
        source = where("trade_hs6", settings)
    except Exception:
        source = "missing"
    assumptions = [
        t(
            "Exporter: {country}; duty options in force on {date}.",
            lang,
            country=country(profile.home_country).name(lang),
            date=yr,
        ),
        t(
            "Duty amounts and the FTA net benefit use the planned exports per market as the customs value, "
            "{shipments} shipments a year and the duty engine's default FTA cost parameters.",
            lang,
            shipments=f"{profile.products[0].shipments_per_year or engines.DEFAULT_SHIPMENTS:g}",
        ),
        t(
            "Origin is checked with the unit prices of the profile (EXW {exw}, FOB {fob}) and the BOM's values.",
            lang,
            exw=_money(profile.products[0].unit_value, profile.size.currency, lang),
            fob=_money(profile.products[0].unit_fob, profile.size.currency, lang),
        ),
        t(
            "Trade figures are 2024 HS6 flows in USD from the {source} copy of trade_hs6.",
            lang,
            source=t(source, lang),
        ),
        t(
            "Planned exports per market: {amount} a year (from the firm profile).",
            lang,
            amount=_money(profile.products[0].annual_export_value, profile.size.currency, lang),
        ),
        t(
            "Risk appetite {appetite}: the market finder's ranking weight of risk is multiplied by {factor} (low 2, medium 1, high 0.5).",
            lang,
            appetite=t("risk-appetite:" + profile.preferences.risk_appetite, lang),
            factor=f"{engines.RISK_APPETITE[profile.preferences.risk_appetite]:g}",
        ),
        t(
            "Readiness weights: people 20%, experience 15%, finance 15%, certification 15%, IP 10%, capacity 10%, commitment 15%.",
            lang,
        ),
    ]
    prov: list[Provenance] = []
    for p in products:
        for m in p.markets:
            for f in m.figures.values():
                prov.extend(x for x in f.provenance if x not in prov)
    return ExportPlan(
        firm={
            "name": profile.display_name(lang),
            "location": profile.display_location(lang),
            "employees": profile.size.employees,
            "annual_sales": profile.size.annual_sales,
            "currency": profile.size.currency,
            "current_markets": list(profile.current_markets),
            "target_markets": list(profile.preferences.target_markets),
            "excluded_markets": list(profile.preferences.excluded_markets),
            "risk_appetite": profile.preferences.risk_appetite,
        },
        lang=lang,
        generated_on=dt.date.today().isoformat(),
        data_source=source,
        products=tuple(products),
        readiness=readiness,
        actions=tuple(actions),
        summary=tuple(_summary(profile, products, readiness, actions, lang)),
        assumptions=tuple(assumptions),
        missing=tuple(missing),
        provenance=tuple(prov),
        engine_outputs=outputs,
        changes=changed,
        changes_since=since.isoformat() if since else None,
        gaps=tuple(gaps),
    )


def valid_hs6_codes(settings: Any) -> frozenset[str]:
    """Six-digit subheadings of HS 2022 and HS 2017 (catalog or starter pack)."""
    from kaigai.hs.nomenclature import HS2017, HS2022

    nom = engines.nomenclature(settings)
    codes = frozenset(nom.codes(6, HS2022)) | frozenset(nom.codes(6, HS2017))
    return codes - {"999999"}  # BACI's "not specified" bucket is not a product code


def load_profile(path: Path, settings: Any = None) -> FirmProfile:
    """Read and validate a firm profile file; with ``settings`` its HS codes are checked
    against the nomenclature of the data (catalog or starter pack)."""
    valid = valid_hs6_codes(settings) if settings is not None else None
    return read_profile(Path(path), valid)


def profile_from_mapping(
    data: dict[str, Any], settings: Any, source: str = "request"
) -> FirmProfile:
    """Validate a profile given as a mapping (JSON body, form); every problem listed at once."""
    return parse_profile(data, source=source, valid_hs6=valid_hs6_codes(settings))


def plan_from_mapping(
    data: dict[str, Any],
    settings: Any,
    *,
    n_markets: int = 5,
    lang: str = "en",
    bom_dir: Path | None = None,
) -> ExportPlan:
    """Validate ``data`` and build its plan; relative BOM paths resolve against ``bom_dir``."""
    return build_plan(
        profile_from_mapping(data, settings),
        settings,
        n_markets=n_markets,
        lang=lang,
        base_dir=bom_dir,
    )


#: What a report chart is drawn with (its stored SVG's key besides the chart's figures).
CHART_CODE = ("kaigai.reports", "kaigai.locale", "kaigai.core.i18n")


def _charts(settings: Any) -> Any:
    """The report's chart store: charts kept as stored results (None without settings)."""
    from kaigai.app.cache import stored

    if settings is None:
        return None

    def store(kind: str, spec: dict[str, Any], draw: Any) -> str | None:
        out: str | None = stored(
            f"report.{kind}", settings, spec, draw, lambda v: v, lambda v: v,
            code=CHART_CODE, keep=lambda v: v is not None,
        )  # fmt: skip
        return out

    return store


def render(plan: ExportPlan, fmt: str, settings: Any = None) -> str | bytes:
    """The plan as ``"html"`` (str), ``"json"`` (str) or ``"pdf"`` (bytes); with ``settings``
    the report's charts are stored and reused (:func:`kaigai.reports.charts.chart_store`)."""
    from kaigai.core.errors import InputError
    from kaigai.reports import render_html, render_json, render_pdf
    from kaigai.reports.charts import chart_store

    with chart_store(_charts(settings)):
        if fmt == "html":
            return render_html(plan)
        if fmt == "json":
            return render_json(plan)
        if fmt == "pdf":
            return render_pdf(plan)
    raise InputError(f"Unknown report format '{fmt}'.", hint="Use html, pdf or json.")


def write_plan(plan: ExportPlan, path: Path, settings: Any = None) -> Path:
    """Write the plan's report to ``path`` (format from the suffix: .html, .pdf, .json); with
    ``settings`` its charts are stored and reused."""
    from kaigai.reports import write_report
    from kaigai.reports.charts import chart_store

    with chart_store(_charts(settings)):
        return write_report(plan, path)


__all__ = [
    "build_plan",
    "load_profile",
    "plan_from_mapping",
    "profile_from_mapping",
    "render",
    "valid_hs6_codes",
    "write_plan",
]
