"""Issue 14 item 10: while ``kaigai data import`` holds the catalog, reads wait briefly and work;
a longer hold answers 503 without the catalog path or the importer's PID."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from kaigai.data.catalog import Catalog

HOLDER = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])          # a writer, like `kaigai data import`
con.execute("BEGIN")
con.execute("CREATE TABLE IF NOT EXISTS _import_probe (x INT)")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
con.execute("COMMIT")
con.close()
"""


def _hold(path: Path, seconds: float) -> subprocess.Popen[str]:
    p = subprocess.Popen([sys.executable, "-c", HOLDER, str(path), str(seconds)],
                         stdout=subprocess.PIPE, text=True)  # fmt: skip
    assert p.stdout is not None and p.stdout.readline().strip() == "locked"
    return p


@pytest.fixture
def catalog(settings: Any) -> Path:
    with Catalog.open(settings.catalog_path):
        pass  # an (empty) catalog exists: readers open it before falling back to the starter pack
    return settings.catalog_path


def test_reads_wait_while_an_import_holds_the_catalog(
    app: Any, catalog: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("kaigai.data.catalog.READ_WAIT_S", 60.0)  # generous on a loaded machine
    c = TestClient(app, raise_server_exceptions=False)
    # first query prepares the market data (slow, once); the next one reads the catalog again
    assert c.get("/api/v1/markets", params={"hs": "848210", "limit": 3}).status_code == 200
    holder = _hold(catalog, 2.0)
    try:
        t0 = time.monotonic()
        r = c.get("/api/v1/markets", params={"hs": "847130", "limit": 3})
        waited = time.monotonic() - t0
    finally:
        holder.wait(timeout=30)
    assert r.status_code == 200, r.text  # an answer from the data, not a lock error
    assert r.json()["markets"]
    assert waited >= 0.5  # it did wait for the importer (the hold lasts 2 s from the request)


def test_long_import_answers_503_without_driver_text(
    app: Any, catalog: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("kaigai.data.catalog.READ_WAIT_S", 0.5)
    c = TestClient(app, raise_server_exceptions=False)
    holder = _hold(catalog, 6.0)
    try:
        r = c.get("/api/v1/markets", params={"hs": "950300", "limit": 3})
    finally:
        holder.kill()
        holder.wait(timeout=30)
    assert r.status_code == 503, r.text
    assert r.headers["retry-after"] == "30"
    body = r.json()
    assert body["code"] == "catalog_busy"
    text = r.text
    assert str(catalog) not in text and str(catalog.parent) not in text
    assert "PID" not in text and str(holder.pid) not in text and "duckdb" not in text.lower()
    assert str(os.getpid()) not in text
