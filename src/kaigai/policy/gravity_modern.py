"""Today's world for the GE scenarios: the 2016 baseline matrix and the RTA estimate behind it.

Pure functions on data frames (the shell or a script reads the files):

* :func:`build_baseline` turns the WTO Structural Gravity Database manufacturing matrix for
  2016 (160 x 160, domestic flows included; ``domestic_imputed`` flags the 84 countries whose
  domestic value upstream imputed as exports / 0.843099) into the square matrix the GE
  scenarios run on. Countries the WTO source leaves without any international flow (BEL, LUX,
  ROU and TWN: their rows and columns are all zero upstream) get their international flows
  from ITPD-E R02 manufacturing 2016 and a domestic value imputed by the upstream rule
  (flagged); countries that still have no trade are dropped. A plausibility check then flags
  observed domestic flows far outside the data's own range (:func:`implausible_domestic`) and
  replaces them by the same upstream imputation (``domestic_implausible`` marks them,
  ``domestic_reported`` keeps the source value).
* :func:`rta_sample` builds the PPML panel: ITPD-E R02 manufacturing, international flows,
  with the Dynamic Gravity Dataset 2.1 ``rta`` dummy; :func:`estimate_rta` fits
  ``trade ~ rta | exporter^year + importer^year + pair`` with kaigai's PPML (pair-clustered
  standard errors).
* :func:`load_params` reads the shipped estimate (``policy/params/*.json``, written by
  ``scripts/estimate_gravity_modern.py``) with its provenance.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kaigai.core.errors import ScenarioError

PARAMS_DIR = Path(__file__).with_name("params")
# upstream imputation: domestic = total exports / median export-to-domestic ratio
IMPUTATION_RATIO = 0.843099
RTA_YEARS = (2003, 2007, 2011, 2015, 2019)  # 4-year intervals ending with the last DGD year
RTA_SECTOR = "Manufacturing"
RTA_FORMULA = "trade ~ rta | exp_year + imp_year + pair"

RCEP = ("AUS", "BRN", "KHM", "CHN", "IDN", "JPN", "KOR", "LAO", "MYS", "MMR", "NZL", "PHL", "SGP", "THA", "VNM")  # fmt: skip
CPTPP = ("AUS", "BRN", "CAN", "CHL", "JPN", "MYS", "MEX", "NZL", "PER", "SGP", "VNM", "GBR")
EU27 = ("AUT", "BEL", "BGR", "HRV", "CYP", "CZE", "DNK", "EST", "FIN", "FRA", "DEU", "GRC", "HUN", "IRL", "ITA", "LVA", "LTU", "LUX", "MLT", "NLD", "POL", "PRT", "ROU", "SVK", "SVN", "ESP", "SWE")  # fmt: skip
MUST_MODEL = tuple(sorted({*RCEP, *CPTPP, *EU27, "USA", "IND"}))
BASELINE_COLUMNS = ["exporter", "importer", "year", "trade", "rta", "domestic", "domestic_imputed", "domestic_implausible", "domestic_reported", "flow_source"]  # fmt: skip
# plausibility of an observed domestic flow: log(domestic / total exports) inside Tukey's fences
# (quartiles -/+ 1.5 x interquartile range) of the observed-domestic countries' own log ratios
PLAUSIBILITY_FENCE = 1.5


def build_baseline(sgd: pd.DataFrame, itpde_manuf_2016: pd.DataFrame) -> pd.DataFrame:
    """The 2016 GE baseline: SGD manufacturing flows (USD), repaired where the source is empty.

    ``sgd``: the ``sgd_wto_manufacturing_2016`` columns (``exporter``, ``importer``,
    ``trade_usd``, ``rta``, ``domestic``, ``domestic_imputed``). ``itpde_manuf_2016``: ITPD-E
    rows ``exporter``, ``importer``, ``trade_usd_mn`` (manufacturing, 2016). Returns one row
    per pair of the kept countries with ``trade`` in USD, the 2016 ``rta`` dummy, the
    ``domestic_imputed`` flag (on every row of an imputed country's domestic pair) and
    ``flow_source`` (``SGD`` or ``ITPD-E``).
    """
    s = _codes_as_str(sgd, ["exporter", "importer"])
    itpde_manuf_2016 = _codes_as_str(itpde_manuf_2016, ["exporter", "importer"])
    s["trade"] = s["trade_usd"].astype(float)
    intl = s[s["exporter"] != s["importer"]]
    tot = (
        intl.groupby("exporter")["trade"]
        .sum()
        .add(intl.groupby("importer")["trade"].sum(), fill_value=0.0)
    )
    empty = sorted(tot[tot <= 0].index)
    s["flow_source"] = "SGD"
    if empty:
        it = itpde_manuf_2016[
            (itpde_manuf_2016["exporter"] != itpde_manuf_2016["importer"])
            & (itpde_manuf_2016["exporter"].isin(empty) | itpde_manuf_2016["importer"].isin(empty))
        ]
        fill = it.groupby(["exporter", "importer"])["trade_usd_mn"].sum() * 1e6
        key = pd.MultiIndex.from_frame(s[["exporter", "importer"]])
        vals = fill.reindex(key).to_numpy(float)
        touch = (s["exporter"].isin(empty) | s["importer"].isin(empty)) & (
            s["exporter"] != s["importer"]
        )
        use = touch.to_numpy() & np.isfinite(vals)
        s.loc[use, "trade"] = vals[use]
        s.loc[use, "flow_source"] = "ITPD-E"
        exports = s[s["exporter"] != s["importer"]].groupby("exporter")["trade"].sum()
        for c in empty:
            dom = (s["exporter"] == c) & (s["importer"] == c)
            if exports.get(c, 0.0) > 0:
                s.loc[dom, "trade"] = exports[c] / IMPUTATION_RATIO
                s.loc[dom, "domestic_imputed"] = True
                s.loc[dom, "flow_source"] = "ITPD-E"
    intl = s[s["exporter"] != s["importer"]]
    trade_tot = (
        intl.groupby("exporter")["trade"]
        .sum()
        .add(intl.groupby("importer")["trade"].sum(), fill_value=0.0)
    )
    keep = set(trade_tot[trade_tot > 0].index)
    s = s[s["exporter"].isin(keep) & s["importer"].isin(keep)]
    s = s.assign(
        year=s["year"].astype(int),
        rta=s["rta"].astype(int),
        domestic=s["exporter"] == s["importer"],
        domestic_imputed=s["domestic_imputed"].astype(bool) & (s["exporter"] == s["importer"]),
        domestic_implausible=False,
        domestic_reported=np.nan,
    )
    flagged, _ = implausible_domestic(s)
    if flagged:
        exports = s[~s["domestic"]].groupby("exporter")["trade"].sum()
        dom = s["domestic"] & s["exporter"].isin(flagged)
        s.loc[dom, "domestic_reported"] = s.loc[dom, "trade"]
        s.loc[dom, "trade"] = s.loc[dom, "exporter"].map(exports) / IMPUTATION_RATIO
        s.loc[dom, "domestic_imputed"] = True
        s.loc[dom, "domestic_implausible"] = True
    return s[BASELINE_COLUMNS].sort_values(["exporter", "importer"]).reset_index(drop=True)


def implausible_domestic(baseline: pd.DataFrame) -> tuple[list[str], tuple[float, float]]:
    """Observed domestic flows implausible against the country's total exports.

    The ratio domestic / total exports (international rows of the matrix) of every country
    whose domestic flow is observed (not ``domestic_imputed``; a value already replaced is
    judged on its ``domestic_reported`` source value) is compared with Tukey's fences on the
    log ratio: quartiles -/+ ``PLAUSIBILITY_FENCE`` x the interquartile range of those same
    countries. The ratio spans entrepot economies (low: re-exports) to large closed ones
    (high), hence the log scale and a rule from the data's own spread rather than a fixed
    band. On the 2016 SGD matrix the band is 0.057 to 18.3 and flags BLR (domestic 14,000x
    exports), IRN (23x), NLD (0.04x) and SGP (0.016x). Returns the flagged countries and the
    band (low, high).
    """
    dom = baseline[baseline["exporter"] == baseline["importer"]].set_index("exporter")
    value = dom["trade"].astype(float)
    if "domestic_reported" in dom.columns:
        value = dom["domestic_reported"].astype(float).fillna(value)
    judged = ~dom["domestic_imputed"].astype(bool)
    if "domestic_implausible" in dom.columns:
        judged |= dom["domestic_implausible"].astype(bool)
    intl = baseline[baseline["exporter"] != baseline["importer"]]
    exports = intl.groupby("exporter")["trade"].sum().reindex(dom.index)
    ok = judged & (exports > 0) & (value > 0)
    lr = pd.Series(np.log(value[ok] / exports[ok]), index=value.index[ok])
    if len(lr) < 4:
        return [], (float("nan"), float("nan"))
    q1, q3 = float(lr.quantile(0.25)), float(lr.quantile(0.75))
    lo, hi = q1 - PLAUSIBILITY_FENCE * (q3 - q1), q3 + PLAUSIBILITY_FENCE * (q3 - q1)
    return sorted(lr[(lr < lo) | (lr > hi)].index), (float(np.exp(lo)), float(np.exp(hi)))


def imputed_countries(baseline: pd.DataFrame) -> list[str]:
    """Countries whose domestic flow in the baseline is imputed, not observed (upstream, for
    the repaired countries, or replacing an implausible observed value)."""
    d = baseline[baseline["domestic_imputed"].astype(bool)]
    return sorted(set(d["exporter"]))


def rta_sample(
    itpde: pd.DataFrame,
    dgd: pd.DataFrame,
    years: tuple[int, ...] = RTA_YEARS,
    sector: str = RTA_SECTOR,
) -> pd.DataFrame:
    """PPML panel: ITPD-E ``sector`` international flows in ``years`` (millions of USD; rows
    as recorded, a missing cell is not a zero) joined to the DGD 2.1 ``rta`` dummy (inner
    join on exporter, importer, year: codes DGD does not know are left out)."""
    itpde = _codes_as_str(itpde, ["exporter", "importer", "broad_sector"])
    dgd = _codes_as_str(dgd, ["exporter", "importer"])
    it = itpde[
        (itpde["broad_sector"] == sector)
        & itpde["year"].isin(years)
        & (itpde["exporter"] != itpde["importer"])
    ][["exporter", "importer", "year", "trade_usd_mn"]]
    g = dgd[dgd["year"].isin(years)][["exporter", "importer", "year", "rta"]]
    df = it.merge(g, on=["exporter", "importer", "year"], how="inner")
    df = df.rename(columns={"trade_usd_mn": "trade"})
    df["year"] = df["year"].astype(int)
    df["rta"] = df["rta"].astype(float)
    df["exp_year"] = df["exporter"] + "_" + df["year"].astype(str)
    df["imp_year"] = df["importer"] + "_" + df["year"].astype(str)
    df["pair"] = df["exporter"] + "_" + df["importer"]
    return df.sort_values(["year", "exporter", "importer"]).reset_index(drop=True)


def _codes_as_str(df: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    """Parquet dictionary columns arrive as categoricals with different categories."""
    return df.assign(**{c: df[c].astype(str) for c in cols if c in df.columns})


@dataclass(frozen=True)
class RTAEstimate:
    coef: float
    se: float
    n_obs: int
    n_input: int
    dropped: dict[str, int]
    pairs: int
    iterations: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "coef": self.coef,
            "se": self.se,
            "n_obs": self.n_obs,
            "n_input": self.n_input,
            "dropped": dict(self.dropped),
            "pairs": self.pairs,
            "iterations": self.iterations,
        }


def estimate_rta(sample: pd.DataFrame) -> RTAEstimate:
    """PPML ``trade ~ rta | exp_year + imp_year + pair``, standard errors clustered by pair."""
    from kaigai.policy.ppml import fepois

    fit = fepois(sample, RTA_FORMULA, vcov={"CRV1": "pair"})
    used = sample.loc[fit.obs_index]
    return RTAEstimate(
        coef=float(fit.coef["rta"]),
        se=float(fit.se["rta"]),
        n_obs=int(fit.n_obs),
        n_input=int(fit.n_input),
        dropped={str(k): int(v) for k, v in fit.dropped.items()},
        pairs=int(used["pair"].nunique()),
        iterations=int(fit.iterations),
    )


def load_params(name: str) -> dict[str, Any]:
    """A shipped parameter file (``policy/params/<name>.json``) with its provenance."""
    p = PARAMS_DIR / f"{name}.json"
    if not p.is_file():
        known = sorted(q.stem for q in PARAMS_DIR.glob("*.json"))
        raise ScenarioError(
            f"No shipped parameter set {name!r}.", hint=f"Known: {', '.join(known) or 'none'}."
        )
    out: dict[str, Any] = json.loads(p.read_text(encoding="utf-8"))
    return out


def params_source(params: dict[str, Any]) -> str:
    """One line saying where a shipped coefficient comes from."""
    prov = params.get("provenance", {})
    coefs = params.get("coefficients", {})
    se = params.get("standard_errors", {})
    parts = ", ".join(f"{k} {v:.4f} (SE {se.get(k, float('nan')):.4f})" for k, v in coefs.items())
    return (
        f"{parts}; PPML {prov.get('formula', '')} on {prov.get('data', '')}, "
        f"years {', '.join(map(str, prov.get('years', [])))}, N = {prov.get('n_obs', 0):,}, "
        f"vcov {prov.get('vcov', '')} (shipped file {params.get('name', '')}.json, "
        f"written by {prov.get('script', '')})"
    )


__all__ = [
    "BASELINE_COLUMNS",
    "CPTPP",
    "EU27",
    "MUST_MODEL",
    "PLAUSIBILITY_FENCE",
    "RCEP",
    "RTAEstimate",
    "build_baseline",
    "estimate_rta",
    "imputed_countries",
    "implausible_domestic",
    "load_params",
    "params_source",
    "rta_sample",
]
