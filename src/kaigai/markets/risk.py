"""Market-risk index: the barriers small exporters meet, as named and sourced components.

Each sub-indicator is scored 0 (low risk) .. 100 (high risk) from its latest value at or before
the reference year, then averaged into its component; the index is the weighted mean of the
components that have data (weights re-normalised, missing components listed, never zero-filled).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from kaigai.core.provenance import Provenance


@dataclass(frozen=True)
class SubIndicator:
    key: str
    component: str
    label: str
    dataset: str
    unit: str
    higher_is_riskier: bool
    bounds: tuple[float, float] | None = None  # fixed scale; None -> 5th/95th pct of log values
    series: str = ""  # Doing Business series / WGI indicator code


SUBS: tuple[SubIndicator, ...] = (
    SubIndicator("lpi", "logistics", "logistics performance (LPI)", "lpi", "score 1-5", False, (1.0, 5.0)),
    SubIndicator("wgi_rl", "legal", "rule of law (WGI)", "wgi", "estimate -2.5..2.5", False, (-2.5, 2.5), "rl"),
    SubIndicator("db_enforce_days", "legal", "contract enforcement", "doing_business", "days", True, None,
                 "Time required to enforce a contract (days)"),
    SubIndicator("wgi_pv", "political", "political stability (WGI)", "wgi", "estimate -2.5..2.5", False, (-2.5, 2.5), "pv"),
    SubIndicator("wgi_va", "political", "voice and accountability (WGI)", "wgi", "estimate -2.5..2.5", False, (-2.5, 2.5), "va"),
    SubIndicator("db_enforce_cost", "receivables", "cost to enforce a contract", "doing_business", "% of claim", True, None,
                 "Cost to enforce a contract (% of claim)"),
    SubIndicator("db_insolvency_recovery", "receivables", "insolvency recovery rate", "doing_business",
                 "cents on the dollar", False, (0.0, 100.0), "Resolving Insolvency: recovery rate (cents on the dollar)"),
    SubIndicator("db_insolvency_years", "receivables", "time to resolve insolvency", "doing_business", "years", True, None,
                 "Time to resolve insolvency (years)"),
    SubIndicator("ilo_earnings", "labour", "average monthly earnings (ILO)", "ilo_earnings", "2021 PPP $ / month", True),
    SubIndicator("cpi", "corruption", "corruption perceptions (TI CPI)", "cpi", "score 0-100", False, (0.0, 100.0)),
    SubIndicator("wgi_cc", "corruption", "control of corruption (WGI)", "wgi", "estimate -2.5..2.5", False, (-2.5, 2.5), "cc"),
    SubIndicator("tariff_coverage", "tariff", "tariff & agreement coverage (duty engine)", "tariffs", "score 0-100", True,
                 (0.0, 100.0)),
)  # fmt: skip

COMPONENTS: dict[str, str] = {
    "logistics": "infrastructure and logistics",
    "legal": "legal system and contract enforcement",
    "political": "political risk",
    "receivables": "receivables collection",
    "labour": "labour cost",
    "corruption": "corruption",
    "tariff": "tariff and agreement coverage",
}
DEFAULT_WEIGHTS: dict[str, float] = {
    "logistics": 0.20,
    "legal": 0.20,
    "political": 0.15,
    "receivables": 0.15,
    "labour": 0.10,
    "corruption": 0.15,
    "tariff": 0.05,
}


@dataclass(frozen=True)
class RiskResult:
    """``index``: iso3, risk, weight_coverage, missing (comma list), driver;
    ``components``: iso3, component, score, weight; ``subs``: one row per sub-indicator value
    with its year and provenance fields."""

    index: pd.DataFrame
    components: pd.DataFrame
    subs: pd.DataFrame
    weights: dict[str, float] = field(default_factory=dict)
    reference_year: int = 2024

    def provenance(self, iso3: str) -> list[Provenance]:
        s = self.subs[self.subs["iso3"] == iso3]
        out = []
        for r in s.to_dict(orient="records"):
            loc = f"iso3={iso3} year={r['year']} {r['series']}".strip()
            out.append(Provenance(str(r["dataset"]), str(r["edition"]), loc, str(r["source"])))
        return out


def _latest(df: pd.DataFrame, value: str, year_max: int) -> pd.DataFrame:
    d = df[df[value].notna() & (df["year"] <= year_max) & df["iso3"].notna()]
    d = d.sort_values(["iso3", "year"]).groupby("iso3", as_index=False).tail(1)
    return d[["iso3", "year", value]].rename(columns={value: "value"})


def sub_values(frames: dict[str, pd.DataFrame], year_max: int) -> pd.DataFrame:
    """Latest raw value per (iso3, sub-indicator) from the indicator frames present."""
    out = []
    for sub in SUBS:
        df = frames.get(sub.dataset)
        if df is None or df.empty:
            continue
        if sub.dataset == "wgi":
            d = _latest(df[df["indicator"] == sub.series], "estimate", year_max)
        elif sub.dataset == "doing_business":
            d = _latest(df[df["series"] == sub.series], "value", year_max)
        elif sub.dataset == "lpi":
            d = _latest(df, "lpi_score", year_max)
        elif sub.dataset == "cpi":
            d = _latest(df, "cpi_score", year_max)
        elif sub.dataset == "ilo_earnings":
            sel = (df["sex"] == "Total") & (df["area_type"] == "National")
            d = _latest(df[sel], "earnings_ppp", year_max)
        elif sub.dataset == "tariffs":
            d = _latest(df, "score", year_max)
        else:  # pragma: no cover - every dataset above is handled
            continue
        d = d.assign(key=sub.key)
        out.append(d)
    if not out:
        return pd.DataFrame(columns=["iso3", "year", "value", "key"])
    return pd.concat(out, ignore_index=True)


def score_subs(values: pd.DataFrame) -> pd.DataFrame:
    """Score each raw value 0..100 (100 = riskiest) on a fixed or empirical scale."""
    spec = {s.key: s for s in SUBS}
    parts = []
    for key, g in values.groupby("key"):
        s = spec[str(key)]
        x = g["value"].astype(float)
        if s.bounds is not None:
            lo, hi = s.bounds
        else:
            x = pd.Series(np.log(x.clip(lower=1e-9)), index=x.index)
            lo, hi = float(x.quantile(0.05)), float(x.quantile(0.95))
        frac = ((x - lo) / (hi - lo)).clip(0.0, 1.0)
        score = 100.0 * (frac if s.higher_is_riskier else 1.0 - frac)
        parts.append(g.assign(score=score.to_numpy(), lo=lo, hi=hi))
    if not parts:
        return values.assign(score=[], lo=[], hi=[])
    return pd.concat(parts, ignore_index=True)


def risk_index(
    frames: dict[str, pd.DataFrame],
    markets: list[str],
    weights: dict[str, float] | None = None,
    *,
    reference_year: int = 2024,
    tariff_coverage: pd.DataFrame | None = None,
    sources: Mapping[str, tuple[str, str]] | None = None,
) -> RiskResult:
    """Risk index for ``markets`` (ISO3) from indicator frames (``lpi``, ``wgi``, ...).

    Scales are computed over all countries in each dataset (not only ``markets``), so a
    market's score does not depend on which other markets are asked for.
    ``tariff_coverage`` (iso3, year, score 0..100 = share of lines without preference) comes
    from the duty engine when available; otherwise the tariff component is flagged missing.
    ``sources`` maps a dataset name to its (edition, source) for each indicator's provenance.
    """
    w = dict(DEFAULT_WEIGHTS if weights is None else weights)
    fr = dict(frames)
    if tariff_coverage is not None:
        fr["tariffs"] = tariff_coverage
    scored = score_subs(sub_values(fr, reference_year))
    spec = {s.key: s for s in SUBS}
    scored["component"] = scored["key"].map(lambda k: spec[k].component)
    scored = scored[scored["iso3"].isin(markets)].copy()
    for attr in ("label", "unit", "dataset", "series"):
        scored[attr] = scored["key"].map(lambda k, a=attr: getattr(spec[k], a))
    src = dict(sources or {})
    scored["edition"] = scored["dataset"].map(lambda d: src[d][0] if d in src else "")
    scored["source"] = scored["dataset"].map(
        lambda d: src[d][1] if d in src else "kaigai duty engine"
    )
    comp = pd.DataFrame(scored.groupby(["iso3", "component"], as_index=False)["score"].mean())
    comp["weight"] = comp["component"].map(w).fillna(0.0)
    rows = []
    for iso in markets:
        c = comp[(comp["iso3"] == iso) & (comp["weight"] > 0)]
        total_w = sum(v for v in w.values() if v > 0)
        have = float(c["weight"].sum())
        missing = [k for k, v in w.items() if v > 0 and k not in set(c["component"])]
        if have > 0:
            risk = float((c["score"] * c["weight"]).sum() / have)
            contrib = (c["score"] - risk) * c["weight"]
            driver = str(c["component"].to_numpy()[int(np.argmax(contrib.to_numpy()))])
        else:
            risk, driver = float("nan"), ""
        rows.append(
            {
                "iso3": iso,
                "risk": risk,
                "weight_coverage": have / total_w if total_w else 0.0,
                "missing": ",".join(missing),
                "driver": driver,
            }
        )
    cols = ["iso3", "key", "component", "label", "value", "unit", "year", "score", "dataset",
            "edition", "series", "source", "lo", "hi"]  # fmt: skip
    return RiskResult(
        index=pd.DataFrame(rows),
        components=comp.reset_index(drop=True),
        subs=scored[cols].reset_index(drop=True),
        weights=w,
        reference_year=reference_year,
    )


def driver_of(res: RiskResult, iso3: str) -> dict[str, Any] | None:
    """The sub-indicator that drives ``iso3``'s risk (its row of ``res.subs``), None without one."""
    row = res.index[res.index["iso3"] == iso3]
    if row.empty or not row["driver"].iloc[0]:
        return None
    comp = row["driver"].iloc[0]
    s = res.subs[(res.subs["iso3"] == iso3) & (res.subs["component"] == comp)]
    top: dict[str, Any] = s.sort_values("score", ascending=False).iloc[0].to_dict()
    return top


def driver_text(top: dict[str, Any] | None, lang: str = "en") -> str:
    """:func:`driver_of`'s sub-indicator in words, in ``lang`` (en, ja)."""
    from kaigai.markets.i18n import FLAG_JA, SUB_LABEL_JA, UNIT_JA

    if top is None:
        return FLAG_JA["no_risk"] if lang == "ja" else "no risk data"
    val = float(top["value"])
    txt = f"{val:,.0f}" if abs(val) >= 100 else f"{val:,.2f}"
    if lang == "ja":
        label = SUB_LABEL_JA.get(str(top["key"]), str(top["label"]))
        unit = UNIT_JA.get(str(top["unit"]), str(top["unit"]))
        return f"{label} {txt}{unit}（出典：{top['dataset']} {int(top['year'])}年）"
    return f"{top['label']} {txt} {top['unit']} ({top['dataset']} {int(top['year'])})"


def describe_driver(res: RiskResult, iso3: str, lang: str = "en") -> str:
    """e.g. "contract enforcement 1,200 days (doing_business 2016)" (``lang="ja"``: Japanese)."""
    return driver_text(driver_of(res, iso3), lang)


__all__ = [
    "COMPONENTS",
    "DEFAULT_WEIGHTS",
    "SUBS",
    "RiskResult",
    "SubIndicator",
    "describe_driver",
    "driver_of",
    "driver_text",
    "risk_index",
    "score_subs",
    "sub_values",
]
