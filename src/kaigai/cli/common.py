"""Shared CLI plumbing: options, settings, output (Rich or JSON)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from kaigai.core.config import Settings, get_settings
from kaigai.core.jsonable import to_jsonable

JsonOpt = Annotated[
    bool, typer.Option("--json", help="Machine-readable JSON output (stable keys).")
]
LangOpt = Annotated[str | None, typer.Option("--lang", help="Output language: en or ja.")]
ConfigOpt = Annotated[Path | None, typer.Option("--config", help="Path to a kaigai.toml.")]

console = Console()
err_console = Console(stderr=True)


def settings(config: Path | None = None, lang: str | None = None) -> Settings:
    """Settings for one command invocation."""
    over: dict[str, Any] = {}
    if lang:
        over["lang"] = lang
    return get_settings(config, **over)


def emit_json(obj: Any) -> None:
    """Print ``obj`` as JSON on stdout (no Rich markup, no wrapping)."""
    typer.echo(json.dumps(to_jsonable(obj), ensure_ascii=False, indent=2))


def table(title: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> Table:
    """A Rich table from plain rows."""
    t = Table(title=title, show_lines=False)
    for c in columns:
        t.add_column(c)
    for r in rows:
        t.add_row(*["" if v is None else str(v) for v in r])
    return t


def output(obj: Any, as_json: bool, human: Callable[[], None]) -> None:
    """Emit JSON when asked, else call the human renderer."""
    if as_json:
        emit_json(obj)
    else:
        human()


__all__ = [
    "ConfigOpt",
    "JsonOpt",
    "LangOpt",
    "console",
    "emit_json",
    "err_console",
    "output",
    "settings",
    "table",
    "to_jsonable",
]
