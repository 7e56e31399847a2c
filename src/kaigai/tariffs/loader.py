"""Build a :class:`TariffIndex` from schedule frames already loaded (pure: no I/O).

Loading the frames from the catalog / starter pack is the data layer's job
(:mod:`kaigai.data.tariffs`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from kaigai.tariffs.agreements import load_registry, load_scenario
from kaigai.tariffs.index import StagingInfo, TariffIndex
from kaigai.tariffs.schedule import Schedule, build_jp_schedule, build_vn_schedule
from kaigai.tariffs.staging_check import check_cptpp_staging


def inferred_cptpp_staging(
    jp: Schedule, apfc_frame: pd.DataFrame
) -> dict[tuple[str, str, str], StagingInfo]:
    """Staging categories of Japan's CPTPP lines inferred by matching (see staging_check)."""
    check = check_cptpp_staging(jp, apfc_frame)
    base = {m.hs6: m.base for m in check.matches}
    out = {}
    for m in check.matches:
        if m.status != "matched" or not m.category:
            continue
        for nl in m.national_lines:
            out[("JPN", "CPTPP", nl)] = StagingInfo(
                m.category,
                base[m.hs6],
                "inferred: APFC base rate + linear category matching the 2026 rate",
            )
    return out


def index_from_frames(
    jp: pd.DataFrame | None = None,
    vn: pd.DataFrame | None = None,
    apfc: pd.DataFrame | None = None,
    *,
    snapshots: pd.DataFrame | None = None,
    jp_edition: str = "2026-07-09",
    user_schedules: tuple[Schedule, ...] = (),
    scenario_files: tuple[Path, ...] = (),
) -> TariffIndex:
    """A :class:`TariffIndex` from frames already loaded (tests, benchmarks, full shared files)."""
    schedules: dict[str, list[Schedule]] = {}
    staging: dict[tuple[str, str, str], StagingInfo] = {}
    observed: dict[tuple[str, str, str], Any] = {}
    agreements = load_registry()
    if jp is not None:
        jps = build_jp_schedule(jp, edition=jp_edition)
        schedules["JPN"] = [jps]
        if apfc is not None:
            staging.update(inferred_cptpp_staging(jps, apfc))
        if snapshots is not None:
            from kaigai.tariffs import staging_observed as so

            steps = so.observed_steps(snapshots)
            staging = so.apply_checks(staging, so.check_model(staging, steps, agreements))
            observed = {
                ("JPN", c, nl): st for (c, nl), st in steps.items() if st.before != st.after
            }
    if vn is not None:
        schedules["VNM"] = [build_vn_schedule(vn)]
    for s in user_schedules:
        schedules.setdefault(s.importer, []).append(s)
    for f in scenario_files:
        agreements = (*agreements, *load_scenario(f))
    return TariffIndex(
        {k: tuple(sorted(v, key=lambda s: s.valid_from)) for k, v in schedules.items()},
        agreements,
        staging,
        observed,
    )


__all__ = ["index_from_frames", "inferred_cptpp_staging"]
