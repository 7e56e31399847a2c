"""Observed FTA use: Japan's imports entered under an EPA rate, and utilisation rates from it.

Pure functions on the frames the shell loads (``kaigai.data.fta_use``):

* ``by_partner``: Japan Customs EPA-rate imports by ``year``, ``agreement``, origin
  (``country_en``), ``value_kjpy`` (thousand yen, CIF) - the numerator of utilisation
  (dataset ``fta_use_by_partner``, 2012-2021);
* ``imports``: Japan's goods imports by partner (``year``, ``exporter``, ``imports_usd_mn``):
  ITPD-E R02, agriculture + manufacturing + mining and energy, 2012-2019 (dataset
  ``jpn_goods_imports``);
* ``dutiable``: per partner, the share of Japan's 2024 imports (BACI-like HS6 trade) that
  falls in HS6 codes where at least one national line has a non-free applied MFN rate in
  Japan's 2026 tariff (dataset ``jpn_dutiable_share``; HS6 codes absent from the 2026
  schedule are left out of both parts of the share).

Two rates per partner and year (2013-2019: the years with both the numerator, the ITPD-E
denominator and an exchange rate):

* ``epa_share``: EPA-rate imports / all goods imports. A lower bound of utilisation (the
  denominator includes duty-free and excluded goods).
* ``utilisation``: EPA-rate imports / (goods imports x dutiable share). The share of
  imports that could gain from a preference which entered under one; approximations: the
  dutiable share is from 2024 trade and the 2026 tariff (composition and MFN rates of
  earlier years differ), "dutiable" means MFN > 0 (lines without a preference, e.g.
  excluded farm goods, stay in the denominator), and a partner's use of several EPAs
  (e.g. AJCEP and its bilateral EPA) is summed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from kaigai.core.countries import normalize_country
from kaigai.core.errors import CountryError
from kaigai.policy.gravity_modern import PARAMS_DIR
from kaigai.policy.scenarios import Scenario

ASSUMED_TARGET = 0.289  # JETRO survey via a secondary source (sme_facts.md s. 3): firms, SMEs
ASSUMED_LABEL = (
    "ASSUMPTION: 28.9% of SME exporters to preference markets use the preference (JETRO "
    "survey via a secondary source, sme_facts.md s. 3), firm-based measure"
)
AGREEMENT_NAMES = {
    "AS": "ASEAN-Japan (AJCEP)", "AU": "Japan-Australia", "BN": "Japan-Brunei",
    "CH": "Japan-Switzerland", "CL": "Japan-Chile", "EU": "Japan-EU", "GB": "Japan-UK",
    "ID": "Japan-Indonesia", "IN": "Japan-India", "MN": "Japan-Mongolia", "MX": "Japan-Mexico",
    "MY": "Japan-Malaysia", "PE": "Japan-Peru", "PH": "Japan-Philippines",
    "SG": "Japan-Singapore", "TH": "Japan-Thailand", "TP": "CPTPP", "US": "Japan-US",
    "VN": "Japan-Viet Nam",
}  # fmt: skip
# 2021 file: 34 C-table rows (99.4 bn yen; Canada 89.9, also NZL, VNM, AUS, MEX) carry the
# codes 1A-1E in the EPA column instead of "TP"; all have EPA code 9 or A, which the source
# uses only with CPTPP (fta_use/README.md), the origins are all CPTPP parties and Canada has
# no other EPA with Japan: they are CPTPP imports (wood, nickel, whey: tariff lines with
# party-specific CPTPP treatment), counted as TP
CPTPP_TARIFF_CODES = ("1A", "1B", "1C", "1D", "1E")


def jpy_per_usd() -> tuple[dict[int, float], str]:
    """Annual average yen per dollar (shipped table) and its source."""
    doc = json.loads((PARAMS_DIR / "jpy_per_usd.json").read_text(encoding="utf-8"))
    return {int(k): float(v) for k, v in doc["rates"].items()}, str(doc["source"])


def partner_iso3(by_partner: pd.DataFrame) -> pd.Series:
    """ISO3 of the origin country names of the customs table (None where unknown, e.g.
    'Puerto Rico (USA)')."""

    def one(name: str) -> str | None:
        try:
            return normalize_country(name)
        except CountryError:
            return None

    names = by_partner["country_en"].astype(str)
    lookup = {n: one(n) for n in names.unique()}
    return names.map(lookup)


def harmonise_agreements(by_partner: pd.DataFrame) -> pd.DataFrame:
    """The customs rows with the agreement codes of ``AGREEMENT_NAMES``: the 2021 codes
    ``1A``-``1E`` become ``TP`` (CPTPP, see ``CPTPP_TARIFF_CODES``); rows without an agreement
    (12 rows with EPA code 5 from origins without a Japanese EPA) are left out."""
    ag = by_partner["agreement"].astype(str)
    ag = ag.where(~ag.isin(CPTPP_TARIFF_CODES), "TP")
    return by_partner.assign(agreement=ag)[ag.isin(AGREEMENT_NAMES)]


def use_by_agreement(by_partner: pd.DataFrame) -> pd.DataFrame:
    """EPA-rate imports by agreement and year: ``value_bn_jpy`` and origin ``partners``
    (agreements harmonised by ``harmonise_agreements``)."""
    df = harmonise_agreements(by_partner)
    out = (
        df.groupby(["agreement", "year"])
        .agg(value_kjpy=("value_kjpy", "sum"), partners=("country_en", "nunique"))
        .reset_index()
    )
    out["value_bn_jpy"] = out["value_kjpy"] / 1e6
    out["name"] = out["agreement"].map(AGREEMENT_NAMES)
    out["year"] = out["year"].astype(int)
    return out.sort_values(["agreement", "year"]).reset_index(drop=True)


def utilisation(
    by_partner: pd.DataFrame,
    imports: pd.DataFrame,
    dutiable: pd.DataFrame,
    fx: dict[int, float] | None = None,
) -> pd.DataFrame:
    """Per partner (ISO3) and year: EPA-rate imports (thousand yen and USD mn), goods
    imports (USD mn), ``epa_share`` and ``utilisation`` (see the module docstring)."""
    rates = fx if fx is not None else jpy_per_usd()[0]
    bp = harmonise_agreements(by_partner).copy()
    bp["iso3"] = partner_iso3(bp)
    num = bp.dropna(subset=["iso3"]).groupby(["year", "iso3"])["value_kjpy"].sum().reset_index()
    num["year"] = num["year"].astype(int)
    num["jpy_per_usd"] = num["year"].map(rates)
    num["epa_usd_mn"] = num["value_kjpy"] * 1e3 / num["jpy_per_usd"] / 1e6
    imp = imports.rename(columns={"exporter": "iso3"})[["year", "iso3", "imports_usd_mn"]]
    imp = imp.assign(year=imp["year"].astype(int), iso3=imp["iso3"].astype(str))
    df = num.merge(imp, on=["year", "iso3"], how="inner").dropna(subset=["jpy_per_usd"])
    d = dutiable.rename(columns={"exporter": "iso3"})[["iso3", "dutiable_share"]]
    df = df.merge(d.assign(iso3=d["iso3"].astype(str)), on="iso3", how="left")
    df["epa_share"] = df["epa_usd_mn"] / df["imports_usd_mn"]
    df["utilisation"] = df["epa_usd_mn"] / (df["imports_usd_mn"] * df["dutiable_share"])
    df.loc[~(df["dutiable_share"] > 0), "utilisation"] = np.nan
    return df.sort_values(["iso3", "year"]).reset_index(drop=True)


@dataclass(frozen=True)
class UseTarget:
    """A utilisation rate for the simulator's calibration, or why none could be computed."""

    value: float | None
    year: int | None
    countries: tuple[str, ...]
    missing: tuple[str, ...]
    no_epa: tuple[str, ...] = ()  # no Japanese EPA in force in that year: not in the rate
    # computed utilisation above 100% (the data cannot be right there): not in the rate
    over_100: tuple[tuple[str, float], ...] = ()
    # countries of markets without a preference in the scenario's baseline although Japan had
    # an EPA with them in that year: not in the rate (said, not silently null)
    epa_no_pref: tuple[str, ...] = ()
    epa_usd_mn: float = 0.0
    dutiable_usd_mn: float = 0.0
    method: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "year": self.year,
            "countries": list(self.countries),
            "missing": list(self.missing),
            "no_epa": list(self.no_epa),
            "over_100": [{"country": c, "utilisation": v} for c, v in self.over_100],
            "epa_no_pref": list(self.epa_no_pref),
            "epa_usd_mn": self.epa_usd_mn,
            "dutiable_usd_mn": self.dutiable_usd_mn,
            "method": self.method,
        }


def japan_epa_since(parties_by_agreement: list[dict[str, int]]) -> dict[str, int]:
    """First year with a Japanese EPA in force, per partner, from agreements given as
    ``{ISO3: entry-into-force year}`` (e.g. the duty module's agreement registry)."""
    out: dict[str, int] = {}
    for parties in parties_by_agreement:
        if "JPN" not in parties:
            continue
        for c, y in parties.items():
            if c != "JPN":
                start = max(y, parties["JPN"])
                out[c] = min(out.get(c, start), start)
    return out


def observed_target(
    util: pd.DataFrame,
    countries: list[str],
    year: int | None = None,
    epa_since: dict[str, int] | None = None,
) -> UseTarget:
    """Value-weighted utilisation over ``countries`` in ``year`` (default: the latest year
    with data): sum of EPA-rate imports / sum of dutiable imports, over the countries that
    have both (the others are listed as missing). With ``epa_since`` countries without a
    Japanese EPA in force in that year (e.g. China and Korea before RCEP) are left out.
    Countries whose computed utilisation exceeds 100% are left out and listed in ``over_100``:
    more EPA-rate than dutiable imports means numerator and denominator disagree (in 2019
    GRC 991% and ROU 294%, likely heated tobacco, HS 2403/2404, classed differently in the
    HS2017 customs lines and the HS2022 trade of the dutiable share)."""
    if util.empty:
        return UseTarget(None, None, (), tuple(countries), method="no utilisation data")
    y = int(year if year is not None else util["year"].max())
    no_epa = tuple(
        sorted(c for c in countries if epa_since is not None and epa_since.get(c, 9999) > y)
    )
    keep = [c for c in countries if c not in no_epa]
    u = util[(util["year"] == y) & util["iso3"].isin(keep) & util["utilisation"].notna()]
    over = u[u["utilisation"] > 1].sort_values("iso3")
    over_100 = tuple(
        (str(c), float(v)) for c, v in zip(over["iso3"], over["utilisation"], strict=True)
    )
    u = u[u["utilisation"] <= 1]
    have = tuple(sorted(set(u["iso3"])))
    missing = tuple(sorted(set(keep) - set(have) - {c for c, _ in over_100}))
    if u.empty:
        return UseTarget(
            None, y, (), missing, no_epa, over_100=over_100, method="no partner with data"
        )
    epa = float(u["epa_usd_mn"].sum())
    den = float((u["imports_usd_mn"] * u["dutiable_share"]).sum())
    return UseTarget(
        epa / den,
        y,
        have,
        missing,
        no_epa,
        over_100=over_100,
        epa_usd_mn=epa,
        dutiable_usd_mn=den,
        method=f"sum of Japan's EPA-rate imports from {len(have)} partners in {y} (Japan Customs, "
        "yen converted at the annual average rate) / sum of their goods imports (ITPD-E R02) "
        "x dutiable share (2024 HS6 trade in lines with MFN > 0 in Japan's 2026 tariff); "
        "import-side use of the same agreements as a proxy for Japanese exporters' use"
        + (
            "; left out, computed rate above 100% (EPA-rate imports exceed the dutiable "
            "imports: numerator and denominator disagree, e.g. lines reclassified between "
            "HS2017 and HS2022): " + ", ".join(f"{c} {v:.1%}" for c, v in over_100)
            if over_100
            else ""
        ),
    )


def preference_countries(scn: Scenario, *, with_pref: bool = True) -> list[str]:
    """Countries of the simulator's markets that have a preference in the baseline (with
    ``with_pref=False``: those that have none)."""
    from kaigai.policy.scenarios_run import market_pref

    if scn.firms is None:
        return []
    out: list[str] = []
    for m, cs in scn.firms.markets:
        b = market_pref(m, cs, scn.home, scn.agreements, scn.year, baseline=True)
        if (b.pref_tariff is not None and b.pref_tariff < b.mfn_tariff) == with_pref:
            out.extend(c for c in cs if c not in out)
    return out


def resolve_observed(
    scn: Scenario, util: pd.DataFrame | None, epa_since: dict[str, int] | None = None
) -> tuple[Scenario, UseTarget | None]:
    """Replace ``fta_utilisation_target = "observed"`` by the observed value-based rate over
    the preference markets' countries (home JPN only: the data are Japan's), else by the
    labelled assumption."""
    f = scn.firms
    if f is None or not f.fta_utilisation_observed:
        return scn, None
    countries = preference_countries(scn)
    t = None
    if scn.home == "JPN" and util is not None and countries:
        t = observed_target(util, countries, epa_since=epa_since)
        if epa_since is not None and t.year is not None:
            y = t.year
            bare = preference_countries(scn, with_pref=False)
            t = replace(
                t, epa_no_pref=tuple(sorted(c for c in bare if epa_since.get(c, 9999) <= y))
            )
    if t is not None and t.value is not None and 0 < t.value < 1:
        label = (
            f"OBSERVED: {t.value:.1%} of Japan's dutiable imports from the {len(t.countries)} "
            f"countries of the preference markets entered under an EPA in {t.year}; the "
            "simulator is calibrated so that the same share of small and medium firms' export "
            f"value to those markets uses the preference (value-based; {t.method}; "
            f"countries: {', '.join(t.countries)}"
            + (
                f"; left out, no Japanese EPA in force in {t.year}: {', '.join(t.no_epa)}"
                if t.no_epa
                else ""
            )
            + (
                f"; not in the rate, no preference in the scenario's baseline markets although "
                f"Japan had an EPA with them in {t.year}: {', '.join(t.epa_no_pref)}"
                if t.epa_no_pref
                else ""
            )
            + ")"
        )
        f = replace(
            f,
            fta_utilisation_target=float(t.value),
            fta_utilisation_measure="value",
            fta_utilisation_label=label,
        )
    else:
        why = (
            "home country is not Japan"
            if scn.home != "JPN"
            else "no market with a baseline preference"
            if not countries
            else "no EPA-use data for the preference markets"
        )
        f = replace(
            f,
            fta_utilisation_target=ASSUMED_TARGET,
            fta_utilisation_measure="firms",
            fta_utilisation_label=f"{ASSUMED_LABEL}; observed rate not computable: {why}",
        )
    return replace(scn, firms=f), t


def summary(
    by_partner: pd.DataFrame, util: pd.DataFrame, countries: list[str], target: UseTarget | None
) -> dict[str, Any]:
    """JSON-safe block for reports: EPA use by agreement and year, partner utilisation in the
    latest year for ``countries``, and the calibration target."""
    agg = use_by_agreement(by_partner)
    latest = int(util["year"].max()) if not util.empty else None
    rows = util[(util["year"] == latest) & util["iso3"].isin(countries)] if latest else util

    def num(v: Any) -> float | None:
        return None if v is None or pd.isna(v) else float(v)

    return {
        "by_agreement": [
            {
                "agreement": str(r["agreement"]),
                "name": str(r["name"]),
                "year": int(r["year"]),
                "value_bn_jpy": float(r["value_bn_jpy"]),
                "partners": int(r["partners"]),
            }
            for r in agg.to_dict("records")
        ],
        "utilisation_year": latest,
        "utilisation": [
            {
                "country": str(r["iso3"]),
                "epa_usd_mn": num(r["epa_usd_mn"]),
                "imports_usd_mn": num(r["imports_usd_mn"]),
                "dutiable_share": num(r["dutiable_share"]),
                "epa_share": num(r["epa_share"]),
                "utilisation": num(r["utilisation"]),
            }
            for r in rows.to_dict("records")
        ],
        "target": target.to_dict() if target is not None else None,
        "source": "Japan Customs EPA-utilised import statistics 2012-2021 (numerator); ITPD-E "
        "R02 goods imports (denominator, to 2019); yen per USD: " + jpy_per_usd()[1],
    }


__all__ = [
    "AGREEMENT_NAMES",
    "ASSUMED_LABEL",
    "ASSUMED_TARGET",
    "CPTPP_TARIFF_CODES",
    "harmonise_agreements",
    "UseTarget",
    "japan_epa_since",
    "jpy_per_usd",
    "observed_target",
    "preference_countries",
    "resolve_observed",
    "summary",
    "partner_iso3",
    "use_by_agreement",
    "utilisation",
]
