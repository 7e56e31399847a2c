"""Export potential (ITC method): the pipeline's inputs from frames, its result types, caveats.

Pure: callers pass pandas frames; :func:`prepare_inputs` returns the input tables, which the data
layer uploads to a backend (DuckDB or PySpark) and runs through :func:`kaigai.markets.pipeline.build`
(:func:`kaigai.data.markets.compute_potential`). Nothing here connects or executes a query.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from kaigai.core.provenance import Provenance
from kaigai.markets.codes import code_id
from kaigai.markets.elasticities import load_income_elasticities
from kaigai.markets.inputs import country_growth, log_distances
from kaigai.markets.types import EPIParams

if TYPE_CHECKING:
    import ibis.expr.types as ir


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


def select_rows(
    potential: ir.Table, codes: pd.DataFrame, exporter: str | None, hs6: list[str] | None
) -> ir.Table:
    """The potential rows of one exporter and/or products (an Ibis filter; None keeps all)."""
    if exporter is not None:
        potential = potential.filter(potential.exporter == code_id(codes, exporter))
    if hs6:
        potential = potential.filter(potential.hs6.isin([int(h) for h in hs6]))
    return potential


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


def sorted_rows(df: pd.DataFrame) -> pd.DataFrame:
    """Rows in key order (exporter, importer, hs6): the same order on every backend."""
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
    "notes_for",
    "prepare_inputs",
    "select_rows",
    "sorted_rows",
]
