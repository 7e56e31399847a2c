"""Every message the plan, readiness CLI and reports use has a Japanese translation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import kaigai
from kaigai.core.i18n import catalogue

SRC = Path(kaigai.__file__).parent
FILES = [
    *sorted((SRC / "plan").glob("*.py")),
    *sorted((SRC / "reports").glob("*.py")),
    *sorted((SRC / "reports" / "templates").glob("*.j2")),
    SRC / "cli" / "plan.py",
    SRC / "cli" / "readiness.py",
]
KEYED = {
    "horizon": ("now", "next", "later"),
    "part": ("markets", "duty", "origin"),
    "status": ("ok", "partial", "not_available", "error", "gap", "critical", "not_assessed"),
    "fig": ("exports_usd", "imports_usd", "untapped_usd", "potential_usd", "risk", "score",
            "import_growth", "distance_km", "mfn_rate", "best_rate", "margin_pts", "duty_saved",
            "net_benefit", "break_even", "headroom_pts", "headroom_amount"),
}  # fmt: skip


def msgids() -> set[str]:
    out: set[str] = set()
    for f in FILES:
        text = f.read_text(encoding="utf-8")
        for m in re.finditer(r'\bt\(\s*((?:"(?:[^"\\]|\\.)*"\s*)+)', text):
            msg = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(1))).replace('\\"', '"')
            if not msg.endswith(":"):  # keyed prefixes are checked through KEYED
                out.add(msg)
    for prefix, keys in KEYED.items():
        out |= {f"{prefix}:{k}" for k in keys}
    return out


def test_there_are_messages() -> None:
    assert len(msgids()) > 80


@pytest.mark.parametrize("lang", ["ja"])
def test_every_message_is_translated(lang: str) -> None:
    cat = catalogue(lang)
    missing = sorted(m for m in msgids() if m not in cat)
    assert missing == []


def test_keyed_labels_have_english_text() -> None:
    cat = catalogue("en")
    assert all(f"{p}:{k}" in cat for p, keys in KEYED.items() for k in keys)
