"""Export potential (ITC method): prepare inputs from frames, run the Ibis pipeline, return frames.

Pure with respect to data: callers pass pandas frames (see :mod:`kaigai.data.markets` for the
loader); the only side effect is running queries on the chosen engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from kaigai.core.provenance import Provenance
from kaigai.markets import pipeline
from kaigai.markets.backends import Engine, connect
from kaigai.markets.codes import code_id, decode, encode
from kaigai.markets.elasticities import load_income_elasticities
from kaigai.markets.inputs import country_growth, log_distances
from kaigai.markets.types import EPIParams


@dataclass(frozen=True)
class MarketFrames:
    """Raw frames the market finder needs (columns as in the kaigai datasets).

    trade: exporter, importer, hs6, value_usd (dataset ``trade_hs6``);
    imports: importer, hs6, import_value_usd (``imports_by_importer``);
    exports: exporter, hs6, export_value_usd (``exports_by_exporter``);
    weo: IMF WEO (``weo``); geodist: CEPII distances (``geodist_dist``);
    elasticities: chapter, dev_group, elasticity (default: the committed estimates);
    tariffs: optional exporter, importer, hs6, rate (ad valorem fraction).
    """

    trade: pd.DataFrame
    imports: pd.DataFrame
    exports: pd.DataFrame
    weo: pd.DataFrame
    geodist: pd.DataFrame
    elasticities: pd.DataFrame | None = None
    tariffs: pd.DataFrame | None = None
    provenance: tuple[Provenance, ...] = ()
    scope_note: str = ""


@dataclass(frozen=True)
class PotentialResult:
    """Pipeline output: one row per (exporter, market, HS6) plus per-market coverage."""

    potential: pd.DataFrame
    markets: pd.DataFrame
    params: EPIParams
    notes: tuple[str, ...] = ()
    provenance: tuple[Provenance, ...] = ()
    stages: dict[str, pd.DataFrame] = field(default_factory=dict)


def prepare_inputs(frames: MarketFrames, params: EPIParams) -> dict[str, pd.DataFrame]:
    """Turn raw frames into the pipeline's input tables (pure pandas)."""
    trade = frames.trade[["exporter", "importer", "hs6", "value_usd"]].rename(
        columns={"value_usd": "value"}
    )
    trade = trade.astype({"exporter": str, "importer": str, "hs6": str, "value": "float64"})
    trade = trade[trade["value"] > 0]
    imports = frames.imports[["importer", "hs6", "import_value_usd"]].rename(
        columns={"import_value_usd": "imports"}
    )
    imports = imports.astype({"importer": str, "hs6": str, "imports": "float64"})
    exports = frames.exports[["exporter", "hs6", "export_value_usd"]].rename(
        columns={"export_value_usd": "exports"}
    )
    exports = exports.astype({"exporter": str, "hs6": str, "exports": "float64"})
    target = params.base_year + params.horizon
    growth = country_growth(frames.weo, params.base_year, target)
    growth = growth[["code", "rel_growth", "pc_factor", "pop_factor", "dev_group"]]
    el = frames.elasticities if frames.elasticities is not None else load_income_elasticities()
    el = el[["chapter", "dev_group", "elasticity"]].astype(
        {"chapter": str, "dev_group": str, "elasticity": "float64"}
    )
    codes = sorted(
        {str(c) for col in (trade["exporter"], trade["importer"], exports["exporter"],
                            imports["importer"]) for c in col.unique()}
    )  # fmt: skip
    out = {
        "trade": trade.reset_index(drop=True),
        "imports": imports.reset_index(drop=True),
        "exports": exports.reset_index(drop=True),
        "growth": growth.reset_index(drop=True),
        "elasticities": el.reset_index(drop=True),
        "distance": log_distances(frames.geodist, codes),
    }
    if frames.tariffs is not None:
        out["tariffs"] = frames.tariffs[["exporter", "importer", "hs6", "rate"]].astype(
            {"exporter": str, "importer": str, "hs6": str, "rate": "float64"}
        )
    return out


def register_inputs(engine: Engine, prepared: dict[str, pd.DataFrame]) -> pipeline.PipelineInputs:
    """Upload prepared frames to the engine as Ibis tables."""
    t = {name: engine.register(f"mk_{name}", df) for name, df in prepared.items()}
    return pipeline.PipelineInputs(
        trade=t["trade"],
        imports=t["imports"],
        exports=t["exports"],
        growth=t["growth"],
        elasticities=t["elasticities"],
        distance=t["distance"],
        tariffs=t.get("tariffs"),
    )


def notes_for(frames: MarketFrames, params: EPIParams) -> tuple[str, ...]:
    """Plain-language caveats that apply to every figure of a run."""
    n = [
        f"Trade year {params.base_year} only: ITC uses 5-year averages; one year is used as is.",
        "Tariffs: no applied-tariff data, so the tariff factors are neutral (= 1)."
        if frames.tariffs is None
        else "Tariffs: supplied tariff table used for both tariff factors.",
    ]
    if params.variant == "projected":
        n.append(
            f"Projection {params.base_year}->{params.target_year} with IMF WEO Oct 2023 "
            f"({params.horizon} years; ITC projects 5 years but WEO ends in 2028)."
        )
    else:
        n.append("Static variant: current market shares and current imports (no projection).")
    n.append(
        "Exporters' world exports exclude imports of USA, DEU, FRA, GBR, NLD, ESP (absent as "
        "importers in the source)."
    )
    if frames.scope_note:
        n.append(frames.scope_note)
    return tuple(n)


def compute_potential(
    frames: MarketFrames,
    params: EPIParams | None = None,
    *,
    engine: str | Engine = "duckdb",
    keep_stages: bool = False,
    exporter: str | None = None,
    hs6: list[str] | None = None,
) -> PotentialResult:
    """Run the full pipeline on ``engine`` and return EPI, untapped potential and coverage.

    ``exporter``/``hs6`` only filter the returned rows; the ease factor always uses all
    products, so the whole pipeline runs.

    Examples
    --------
    >>> res = compute_potential(frames, EPIParams(), engine="duckdb")  # doctest: +SKIP
    >>> res.potential.groupby(["importer", "hs6"]).epi.sum()           # == proj_imports
    """
    params = params or EPIParams()
    own = isinstance(engine, str)
    eng = connect(engine) if isinstance(engine, str) else engine
    try:
        enc, codes = encode(prepare_inputs(frames, params))
        inp = register_inputs(eng, enc)
        stages = pipeline.build(inp, params, stage=eng.cache)
        pot = stages["potential"]
        if exporter is not None:
            pot = pot.filter(pot.exporter == code_id(codes, exporter))
        if hs6:
            pot = pot.filter(pot.hs6.isin([int(h) for h in hs6]))
        pot_df = _sorted(decode(eng.execute(pot), codes))
        mk_df = decode(eng.execute(stages["markets"]), codes)
        mk_df = mk_df.sort_values("importer").reset_index(drop=True)
        kept: dict[str, pd.DataFrame] = {}
        if keep_stages:
            for name in ("supply", "demand", "grid", "ease"):
                kept[name] = _sorted(decode(eng.execute(stages[name]), codes))
    finally:
        if own:
            eng.close()
    return PotentialResult(
        potential=pot_df,
        markets=mk_df,
        params=params,
        notes=notes_for(frames, params),
        provenance=frames.provenance,
        stages=kept,
    )


def _sorted(df: pd.DataFrame) -> pd.DataFrame:
    keys = [c for c in ("exporter", "importer", "hs6") if c in df.columns]
    return df.sort_values(keys).reset_index(drop=True)


def aggregate(potential: pd.DataFrame, by: str | list[str], **mapping: Any) -> pd.DataFrame:
    """Sum EPI, actual and untapped over groups (e.g. ``by="importer"`` or a chapter column).

    Untapped potential is additive (each row already applies min(actual, EPI)), so group sums
    are the ITC aggregates. Extra keyword arguments map a column to a grouping dict, e.g.
    ``region={"VNM": "ASEAN"}`` adds a ``region`` column from ``importer``.
    """
    df = potential
    for col, mp in mapping.items():
        df = df.assign(**{col: df["importer"].map(mp)})
    keys = [by] if isinstance(by, str) else list(by)
    g = df.groupby(keys, dropna=False)[["epi", "actual", "untapped"]].sum()
    g["untapped_share"] = g["untapped"] / g["epi"].where(g["epi"] > 0)
    return g.reset_index()


__all__ = [
    "MarketFrames",
    "PotentialResult",
    "aggregate",
    "compute_potential",
    "notes_for",
    "prepare_inputs",
    "register_inputs",
]
