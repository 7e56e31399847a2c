"""Issue 13: the prepared tariff index answers a duty question exactly as the whole index does.

The whole index is built from the catalog / starter frames (:func:`build_index`, pandas); the
prepared one is the SQLite file of :mod:`kaigai.data.tariff_store`, read one HS6 and destination
at a time (no pandas). Every duty option, rate, duty, staging year, path and provenance must be
equal (``DutyOptions.to_dict()`` compared whole, including the kind of every number), for named
real lines and for samples of every destination, on the starter pack and on the full shared
tariffs. A ``kaigai data import`` that changes a schedule gives a new file: the new rates are
answered and the old file is gone.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from kaigai.cli.app import app
from kaigai.core.config import Settings, get_settings
from kaigai.core.errors import KaigaiError
from kaigai.data import store, tariff_store
from kaigai.data.tariffs import build_index
from kaigai.tariffs.expr import Basis
from kaigai.tariffs.index import TariffIndex
from kaigai.tariffs.options import DutyQuery, duty_options

ON = (dt.date(2026, 12, 6), dt.date(2026, 1, 1), dt.date(2031, 12, 31))
NAMED = [  # (hs, national line or None, destination, origin)
    ("848210", None, "VNM", "JPN"),
    ("330499", None, "VNM", "JPN"),
    ("330499", "3304.99.20", "VNM", "JPN"),
    ("330499", "3304.99.30", "VNM", "JPN"),
    ("330499", "3304.99.90", "VNM", "JPN"),
    ("220610", None, "VNM", "JPN"),
    ("090210", None, "VNM", "JPN"),
    ("848210", None, "JPN", "VNM"),
    ("220610", None, "JPN", "VNM"),
    ("090210", None, "JPN", "VNM"),
    ("330499", None, "JPN", "AUS"),
    ("848210", None, "USA", "JPN"),
    ("848210", None, "AUS", "JPN"),
    ("848210", None, "GBR", "JPN"),
    ("848210", None, "DEU", "JPN"),
    ("220610", None, "FRA", "JPN"),
    ("848210", None, "CHN", "JPN"),  # no schedule: the same error naming the same importers
    ("8482", None, "VNM", "JPN"),  # not six digits
    ("999999", None, "VNM", "JPN"),  # no such line
]


def _answer(index: TariffIndex, q: DutyQuery, lang: str) -> Any:
    try:
        # json round trip: 3 and 3.0 would compare equal as Python values, not as output
        return json.dumps(duty_options(index, q, lang).to_dict(), sort_keys=True, default=str)
    except KaigaiError as exc:
        return (type(exc).__name__, exc.message, exc.hint)


def _compare(
    settings: Settings, full: TariffIndex, cases: list[tuple[str, str | None, str, str]]
) -> int:
    tariff_store.prepare(settings)
    path = tariff_store.store_path(settings)
    n = 0
    for hs, line, dest, origin in cases:
        part = tariff_store.read_index(
            path, [hs, *([line.replace(".", "")] if line else [])], [dest]
        )
        for on in ON:
            for basis, lang in ((Basis(), "en"), (Basis(100_000.0, "JPY"), "ja")):
                q = DutyQuery(hs, origin, dest, on, basis, line)
                want, got = _answer(full, q, lang), _answer(part, q, lang)
                assert got == want, (hs, line, dest, origin, on, basis)
                n += 1
    return n


def _sample(
    full: TariffIndex, per_destination: int, seed: int = 13
) -> list[tuple[str, str | None, str, str]]:
    rnd = random.Random(seed)
    origin = {"JPN": "VNM"}
    out = []
    for dest, scheds in sorted(full.schedules.items()):
        codes = sorted({h for s in scheds for h in s.lines})
        for hs in rnd.sample(codes, min(per_destination, len(codes))):
            out.append((hs, None, dest, origin.get(dest, "JPN")))
    # every line with inferred staging or an observed step (Japan, full data): their paths
    staged = sorted({nl for (_, _, nl) in (*full.staging, *full.observed)})
    for nl in rnd.sample(staged, min(60, len(staged))):
        out.append((nl.replace(".", "")[:6], nl, "JPN", "VNM"))
    return out


def test_starter_pack_answers_equal_the_whole_index(settings: Settings) -> None:
    full = build_index(settings)
    assert sorted(full.schedules) == ["JPN", "VNM"]
    assert (len(full.staging), len(full.observed)) == (3, 0)  # CPTPP staging of 3 JP lines
    n = _compare(settings, full, NAMED + _sample(full, 80))
    assert n == (len(NAMED) + 2 * 80 + 3) * 6


@pytest.mark.slow
def test_full_shared_tariffs_answers_equal_the_whole_index(shared_data: Path) -> None:
    from kaigai.data.importer import import_path

    s = get_settings()
    for folder in ("trade_rules/japan_tariff", "tariffs_asia", "tariffs_staging", "tariffs_world"):
        import_path(shared_data / folder, s)
    full = build_index(s)
    assert len(full.schedules) == 32  # JPN, VNM, USA, AUS, GBR and the 27 EU members
    assert len(full.staging) > 0 and len(full.observed) > 0
    cases = NAMED + _sample(full, 25)
    n = _compare(s, full, cases)
    assert n == len(cases) * 6


def test_import_rebuilds_the_prepared_index(settings: Settings, tmp_path: Path) -> None:
    runner = CliRunner()
    args = ["duty", "--hs", "848210", "--from", "JPN", "--to", "VNM", "--json"]
    r = runner.invoke(app, args)
    assert r.exit_code == 0, r.output
    before = tariff_store.store_path(settings)
    assert before.is_file()
    mfn = json.loads(r.stdout)["lines"][0]["options"][0]
    assert (mfn["option"], mfn["rate_pct"]) == ("MFN", 3.0)

    src = store.starter_path("vn_tariff")
    assert src is not None
    vn = pd.read_parquet(src)
    hit = (vn["national_code"] == "8482.10.00") & (vn["column"] == "mfn")
    assert int(hit.sum()) == 1
    vn.loc[hit, "rate_text"] = "7"
    changed = tmp_path / "vn_tariff.parquet"
    vn.to_parquet(changed, index=False)
    r = runner.invoke(app, ["data", "import", str(changed), "--as", "vn_tariff"])
    assert r.exit_code == 0, r.output
    assert "Preparing the tariff index… ready" in r.output

    after = tariff_store.store_path(settings)
    assert after != before and after.is_file() and not before.exists()
    r = runner.invoke(app, args)
    assert r.exit_code == 0, r.output
    mfn = json.loads(r.stdout)["lines"][0]["options"][0]
    assert (mfn["option"], mfn["rate_pct"], mfn["rate_text"]) == ("MFN", 7.0, "7")
    assert mfn["provenance"]["locator"] == "national_line=8482.10.00 column=mfn source_row=12671"
