"""Market finder: ITC export potential, untapped potential, market-risk index and ranking.

Engines (pure, frames in/frames out): :mod:`~kaigai.markets.pipeline` (Ibis expressions, any
backend), :mod:`~kaigai.markets.potential`, :mod:`~kaigai.markets.risk`, :mod:`~kaigai.markets.ranking`.
Data layer: :mod:`kaigai.data.markets` (load, run the pipeline on a :mod:`kaigai.data.backends`
backend — DuckDB or PySpark —, prepare and read stored runs).
Questions (find markets, explain one): :mod:`kaigai.app.markets`.
Methodology: docs/markets.md.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# Exports are imported on first use: the pipeline pulls in Ibis, which a question answered from
# stored results (kaigai.app.markets) never needs.
_EXPORTS = {
    "MarketFrames": "potential", "PotentialResult": "potential", "aggregate": "potential",
    "RankingResult": "ranking", "rank_markets": "ranking",
    "DEFAULT_WEIGHTS": "risk", "RiskResult": "risk", "risk_index": "risk",
    "EPIParams": "types", "Weights": "weights", "load_weights": "weights",
}  # fmt: skip

if TYPE_CHECKING:
    from kaigai.markets.potential import MarketFrames, PotentialResult, aggregate
    from kaigai.markets.ranking import RankingResult, rank_markets
    from kaigai.markets.risk import DEFAULT_WEIGHTS, RiskResult, risk_index
    from kaigai.markets.types import EPIParams
    from kaigai.markets.weights import Weights, load_weights


def __getattr__(name: str) -> Any:
    mod = _EXPORTS.get(name)
    if mod is None:
        raise AttributeError(f"module 'kaigai.markets' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"kaigai.markets.{mod}"), name)
    globals()[name] = value
    return value


__all__ = [
    "DEFAULT_WEIGHTS",
    "EPIParams",
    "MarketFrames",
    "PotentialResult",
    "RankingResult",
    "RiskResult",
    "Weights",
    "aggregate",
    "load_weights",
    "rank_markets",
    "risk_index",
]
