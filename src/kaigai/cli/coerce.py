"""Typer's option conversion without pydantic, for the plain types kaigai's commands take.

Typer (0.29) converts every option value through a pydantic ``TypeAdapter`` built when the
option is first read; importing pydantic and building the adapters of one command costs
tens of milliseconds on every call (``kaigai policy estimate`` has 20 options). For the
plain cases (a ``str``; a ``Path``; a ``bool`` flag; a decimal ``int`` or ``float`` without bounds; lists of
``str`` or ``Path``) :func:`plain_types` gives the options a converter that returns what the
adapter would. Anything else (a bound, an unusual spelling such as ``1_000`` or ``" 2 "``, a
choice, a date) goes to Typer's own adapter, so values, error messages and exit codes stay
Typer's. ``tests/cli/test_coerce.py`` checks both paths against Typer's adapters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args, get_origin

from typer._click import core as tclick
from typer._coercion import RuntimeParam, TypeDescriptor, build_runtime_param
from typer._param_types import coerce_cli_path
from typer.core import TyperGroup, _TyperParameter

_INT = re.compile(r"-?(?:0|[1-9][0-9]{0,17})")
_FLOAT = re.compile(r"-?[0-9]{1,17}(?:\.[0-9]{1,17})?")
_NO = object()  # "not a plain case": Typer's adapter converts it


def _leaf(kind: type, value: Any) -> Any:
    """``value`` converted as Typer would, or :data:`_NO` when it is not a plain case."""
    if kind is str:
        return value if type(value) is str else _NO
    if kind is Path:
        if type(value) is not str or not value:
            return _NO
        path = Path(value)
        # a spelling Path normalises ("a//b") would be quoted differently in an error message
        return path if str(path) == value else _NO
    if type(value) is kind:  # a default already of the right type
        return value
    if type(value) is not str:
        return _NO
    if kind is int and _INT.fullmatch(value):
        return int(value)
    if kind is float and _FLOAT.fullmatch(value):
        return float(value)
    return _NO


@dataclass(frozen=True)
class PlainParam(RuntimeParam):
    """A converter for one plain option (``kind`` str, Path, int, float or bool;
    ``many``: a list)."""

    kind: type
    many: bool
    descriptor: TypeDescriptor

    def _coerce_value(self, value: Any, param: _TyperParameter, ctx: tclick.Context) -> Any:
        out: Any
        if self.many:
            if not isinstance(value, (list, tuple)):
                return self._typer(value, param, ctx)
            out = [_leaf(self.kind, v) for v in value]
            if any(v is _NO for v in out):
                return self._typer(value, param, ctx)
        else:
            out = _leaf(self.kind, value)
            if out is _NO:
                return self._typer(value, param, ctx)
        if self.kind is Path:  # Typer's checks (readable, file or folder) on the path(s)
            info = self.descriptor.parameter_info
            try:
                if self.many:
                    return [
                        coerce_cli_path(v, info, path_type=Path, param=param, ctx=ctx) for v in out
                    ]
                return coerce_cli_path(out, info, path_type=Path, param=param, ctx=ctx)
            except ValueError:  # e.g. an embedded NUL byte: Typer's adapter words the error
                return self._typer(value, param, ctx)
        return out

    def _typer(self, value: Any, param: _TyperParameter, ctx: tclick.Context) -> Any:
        return build_runtime_param(self.descriptor)._coerce_value(value, param=param, ctx=ctx)


def plain_param(desc: TypeDescriptor) -> PlainParam | None:
    """The pydantic-free converter for an option of this type, or ``None`` (not a plain type)."""
    info = desc.parameter_info
    if desc.file_annotation is not None or info.parser is not None:
        return None
    ann, many = desc.annotation, False
    if get_origin(ann) is list:
        (ann,) = get_args(ann)
        many = True
    if ann not in (str, Path, int, float, bool):
        return None
    if ann is Path and info.path_type is not None:
        return None
    if ann in (int, float) and (info.min is not None or info.max is not None or info.clamp):
        return None
    return PlainParam(info, desc.annotation, kind=ann, many=many, descriptor=desc)


def plain_types(cmd: tclick.Command) -> None:
    """Give ``cmd``'s options (and those of every command under it) the plain converters,
    ``--help`` included (Click makes it on first use; here it is made now, as Click would)."""
    if isinstance(cmd, TyperGroup):
        for sub in cmd.commands.values():
            plain_types(sub)
    help_option = cmd.get_help_option(tclick.Context(cmd))
    for p in [*cmd.params, help_option]:
        if isinstance(p, _TyperParameter) and p._runtime_param is None:
            p._runtime_param = plain_param(p.type_descriptor)


__all__ = ["PlainParam", "plain_param", "plain_types"]
