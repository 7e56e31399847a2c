"""Income elasticities of import demand by HS chapter and development group.

ITC takes elasticities from its own estimates, which are not published as data. We estimate
them ourselves, once, from the 2024 cross-section of imports (all 220 importers) and IMF WEO:

    ln M_jc = a_cg + eps_cg * ln y_j + b_cg * ln N_j + u_jc      (OLS per chapter c, group g)

with M_jc imports of chapter c by market j (USD), y_j GDP per capita (PPP, international $),
N_j population, g = "high" / "developing" (see :data:`kaigai.markets.types.HIGH_INCOME_USD`).
Controlling for population makes eps the response to income per head at a given market size.
Cells with fewer than :data:`MIN_OBS` markets take the median eps of their group; all
estimates are clipped to [0, 3]. The result is committed as ``income_elasticities.csv``
(regenerate with :func:`estimate_income_elasticities`; a shared-data test checks it).
"""

from __future__ import annotations

from importlib import resources

import numpy as np
import pandas as pd

from kaigai.markets.types import HIGH_INCOME_USD

MIN_OBS = 15
CLIP = (0.0, 3.0)
CSV_NAME = "income_elasticities.csv"


def estimate_income_elasticities(
    imports: pd.DataFrame, weo: pd.DataFrame, year: int = 2024
) -> pd.DataFrame:
    """Estimate eps per (chapter, dev_group); see the module docstring for the model.

    Parameters
    ----------
    imports : frame with ``importer``, ``hs6``, ``import_value_usd`` (importer x HS6 totals).
    weo : IMF WEO frame with ``iso3``, ``year``, ``gdp_pc_ppp_intl``, ``gdp_pc_usd``,
        ``population_mn``.

    Returns
    -------
    DataFrame with ``chapter``, ``dev_group``, ``elasticity``, ``raw_estimate``, ``n_obs``,
    ``method`` ("ols" or "group_median").
    """
    m = imports[["importer", "hs6", "import_value_usd"]].copy()
    m["importer"] = m["importer"].astype(str).replace({"S19": "TWN"})
    m["chapter"] = m["hs6"].astype(str).str[:2]
    m = pd.DataFrame(m.groupby(["importer", "chapter"], as_index=False)["import_value_usd"].sum())
    m = m[m["import_value_usd"] > 0]
    w = weo[weo["year"] == year][["iso3", "gdp_pc_ppp_intl", "gdp_pc_usd", "population_mn"]]
    w = w.dropna().rename(columns={"iso3": "importer"})
    w = w[(w["gdp_pc_ppp_intl"] > 0) & (w["population_mn"] > 0)].copy()
    w["importer"] = w["importer"].astype(str)
    w["dev_group"] = np.where(w["gdp_pc_usd"] >= HIGH_INCOME_USD, "high", "developing")
    d = m.merge(w, on="importer")
    rows = []
    for (chapter, group), g in d.groupby(["chapter", "dev_group"]):
        n = len(g)
        est = np.nan
        if n >= MIN_OBS:
            x = np.column_stack(
                [np.ones(n), np.log(g["gdp_pc_ppp_intl"]), np.log(g["population_mn"])]
            )
            beta, *_ = np.linalg.lstsq(x, np.log(g["import_value_usd"].astype(float)), rcond=None)
            est = float(beta[1])
        rows.append({"chapter": chapter, "dev_group": group, "raw_estimate": est, "n_obs": n})
    out = pd.DataFrame(rows)
    med = out.groupby("dev_group")["raw_estimate"].median()
    out["method"] = np.where(out["raw_estimate"].notna(), "ols", "group_median")
    fill = out["dev_group"].map(med)
    out["elasticity"] = out["raw_estimate"].fillna(fill).clip(*CLIP)
    chapters = sorted(out["chapter"].unique())
    full = pd.MultiIndex.from_product(
        [chapters, ["developing", "high"]], names=["chapter", "dev_group"]
    )
    out = out.set_index(["chapter", "dev_group"]).reindex(full).reset_index()
    missing = out["elasticity"].isna()
    if missing.any():
        out.loc[missing, "elasticity"] = out.loc[missing, "dev_group"].map(med).clip(*CLIP)
        out["method"] = out["method"].where(~missing, "group_median")
    out["n_obs"] = out["n_obs"].fillna(0).astype(int)
    return out[["chapter", "dev_group", "elasticity", "raw_estimate", "n_obs", "method"]]


def load_income_elasticities() -> pd.DataFrame:
    """The committed elasticity table (``chapter`` as 2-digit strings)."""
    path = resources.files("kaigai.markets").joinpath(CSV_NAME)
    with path.open("r", encoding="utf-8") as fh:
        df = pd.read_csv(fh, dtype={"chapter": str, "dev_group": str, "method": str})
    return df


__all__ = [
    "CSV_NAME",
    "CLIP",
    "MIN_OBS",
    "estimate_income_elasticities",
    "load_income_elasticities",
]
