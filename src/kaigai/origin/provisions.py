"""General provisions per agreement (de minimis, cumulation, value basis, proofs, retention).

The numbers live in ``origin/data/agreements.yaml`` with a citation each; a user can add an
agreement with their own YAML file of the same format (see docs/origin.md).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from kaigai.core.errors import DataError, OriginRuleError


@dataclass(frozen=True)
class Agreement:
    """One agreement: parties, where its rules come from, and its general provisions."""

    id: str
    name_en: str
    name_ja: str
    parties: tuple[str, ...]
    rules: dict[str, Any] | None
    value_basis: str = "FOB"
    rvc_methods: tuple[str, ...] = ("build-down",)
    rvc_method_cite: str = ""
    de_minimis: dict[str, Any] = field(default_factory=dict)
    cumulation: dict[str, Any] = field(default_factory=dict)
    proofs: tuple[str, ...] = ()
    proofs_cite: str = ""
    direct_transport: str = ""
    retention: dict[str, Any] = field(default_factory=dict)
    aliases: tuple[str, ...] = ()
    textile_tolerance: dict[str, Any] = field(default_factory=dict)
    minimal_operations: dict[str, Any] = field(default_factory=dict)

    @property
    def has_rules(self) -> bool:
        return bool(self.rules)

    @property
    def stand_in(self) -> str | None:
        return (self.rules or {}).get("stand_in")

    def de_minimis_applies(self, hs6: str) -> bool:
        ch = int(hs6[:2])
        for spec in self.de_minimis.get("not_for_chapters", []) or []:
            lo, hi = (spec, spec) if isinstance(spec, int) else spec
            if lo <= ch <= hi:
                return False
        return bool(self.de_minimis)

    def extended_zone(self) -> tuple[str, ...]:
        """Non-Parties whose originating materials count under extended cumulation (e.g. EU for UK-JP)."""
        ext = self.cumulation.get("extended") or {}
        return tuple(ext.get("countries", []) or [])

    def cumulation_zone(self, exporter: str, importer: str) -> tuple[str, ...]:
        """Countries whose originating materials count as originating for this claim."""
        if self.cumulation.get("zone") == "parties":
            return self.parties
        return tuple(dict.fromkeys((exporter, importer)))

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name_en": self.name_en,
            "name_ja": self.name_ja,
            "parties": list(self.parties),
            "rules": self.rules,
            "value_basis": self.value_basis,
            "rvc_methods": list(self.rvc_methods),
            "rvc_method_cite": self.rvc_method_cite,
            "de_minimis": self.de_minimis,
            "cumulation": self.cumulation,
            "proofs": list(self.proofs),
            "proofs_cite": self.proofs_cite,
            "direct_transport": self.direct_transport,
            "retention": self.retention,
            "textile_tolerance": self.textile_tolerance,
            "minimal_operations": self.minimal_operations,
        }


def in_ranges(hs6: str, specs: Any) -> bool:
    """True if ``hs6`` is in one of ``specs``: "04", "0401-0406", "190190", "040210-040229"."""
    for spec in specs or []:
        a, _, b = str(spec).partition("-")
        b = b or a
        if a <= hs6[: len(a)] <= b:
            return True
    return False


@lru_cache(maxsize=4096)
def _fold(s: str) -> str:
    s = unicodedata.normalize("NFKC", s).lower()
    return re.sub(r"[\s_\-・/]+", "", s)


def parse_agreements(data: dict[str, Any], source: str = "agreements.yaml") -> dict[str, Agreement]:
    """Validate the YAML structure into :class:`Agreement` records.

    Raises
    ------
    DataError
        naming the agreement and key that is missing or malformed.
    """
    out: dict[str, Agreement] = {}
    items = (data or {}).get("agreements")
    if not isinstance(items, dict):
        raise DataError(
            f"{source}: top-level key 'agreements' missing",
            hint="See docs/origin.md for the format.",
        )
    for aid, spec in items.items():
        if not isinstance(spec, dict) or "parties" not in spec:
            raise DataError(
                f"{source}: agreement {aid} needs at least 'parties'", hint="See docs/origin.md."
            )
        rules = spec.get("rules")
        if rules is not None and not isinstance(rules, dict):
            raise DataError(f"{source}: agreement {aid}: 'rules' must be a mapping or null")
        out[str(aid)] = Agreement(
            id=str(aid),
            name_en=str(spec.get("name_en", aid)),
            name_ja=str(spec.get("name_ja", "")),
            parties=tuple(spec["parties"]),
            rules=rules,
            value_basis=str(spec.get("value_basis", "FOB")),
            rvc_methods=tuple(spec.get("rvc_methods", ["build-down"])),
            rvc_method_cite=str(spec.get("rvc_method_cite", "")),
            de_minimis=dict(spec.get("de_minimis") or {}),
            cumulation=dict(spec.get("cumulation") or {}),
            proofs=tuple(spec.get("proofs", [])),
            proofs_cite=str(spec.get("proofs_cite", "")),
            direct_transport=str(spec.get("direct_transport", "")),
            retention=dict(spec.get("retention") or {}),
            aliases=tuple(str(a) for a in spec.get("aliases", [])),
            textile_tolerance=dict(spec.get("textile_tolerance") or {}),
            minimal_operations=dict(spec.get("minimal_operations") or {}),
        )
    return out


def agreement_sources(extra: Path | None = None) -> list[tuple[str, str]]:
    """(source name, YAML text) of the bundled agreements and of a user file ``extra``."""
    text = (
        resources.files("kaigai.origin.data")
        .joinpath("agreements.yaml")
        .read_text(encoding="utf-8")
    )
    out = [("agreements.yaml", text)]
    if extra is not None:
        if not Path(extra).is_file():
            raise DataError(
                f"Agreement file {extra} not found.", hint="Give the path of a YAML file."
            )
        out.append((str(extra), Path(extra).read_text(encoding="utf-8")))
    return out


def read_yaml(text: str) -> Any:
    """``yaml.safe_load`` with the C loader when PyYAML has it (same results, ~10x faster)."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader


def agreements_from(docs: list[tuple[str, Any]]) -> dict[str, Agreement]:
    """Agreements of parsed YAML documents (later documents override earlier ones)."""
    out: dict[str, Agreement] = {}
    for source, data in docs:
        out.update(parse_agreements(data, source))
    return out


@lru_cache(maxsize=8)
def load_agreements(extra: Path | None = None) -> dict[str, Agreement]:
    """The bundled agreements, plus (overriding) those of a user YAML file ``extra``."""
    return agreements_from([(src, read_yaml(text)) for src, text in agreement_sources(extra)])


def resolve_agreement(name: str, agreements: dict[str, Agreement]) -> Agreement:
    """Agreement by id or alias (English or Japanese), case and punctuation insensitive.

    Raises
    ------
    OriginRuleError
        listing the known ids when nothing matches.
    """
    key = _fold(name)
    for a in agreements.values():
        if key in {_fold(x) for x in (a.id, a.name_en, a.name_ja, *a.aliases) if x}:
            return a
    raise OriginRuleError(
        f"Unknown agreement '{name}'.", hint="Known: " + ", ".join(agreements), agreement=name
    )


def applicable(exporter: str, importer: str, agreements: dict[str, Agreement]) -> list[Agreement]:
    """Agreements that cover both countries (ISO3)."""
    return [
        a
        for a in agreements.values()
        if exporter in a.parties and importer in a.parties and exporter != importer
    ]


__all__ = [
    "Agreement",
    "agreement_sources",
    "agreements_from",
    "applicable",
    "in_ranges",
    "load_agreements",
    "parse_agreements",
    "read_yaml",
    "resolve_agreement",
]
