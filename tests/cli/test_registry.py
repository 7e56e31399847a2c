"""The lazy root command: its registry equals what the command modules register, and
``kaigai --help`` imports no command module and no engine."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys

import typer
import typer.main
from typer._click import core as tclick
from typer.testing import CliRunner

import kaigai.cli as cli_pkg
from kaigai.cli.app import app
from kaigai.cli.registry import COMMANDS


def _eager_commands() -> dict[str, tuple[str, str]]:
    """name -> (first defining module, one-line help), registering every module as before."""
    mods = sorted(
        m.name
        for m in pkgutil.iter_modules(cli_pkg.__path__)
        if m.name not in {"app", "common", "registry"} and not m.name.startswith("_")
    )
    out: dict[str, tuple[str, str]] = {}
    for mod in mods:
        module = importlib.import_module(f"kaigai.cli.{mod}")
        if not hasattr(module, "register"):
            continue
        sub = typer.Typer()

        @sub.callback()
        def _cb() -> None:
            pass

        module.register(sub)
        group = typer.main.get_command(sub)
        ctx = tclick.Context(group)
        for name in group.list_commands(ctx):  # type: ignore[attr-defined]
            cmd = group.get_command(ctx, name)  # type: ignore[attr-defined]
            text = (cmd.short_help or cmd.help or "").strip().split("\n")[0]
            out.setdefault(name, (mod, text))
    return out


def test_registry_matches_the_command_modules() -> None:
    eager = _eager_commands()
    assert sorted(eager) == sorted(COMMANDS)
    for name, (mod, text) in eager.items():
        assert COMMANDS[name][0][0] == mod, name
        assert COMMANDS[name][1] == text, name


def test_policy_group_has_every_subcommand() -> None:
    res = CliRunner().invoke(app, ["policy", "--help"])
    assert res.exit_code == 0, res.output
    for sub in ("estimate", "firms", "ge", "run"):
        assert f" {sub} " in res.output


def test_help_imports_no_command_module() -> None:
    code = (
        "import sys\nfrom kaigai.cli.app import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit as e:\n    assert e.code == 0, e.code\n"
        "print(sorted(m for m in sys.modules if m.startswith('kaigai.')))\n"
        "print('pandas' in sys.modules, 'numpy' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert out[-2] == str(
        ["kaigai.cli", "kaigai.cli.app", "kaigai.cli.coerce", "kaigai.cli.options", "kaigai.cli.registry",
         "kaigai.core", "kaigai.core.errors", "kaigai.core.progress"]
    )  # fmt: skip
    assert out[-1] == "False False"
    assert "duty" in "\n".join(out) and "Every duty option side by side" in "\n".join(out)
