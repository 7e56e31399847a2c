"""User weights for the risk index and the ranking score, read from a TOML file.

Format (every table optional; missing keys keep their defaults)::

    [risk]            # component weights, any non-negative numbers (re-normalised)
    logistics = 0.3
    tariff = 0

    [ranking]         # weights of the opportunity score
    untapped = 0.6
    risk = 0.2
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from kaigai.core.errors import InputError
from kaigai.markets.risk import DEFAULT_WEIGHTS

RANKING_WEIGHTS: dict[str, float] = {"untapped": 0.5, "growth": 0.2, "risk": 0.2, "distance": 0.1}


@dataclass(frozen=True)
class Weights:
    risk: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    ranking: dict[str, float] = field(default_factory=lambda: dict(RANKING_WEIGHTS))


def _merge(base: dict[str, float], given: object, table: str, path: Path) -> dict[str, float]:
    if not isinstance(given, dict):
        raise InputError(
            f"[{table}] in {path} must be a table of name = number.",
            hint=f"e.g. [{table}]\n{next(iter(base))} = 0.3",
        )
    out = dict(base)
    for k, v in given.items():
        if k not in base:
            raise InputError(
                f"Unknown {table} weight '{k}' in {path}.", hint=f"Known: {', '.join(base)}."
            )
        if isinstance(v, bool) or not isinstance(v, int | float) or v < 0:
            raise InputError(
                f"Weight {table}.{k} = {v!r} in {path} is not a non-negative number.",
                hint="Use numbers such as 0.2; 0 switches a component off.",
            )
        out[k] = float(v)
    if sum(out.values()) <= 0:
        raise InputError(
            f"All {table} weights in {path} are zero.", hint="Give at least one weight > 0."
        )
    return out


def load_weights(path: Path | None) -> Weights:
    """Weights from ``path`` (``--weights file.toml``), defaults when ``path`` is None."""
    if path is None:
        return Weights()
    p = Path(path)
    if not p.is_file():
        raise InputError(
            f"Weights file {p} not found.", hint="Pass an existing TOML file to --weights."
        )
    try:
        raw = tomllib.loads(p.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(
            f"Weights file {p} is not valid TOML: {exc}", hint="See docs/markets.md for the format."
        ) from exc
    unknown = set(raw) - {"risk", "ranking"}
    if unknown:
        raise InputError(
            f"Unknown table(s) {', '.join(sorted(unknown))} in {p}.",
            hint="Use [risk] and/or [ranking].",
        )
    return Weights(
        risk=_merge(DEFAULT_WEIGHTS, raw.get("risk", {}), "risk", p),
        ranking=_merge(RANKING_WEIGHTS, raw.get("ranking", {}), "ranking", p),
    )


__all__ = ["RANKING_WEIGHTS", "Weights", "load_weights"]
