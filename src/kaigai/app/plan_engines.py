"""Adapters from the plan to the engines (market finder, duty & FTA, rules of origin).

Each adapter calls the engine's public function and copies its figures verbatim into the
plan's views (:class:`~kaigai.plan.model.DutyView`, ...). When an engine is not part of
this build, or cannot answer, the adapter returns a view whose ``status`` says so and why;
it never substitutes a number of its own. The origin adapter (:mod:`kaigai.app.plan_origin`),
the raw trade figures (:mod:`kaigai.app.plan_trade`) and the rate changes since the last plan
(:mod:`kaigai.app.plan_changes`) live in their own modules, re-exported here.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from kaigai.app.cache import memo, stored
from kaigai.app.plan_changes import changes_dict, rate_changes, run_changes  # re-exported
from kaigai.app.plan_origin import run_origin  # re-exported; imports this module lazily
from kaigai.app.plan_trade import trade_figures  # re-exported
from kaigai.core.errors import KaigaiError
from kaigai.core.provenance import Figure, Provenance
from kaigai.plan.model import DutyView, Status


@dataclass(frozen=True)
class MarketRow:
    """One market as ranked by the market finder (figures copied from its result)."""

    iso3: str
    rank: int
    figures: dict[str, Figure]
    explanation: str


@dataclass(frozen=True)
class MarketsOutcome:
    status: Status
    detail: str
    rows: tuple[MarketRow, ...] = ()
    engine: str = ""
    raw: Any = field(default=None, compare=False, repr=False)
    hint: str = ""  # how to fill the gap when the ranking is not available


def engine_failed(engine: str, exc: BaseException) -> str:
    """Text for an unexpected engine failure (reported in the plan as status "error").

    A KaigaiError's message is written for users; any other exception's text (driver
    messages, paths, PIDs) goes to the log only, as plans are shown and served to clients."""
    from kaigai.core.errors import KaigaiError

    if isinstance(exc, KaigaiError):
        return f"{engine} failed: {exc.message}"
    logging.getLogger("kaigai.plan").warning("%s failed", engine, exc_info=exc)
    return f"{engine} failed ({type(exc).__name__}); the details are in the log."


def not_available(what: str, lang: str = "en") -> str:
    """ "<engine> is not available in this build." in ``lang``."""
    from kaigai.core.i18n import t

    return t("{engine} is not available in this build.", lang, engine=t(what, lang))


MARKETS = "The market finder (kaigai.markets)"
TARIFFS = "The duty & FTA optimiser (kaigai.tariffs)"
ORIGIN = "The rules-of-origin engine (kaigai.origin)"
DEFAULT_SHIPMENTS = 12.0  # the duty engine CLI's default (`kaigai duty --shipments`)


class EngineContext:
    """Prepared engine inputs, built once per plan (lazily, only for what the plan needs).

    The tariff index holds only the schedule rows of the plan's HS headings (for JPN the
    product's chapter, whose rows carry inherited texts); duty options of those products
    equal those of the full index (tested).
    """

    def __init__(self, settings: Any) -> None:
        self.settings = settings
        self.hs6s: tuple[str, ...] = ()
        self.markets: tuple[str, ...] = ()

    def scope(self, hs6s: tuple[str, ...], markets: tuple[str, ...]) -> None:
        """Set the products and markets the next tariff-index lookups are for."""
        self.hs6s, self.markets = tuple(sorted(set(hs6s))), tuple(sorted(set(markets)))

    def tariff_index(self) -> Any:
        """Only the schedule rows of the plan's products and markets (:mod:`kaigai.app.duty`)."""
        from kaigai.app.duty import tariff_index

        return tariff_index(self.settings, self.hs6s, self.markets)

    def origin(self) -> tuple[Any, Any, frozenset[str], frozenset[str]]:
        """(rule books, agreements, HS2022 codes, HS2017 codes)."""
        from kaigai.app.origin import context

        c = context(self.settings)
        return c.books, c.agreements, c.hs22, c.hs17


def _num(v: Any) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if f != f else f  # NaN -> missing


def nomenclature(settings: Any) -> Any:
    """The HS nomenclature (foundation's loader), reused within a process for the same data."""
    from kaigai.data.nomenclature import load_nomenclature

    return memo("nomenclature", settings, lambda: load_nomenclature(settings))


#: Risk appetite -> multiplier of the market finder's ranking weight of risk (others unchanged).
RISK_APPETITE = {"low": 2.0, "medium": 1.0, "high": 0.5}


def run_markets(
    settings: Any,
    exporter: str,
    hs6: str,
    top: int,
    exclude: tuple[str, ...],
    lang: str = "en",
    risk_appetite: str = "medium",
) -> MarketsOutcome:
    """Rank markets for ``exporter`` and ``hs6`` with the market finder (all markets it ranks).

    Figures are the finder's own columns (``potential_usd``, ``untapped_usd``, ``risk``,
    ``score``, ``import_growth``, ``distance_km``); its explanation text is kept verbatim.
    """
    try:
        from kaigai.app.markets import every_language
    except ImportError:
        return MarketsOutcome("not_available", not_available(MARKETS, lang))
    engine = "kaigai.app.markets.find_markets"
    from kaigai.markets.weights import Weights

    base = Weights()
    ranking = dict(base.ranking)
    ranking["risk"] = ranking.get("risk", 0.0) * RISK_APPETITE[risk_appetite]
    weights = Weights(risk=base.risk, ranking=ranking)

    try:
        # one ranking serves every language: the same figures, the texts in ``lang``
        res = memo("markets", settings, lambda: every_language(settings, exporter, hs6,
                   weights=weights), exporter, hs6, risk_appetite).in_language(lang)  # fmt: skip
    except KaigaiError as exc:
        from kaigai.core.i18n import tr

        return MarketsOutcome(
            "not_available", tr(exc.message, lang), engine=engine, hint=exc.hint or ""
        )
    except Exception as exc:  # noqa: BLE001 - one engine failing must not stop the plan; stated
        return MarketsOutcome("error", engine_failed(engine, exc), engine=engine)
    units = {
        "potential_usd": "USD", "untapped_usd": "USD", "risk": "score", "score": "score",
        "import_growth": "share", "distance_km": "km",
    }  # fmt: skip
    rows: list[MarketRow] = []
    for r in res.rows.to_dict(orient="records"):
        iso = str(r["market"])
        prov = (
            Provenance(
                "kaigai.markets",
                locator=f"exporter={exporter} importer={iso} hs6={hs6} rank={int(r['rank'])}",
                note="find_markets: ITC export potential + market-risk index (docs/markets.md)",
            ),
        )
        figs = {k: Figure(_num(r.get(k)), u, prov) for k, u in units.items() if k in r}
        rows.append(MarketRow(iso, int(r["rank"]), figs, str(r.get("explanation") or "")))
    from kaigai.core.i18n import join_list, join_sentences, t, tr

    notes = [tr(n, lang) for n in res.notes]
    if res.not_computed:
        shown = [f"{x['market']} ({tr(x['reason'], lang)})" for x in res.not_computed[:8]]
        more = " …" if len(res.not_computed) > 8 else ""
        notes.append(t("Not computed: {markets}", lang, markets=join_list(shown, lang) + more))
    status: Status = "partial" if getattr(res, "partial", False) else "ok"
    return MarketsOutcome(status, join_sentences(notes, lang), tuple(rows), engine, res)


def _fig(value: float | None, unit: str, prov: Provenance) -> Figure:
    return Figure(None if value is None else float(value), unit, (prov,))


#: What the plan's duty views and rate changes are computed from (their stored results' key).
DUTY_CODE = (
    "kaigai.tariffs", "kaigai.app.duty", "kaigai.app.plan_engines", "kaigai.app.plan_changes",
    "kaigai.data.tariffs", "kaigai.data.tariff_versions", "kaigai.data.store", "kaigai.locale",
)  # fmt: skip


def run_duty(
    ctx: EngineContext,
    exporter: str,
    market: str,
    hs6: str,
    value: float | None,
    currency: str,
    on: dt.date,
    shipments: float,
    lang: str = "en",
    line: str | None = None,
) -> tuple[DutyView, Any]:
    """:func:`duty_view`, computed once per data state and question (stored between processes,
    :func:`kaigai.app.cache.stored`); the raw result is None when the view was read back."""
    raw: list[Any] = [None]

    def make() -> DutyView:
        view, raw[0] = duty_view(ctx, exporter, market, hs6, value, currency, on, shipments,
                                 lang, line)  # fmt: skip
        return view

    request = {
        "exporter": exporter, "market": market, "hs6": hs6, "value": value,
        "currency": currency, "on": on.isoformat(), "shipments": shipments, "lang": lang,
        "line": line,
    }  # fmt: skip
    view = stored("plan.duty", ctx.settings, request, make, DutyView.to_dict,
                  DutyView.from_dict, code=DUTY_CODE, keep=lambda v: v.status != "error")  # fmt: skip
    return view, raw[0]


def duty_view(
    ctx: EngineContext,
    exporter: str,
    market: str,
    hs6: str,
    value: float | None,
    currency: str,
    on: dt.date,
    shipments: float,
    lang: str = "en",
    line: str | None = None,
) -> tuple[DutyView, Any]:
    """Duty options and FTA net benefit for one market from the duty engine.

    ``line`` is the national line the firm named for this market (profile ``lines``). When
    the product has several national lines and none is named, the view has status
    ``"partial"`` and the range of the MFN and best rates over the lines, with the lines
    each rate spans (:func:`line_ranges`). Returns the view and the engine's raw
    :class:`~kaigai.tariffs.options.DutyOptions`.
    """
    from kaigai.app.duty import DutyRequest, duty_options
    from kaigai.core.errors import DataError, HSCodeError
    from kaigai.core.i18n import join_sentences, tr
    from kaigai.tariffs.benefit import option_net_benefit
    from kaigai.tariffs.options import MFN

    engine = "kaigai.tariffs.options.duty_options"
    try:
        req = DutyRequest(
            hs6, exporter, market, on, value, currency, line=line, lang=lang, with_rules=False
        )
        res = duty_options(ctx.settings, req, ctx.tariff_index())
    except (DataError, HSCodeError) as exc:
        hint = exc.hint if isinstance(exc, DataError) and exc.hint else ""
        detail = join_sentences([tr(exc.message, lang), tr(hint, lang)], lang)
        return DutyView("not_available", detail, engine=engine), None
    except KaigaiError as exc:
        return DutyView("error", tr(exc.message, lang), engine=engine), None
    except Exception as exc:  # noqa: BLE001 - stated in the plan, not hidden
        return DutyView("error", engine_failed(engine, exc), engine=engine), None
    rows_all = [
        {
            "line": ln.national_code,
            "option": r.option,
            "status": r.status,
            "rate": r.rate or r.rate_text,
            "rate_pct": r.rate_pct,
            "margin_pct": r.margin_pct,
            "duty": None if r.duty is None else r.duty.low,
            "rule_of_origin": (r.origin_rule or {}).get("rule"),
        }
        for ln in res.lines
        for r in ln.options
    ]
    if len(res.lines) != 1:
        return _range_view(res, hs6, market, tuple(rows_all), engine, lang), res
    one = res.lines[0]
    by = {r.option: r for r in one.options}
    best = by.get(one.best) if one.best else None
    mfn = by.get(MFN)
    figs: dict[str, Figure] = {}
    notes = [one.best_reason, *res.missing, *res.notes]
    if mfn is not None:
        figs["mfn_rate"] = _fig(mfn.rate_pct, "%", mfn.provenance)
    if best is not None:
        figs["best_rate"] = _fig(best.rate_pct, "%", best.provenance)
        figs["margin_pts"] = _fig(best.margin_pct, "pts", best.provenance)
        if value is not None and best.option != MFN:
            figs["duty_saved"] = _fig(best.margin_amount, currency, best.provenance)
    if best is not None and best.option != MFN and value is not None and res.path:
        nb = option_net_benefit(res, best.option, value, shipments, currency=currency)
        prov = Provenance(
            "kaigai.tariffs.benefit",
            locator=f"option={best.option} annual_value={value:g} {currency} shipments={shipments:g}",
            note="fta_net_benefit with the engine's default cost parameters (docs/tariffs.md)",
        )
        figs["net_benefit"] = _fig(nb.npv, currency, prov)
        figs["break_even"] = _fig(nb.break_even_annual_value, currency, prov)
        notes.append(nb.statement)
    elif value is None:
        notes.append(
            "No planned export value in the profile: duty amounts and net benefit not computed."
        )
    detail = join_sentences([tr(n, lang) for n in notes if n], lang)
    return DutyView("ok", detail, one.best, figs, tuple(rows_all), engine), res


def line_ranges(res: Any) -> list[dict[str, Any]]:
    """Per national line: its MFN rate and its best option and rate (engine values)."""
    out = []
    for ln in res.lines:
        by = {r.option: r for r in ln.options}
        mfn = by.get("MFN")
        best = by.get(ln.best) if ln.best else None
        out.append(
            {
                "line": ln.national_code,
                "mfn_pct": None if mfn is None else mfn.rate_pct,
                "best": ln.best,
                "best_pct": None if best is None else best.rate_pct,
            }
        )
    return out


def _span(values: list[float]) -> str:
    lo, hi = min(values), max(values)
    return f"{lo:g}%" if lo == hi else f"{lo:g}–{hi:g}%"


def _codes(lines: list[str], lang: str) -> str:
    from kaigai.core.i18n import join_list

    if len(lines) <= 4:
        return join_list(lines, lang)
    return join_list(lines[:3], lang) + f" … {lines[-1]}"


def _range_view(
    res: Any, hs6: str, market: str, rows: tuple[dict[str, Any], ...], engine: str, lang: str
) -> DutyView:
    """Several national lines and none named: MFN and best rates as ranges over the lines."""
    from kaigai.core.i18n import join_clauses, t

    per = line_ranges(res)
    prov = Provenance(
        "kaigai.tariffs.options",
        locator=f"{market} schedule, HS {hs6}: {len(per)} national lines",
        note="range over the national lines (duty_options per line)",
    )
    figs: dict[str, Figure] = {}
    mfn = [p["mfn_pct"] for p in per if p["mfn_pct"] is not None]
    if mfn:
        figs["mfn_rate_min"] = _fig(min(mfn), "%", prov)
        figs["mfn_rate_max"] = _fig(max(mfn), "%", prov)
    best = [p["best_pct"] for p in per if p["best_pct"] is not None]
    if best:
        figs["best_rate_min"] = _fig(min(best), "%", prov)
        figs["best_rate_max"] = _fig(max(best), "%", prov)
    groups: dict[str, list[dict[str, Any]]] = {}
    for p in per:
        groups.setdefault(p["best"] or "-", []).append(p)
    parts = []
    for opt, ps in sorted(groups.items(), key=lambda kv: -len(kv[1])):
        rates = [p["best_pct"] for p in ps if p["best_pct"] is not None]
        rate = _span(rates) if rates else "?"
        name = t("no computable rate", lang) if opt == "-" else opt
        parts.append(
            t(
                "{option} {rate} on {n} line(s) ({lines})",
                lang,
                option=name,
                rate=rate,
                n=len(ps),
                lines=_codes([p["line"] for p in ps], lang),
            )
        )
    detail = t(
        "HS {hs6} has {n} national lines in the {market} schedule: MFN {mfn}; best option {best}. "
        "Name your line in the profile (lines = {{ {market} = {example} }}) for one rate.",
        lang,
        hs6=hs6,
        n=len(per),
        market=market,
        mfn=_span(mfn) if mfn else "?",
        best=join_clauses(parts, lang),
        example=f'"{per[0]["line"]}"',
    )
    top = max(groups.items(), key=lambda kv: len(kv[1]))[0]
    return DutyView("partial", detail, None if top == "-" else top, figs, rows, engine, tuple(per))


__all__ = [
    "EngineContext",
    "changes_dict",
    "line_ranges",
    "MarketRow",
    "MarketsOutcome",
    "duty_view",
    "rate_changes",
    "run_changes",
    "run_duty",
    "run_markets",
    "run_origin",
    "trade_figures",
]
