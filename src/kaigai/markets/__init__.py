"""Market finder: ITC export potential, untapped potential, market-risk index and ranking.

Engines (pure, frames in/frames out): :mod:`~kaigai.markets.pipeline` (Ibis, DuckDB or PySpark),
:mod:`~kaigai.markets.potential`, :mod:`~kaigai.markets.risk`, :mod:`~kaigai.markets.ranking`.
Data layer: :mod:`~kaigai.markets.data`. Service: :mod:`~kaigai.markets.finder`.
Methodology: docs/markets.md.
"""

from __future__ import annotations

from kaigai.markets.data import load_frames, load_risk_frames, prepare
from kaigai.markets.finder import explain_market, find_markets
from kaigai.markets.potential import MarketFrames, PotentialResult, aggregate, compute_potential
from kaigai.markets.ranking import RankingResult, rank_markets
from kaigai.markets.risk import DEFAULT_WEIGHTS, RiskResult, risk_index
from kaigai.markets.types import EPIParams
from kaigai.markets.weights import Weights, load_weights

__all__ = [
    "DEFAULT_WEIGHTS",
    "EPIParams",
    "MarketFrames",
    "PotentialResult",
    "RankingResult",
    "RiskResult",
    "Weights",
    "aggregate",
    "compute_potential",
    "explain_market",
    "find_markets",
    "load_frames",
    "load_risk_frames",
    "load_weights",
    "prepare",
    "rank_markets",
    "risk_index",
]
