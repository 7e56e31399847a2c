"""Vocabulary of specific processes named in product-specific rules (chemical and textile)."""

from __future__ import annotations

import re

# Operation names as the rules write them (EU-JP / UK-JP Annex 3-A notes, RCEP "CR").
OPERATIONS: tuple[str, ...] = (
    "chemical reaction", "purification", "mixing and blending", "change in particle size",
    "production of standard materials", "isomer separation", "biotechnological processing",
    "distillation", "blending", "crushing", "grinding", "diffusion", "esterification",
    "transesterification", "hydro-treatment", "hydrotreatment", "extrusion", "spinning",
    "twisting", "texturing", "weaving", "knitting", "crocheting", "tufting", "flocking", "dyeing",
    "yarn dyeing", "printing", "coating", "laminating", "metalising", "impregnating", "covering",
    "rubberising", "making-up", "cutting", "nonwoven", "embroidering", "carding", "combing",
    "gimping", "bonding", "needle punching", "tempering", "moulded", "stamped", "assembled",
    "refining", "smelting", "thermal metal forming", "surfacing", "retreading", "fusion",
    "alloying", "separation", "caging", "fattening", "farming", "production from",
)  # fmt: skip

_RX = re.compile(
    "|".join(re.escape(o) for o in sorted(OPERATIONS, key=len, reverse=True)), re.IGNORECASE
)


def operations_of(description: str) -> tuple[str, ...]:
    """Known operation names found in a process description, in order, without repeats."""
    out: list[str] = []
    for m in _RX.finditer(description):
        op = m.group(0).lower()
        if op not in out:
            out.append(op)
    return tuple(out)


def starts_with_operation(sentence: str) -> bool:
    """True when a sentence begins with a known operation (a process rule, not free text)."""
    m = _RX.match(sentence.strip())
    return m is not None or bool(
        re.match(r"(?i)(production|manufacture|a chemical reaction)\b", sentence.strip())
    )


__all__ = ["OPERATIONS", "operations_of", "starts_with_operation"]
