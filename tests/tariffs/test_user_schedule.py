from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from kaigai.core.errors import ImportFormatError
from kaigai.tariffs.expr import Basis
from kaigai.tariffs.loader import index_from_frames
from kaigai.tariffs.options import DutyQuery, duty_options
from kaigai.tariffs.user_schedule import (
    import_schedule_file,
    is_schedule_file,
    load_imported_schedules,
    schedules_from_frame,
)

CSV = """importer,national_code,description,column,rate_text,valid_from,source
THA,8471.30.10,Laptops,mfn,5,2026-01-01,test
THA,8471.30.10,Laptops,JP-TH,0,2026-01-01,test
THA,8471.30.10,Laptops,RCEP,2.5,2026-01-01,test
THA,8471.30.10,Laptops,AJCEP,*,2026-01-01,test
"""


def test_user_schedule_roundtrip(tmp_path: Path, settings) -> None:  # type: ignore[no-untyped-def]
    f = tmp_path / "tha.csv"
    f.write_text(CSV)
    assert is_schedule_file(f)
    written = import_schedule_file(f, settings)
    assert written and written[0].name == "THA_2026-01-01.parquet"
    scheds = load_imported_schedules(settings)
    idx = index_from_frames(user_schedules=scheds)
    res = duty_options(
        idx, DutyQuery("847130", "JPN", "THA", dt.date(2026, 6, 1), Basis(1000, "JPY"))
    )
    o = {r.option: r for r in res.lines[0].options}
    assert o["MFN"].rate_pct == 5.0 and o["JP-TH"].rate_pct == 0.0 and o["RCEP"].rate_pct == 2.5
    assert o["AJCEP"].status == "excluded"
    assert res.lines[0].best == "JP-TH"
    # an agreement in force without a cell in the file: reported, not invented
    assert all(r.status != "ok" or r.rate_pct is not None for r in o.values())


def test_bad_schedule_file() -> None:
    with pytest.raises(ImportFormatError, match="lacks columns"):
        schedules_from_frame(pd.DataFrame({"importer": ["THA"]}))
    df = pd.read_csv(__import__("io").StringIO(CSV), dtype=str).assign(importer="Atlantis")
    with pytest.raises(ImportFormatError, match="Unknown importer"):
        schedules_from_frame(df)
