"""What a scenario's GE baseline is, and how much its headline depends on imputed domestic flows.

The 2016 WTO Structural Gravity matrix imputes the domestic (internal) flow of 84 countries
as exports / 0.843099. A GE counterfactual's welfare numbers depend on domestic shares
(ACR: real GDP change = (pi'_jj / pi_jj)^(1/(1-sigma))), so the report reruns the scenario

* without those countries (rows and columns dropped: the world of the observed-domestic
  countries; agreement parties among them are dropped too, so that difference also reflects
  fewer shocked pairs, and the report names them), and
* with their imputed domestic flows halved and doubled,

and states the change of the headline (the home country's real GDP) and of every party.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from kaigai.policy.ge import GEResult
from kaigai.policy.scenarios import Scenario


def _ge_frame(scn: Scenario, data: pd.DataFrame) -> pd.DataFrame:
    spec = scn.ge
    assert spec is not None
    if spec.year is not None and "year" in data.columns:
        return data[data["year"].astype(int) == int(spec.year)]
    return data


def imputed_countries(scn: Scenario, data: pd.DataFrame) -> list[str]:
    spec = scn.ge
    if spec is None or spec.imputed_column not in data.columns:
        return []
    df = _ge_frame(scn, data)
    flag = df[spec.imputed_column].astype(bool) & (df[spec.exporter] == df[spec.importer])
    return sorted(set(df.loc[flag, spec.exporter]))


def baseline_info(scn: Scenario, data: pd.DataFrame) -> dict[str, Any]:
    """Year, countries, parties modelled / not, imputed domestic flows, flow sources."""
    spec = scn.ge
    assert spec is not None
    df = _ge_frame(scn, data)
    countries = sorted(set(df[spec.exporter]) | set(df[spec.importer]))
    parties = sorted({c for a in scn.agreements for c in a.parties})
    imputed = imputed_countries(scn, data)
    years = sorted({int(y) for y in df["year"]}) if "year" in df.columns else []
    info: dict[str, Any] = {
        "dataset": spec.dataset,
        "year": years[0] if len(years) == 1 else years,
        "countries": len(countries),
        "parties_modelled": [c for c in parties if c in countries],
        "parties_not_modelled": [c for c in parties if c not in countries],
        "imputed_domestic": imputed,
        "parties_imputed_domestic": [c for c in parties if c in imputed],
    }
    if "domestic_implausible" in df.columns:
        from kaigai.policy.gravity_modern import implausible_domestic

        bad = df[df["domestic_implausible"].astype(bool) & (df[spec.exporter] == df[spec.importer])]
        _, (lo, hi) = implausible_domestic(df)
        info["implausible_domestic"] = [
            {"country": str(r[spec.exporter]), "reported": float(r["domestic_reported"]),
             "used": float(r[spec.trade])}
            for _, r in bad.sort_values(spec.exporter).iterrows()
        ]  # fmt: skip
        info["plausible_band"] = [lo, hi]
    if "flow_source" in df.columns:
        # countries all of whose international flows come from the repair source
        pos = df[(df[spec.exporter] != df[spec.importer]) & (df[spec.trade] > 0)]
        both = pd.concat(
            [
                pos[[spec.exporter, "flow_source"]].set_axis(["c", "s"], axis=1),
                pos[[spec.importer, "flow_source"]].set_axis(["c", "s"], axis=1),
            ]
        )
        repaired = (both["s"] != "SGD").groupby(both["c"]).all()
        info["flows_from_itpde"] = sorted(repaired[repaired].index)
    return info


def _pct(res: GEResult, c: str) -> float | None:
    return float(res.real_gdp_pct[res.countries.index(c)]) if c in res.countries else None


def flagged_flows(rows: list[dict[str, Any]]) -> str:
    """``baseline_info``'s implausible domestic flows as text: source -> used value."""
    return "; ".join(
        f"{r['country']} {r['reported'] / 1e9:,.1f} -> {r['used'] / 1e9:,.1f} bn USD" for r in rows
    )


def imputed_sensitivity(scn: Scenario, data: pd.DataFrame, full: GEResult) -> dict[str, Any] | None:
    """Headline (home real GDP %) and parties' real GDP % with the imputed-domestic countries
    dropped, and with their domestic flows x0.5 and x2, next to the full run."""
    from kaigai.policy.scenarios_run import run_ge

    spec = scn.ge
    if spec is None or not spec.imputed_sensitivity:
        return None
    imputed = imputed_countries(scn, data)
    if not imputed:
        return None
    quiet = replace(scn, ge=replace(spec, mc_draws=0, imputed_sensitivity=False))
    df = _ge_frame(scn, data)
    keep = ~df[spec.exporter].isin(imputed) & ~df[spec.importer].isin(imputed)
    runs: dict[str, GEResult] = {"excluded": run_ge(quiet, df[keep])[0]}
    dom = (df[spec.exporter] == df[spec.importer]) & df[spec.exporter].isin(imputed)
    for label, f in (("domestic_x0.5", 0.5), ("domestic_x2", 2.0)):
        scaled = df.copy()
        scaled.loc[dom, spec.trade] = scaled.loc[dom, spec.trade].astype(float) * f
        runs[label] = run_ge(quiet, scaled)[0]
    parties = sorted(
        {scn.home, *(c for a in scn.agreements if not a.in_baseline for c in a.parties)}
    )
    rows = []
    for c in parties:
        base = _pct(full, c)
        if base is None:
            continue
        row: dict[str, Any] = {"country": c, "imputed": c in imputed, "full": base}
        for label, r in runs.items():
            v = _pct(r, c)
            row[label] = v
            row[f"{label}_diff"] = None if v is None else v - base
        rows.append(row)
    dropped = [r["country"] for r in rows if r["imputed"]]  # absent from the excluded run
    head = next((r for r in rows if r["country"] == scn.home), None)
    diffs = [abs(r[f"{k}_diff"]) for r in rows for k in runs if r[f"{k}_diff"] is not None]
    scaled_runs = ("domestic_x0.5", "domestic_x2")
    moved = [r for r in rows if all(r[k] is not None for k in scaled_runs)]
    most = max(moved, key=lambda r: max(abs(r[f"{k}_diff"]) for k in scaled_runs), default=None)
    return {
        "imputed_countries": imputed,
        "countries_full": len(full.countries),
        "countries_excluded_run": len(runs["excluded"].countries),
        "headline_country": scn.home,
        "headline": head,
        "parties": rows,
        "max_abs_diff_pp": float(np.max(diffs)) if diffs else None,
        # the party whose real GDP moves most when the imputed domestic flows are halved or
        # doubled (the headline country is often among the least moved)
        "most_moved_scaled": most,
        "max_abs_diff_scaled_pp": (
            max(abs(most[f"{k}_diff"]) for k in scaled_runs) if most is not None else None
        ),
        "parties_dropped": dropped,
        "method": "excluded: the imputed-domestic countries' rows and columns dropped and the "
        "scenario rerun on the rest; the agreement parties among them are dropped too "
        f"({', '.join(dropped) or 'none'}), so that run also has fewer shocked pairs and its "
        "difference is not a pure domestic-flow effect; domestic_x0.5 / domestic_x2: their "
        "imputed domestic flows halved / doubled (no Monte Carlo in these reruns)",
    }


__all__ = ["baseline_info", "imputed_countries", "imputed_sensitivity"]
