"""The "wholly obtained" (WO) criterion: the article of each agreement and when a verdict uses it.

A good wholly obtained in the exporting Party (for plant goods: grown, harvested, picked or
gathered there) originates without a product-specific rule. Shells explain it with
:data:`WO_CRITERION` (pure data; wording is translated by the shells).
"""

from __future__ import annotations

from typing import Any

#: Agreement id -> the article that defines wholly obtained goods (paragraph for plant goods).
WO_CRITERION: dict[str, str] = {
    "RCEP": "RCEP Art. 3.3 (Goods Wholly Obtained or Produced), (a)",
    "CPTPP": "CPTPP Art. 3.3 (Wholly Obtained or Produced Goods), (a)",
    "UK-JP": "UK-Japan CEPA Art. 3.3 (Wholly obtained products), 1(a)",
    "EU-JP": "EU-Japan EPA Art. 3.3 (Wholly obtained products), 1(a)",
    # the JVEPA text is not in kaigai's data: article number from the AJCEP structure it follows
    "JP-VN": "JVEPA Art. 25 (Wholly obtained goods) (verify: treaty text not in kaigai's data)",
}


def wo_article(agreement: str) -> str:
    """The WO article of ``agreement`` (the agreement id itself when kaigai has none)."""
    return WO_CRITERION.get(agreement, agreement)


def uses_wo(verdict: Any) -> bool:
    """Whether the verdict's rule names the wholly-obtained criterion (``WO``, ``WO or CTH``...)."""
    text = str(getattr(verdict, "rule_text", "") or "")
    return text == "WO" or text.startswith("WO ") or " WO" in text


__all__ = ["WO_CRITERION", "uses_wo", "wo_article"]
