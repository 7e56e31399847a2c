"""Policy-lab questions: run a scenario on its data, observed FTA use for the firm simulator.

Shells (CLI ``kaigai policy run|firms``, REST, dashboard) call these; the engines in
:mod:`kaigai.policy` stay pure.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from kaigai.core.errors import DatasetMissingError
from kaigai.data import store

if TYPE_CHECKING:
    from kaigai.core.config import Settings
    from kaigai.policy.fta_use import UseTarget
    from kaigai.policy.scenarios import Scenario
    from kaigai.policy.scenarios_run import ScenarioResult

FTA_USE_DATASETS = ("fta_use_by_partner", "jpn_goods_imports", "jpn_dutiable_share")


def fta_use_frames(settings: Settings) -> tuple[pd.DataFrame, ...] | None:
    """The EPA-use numerator, the goods-import denominator and the dutiable shares (catalog
    first, then the starter pack); None when one is missing."""
    try:
        return tuple(store.load(name, settings) for name in FTA_USE_DATASETS)
    except DatasetMissingError:
        return None


def observed_fta_use(
    scn: Scenario, settings: Settings
) -> tuple[Scenario, dict[str, Any] | None, UseTarget | None]:
    """The scenario with its FTA-use target resolved (observed where computable) and the
    observed-use block for reports."""
    from kaigai.policy.fta_use import (
        japan_epa_since,
        preference_countries,
        resolve_observed,
        summary,
        utilisation,
    )
    from kaigai.tariffs.agreements import load_registry

    since = japan_epa_since([{c: d.year for c, d in a.parties.items()} for a in load_registry()])

    frames = fta_use_frames(settings)
    if frames is None:
        scn, target = resolve_observed(scn, None)
        return scn, None, target
    by_partner, imports, dutiable = frames
    util = utilisation(by_partner, imports, dutiable)
    scn, target = resolve_observed(scn, util, since)
    block = summary(by_partner, util, preference_countries(scn), target)
    if scn.firms is not None:
        block["calibration_label"] = scn.firms.fta_utilisation_label
    block["provenance"] = [
        str(store.provenance(n, settings, note="FTA use")) for n in FTA_USE_DATASETS
    ]
    return scn, block, target


def scenario_provenance(scn: Scenario, settings: Settings) -> list[str]:
    """Where the GE baseline data come from (dataset, edition, source)."""
    prov: list[str] = []
    if scn.ge is not None:
        p = store.provenance(scn.ge.dataset, settings, note="GE baseline data")
        prov.append(f"{p}; source: {p.source}" if p.source else str(p))
        if scn.ge.parameters:
            from kaigai.policy.gravity_modern import load_params, params_source

            prov.append(f"GE coefficients: {params_source(load_params(scn.ge.parameters))}")
        elif scn.ge.coefficients_source:
            prov.append(f"GE coefficients: {scn.ge.coefficients_source}")
    return prov


def run_scenario(scn: Scenario, settings: Settings) -> tuple[ScenarioResult, list[str]]:
    """Load the scenario's GE data and observed FTA use, run it; returns result and provenance."""
    from kaigai.policy.scenarios_run import run_scenario as engine

    data = store.load(scn.ge.dataset, settings) if scn.ge is not None else None
    scn, fta_block, _ = observed_fta_use(scn, settings)
    res = engine(scn, data, fta_block)
    prov = scenario_provenance(scn, settings)
    if fta_block is not None:
        prov.extend(fta_block["provenance"])
    return res, prov


__all__ = ["fta_use_frames", "observed_fta_use", "run_scenario", "scenario_provenance"]
