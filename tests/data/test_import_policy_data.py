"""`kaigai data import` registers the policy lab's modern gravity and FTA-use datasets."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from kaigai.app.policy import fta_use_frames
from kaigai.core.config import Settings
from kaigai.data import store
from kaigai.data.importer import import_path


@pytest.mark.shared
@pytest.mark.slow
def test_import_gravity_modern_and_fta_use(settings: Settings, shared_data: Path) -> None:
    res = import_path(shared_data / "fta_use", settings)
    got = {r.dataset: r.rows for r in res if r.action == "imported"}
    assert got == {"fta_use_hs9": 103_077, "fta_use_by_partner": 479}  # fta_use/README.md
    skipped = {Path(r.path).name for r in res if r.action == "skipped"}
    assert "japan_epa_imports_by_partner_2012_2021.csv" in skipped  # the Parquet copy is used
    # the catalog copy is read first and gives the same table as the starter pack
    assert store.where("fta_use_by_partner", settings) == "catalog"
    frames = fta_use_frames(settings)
    assert frames is not None
    starter = pd.read_parquet(store.starter_path("fta_use_by_partner"))  # type: ignore[arg-type]
    assert frames[0]["value_kjpy"].sum() == starter["value_kjpy"].sum() == 38_026_757_608
    res = import_path(shared_data / "gravity_modern", settings)
    got = {r.dataset: r.rows for r in res if r.action == "imported"}
    assert got == {  # gravity_modern/README.md
        "itpde_sector": 1_934_961,
        "dgd_gravity": 1_275_747,
        "gravity_sgd_2016": 25_600,
        "itpde_domestic_coverage": 16_766,
    }
