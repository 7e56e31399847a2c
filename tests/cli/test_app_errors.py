from __future__ import annotations

import pytest


def test_usage_errors_have_no_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    from kaigai.cli.app import main

    for args in (["hs", "show", "--bogus"], ["hs", "search"], ["no-such-command"]):
        with pytest.raises(SystemExit) as ei:
            main(args)
        err = capsys.readouterr().err
        assert ei.value.code == 2, (args, err)
        assert "Traceback" not in err and "Error:" in err


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
