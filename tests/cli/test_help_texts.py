"""Issue 15.11: every option and argument of every `kaigai` command has help text."""

from __future__ import annotations

from typing import Any

import typer
from typer._click.core import Context

from kaigai.cli.app import app


def _walk(cmd: Any, path: str) -> list[tuple[str, Any]]:
    out = [(path, cmd)]
    if hasattr(cmd, "list_commands"):  # a group (typer may vendor its own click classes)
        ctx = Context(cmd)  # the root group loads its commands lazily: ask it for each one
        for name in sorted(cmd.list_commands(ctx)):
            out += _walk(cmd.get_command(ctx, name), f"{path} {name}")
    return out


def test_every_option_and_argument_has_help() -> None:
    root = typer.main.get_command(app)
    commands = _walk(root, "kaigai")
    assert len(commands) > 30  # the whole tree was walked (groups expanded)
    missing = []
    for path, cmd in commands:
        if not cmd.hidden and not (cmd.help or "").strip() and path != "kaigai":
            missing.append(f"{path}: command has no help")
        for p in cmd.params:
            if p.name == "help":
                continue
            text = getattr(p, "help", None)
            if not (text or "").strip():
                missing.append(f"{path}: {'/'.join(p.opts)}")
    assert missing == []
