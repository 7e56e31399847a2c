"""Japan's observed yearly step (tariffs_staging/, 2025-04-01 -> 2026-04-01) vs the staging model.

Reference: japan_epa_rates_snapshots_long.parquet (Japan Customs schedule at four dates)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from kaigai.tariffs.agreements import load_registry
from kaigai.tariffs.expr import Basis
from kaigai.tariffs.loader import index_from_frames
from kaigai.tariffs.options import DutyQuery, duty_options
from kaigai.tariffs.staging_observed import check_model, observed_steps, summary

from .conftest import _shared


@pytest.fixture(scope="module")
def snapshots() -> pd.DataFrame:
    p = _shared() / "tariffs_staging/japan_epa_rates_snapshots_long.parquet"
    if not p.is_file():
        pytest.skip(f"shared data not found at {p}")
    return pd.read_parquet(p)


@pytest.mark.shared
def test_observed_step_agrees_with_inferred_categories(jp_frame, apfc_frame, snapshots) -> None:  # type: ignore[no-untyped-def]
    steps = observed_steps(snapshots)
    assert len(steps) == 174_358  # ad valorem (column, coded line) pairs at both dates
    assert sum(s.before != s.after for s in steps.values()) == 7_590
    beef = steps[("epa_cptpp", "0201.30.010")]  # README example: 21.6 % -> 20.8 %
    assert (beef.before, beef.after) == (21.6, 20.8)
    plain = index_from_frames(jp_frame, None, apfc_frame)
    checks = check_model(plain.staging, steps, load_registry())
    assert summary(checks) == {"lines": 86, "agree": 84, "disagree": 2, "not_observed": 0}
    bad = {c.key[2]: (c.category, c.model, c.observed) for c in checks if c.agrees is False}
    assert bad == {
        "0206.21.000": ("B10", (2.5, 1.2), (1.9, 1.2)),
        "0408.91.000": ("B12", (7.1, 5.3), (5.3, 5.3)),
    }
    # with the snapshots, contradicted categories are dropped and agreeing ones confirmed
    idx = index_from_frames(jp_frame, None, apfc_frame, snapshots=snapshots)
    assert ("JPN", "CPTPP", "0206.21.000") not in idx.staging
    assert "confirmed by the observed" in idx.staging[("JPN", "CPTPP", "0206.22.000")].source
    assert len(idx.staging) == 84
    q = DutyQuery("0201.30.010", "AUS", "JPN", dt.date(2026, 7, 9), Basis())
    row = {o.option: o for o in duty_options(idx, q).lines[0].options}["CPTPP"]
    assert row.staging is not None
    assert row.staging["observed_step"]["2025-04-01"] == 21.6
    assert row.staging["observed_step"]["2026-04-01"] == 20.8
