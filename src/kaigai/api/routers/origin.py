"""Rules of origin: agreements and product-specific rules (BOM checks live under workspaces)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from kaigai.api.deps import State
from kaigai.api.schemas import ERRORS
from kaigai.app.served import origin as svc

router = APIRouter(prefix="/origin", tags=["origin-rules"], responses=ERRORS)


@router.get("/agreements", response_model=list[dict[str, Any]])
def agreements(state: State) -> list[dict[str, Any]]:
    """Agreements kaigai knows, their parties and whether rule data is bundled."""
    return svc.agreement_list(state)


@router.get("/rules", response_model=dict[str, Any])
def rule(
    state: State,
    agreement: Annotated[str, Query(min_length=2, max_length=40, examples=["RCEP"])],
    hs: Annotated[str, Query(min_length=6, max_length=20, examples=["848210"])],
) -> dict[str, Any]:
    """The product-specific rule for an HS code: text (EN/JA), parsed form, source rows."""
    return svc.rule(state, agreement, hs)
