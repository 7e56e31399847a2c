"""Agreements registry: loaded from ``tariffs/data/agreements.yaml`` and scenario files.

An :class:`Agreement` knows its parties and the date it entered into force for each, which
schedule column applies for each (importer, origin) pair, the day of the year staging cuts
take effect in each importer, and the rules-of-origin set. Scenario agreements (e.g. a
China-Japan-Korea FTA) come from a user TOML/YAML file (format in docs/tariffs.md) and add a
staging rule applied to the importer's MFN rate.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from kaigai.core.countries import GROUPS, normalize_country
from kaigai.core.errors import CountryError, ScenarioError

REGISTRY_FILE = "agreements.yaml"


@dataclass(frozen=True)
class ScheduleRef:
    """Where an importer prints an agreement's rates and when its staging cuts take effect."""

    columns: Mapping[str, str]  # origin ISO3 (or "*") -> column
    year_start: tuple[int, int] = (1, 1)  # (month, day)

    def column_for(self, origin: str) -> str | None:
        return self.columns.get(origin) or self.columns.get("*")


@dataclass(frozen=True)
class ScenarioStaging:
    """A scenario agreement's tariff rule: from the MFN ``base`` to 0 by ``category``."""

    category: str  # "EIF", "B<N>" or "X"
    overrides: tuple[tuple[str, str], ...] = ()  # (HS prefix, category), longest prefix wins

    def category_for(self, hs: str) -> str:
        best = ("", self.category)
        for prefix, cat in self.overrides:
            if hs.startswith(prefix) and len(prefix) > len(best[0]):
                best = (prefix, cat)
        return best[1]


@dataclass(frozen=True)
class Agreement:
    id: str
    name_en: str
    name_ja: str
    parties: Mapping[str, dt.date]
    schedules: Mapping[str, ScheduleRef]
    aliases: tuple[str, ...] = ()
    rules_of_origin: Mapping[str, str] = field(default_factory=dict)
    verified: bool = False
    notes: str = ""
    sources: tuple[str, ...] = ()
    scenario: ScenarioStaging | None = None

    def in_force(self, a: str, b: str, on: dt.date) -> bool:
        """True when the agreement is in force between parties ``a`` and ``b`` on ``on``."""
        da, db = self.parties.get(a), self.parties.get(b)
        return da is not None and db is not None and max(da, db) <= on

    def start(self, a: str, b: str) -> dt.date | None:
        da, db = self.parties.get(a), self.parties.get(b)
        return max(da, db) if da and db else None

    def name(self, lang: str = "en") -> str:
        return self.name_ja if lang == "ja" else self.name_en


def _date(v: Any, where: str) -> dt.date:
    if isinstance(v, dt.date):
        return v
    try:
        return dt.date.fromisoformat(str(v))
    except ValueError as exc:
        raise ScenarioError(f"{where}: '{v}' is not a date (YYYY-MM-DD).") from exc


def _expand_parties(raw: Mapping[str, Any], where: str) -> dict[str, dt.date]:
    out: dict[str, dt.date] = {}
    for key, val in raw.items():
        d = _date(val, f"{where} party {key}")
        members = GROUPS.get(str(key).upper())
        if members:
            for m in members:
                out.setdefault(m, d)
            continue
        try:
            out[normalize_country(str(key))] = d
        except CountryError as exc:
            raise ScenarioError(f"{where}: unknown party '{key}'.", hint=exc.hint) from exc
    return out


def _expand_columns(ref: Mapping[str, Any]) -> dict[str, str]:
    if "column" in ref:
        return {"*": str(ref["column"])}
    out: dict[str, str] = {}
    for key, col in (ref.get("columns") or {}).items():
        for m in GROUPS.get(str(key).upper(), (str(key).upper(),)):
            out[m] = str(col)
    return out


def _year_start(text: Any) -> tuple[int, int]:
    m, d = str(text or "01-01").split("-")
    return int(m), int(d)


def agreement_from_dict(raw: Mapping[str, Any], where: str = "registry") -> Agreement:
    """Build an :class:`Agreement` from one registry/scenario mapping."""
    try:
        aid = str(raw["id"]).strip()
        parties = _expand_parties(raw["parties"], f"{where} {aid}")
    except KeyError as exc:
        raise ScenarioError(
            f"{where}: agreement entry lacks '{exc.args[0]}'.",
            hint="Each agreement needs id and parties (see docs/tariffs.md).",
        ) from exc
    scheds = {
        normalize_country(str(imp)): ScheduleRef(
            _expand_columns(ref or {}), _year_start((ref or {}).get("year_start"))
        )
        for imp, ref in (raw.get("schedules") or {}).items()
    }
    scenario = None
    if raw.get("staging") is not None:
        st = raw["staging"]
        cat = str(st.get("category", "EIF")).upper()
        _check_category(cat, where)
        overrides = []
        for o in st.get("overrides", []) or []:
            c = str(o["category"]).upper()
            _check_category(c, where)
            overrides.append((str(o["hs_prefix"]).replace(".", ""), c))
        scenario = ScenarioStaging(cat, tuple(overrides))
        ys = _year_start(st.get("year_start", "01-01"))
        for imp in parties:
            scheds.setdefault(imp, ScheduleRef({}, ys))
    return Agreement(
        id=aid,
        name_en=str(raw.get("name_en", aid)),
        name_ja=str(raw.get("name_ja", raw.get("name_en", aid))),
        parties=parties,
        schedules=scheds,
        aliases=tuple(raw.get("aliases", []) or []),
        rules_of_origin=dict(raw.get("rules_of_origin", {}) or {}),
        verified=bool(raw.get("verified", False)),
        notes=str(raw.get("notes", "")),
        sources=tuple(raw.get("sources", []) or []),
        scenario=scenario,
    )


def _check_category(cat: str, where: str) -> None:
    if cat in ("EIF", "X") or (cat[:1] in "BR" and cat[1:].isdigit() and int(cat[1:]) > 0):
        return
    raise ScenarioError(
        f"{where}: unknown staging category '{cat}'.", hint="Use EIF, X or B<N> (e.g. B10)."
    )


@lru_cache(maxsize=1)
def load_registry() -> tuple[Agreement, ...]:
    """The bundled agreements (cached)."""
    import yaml  # only when the registry is parsed (a prepared index carries the agreements)

    text = (resources.files("kaigai.tariffs") / "data" / REGISTRY_FILE).read_text(encoding="utf-8")
    raw = yaml.safe_load(text)
    return tuple(agreement_from_dict(a) for a in raw["agreements"])


def load_scenario(path: Path) -> tuple[Agreement, ...]:
    """Scenario agreements from a TOML or YAML file (``[[agreement]]`` / ``agreements:``)."""
    if not path.is_file():
        raise ScenarioError(f"Scenario file {path} not found.", hint="Check the path.")
    import yaml

    try:
        if path.suffix.lower() == ".toml":
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        else:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
        raise ScenarioError(f"Scenario file {path} cannot be read: {exc}") from exc
    items = raw.get("agreement") or raw.get("agreements") if isinstance(raw, dict) else None
    if isinstance(items, dict):
        items = [items]
    if not items:
        raise ScenarioError(
            f"Scenario file {path} defines no agreement.",
            hint="Add an [[agreement]] table (see docs/tariffs.md).",
        )
    return tuple(agreement_from_dict(a, where=str(path)) for a in items)


def find(agreements: tuple[Agreement, ...], text: str) -> Agreement:
    """An agreement by id or alias (case-insensitive)."""
    key = text.strip().upper()
    for a in agreements:
        if a.id.upper() == key or key in (x.upper() for x in a.aliases):
            return a
    raise ScenarioError(
        f"Unknown agreement '{text}'.", hint="Known: " + ", ".join(a.id for a in agreements)
    )


__all__ = [
    "Agreement",
    "ScenarioStaging",
    "ScheduleRef",
    "agreement_from_dict",
    "find",
    "load_registry",
    "load_scenario",
]
