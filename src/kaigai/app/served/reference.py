"""Cached reference data for the service (loaded once per app from the catalog/starter pack)."""

from __future__ import annotations

from typing import Any

from kaigai.data import store
from kaigai.data.nomenclature import load_nomenclature
from kaigai.hs.nomenclature import HS2022, Nomenclature
from kaigai.hs.search import search
from kaigai.service.state import AppState


def nomenclature(state: AppState) -> Nomenclature:
    return state.shared("nomenclature", lambda: load_nomenclature(state.settings))


def hs_lookup(state: AppState, code: str, edition: str | None = None) -> dict[str, Any]:
    nom = nomenclature(state)
    entry = nom.lookup(code, edition)
    data: dict[str, Any] = entry.to_dict()
    if entry.level < 6:
        data["subheadings"] = [
            {"code": c, "description": nom.description(c)} for c in nom.children(entry.code)
        ]
    ds = "hs_nomenclature" if entry.edition == HS2022 else "hs17_products"
    data["provenance"] = store.provenance(
        ds, state.settings, locator=f"code={entry.code}"
    ).to_dict()
    return data


def hs_search(
    state: AppState, q: str, *, limit: int, level: int | None, edition: str = HS2022
) -> list[dict[str, Any]]:
    return [
        h.to_dict()
        for h in search(nomenclature(state), q, limit=limit, level=level, edition=edition)
    ]


__all__ = ["hs_lookup", "hs_search", "nomenclature"]
