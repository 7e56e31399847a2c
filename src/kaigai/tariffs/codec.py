"""JSON codec of the tariff index's typed values (pure: text in, frozen objects out).

The prepared tariff index (:mod:`kaigai.data.tariff_store`) keeps schedule lines, rate
expressions, agreements and staging as JSON, never pickle: reading it builds only the classes
of its allowlist (``_TAGS``), so a stored file cannot run code. Every JSON object the encoder writes
is a tagged node, which keeps decoding a single ``json.loads`` with an ``object_hook``:

* ``{"c": tag, "f": [fields]}`` a dataclass of the allowlist (its init fields in order, trailing
  fields equal to their defaults left out);
* ``{"t": [...]}`` a tuple, ``{"m": [[key, value], ...]}`` a mapping (any key type, in order),
  ``{"d": "YYYY-MM-DD"}`` a date, ``{"cells": [[RateCell fields], ...]}`` a line's cells keyed
  by their column. Lists, strings, numbers, booleans and null are themselves.

Decoding gives values equal to the encoded ones (floats round-trip exactly through ``repr``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from kaigai.core.errors import DataError
from kaigai.core.provenance import Provenance
from kaigai.tariffs import expr
from kaigai.tariffs.agreements import Agreement, ScenarioStaging, ScheduleRef
from kaigai.tariffs.index import StagingInfo
from kaigai.tariffs.schedule import RateCell, Schedule, TariffLine
from kaigai.tariffs.staging_observed import ObservedStep
from kaigai.tariffs.world_schedules import Surcharge

#: short tag of every dataclass the codec may build (the allowlist; tags are part of the layout)
_TAGS: dict[type, str] = {
    expr.AdValorem: "av", expr.Specific: "sp", expr.Compound: "cp", expr.Choice: "ch",
    expr.Formula: "fo", expr.ReferencePrice: "rp", expr.Unbound: "ub", expr.Range: "ra",
    expr.Branch: "br", expr.Conditional: "co", RateCell: "cell", TariffLine: "line",
    Schedule: "sched", StagingInfo: "stg", Agreement: "agr", ScheduleRef: "ref",
    ScenarioStaging: "scen", Provenance: "prov", ObservedStep: "obs", Surcharge: "sur",
}  # fmt: skip
_CLASSES: dict[str, type] = {tag: cls for cls, tag in _TAGS.items()}
_MISSING = object()
# per class: init field names and their defaults (trailing fields equal to the default are not
# written; the constructor fills them back)
_FIELDS: dict[type, tuple[tuple[str, Any], ...]] = {
    cls: tuple(
        (f.name, f.default if f.default is not dataclasses.MISSING else _MISSING)
        for f in dataclasses.fields(cls)
        if f.init
    )
    for cls in _TAGS
}


class Encoder:
    """One encoding pass: objects met twice (the parsers' cached rate expressions) are encoded
    once, by identity (each is kept with its encoding, so no id is reused during the pass)."""

    def __init__(self) -> None:
        self.seen: dict[int, tuple[Any, Any]] = {}

    def __call__(self, value: Any) -> Any:
        t = type(value)
        if t is str or t is int or t is float or t is bool or value is None:
            return value
        tag = _TAGS.get(t)
        if tag is not None:
            hit = self.seen.get(id(value))
            if hit is None:
                f = (
                    self._line(value) if t is TariffLine
                    else self._cell(value) if t is RateCell
                    else self._fields(value, _FIELDS[t])
                )  # fmt: skip
                hit = self.seen[id(value)] = (value, {"c": tag, "f": f})
            return hit[1]
        if t is tuple:
            return {"t": [self(v) for v in value]}
        if t is list:
            return [self(v) for v in value]
        if t is dict or isinstance(value, Mapping):
            return {"m": [[self(k), self(v)] for k, v in value.items()]}
        if t is dt.date:
            return {"d": value.isoformat()}
        raise TypeError(f"the tariff codec cannot store {t.__name__}")

    def _fields(self, value: Any, spec: tuple[tuple[str, Any], ...]) -> list[Any]:
        vals = [getattr(value, n) for n, _ in spec]
        n = len(vals)
        while n and spec[n - 1][1] is not _MISSING and _same(vals[n - 1], spec[n - 1][1]):
            n -= 1
        return [self(v) for v in vals[:n]]

    def _cell(self, c: RateCell) -> list[Any]:
        # the hot type (half a million cells in the full index): most carry only the first four
        e = c.expr
        hit = self.seen.get(id(e)) if e is not None else (None, None)
        head = [c.column, c.text, self(e) if hit is None else hit[1], c.source_row]
        if not (c.inherited or c.excluded or c.excluded_origins or c.error is not None
                or c.bracketed or c.markers or c.note):  # fmt: skip
            return head
        return head + self._fields(c, _FIELDS[RateCell])[4:]

    def _line(self, ln: TariffLine) -> list[Any]:
        cells = ln.cells
        if type(cells) is dict and all(k == c.column for k, c in cells.items()):
            enc: Any = {"cells": [self._cell(c) for c in cells.values()]}  # keyed by column
        else:
            enc = self(cells)
        return [ln.importer, ln.national_code, ln.hs6, ln.description, enc, self(ln.mfn),
                self(ln.mfn_columns), ln.source_row]  # fmt: skip


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


def _hook(node: dict[str, Any]) -> Any:
    if "t" in node:
        return tuple(node["t"])
    if "m" in node:
        return {k: v for k, v in node["m"]}  # tuple keys are decoded before their mapping
    if "c" in node:
        cls = _CLASSES.get(node["c"])
        if cls is None:
            raise DataError(f"Prepared tariff index names an unknown type {node['c']!r}.")
        return cls(*node["f"])
    if "d" in node:
        return dt.date.fromisoformat(node["d"])
    if "cells" in node:
        return {c[0]: RateCell(*c) for c in node["cells"]}
    raise DataError("Prepared tariff index holds an untagged object.")


def dumps(value: Any, encoder: Encoder | None = None) -> str:
    """Compact JSON text of ``value`` (pass one :class:`Encoder` to share it over many values)."""
    data = (encoder or Encoder())(value)
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def loads(text: str) -> Any:
    """The value :func:`dumps` wrote."""
    return json.loads(text, object_hook=_hook)


__all__ = ["Encoder", "dumps", "loads"]
