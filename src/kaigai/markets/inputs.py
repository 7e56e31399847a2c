"""Country-level inputs of the pipeline, prepared from raw frames (pure pandas, no I/O).

Trade files key Taiwan as ``S19`` (BACI "Other Asia, nes"); WEO and the indicators use
``TWN``; CEPII GeoDist uses older codes for a few economies. Everything here is keyed by the
*trade* code so the pipeline joins on one key.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kaigai.markets.types import HIGH_INCOME_USD

#: ISO3 used by the trade files for an ISO3 used elsewhere.
TRADE_CODE = {"TWN": "S19"}
#: trade code -> CEPII GeoDist code (GeoDist predates these ISO3 changes/splits).
GEODIST_CODE = {
    "S19": "TWN",
    "ROU": "ROM",
    "TLS": "TMP",
    "COD": "ZAR",
    "PSE": "PAL",
    "SRB": "YUG",
    "MNE": "YUG",
    "CUW": "ANT",
    "BES": "ANT",
    "SXM": "ANT",
}


def to_trade_code(iso3: str) -> str:
    """ISO3 as used in the trade files (TWN -> S19)."""
    return TRADE_CODE.get(iso3, iso3)


def from_trade_code(code: str) -> str:
    """Trade-file code as ISO3 (S19 -> TWN)."""
    return "TWN" if code == "S19" else code


def country_growth(weo: pd.DataFrame, base_year: int, target_year: int) -> pd.DataFrame:
    """Projected growth factors per economy from IMF WEO, keyed by trade code.

    Returns one row per economy with ``gdp_factor`` = prod_{t=base+1..target}(1 + g_t/100)
    (real GDP), ``pop_factor`` = N_target / N_base, ``pc_factor`` = gdp_factor / pop_factor
    (real GDP per capita), ``rel_growth`` = gdp_factor / world factor (USD-GDP-weighted mean
    of gdp_factor over WEO economies), ``dev_group`` ("high" when base-year GDP per capita
    >= USD 14,005, else "developing") and ``gdp_usd_bn`` of the base year. Economies lacking
    any needed value get NaN factors (the pipeline treats them as neutral and flags them).
    """
    w = weo[["iso3", "year", "gdp_real_growth_pct", "gdp_usd_bn", "population_mn", "gdp_pc_usd"]]
    w = w[w["iso3"].notna()].copy()
    w["iso3"] = w["iso3"].astype(str)
    base = w[w["year"] == base_year].set_index("iso3")
    out = pd.DataFrame(index=pd.Index(sorted(base.index), name="iso3"))
    out["gdp_usd_bn"] = base["gdp_usd_bn"].astype(float)
    out["gdp_pc_usd"] = base["gdp_pc_usd"].astype(float)
    horizon = target_year - base_year
    if horizon == 0:
        for c in ("gdp_factor", "pop_factor", "pc_factor"):
            out[c] = 1.0
    else:
        fut = w[(w["year"] > base_year) & (w["year"] <= target_year)]
        g = fut.pivot_table(index="iso3", columns="year", values="gdp_real_growth_pct")
        g = g.reindex(columns=range(base_year + 1, target_year + 1))
        factor = (1.0 + g / 100.0).prod(axis=1, skipna=False)
        out["gdp_factor"] = factor.reindex(out.index)
        pop_t = w[w["year"] == target_year].set_index("iso3")["population_mn"]
        out["pop_factor"] = (pop_t.reindex(out.index) / base["population_mn"]).astype(float)
        out["pc_factor"] = out["gdp_factor"] / out["pop_factor"]
    ok = out["gdp_factor"].notna() & out["gdp_usd_bn"].notna()
    world = float(
        (out.loc[ok, "gdp_factor"] * out.loc[ok, "gdp_usd_bn"]).sum()
        / out.loc[ok, "gdp_usd_bn"].sum()
    )
    out["rel_growth"] = out["gdp_factor"] / world
    out["dev_group"] = np.where(out["gdp_pc_usd"] >= HIGH_INCOME_USD, "high", "developing")
    out.loc[out["gdp_pc_usd"].isna(), "dev_group"] = "developing"
    out = out.reset_index()
    out["code"] = out["iso3"].map(to_trade_code)
    out.attrs["world_gdp_factor"] = world
    return out[
        [
            "code",
            "iso3",
            "gdp_usd_bn",
            "gdp_pc_usd",
            "gdp_factor",
            "pop_factor",
            "pc_factor",
            "rel_growth",
            "dev_group",
        ]
    ]


def log_distances(geodist: pd.DataFrame, codes: list[str]) -> pd.DataFrame:
    """ln(distance in km) between every pair of trade ``codes`` found in CEPII GeoDist.

    Uses ``dist`` (between the most populated cities), which has no gaps; ``distw`` is missing
    for 2,215 pairs. Pairs of codes GeoDist does not know are absent (the pipeline then makes
    the distance factor neutral and flags it).
    """
    geo = pd.DataFrame({"code": sorted(set(codes))})
    geo["geo"] = geo["code"].map(lambda c: GEODIST_CODE.get(c, c))
    d = geodist[["iso_o", "iso_d", "dist"]].copy()
    d["iso_o"] = d["iso_o"].astype(str)
    d["iso_d"] = d["iso_d"].astype(str)
    d = d[pd.to_numeric(d["dist"], errors="coerce") > 0]
    d = d.merge(geo.rename(columns={"code": "exporter", "geo": "iso_o"}), on="iso_o")
    d = d.merge(geo.rename(columns={"code": "importer", "geo": "iso_d"}), on="iso_d")
    d["ln_dist"] = np.log(d["dist"].astype(float))
    return d[["exporter", "importer", "ln_dist"]].reset_index(drop=True)


__all__ = [
    "GEODIST_CODE",
    "TRADE_CODE",
    "country_growth",
    "from_trade_code",
    "log_distances",
    "to_trade_code",
]
