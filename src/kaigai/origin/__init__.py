"""Rules-of-origin engine: rule grammar, rule store, BOM evaluator, what-if and documents.

Public API (pure functions on typed inputs; the data layer loads frames)::

    from kaigai.origin import check, rule_for, lookup_rules, build_rulebook, load_agreements, whatif

Names are imported on first use (PEP 562): a rule lookup does not load the BOM evaluator.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

_WHERE = {
    "check": "api",
    "rule_for": "api",
    "BOM": "bom",
    "BOMLine": "bom",
    "Product": "bom",
    "load_bom": "bom",
    "parse_bom": "bom",
    "Verdict": "evaluator",
    "evaluate": "evaluator",
    "parse_notation": "parser",
    "parse_rcep": "parser",
    "parse_prose": "prose",
    "Agreement": "provisions",
    "applicable": "provisions",
    "load_agreements": "provisions",
    "resolve_agreement": "provisions",
    "to_text": "render",
    "to_text_ja": "render",
    "RuleBook": "store",
    "RuleMatch": "store",
    "build_rulebook": "store",
    "lookup_rules": "store",
    "whatif": "whatif",
}

if TYPE_CHECKING:
    from kaigai.origin.api import check, rule_for
    from kaigai.origin.bom import BOM, BOMLine, Product, load_bom, parse_bom
    from kaigai.origin.evaluator import Verdict, evaluate
    from kaigai.origin.parser import parse_notation, parse_rcep
    from kaigai.origin.prose import parse_prose
    from kaigai.origin.provisions import Agreement, applicable, load_agreements, resolve_agreement
    from kaigai.origin.render import to_text, to_text_ja
    from kaigai.origin.store import RuleBook, RuleMatch, build_rulebook, lookup_rules
    from kaigai.origin.whatif import whatif


def __getattr__(name: str) -> Any:
    mod = _WHERE.get(name)
    if mod is None:
        raise AttributeError(f"module 'kaigai.origin' has no attribute {name!r}")
    value = getattr(import_module(f"kaigai.origin.{mod}"), name)
    globals()[name] = value
    return value


__all__ = [
    "BOM",
    "Agreement",
    "BOMLine",
    "Product",
    "RuleBook",
    "RuleMatch",
    "Verdict",
    "applicable",
    "build_rulebook",
    "check",
    "evaluate",
    "load_agreements",
    "load_bom",
    "lookup_rules",
    "parse_bom",
    "parse_notation",
    "parse_prose",
    "parse_rcep",
    "resolve_agreement",
    "rule_for",
    "to_text",
    "to_text_ja",
    "whatif",
]
