"""Command groups whose sub-commands are built one at a time (``kaigai policy``).

The root command imports a group's module when the group is invoked; a :class:`LazySubGroup`
goes one step further: ``kaigai policy estimate`` imports ``policy_estimate`` and builds the
Click command of ``estimate`` only, not those of ``firms``, ``ge`` and ``run`` (Typer builds a
command by reading its function's signature: milliseconds per command on every call). Help
lists show the one-line help of :data:`~kaigai.cli.registry.SUBCOMMANDS` without importing
anything. ``tests/cli/test_registry.py`` checks that table against the modules.
"""

from __future__ import annotations

import importlib
from difflib import get_close_matches
from typing import Any

import typer
import typer.main
from typer._click import core as tclick
from typer._click.exceptions import UsageError
from typer.core import TyperCommand, TyperGroup

from kaigai.cli.coerce import plain_types
from kaigai.cli.registry import SUBCOMMANDS

#: group name -> the Typer app its command modules register on (set by the group's module)
APPS: dict[str, typer.Typer] = {}


class ListedGroup(TyperGroup):
    """A group whose help lists commands from a registry's text without importing them:
    while :meth:`format_help` runs, :meth:`stub` stands in for a command not yet built."""

    _listing = False

    @staticmethod
    def stub(name: str, text: str) -> tclick.Command:
        """The help-list entry of command ``name`` (``text``: its one-line help)."""
        return TyperCommand(name, help=text, short_help=text)

    def format_help(self, ctx: tclick.Context, formatter: Any) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False


class LazySubGroup(ListedGroup):
    """A group whose commands are listed from :data:`SUBCOMMANDS` and built when invoked."""

    _shared: tuple[tclick.Parameter, ...] = ()

    def _table(self) -> dict[str, tuple[str, str]]:
        return SUBCOMMANDS.get(self.name or "", {})

    def record_shared(self, templates: list[tclick.Parameter]) -> None:
        """Keep the root's shared options for the commands built later (see
        :func:`kaigai.cli.options.add_shared_options`)."""
        self._shared = tuple(templates)

    def list_commands(self, ctx: tclick.Context) -> list[str]:
        return list(dict.fromkeys([*self._table(), *super().list_commands(ctx)]))

    def get_command(self, ctx: tclick.Context, cmd_name: str) -> tclick.Command | None:
        got = super().get_command(ctx, cmd_name)
        table = self._table()
        if got is not None or cmd_name not in table:
            return got
        if self._listing:  # help text only: no import
            return self.stub(cmd_name, table[cmd_name][1])
        cmd = build_subcommand(self.name or "", cmd_name)
        if cmd is not None:
            from kaigai.cli.options import add_shared_options

            plain_types(cmd)
            add_shared_options(cmd, self._shared, f"{self.name} {cmd_name}")
            self.add_command(cmd, cmd_name)
        return cmd

    def resolve_command(
        self, ctx: tclick.Context, args: list[str]
    ) -> tuple[str | None, tclick.Command | None, list[str]]:
        """Typer's, with "Did you mean" taken from every command (Typer looks only at those
        built)."""
        suggest, self.suggest_commands = self.suggest_commands, False
        try:
            return super().resolve_command(ctx, args)
        except UsageError as exc:
            matches = get_close_matches(args[0], self.list_commands(ctx)) if args else []
            if suggest and matches:
                names = ", ".join(f"{m!r}" for m in matches)
                exc.message = f"{exc.message.rstrip('.')}. Did you mean {names}?"
            raise
        finally:
            self.suggest_commands = suggest


def build_subcommand(group: str, name: str) -> tclick.Command | None:
    """Import the module of ``group name`` and build its Click command alone, as Typer builds
    it inside the whole group."""
    app = APPS[group]
    if not any(c.name == name for c in app.registered_commands):
        importlib.import_module(f"kaigai.cli.{SUBCOMMANDS[group][name][0]}").register(app)
    info = [c for c in app.registered_commands if c.name == name][-1]
    one = typer.Typer()

    @one.callback()
    def _group() -> None:  # a callback keeps a one-command app a group
        pass

    one.registered_commands.append(info)
    built = typer.main.get_command(one)
    assert isinstance(built, TyperGroup)
    return built.commands.get(name)


__all__ = ["APPS", "LazySubGroup", "build_subcommand"]
