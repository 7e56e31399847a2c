"""Shared CLI plumbing: settings, output (Rich or JSON). The shared options: :mod:`kaigai.cli.options`."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from kaigai.core.jsonable import to_jsonable

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from kaigai.core.config import Settings

    console: Console
    err_console: Console

_CONSOLES: dict[str, Any] = {}


def __getattr__(name: str) -> Any:
    """``console`` / ``err_console``: Rich consoles made on first use, so a command answering
    ``--json`` (which prints with :func:`emit_json`) never imports Rich."""
    if name not in ("console", "err_console"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    if name not in _CONSOLES:
        from rich.console import Console

        _CONSOLES[name] = Console(stderr=name == "err_console")
    return _CONSOLES[name]


def settings(config: Path | None = None, lang: str | None = None) -> Settings:
    """Settings for one command invocation."""
    from kaigai.core.config import get_settings  # pydantic: imported when a command needs it

    over: dict[str, Any] = {}
    if lang:
        over["lang"] = lang
    return get_settings(config, **over)


def emit_json(obj: Any) -> None:
    """Print ``obj`` as JSON on stdout (no Rich markup, no wrapping)."""
    typer.echo(json.dumps(to_jsonable(obj), ensure_ascii=False, indent=2))


def esc(value: Any) -> str:
    """``value`` as text safe to embed in Rich markup: a firm called "A [/bold] B" prints as is.

    Every user- or data-supplied string the CLI prints through ``console.print`` goes through this
    (or through :func:`table`, which escapes its title and cells).
    """
    from rich.markup import escape

    return escape("" if value is None else str(value))


def table(title: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> Table:
    """A Rich table from plain rows; title, headers and cells are shown literally (no markup)."""
    from rich.table import Table

    t = Table(title=esc(title), show_lines=False)
    for c in columns:
        t.add_column(esc(c))
    for r in rows:
        t.add_row(*[esc(v) for v in r])
    return t


def output(obj: Any, as_json: bool, human: Callable[[], None]) -> None:
    """Emit JSON when asked, else call the human renderer."""
    if as_json:
        emit_json(obj)
    else:
        human()


__all__ = [
    "console",
    "emit_json",
    "esc",
    "err_console",
    "output",
    "settings",
    "table",
    "to_jsonable",
]
