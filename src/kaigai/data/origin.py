"""Data layer of the origin engine: load rule frames and parse rule books (stored by
:mod:`kaigai.data.rulebooks`, the one cache of parsed rules)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from kaigai.core.errors import DataError
from kaigai.data.store import load
from kaigai.origin.provisions import Agreement, load_agreements
from kaigai.origin.store import RuleBook, build_rulebook

if TYPE_CHECKING:
    import pandas as pd

    from kaigai.core.config import Settings


def rule_frame(agreement: Agreement, settings: Settings) -> tuple[pd.DataFrame, str]:
    """The rule frame of one agreement and the dataset name it came from."""
    spec = agreement.rules or {}
    if "path" in spec:
        p = Path(spec["path"])
        if not p.is_file():
            raise DataError(
                f"Rule file {p} for {agreement.id} not found.",
                hint="Fix 'rules.path' in the agreement YAML.",
            )
        import pandas as pd

        return pd.read_csv(p, dtype=str, keep_default_na=False), str(p.name)
    name = spec["dataset"]
    return load(name, settings), name


def build_books(settings: Settings, extra: Path | None = None) -> dict[str, RuleBook]:
    """Rule books of every agreement that has rule data (``same_as`` shares a book)."""
    agreements = load_agreements(extra)
    books: dict[str, RuleBook] = {}
    frames: dict[str, tuple[pd.DataFrame, str]] = {}
    for a in agreements.values():
        spec = a.rules
        if not spec or "same_as" in spec:
            continue
        key = spec.get("path") or spec["dataset"]
        if key not in frames:
            frames[key] = rule_frame(a, settings)
        df, name = frames[key]
        books[a.id] = build_rulebook(a, df, name)
    for a in agreements.values():
        fb = (a.rules or {}).get("fallback")
        if a.id in books and isinstance(fb, dict) and fb.get("agreement") in books:
            books[a.id] = replace(books[a.id], fallback=books[fb["agreement"]])
    for a in agreements.values():
        if a.rules and "same_as" in a.rules and a.rules["same_as"] in books:
            src = books[a.rules["same_as"]]
            books[a.id] = RuleBook(
                a, src.rows, src.hs_edition, src.dataset, a.rules.get("stand_in", "")
            )
    return books


def hs_sets(settings: Settings) -> tuple[frozenset[str], frozenset[str]]:
    """(HS 2022 subheadings, HS 2017 subheadings) from the nomenclature datasets.

    Comtrade's reporting code 999999 ("commodities not specified", section TOTAL) and chapters 98/99
    (reserved for national use) are not HS subheadings: a BOM line or product cannot carry them.
    Read from the prepared code sets (:func:`kaigai.data.nomenclature.code_sets`).
    """
    from kaigai.data.nomenclature import code_sets

    return code_sets(settings)


__all__ = ["build_books", "hs_sets", "rule_frame"]
