"""HS nomenclature: look up a code, search descriptions."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query

from kaigai.api.deps import State
from kaigai.api.schemas import ERRORS
from kaigai.app.served import reference

router = APIRouter(prefix="/hs", tags=["hs"], responses=ERRORS)


@router.get("/search", response_model=list[dict[str, Any]])
def search(
    state: State,
    q: Annotated[str, Query(min_length=1, max_length=200, examples=["ball bearings"])],
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
    level: Annotated[Literal[2, 4, 6] | None, Query()] = None,
    edition: Annotated[Literal["HS2022", "HS2017"], Query()] = "HS2022",
) -> list[dict[str, Any]]:
    """Rank HS entries by how well their descriptions match ``q`` (digits list a prefix)."""
    return reference.hs_search(state, q, limit=limit, level=level, edition=edition)


@router.get("/{code}", response_model=dict[str, Any])
def lookup(
    state: State,
    code: Annotated[str, Path(max_length=20, examples=["847130"])],
    edition: Annotated[Literal["HS2022", "HS2017"] | None, Query()] = None,
) -> dict[str, Any]:
    """Describe a chapter, heading or subheading (404/422 with suggestions when unknown)."""
    return reference.hs_lookup(state, code, edition)
