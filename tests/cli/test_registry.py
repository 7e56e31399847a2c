"""The lazy root command: its registry equals what the command modules register, and
``kaigai --help`` imports no command module and no engine."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys

import pytest
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
         "kaigai.cli.subgroups", "kaigai.core", "kaigai.core.errors", "kaigai.core.progress"]
    )  # fmt: skip
    assert out[-1] == "False False"
    assert "duty" in "\n".join(out) and "Every duty option side by side" in "\n".join(out)


def test_subcommand_table_matches_the_group_modules(monkeypatch: pytest.MonkeyPatch) -> None:
    """SUBCOMMANDS lists each policy command in the order and with the first paragraph of help
    that Typer shows for the whole group (so `kaigai policy --help` reads the same)."""
    import inspect

    from kaigai.cli.policy import policy_app
    from kaigai.cli.registry import SUBCOMMANDS

    # every module registered in a fresh group, in the root's order: the group built whole
    monkeypatch.setattr(policy_app, "registered_commands", [])
    sub = typer.Typer()
    for mod in ("policy", "policy_estimate", "policy_firms", "policy_ge", "policy_run"):
        importlib.import_module(f"kaigai.cli.{mod}").register(sub)
    group = typer.main.get_command(sub).commands["policy"]  # type: ignore[attr-defined]
    eager = {n: c for n, c in group.commands.items()}
    assert list(eager) == list(SUBCOMMANDS["policy"]) == ["estimate", "firms", "ge", "run"]
    for name, cmd in eager.items():
        module, text = SUBCOMMANDS["policy"][name]
        assert inspect.cleandoc(cmd.help).split("\n\n")[0] == text, name
        assert cmd.callback.__module__ == f"kaigai.cli.{module}", name


def test_a_policy_command_builds_no_other() -> None:
    code = (
        "import sys\nfrom kaigai.cli.app import main\n"
        "try:\n    main(sys.argv[1:])\nexcept SystemExit as e:\n    assert e.code == 0, e.code\n"
        "print(sorted(m for m in sys.modules if m.startswith('kaigai.cli.policy')))\n"
    )
    mods = {}
    for args in (
        ["policy", "--help"],
        ["policy", "estimate", "--help"],
        ["policy", "ge", "--help"],
    ):
        out = subprocess.run(
            [sys.executable, "-c", code, *args], capture_output=True, text=True, check=True
        ).stdout.splitlines()
        mods[" ".join(args)] = out[-1]
    assert mods == {
        "policy --help": "['kaigai.cli.policy']",
        "policy estimate --help": "['kaigai.cli.policy', 'kaigai.cli.policy_estimate']",
        "policy ge --help": "['kaigai.cli.policy', 'kaigai.cli.policy_ge']",
    }
