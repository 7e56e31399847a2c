"""The options every ``kaigai`` command shares: ``--json``, ``--lang``, ``--config``.

They are declared once, on the root callback (:func:`kaigai.cli.app._root`), which stores them in
the context object (:class:`SharedOptions`). When the lazy root loads a command it gives the
command copies of the same options (:func:`add_shared_options`), so ``kaigai duty ... --json`` and
``kaigai --json duty ...`` both work; a command reads them with :func:`shared`. A command that
takes only some of them says so with :func:`takes` (``kaigai serve`` has no ``--json``).

Imported by ``kaigai --help``: typer only (settings are imported when a command asks for them).
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from typer._click import core as tclick
from typer._click.exceptions import UsageError
from typer._click.globals import get_current_context
from typer.core import TyperGroup

if TYPE_CHECKING:
    from kaigai.core.config import Settings

JsonOpt = Annotated[
    bool, typer.Option("--json", help="Machine-readable JSON output (stable keys).")
]
LangOpt = Annotated[str | None, typer.Option("--lang", help="Output language: en or ja.")]
ConfigOpt = Annotated[Path | None, typer.Option("--config", help="Path to a kaigai.toml.")]

#: parameter name on the root callback -> shared option name
PARAM_KEYS = {"as_json": "json", "lang": "lang", "config": "config"}
ALL = frozenset(PARAM_KEYS.values())
_ATTR = "kaigai_shared_options"  # set on a command function by @takes; typer copies it over

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class SharedOptions:
    """The shared options of one invocation (root values, overridden by the command's own)."""

    json: bool = False
    lang: str | None = None
    config: Path | None = None
    at_root: set[str] = field(default_factory=set)  # given before the command name
    _settings: Settings | None = field(default=None, repr=False)

    def set(self, key: str, value: Any, *, root: bool = False) -> None:
        """Record an option given on the command line (unset values never override)."""
        if value is None or value is False:
            return
        if key == "config":  # also where the compiled kernels' cache folder is read from
            from kaigai.core.config_file import check_config_file, choose_config_file

            check_config_file(value)  # a missing or unreadable file: an error now, every path
            choose_config_file(value)
        setattr(self, key, value)
        self._settings = None
        if root:
            self.at_root.add(key)

    def settings(self) -> Settings:
        """Settings for this invocation: ``--config`` file, ``--lang`` over it."""
        if self._settings is None:
            from kaigai.cli.common import settings

            self._settings = settings(self.config, self.lang)
        return self._settings

    @property
    def lg(self) -> str:
        """The output language, checked (``en`` or ``ja``)."""
        from kaigai.core.i18n import check_lang

        return check_lang(self.settings().lang)


def shared() -> SharedOptions:
    """The shared options of the running command."""
    return get_current_context().ensure_object(SharedOptions)


def takes(*keys: str) -> Callable[[F], F]:
    """Mark a command that takes only some shared options, e.g. ``@takes("config")``."""
    unknown = set(keys) - ALL
    if unknown:
        raise ValueError(f"unknown shared options: {sorted(unknown)}")

    def mark(fn: F) -> F:
        setattr(fn, _ATTR, frozenset(keys))
        return fn

    return mark


def _store(key: str) -> Callable[[tclick.Context, tclick.Parameter, Any], Any]:
    def store(ctx: tclick.Context, _param: tclick.Parameter, value: Any) -> Any:
        ctx.ensure_object(SharedOptions).set(key, value)
        return value

    return store


def _guard(name: str, cb: Callable[..., Any], wanted: frozenset[str]) -> Callable[..., Any]:
    """Refuse shared options given at the root that this command does not take."""

    @functools.wraps(cb)
    def run(*args: Any, **kwargs: Any) -> Any:
        extra = sorted(shared().at_root - wanted)
        if extra:
            flags = ", ".join(f"--{k}" for k in extra)
            raise UsageError(f"{flags} does not apply to `kaigai {name}`.")
        return cb(*args, **kwargs)

    return run


def add_shared_options(
    cmd: tclick.Command, templates: Iterable[tclick.Parameter], name: str = ""
) -> None:
    """Give ``cmd`` (and every command under it) the shared options it takes.

    ``templates`` are the root callback's options; each command gets copies that store their
    value in :class:`SharedOptions` instead of passing it to the function. Groups get them only
    when they run on their own (``invoke_without_command``, e.g. ``kaigai markets``). An option a
    command still declares itself is left to it.
    """
    templates = [t for t in templates if t.name in PARAM_KEYS]
    name = name or (cmd.name or "")
    record = getattr(cmd, "record_shared", None)
    if record is not None:  # a group that builds its commands later gives them these too
        record(templates)
    if isinstance(cmd, TyperGroup):
        for sub_name, sub in cmd.commands.items():
            add_shared_options(sub, templates, f"{name} {sub_name}")
        if not cmd.invoke_without_command:
            return
    if cmd.callback is None:
        return
    wanted: frozenset[str] = getattr(cmd.callback, _ATTR, ALL)
    own = {o for p in cmd.params for o in getattr(p, "opts", ())}
    for tpl in templates:
        key = PARAM_KEYS[tpl.name or ""]
        if key in wanted and not own & set(getattr(tpl, "opts", ())):
            p = copy.copy(tpl)
            p.expose_value = False
            p.callback = _store(key)
            cmd.params.append(p)
    cmd.callback = _guard(name, cmd.callback, wanted)


__all__ = [
    "ALL",
    "ConfigOpt",
    "JsonOpt",
    "LangOpt",
    "SharedOptions",
    "add_shared_options",
    "shared",
    "takes",
]
