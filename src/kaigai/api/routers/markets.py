"""Market finder: ranked export markets for a product, and the factors behind one market."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query

from kaigai.api.deps import Paging, State
from kaigai.api.schemas import ERRORS
from kaigai.app.served import engines

router = APIRouter(prefix="/markets", tags=["markets"], responses=ERRORS)


@router.get("", response_model=dict[str, Any])
def ranking(
    state: State,
    page: Paging,
    hs: Annotated[
        str,
        Query(
            min_length=2,
            max_length=12,
            examples=["848210"],
            description="HS6 code, heading or chapter",
        ),
    ],
    exporter: Annotated[str, Query(min_length=2, max_length=60, examples=["JPN"])] = "JPN",
    sort: Annotated[Literal["score", "potential", "untapped", "risk"], Query()] = "score",
) -> dict[str, Any]:
    """Markets ranked by export potential and risk (paginated ``markets`` list, with sources)."""
    data = dict(engines.markets(state, exporter, hs, sort=sort))
    rows = data["markets"]
    data["markets"] = rows[page.offset : page.offset + page.limit]
    data.update(total=len(rows), limit=page.limit, offset=page.offset)
    return data


@router.get("/{market}", response_model=dict[str, Any])
def explain(
    state: State,
    market: Annotated[str, Path(max_length=60, examples=["VNM"])],
    hs: Annotated[str, Query(min_length=2, max_length=12, examples=["848210"])] = "848210",
    exporter: Annotated[str, Query(min_length=2, max_length=60)] = "JPN",
) -> dict[str, Any]:
    """Every factor behind one market's potential, with the risk indicators and sources."""
    return engines.explain(state, exporter, market, hs)
