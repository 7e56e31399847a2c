from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

EXE = str(Path(sys.executable).parent / "kaigai")


def test_usage_errors_have_no_traceback() -> None:
    for args in (["hs", "show", "--bogus"], ["hs", "search"], ["no-such-command"]):
        p = subprocess.run([EXE, *args], capture_output=True, text=True)
        assert p.returncode == 2, (args, p.stderr)
        assert "Traceback" not in p.stderr and "Error:" in p.stderr


def test_exit_code_of_typer_exit_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    import typer

    from kaigai.cli import app as app_mod

    fresh = typer.Typer()

    @fresh.command()
    def exit4() -> None:
        raise typer.Exit(code=4)

    @fresh.command()
    def other() -> None:
        pass

    monkeypatch.setattr(app_mod, "app", fresh)
    with pytest.raises(SystemExit) as ei:
        app_mod.main(["exit4"])
    assert ei.value.code == 4
