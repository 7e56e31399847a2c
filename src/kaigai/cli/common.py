"""Shared CLI plumbing: options, settings, output (Rich or JSON)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from kaigai.core.config import Settings, get_settings

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


def to_jsonable(obj: Any) -> Any:
    """Convert dataclasses, numpy scalars, paths, dates, NaN to JSON-safe values."""
    if hasattr(obj, "to_dict") and callable(obj.to_dict):
        return to_jsonable(obj.to_dict())
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | set | frozenset):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, Path):
        return str(obj)
    if isinstance(obj, dt.date | dt.datetime):
        return obj.isoformat()
    if isinstance(obj, float):
        return None if math.isnan(obj) or math.isinf(obj) else obj
    if hasattr(obj, "item") and callable(obj.item):  # numpy scalar
        return to_jsonable(obj.item())
    return obj


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
