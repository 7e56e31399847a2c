"""Rules-of-origin engine: rule grammar, rule store, BOM evaluator, what-if and documents.

Public API (pure functions on typed inputs; the data layer loads frames)::

    from kaigai.origin import check, rule_for, lookup_rules, build_rulebook, load_agreements, whatif
"""

from __future__ import annotations

from kaigai.origin.api import check, rule_for
from kaigai.origin.bom import BOM, BOMLine, Product, load_bom, parse_bom
from kaigai.origin.evaluator import Verdict, evaluate
from kaigai.origin.parser import parse_notation, parse_rcep
from kaigai.origin.prose import parse_prose
from kaigai.origin.provisions import Agreement, applicable, load_agreements, resolve_agreement
from kaigai.origin.render import to_text, to_text_ja
from kaigai.origin.store import RuleBook, RuleMatch, build_rulebook, lookup_rules
from kaigai.origin.whatif import whatif

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
