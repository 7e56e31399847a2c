"""Market finder service: validate input, load data, compute, rank, explain.

Shells (CLI, REST, plan) call :func:`find_markets` and :func:`explain_market`; engines stay pure.
"""

from __future__ import annotations

import math
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

import pandas as pd

from kaigai.app.cache import frame_from_json, frame_to_json, stored
from kaigai.core.countries import normalize_country
from kaigai.core.errors import HSCodeError, MarketError
from kaigai.core.i18n import LANGS, check_lang
from kaigai.core.provenance import Provenance
from kaigai.data import store
from kaigai.hs.codes import normalize_prefix
from kaigai.markets.inputs import from_trade_code, to_trade_code
from kaigai.markets.ranking import (
    RankingResult,
    clean,
    money,
    not_computed,
    rank_markets,
)
from kaigai.markets.risk import RiskResult, risk_index
from kaigai.markets.types import EPIParams
from kaigai.markets.weights import Weights

if TYPE_CHECKING:
    from kaigai.core.config import Settings


def resolve_products(hs: str, settings: Settings) -> list[str]:
    """HS6 codes for a 2/4/6-digit code (HS 2017 product list); unknown codes raise."""
    prefix = normalize_prefix(hs)
    codes = store.load("hs17_products", settings, columns=["hs6"])["hs6"].astype(str)
    got = sorted(c for c in codes if c.startswith(prefix))
    if not got:
        raise HSCodeError(
            f"HS code {hs} matches no HS 2017 product.",
            hint="Check the code (the trade data uses HS 2017), e.g. 847130 or chapter 84.",
            hs=hs,
        )
    return got


def _risk(settings: Settings, markets: list[str], weights: Weights, year: int) -> RiskResult:
    from kaigai.data.markets import load_risk_frames, risk_sources

    return risk_index(
        load_risk_frames(settings),
        markets,
        weights.risk,
        reference_year=year,
        sources=risk_sources(),
    )


def _ranking_to_json(res: RankingResult) -> dict[str, Any]:
    return {
        "exporter": res.exporter,
        "products": list(res.products),
        "rows": frame_to_json(res.rows),
        "not_computed": list(res.not_computed),
        "notes": list(res.notes),
        "provenance": [p.to_dict() for p in res.provenance],
        "risk_missing": list(res.risk_missing),
    }


def _ranking_from_json(d: dict[str, Any]) -> RankingResult:
    return RankingResult(
        exporter=d["exporter"],
        products=tuple(d["products"]),
        rows=frame_from_json(d["rows"]),
        not_computed=tuple(d["not_computed"]),
        notes=tuple(d["notes"]),
        provenance=tuple(Provenance(**p) for p in d["provenance"]),
        risk_missing=tuple(d["risk_missing"]),
    )


def find_markets(
    settings: Settings,
    exporter: str,
    hs: str,
    *,
    params: EPIParams | None = None,
    weights: Weights | None = None,
    floor: float = 0.0,
    sort: str = "score",
    lang: str | None = None,
) -> RankingResult:
    """Ranked markets for ``exporter`` (name/ISO) and ``hs`` (HS6, heading or chapter), with
    their texts in ``lang`` (default: the settings' language): :func:`every_language`'s ranking.

    Raises
    ------
    CountryError, HSCodeError
        unknown country or HS code.
    MarketError
        the exporter has no exports of the product, or no market has a computable potential.
    """
    res = every_language(settings, exporter, hs, params=params, weights=weights, floor=floor,
                         sort=sort)  # fmt: skip
    return res.in_language(check_lang(lang or settings.lang))


def every_language(
    settings: Settings,
    exporter: str,
    hs: str,
    *,
    params: EPIParams | None = None,
    weights: Weights | None = None,
    floor: float = 0.0,
    sort: str = "score",
) -> RankingResult:
    """:func:`find_markets`' ranking with its texts in every language (``in_language`` picks one).

    Computed once per data state and request and kept on disk (:func:`kaigai.app.cache.stored`);
    later calls, in any process and for any language, read it back, so every language shows
    the same figures.
    """
    params = params or EPIParams()
    weights = weights or Weights()
    iso = normalize_country(exporter)
    request = {
        "exporter": iso, "hs": normalize_prefix(hs), "params": asdict(params),
        "weights": asdict(weights), "floor": floor, "sort": sort,
    }  # fmt: skip
    return stored(
        "markets.ranking", settings, request,
        lambda: _find_markets(settings, iso, hs, params, weights, floor, sort),
        _ranking_to_json, _ranking_from_json,
        code=("kaigai.markets", "kaigai.app.markets", "kaigai.data.markets", "kaigai.data.store"),
    )  # fmt: skip


def _find_markets(
    settings: Settings,
    iso: str,
    hs: str,
    params: EPIParams,
    weights: Weights,
    floor: float,
    sort: str,
) -> RankingResult:
    from kaigai.data.markets import potential_for

    code = to_trade_code(iso)
    products = resolve_products(hs, settings)
    res = potential_for(settings, params, code, products)
    pot = res.potential
    if pot.empty:
        missing_ch = store.starter_lacks_chapter("trade_hs6", normalize_prefix(hs)[:2], settings)
        if missing_ch is not None:
            raise MarketError(
                f"HS chapter {normalize_prefix(hs)[:2]} is not in the starter pack, so there are "
                f"no trade data for {hs} (the starter pack holds chapters {missing_ch}).",
                hint="Import the full trade data: kaigai data import ../shared/data/markets "
                "(or kaigai data pull).",
                exporter=iso,
                hs=hs,
                cause="not_in_starter_pack",
            )
        raise MarketError(
            f"{iso} has no recorded exports of {hs} in {params.base_year} to any market, or no "
            "market with complete data imports it.",
            hint="The ITC method starts from current exports (supply). Try the chapter "
            f"({normalize_prefix(hs)[:2]}) or a related product.",
            exporter=iso,
            hs=hs,
        )
    markets = sorted({str(x) for x in pot["importer"]})
    risk = _risk(settings, [from_trade_code(m) for m in markets], weights, params.base_year)
    rows = rank_markets(
        iso, products, pot, risk, weights=weights.ranking, floor=floor, sort=sort,
        target_year=params.base_year + params.horizon, lang=LANGS[0], also=LANGS[1:],
    )  # fmt: skip
    return RankingResult(
        exporter=iso,
        products=tuple(sorted(set(pot["hs6"]))),
        rows=rows,
        not_computed=tuple(not_computed(res.markets, pot, code, _absent(settings, res.markets))),
        notes=res.notes,
        provenance=res.provenance,
    )


def explain_market(
    settings: Settings,
    exporter: str,
    market: str,
    hs: str,
    *,
    params: EPIParams | None = None,
    weights: Weights | None = None,
) -> dict[str, Any]:
    """Every factor behind one (exporter, market, product) potential, with sources."""
    from kaigai.data.markets import potential_for, read_prepared

    params = params or EPIParams()
    weights = weights or Weights()
    iso, dest = normalize_country(exporter), normalize_country(market)
    products = resolve_products(hs, settings)
    res = read_prepared(settings, params, to_trade_code(iso), products)
    if res is None:
        res = potential_for(settings, params, to_trade_code(iso), products)
    absent = _absent(settings, res.markets)
    if dest in absent:
        raise MarketError(
            f"No import data for {dest}: it is absent as an importer in the trade source.",
            hint=f"Potential cannot be computed ({absent[dest]}).",
        )
    rows = res.potential[res.potential["importer"] == to_trade_code(dest)]
    if rows.empty:
        why = {r["market"]: r["reason"] for r in not_computed(res.markets, res.potential)}
        reason = why.get(dest, f"{iso} has no recorded exports of {hs}")
        raise MarketError(
            f"No potential for {iso} -> {dest}, HS {hs}: {reason}.",
            hint="Run `kaigai markets --from ... --hs ...` to see the markets that have data.",
        )
    risk = _risk(settings, [dest], weights, params.base_year)
    factors = [
        _factor_rows({str(k): v for k, v in r.items()}) for r in rows.to_dict(orient="records")
    ]
    subs = risk.subs[risk.subs["iso3"] == dest]
    idx = risk.index.iloc[0].to_dict()
    return clean(
        {
            "exporter": iso,
            "market": dest,
            "products": sorted(set(rows["hs6"])),
            "potential_usd": float(rows["epi"].sum()),
            "actual_usd": float(rows["actual"].sum()),
            "untapped_usd": float(rows["untapped"].sum()),
            "summary": f"potential {money(float(rows['epi'].sum()))}, actual "
            f"{money(float(rows['actual'].sum()))}, untapped {money(float(rows['untapped'].sum()))}",
            "factors": factors,
            "risk": {
                "index": None if pd.isna(idx["risk"]) else float(idx["risk"]),
                "weight_coverage": float(idx["weight_coverage"]),
                "missing": [x for x in str(idx["missing"]).split(",") if x],
                "driver": idx["driver"],
                "weights": weights.risk,
                "indicators": subs.drop(columns=["iso3"]).to_dict(orient="records"),
            },
            "notes": list(res.notes),
            "provenance": [p.to_dict() for p in res.provenance],
        }
    )


def _absent(settings: Settings, markets: pd.DataFrame) -> dict[str, str]:
    from kaigai.data.markets import absent_importers

    held = {from_trade_code(str(c)) for c in markets["importer"]}
    return absent_importers(settings, held)


def _factor_rows(r: dict[str, Any]) -> dict[str, Any]:
    loc = f"exporter={r['exporter']} importer={r['importer']} hs6={r['hs6']}"
    return {
        "hs6": r["hs6"],
        "actual_usd": r["actual"],
        "actual_source": f"trade_hs6 2024: {loc}",
        "market_imports_usd": r["imports"],
        "projected_imports_usd": r["proj_imports"],
        "demand_factor": r["demand_factor"],
        "income_elasticity": r["elasticity"],
        "exporter_world_exports_usd": r["exports"],
        "market_share": r["share"],
        "projected_market_share": r["proj_share"],
        "global_tariff_factor": r["gtd"],
        "market_tariff_factor": r["ta"],
        "distance_km": None if pd.isna(r["ln_dist"]) else math.exp(float(r["ln_dist"])),
        "suppliers_avg_ln_distance": r["avg_ln_dist"],
        "distance_factor": r["dist_factor"],
        "ease": r["ease"],
        "potential_usd": r["epi"],
        "untapped_usd": r["untapped"],
        "flags": [
            k
            for k in (
                "growth_missing",
                "demand_growth_missing",
                "distance_missing",
                "tariff_missing",
                "ease_zero",
            )
            if bool(r[k])
        ],  # fmt: skip
    }


__all__ = ["every_language", "explain_market", "find_markets", "resolve_products"]
