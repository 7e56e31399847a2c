from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from kaigai.cli.app import app
from kaigai.data import store

runner = CliRunner()


def test_data_import_status_json(tmp_path: Path) -> None:
    m = tmp_path / "markets"
    m.mkdir()
    pd.read_parquet(store.starter_path("weo")).to_parquet(m / "imf_weo_oct2023.parquet")  # type: ignore[arg-type]
    (m / "notes.txt").write_text("x")
    r = runner.invoke(app, ["data", "import", str(m), "--json", "--no-prepare"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["summary"] == {"imported": 1, "replaced": 0, "unchanged": 0, "skipped": 1}
    r2 = runner.invoke(app, ["data", "import", str(m), "--json", "--no-prepare"])
    assert json.loads(r2.stdout)["summary"]["unchanged"] == 1
    st = json.loads(runner.invoke(app, ["data", "status", "--json"]).stdout)
    weo = next(x for x in st["datasets"] if x["name"] == "weo")
    assert weo["location"] == "catalog" and weo["row_count"] == len(
        pd.read_parquet(m / "imf_weo_oct2023.parquet")
    )
    r3 = runner.invoke(app, ["data", "status", "--lang", "ja"])
    assert r3.exit_code == 0 and "データセット" in r3.stdout


def test_data_pull_offline_exit_code(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from kaigai.cli.app import main

    monkeypatch.setenv("KAIGAI_OFFLINE", "1")
    with pytest.raises(SystemExit) as ei:
        main(["data", "pull", "lpi"])
    err = capsys.readouterr().err
    assert ei.value.code == 3
    assert "offline" in err and "kaigai data import" in err and "Traceback" not in err
