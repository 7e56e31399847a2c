"""Rank markets for one exporter and product (group): untapped potential, growth, risk, distance.

Pure functions on frames. No hidden threshold: every market with a computed potential is
kept; the caller may set a floor on untapped potential.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from kaigai.core.provenance import Provenance
from kaigai.markets.i18n import FLAG_JA, explanation_ja
from kaigai.markets.inputs import from_trade_code
from kaigai.markets.risk import COMPONENTS, RiskResult, driver_of, driver_text
from kaigai.markets.types import SORT_KEYS, check_choice

#: Absent as importers in the trade source (README of shared/data/markets).
ABSENT_IMPORTERS = ("USA", "DEU", "FRA", "GBR", "NLD", "ESP")
FLAG_TEXT = {
    "growth_missing": "exporter GDP projection missing (growth neutral)",
    "demand_growth_missing": "market GDP/population projection missing (demand growth neutral)",
    "distance_missing": "distance missing (distance factor neutral)",
    "ease_zero": "no bilateral trade in any product (ease 0)",
}
#: The columns a ranking writes in its reader's language. A ranking made for several languages
#: (``rank_markets(..., also=("ja",))``) keeps each further language's in "<column>@<lang>";
#: :meth:`RankingResult.in_language` picks one.
TEXT_COLUMNS = ("flags", "risk_driver", "explanation")


def clean(obj: Any) -> Any:
    """JSON-safe copy: NaN/inf -> None, numpy scalars -> Python (for --json and the REST API)."""
    if isinstance(obj, dict):
        return {str(k): clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [clean(v) for v in obj]
    if hasattr(obj, "item") and callable(obj.item) and not isinstance(obj, str):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def money(v: float) -> str:
    """USD amount in short form: 4.1m, 850k, 1.2bn."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "n/a"
    a = abs(v)
    for div, suf in ((1e9, "bn"), (1e6, "m"), (1e3, "k")):
        if a >= div:
            return f"USD {v / div:,.1f}{suf}"
    return f"USD {v:,.0f}"


@dataclass(frozen=True)
class RankingResult:
    exporter: str
    products: tuple[str, ...]
    rows: pd.DataFrame
    not_computed: tuple[dict[str, str], ...] = ()
    notes: tuple[str, ...] = ()
    provenance: tuple[Provenance, ...] = ()
    risk_missing: tuple[str, ...] = field(default_factory=tuple)

    def in_language(self, lang: str) -> RankingResult:
        """This ranking with its texts (:data:`TEXT_COLUMNS`) in ``lang``: a ranking made for
        several languages gives each language the same rows and figures."""
        extra = [c for c in self.rows.columns if "@" in str(c)]
        if not extra:
            return self
        rows = self.rows.drop(columns=extra)
        if f"explanation@{lang}" in self.rows.columns:
            for c in TEXT_COLUMNS:
                rows[c] = self.rows[f"{c}@{lang}"]
        return replace(self, rows=rows)

    @property
    def partial(self) -> bool:
        return bool(self.not_computed) or bool(self.rows["flags"].str.len().gt(0).any())

    def to_dict(self) -> dict[str, Any]:
        cols = ["rank", "market", "potential_usd", "actual_usd", "untapped_usd", "untapped_share",
                "import_growth", "risk", "risk_driver", "risk_coverage", "risk_missing",
                "distance_km", "score", "flags", "explanation"]  # fmt: skip
        recs = self.rows[cols].to_dict(orient="records")
        for r in recs:
            r["flags"] = list(r["flags"])
            r["risk_missing"] = [x for x in str(r["risk_missing"]).split(",") if x]
        return clean(
            {
                "exporter": self.exporter,
                "products": list(self.products),
                "markets": recs,
                "not_computed": list(self.not_computed),
                "partial": self.partial,
                "notes": list(self.notes),
                "provenance": [p.to_dict() for p in self.provenance],
            }
        )


def _minmax(x: pd.Series) -> pd.Series:
    lo, hi = x.min(), x.max()
    if not np.isfinite(lo) or not np.isfinite(hi) or hi == lo:
        return pd.Series(np.where(x.notna(), 1.0, np.nan), index=x.index)
    return (x - lo) / (hi - lo)


def by_market(potential: pd.DataFrame) -> pd.DataFrame:
    """Sum the potential rows of one exporter over products, per market."""
    p = potential.copy()
    p["ease_zero"] = p["ease_zero"].astype(bool)
    agg = p.groupby("importer").agg(
        potential_usd=("epi", "sum"),
        actual_usd=("actual", "sum"),
        untapped_usd=("untapped", "sum"),
        imports=("imports", "sum"),
        proj_imports=("proj_imports", "sum"),
        ln_dist=("ln_dist", "first"),
        growth_missing=("growth_missing", "any"),
        demand_growth_missing=("demand_growth_missing", "any"),
        distance_missing=("distance_missing", "any"),
        ease_zero=("ease_zero", "all"),
    )
    agg["untapped_share"] = agg["untapped_usd"] / agg["potential_usd"].where(
        agg["potential_usd"] > 0
    )
    agg["import_growth"] = agg["proj_imports"] / agg["imports"] - 1.0
    return agg.reset_index()


def rank_markets(
    exporter: str,
    products: list[str],
    potential: pd.DataFrame,
    risk: RiskResult,
    *,
    weights: dict[str, float],
    floor: float = 0.0,
    sort: str = "score",
    target_year: int = 2028,
    lang: str = "en",
    also: tuple[str, ...] = (),
) -> pd.DataFrame:
    """One row per market with score 0..100, explanation and flags, sorted by ``sort``.

    ``lang="ja"`` writes explanations, drivers and flags in Japanese. ``also`` names further
    languages whose texts are kept beside them (:data:`TEXT_COLUMNS`, "<column>@<lang>").
    """
    check_choice(sort, SORT_KEYS, "sort key")
    m = by_market(potential)
    m["market"] = m["importer"].map(from_trade_code)
    m = m.merge(risk.index.rename(columns={"iso3": "market"}), on="market", how="left")
    m["distance_km"] = np.exp(m["ln_dist"])
    parts = {
        "untapped": _minmax(np.log1p(m["untapped_usd"].clip(lower=0))),
        "growth": _minmax(m["import_growth"]),
        "risk": 1.0 - m["risk"] / 100.0,
        "distance": 1.0 - _minmax(m["ln_dist"]),
    }
    num = pd.Series(0.0, index=m.index)
    den = pd.Series(0.0, index=m.index)
    for k, s in parts.items():
        w = float(weights.get(k, 0.0))
        ok = s.notna()
        num += np.where(ok, s.fillna(0) * w, 0.0)
        den += np.where(ok, w, 0.0)
    m["score"] = 100.0 * num / den.where(den > 0)
    m = m[m["untapped_usd"] >= floor].copy()
    tops = {iso: driver_of(risk, iso) for iso, rk in zip(m["market"], m["risk"], strict=True)
            if pd.notna(rk)}  # fmt: skip
    for lg in (lang, *also):  # each language's texts from the same rows and drivers
        sfx = "" if lg == lang else f"@{lg}"
        m["flags" + sfx] = _flags(m, lg)
        m["risk_driver" + sfx] = [
            driver_text(tops[i], lg) if i in tops else "" for i in m["market"]
        ]
        if not sfx:
            m["risk_coverage"] = m["weight_coverage"]
            m["risk_missing"] = m["missing"].fillna(",".join(COMPONENTS))
        m["explanation" + sfx] = [
            _explain(r, d, target_year, lg)
            for (_, r), d in zip(m.iterrows(), m["risk_driver" + sfx], strict=True)
        ]
    key = {"potential": "potential_usd", "untapped": "untapped_usd", "growth": "import_growth",
           "distance": "distance_km", "risk": "risk", "score": "score"}[sort]  # fmt: skip
    asc = sort in ("risk", "distance")
    m = m.sort_values([key, "untapped_usd"], ascending=[asc, False], na_position="last")
    m.insert(0, "rank", range(1, len(m) + 1))
    return m.reset_index(drop=True)


def _flags(m: pd.DataFrame, lang: str) -> list[tuple[str, ...]]:
    texts = FLAG_JA if lang == "ja" else {**FLAG_TEXT, "no_risk": "no risk data"}
    return [
        tuple(texts[f] for f in FLAG_TEXT if bool(r[f]))
        + ((texts["no_risk"],) if pd.isna(r["risk"]) else ())
        for _, r in m.iterrows()
    ]


def _explain(r: pd.Series, driver: str, target_year: int, lang: str = "en") -> str:
    pot = float(r["potential_usd"])
    share = r["untapped_share"]
    if lang == "ja":
        from kaigai.core.i18n import format_money

        return explanation_ja(
            format_money(pot, "USD", "ja"),
            None if pd.isna(share) else float(share),
            None if pd.isna(r["import_growth"]) else float(r["import_growth"]),
            target_year,
            None if pd.isna(r["risk"]) else float(r["risk"]),
            driver,
            [x for x in str(r["risk_missing"]).split(",") if x],
        )
    txt = f"potential {money(pot)}"
    txt += f", {share:.0%} untapped" if pd.notna(share) else ", nothing computable"
    if pd.notna(r["import_growth"]):
        txt += f"; market imports {r['import_growth']:+.0%} to {target_year}"
    if pd.notna(r["risk"]):
        txt += f"; risk {r['risk']:.0f}/100 driven by {driver}"
        if r["risk_missing"]:
            txt += f" (missing: {r['risk_missing'].replace(',', ', ')})"
    else:
        txt += "; no risk data"
    return txt


def not_computed(
    markets: pd.DataFrame,
    potential: pd.DataFrame,
    exporter: str = "",
    absent: dict[str, str] | None = None,
) -> list[dict[str, str]]:
    """Markets without a potential and why (absent importer, incomplete structure, no imports).

    ``absent``: importer -> reason for importers the trade data lacks (default: the six of
    markets/README.md, unless the markets table holds them)."""
    if absent is None:
        held = {from_trade_code(str(c)) for c in markets["importer"]}
        absent = {
            c: "no import data (absent as importer in the trade source)"
            for c in ABSENT_IMPORTERS
            if c not in held
        }
    out = [{"market": c, "reason": why} for c, why in sorted(absent.items())]
    inc = markets[~markets["complete"].astype(bool)]
    out += [
        {
            "market": from_trade_code(c),
            "reason": "import totals only; bilateral supplier structure not in the data",
        }
        for c in inc["importer"]
    ]
    have = set(potential["importer"])
    comp = markets[markets["complete"].astype(bool)]
    out += [
        {"market": from_trade_code(c), "reason": "no recorded imports of the product"}
        for c in comp["importer"] if c not in have and c != exporter
    ]  # fmt: skip
    return out


__all__ = [
    "ABSENT_IMPORTERS",
    "FLAG_TEXT",
    "TEXT_COLUMNS",
    "RankingResult",
    "by_market",
    "money",
    "not_computed",
    "rank_markets",
]
