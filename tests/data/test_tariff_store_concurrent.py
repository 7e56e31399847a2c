"""Two processes answering a duty question at the same time on an empty cache.

Both build the prepared tariff index (first use), both must give the same answer, and the cache
must hold one complete, readable index file (no temporary file left behind). A file that is not
an index (or names a type outside the codec's allowlist) is rebuilt, never trusted."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from kaigai.core.config import Settings
from kaigai.data import tariff_store
from kaigai.tariffs.options import DutyQuery, duty_options

from .race import race_two

CHILD = r"""
import datetime as dt, json, sys, time
from pathlib import Path
from kaigai.core import progress
from kaigai.core.config import get_settings
from kaigai.data.tariff_store import scoped_index, store_path
from kaigai.tariffs.options import DutyQuery, duty_options

settings = get_settings()
said = []
progress.set_sink(said.append)
index = scoped_index(settings, ["330499"], ["VNM"])
res = duty_options(index, DutyQuery("330499", "JPN", "VNM", dt.date(2027, 12, 31)))
print(json.dumps({"path": str(store_path(settings)), "answer": res.to_dict(),
                  "prepared": any("Preparing the tariff index" in m for m in said)}))
"""


def test_two_processes_prepare_the_same_index(tmp_path: Path) -> None:
    a, b = race_two(tmp_path, CHILD, timeout=600)
    assert a["prepared"] and b["prepared"]  # both found the cache empty and built it
    assert a["path"] == b["path"] and a["answer"] == b["answer"]
    assert [ln["national_line"] for ln in a["answer"]["lines"]] == [
        "3304.99.20", "3304.99.30", "3304.99.90",
    ]  # fmt: skip
    (only,) = list((tmp_path / "cache" / "tariffs").iterdir())  # no "*.tmp-<pid>" left
    assert str(only) == a["path"]
    with sqlite3.connect(only) as con:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_a_foreign_file_is_rebuilt_not_trusted(settings: Settings) -> None:
    path = tariff_store.store_path(settings)
    path.parent.mkdir(parents=True)
    path.write_text("not a database")
    index = tariff_store.scoped_index(settings, ["848210"], ["VNM"])
    assert [ln.national_code for ln in index.schedules["VNM"][0].lines["848210"]] == ["8482.10.00"]
    # a well-formed index whose body names a class outside the codec's allowlist
    with sqlite3.connect(path) as con:
        con.execute(
            "UPDATE lines SET body = ? WHERE hs6 = '848210'", ('{"c":"os.system","f":["x"]}',)
        )
    index = tariff_store.scoped_index(settings, ["848210"], ["VNM"])
    q = DutyQuery("848210", "JPN", "VNM", dt.date(2026, 12, 6))
    assert duty_options(index, q).lines[0].best == "CPTPP"
