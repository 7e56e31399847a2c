"""Origin claims (stored evidence) and plans of a workspace."""

from __future__ import annotations

from fastapi import APIRouter, Response

from kaigai.api.deps import Caller, Id, Paging, State
from kaigai.api.schemas import ERRORS, ClaimOut, PageOf, PlanIn, PlanOut
from kaigai.service.payloads import MAX_PLAN_BYTES, check_json
from kaigai.storage import records

router = APIRouter(prefix="/workspaces/{workspace_id}", tags=["workspaces"], responses=ERRORS)


@router.get("/claims", response_model=PageOf[ClaimOut])
def list_claims(workspace_id: Id, caller: Caller, state: State, page: Paging) -> PageOf[ClaimOut]:
    """Origin determinations kept as evidence."""
    with state.db.session() as s:
        items, total = records.list_claims(
            s, caller.user_id, workspace_id, limit=page.limit, offset=page.offset
        )
        return PageOf(
            items=[ClaimOut.model_validate(c) for c in items],
            total=total,
            limit=page.limit,
            offset=page.offset,
        )


@router.get("/claims/{claim_id}", response_model=ClaimOut)
def get_claim(workspace_id: Id, claim_id: Id, caller: Caller, state: State) -> ClaimOut:
    """One origin claim with its full reasoning."""
    with state.db.session() as s:
        return ClaimOut.model_validate(records.get_claim(s, caller.user_id, workspace_id, claim_id))


@router.delete("/claims/{claim_id}", status_code=204)
def delete_claim(workspace_id: Id, claim_id: Id, caller: Caller, state: State) -> Response:
    """Withdraw a claim (the audit log keeps it)."""
    with state.db.session() as s:
        records.delete_claim(s, caller.user_id, workspace_id, claim_id)
    return Response(status_code=204)


@router.get("/plans", response_model=PageOf[PlanOut])
def list_plans(workspace_id: Id, caller: Caller, state: State, page: Paging) -> PageOf[PlanOut]:
    """Saved export plans."""
    with state.db.session() as s:
        items, total = records.list_plans(
            s, caller.user_id, workspace_id, limit=page.limit, offset=page.offset
        )
        return PageOf(
            items=[PlanOut.model_validate(p) for p in items],
            total=total,
            limit=page.limit,
            offset=page.offset,
        )


@router.post("/plans", response_model=PlanOut, status_code=201)
def create_plan(workspace_id: Id, body: PlanIn, caller: Caller, state: State) -> PlanOut:
    """Save a plan document (JSON content; downloads show it as data, never as a page)."""
    check_json(body.content, what="plan content", max_bytes=MAX_PLAN_BYTES)
    with state.db.session() as s:
        return PlanOut.model_validate(
            records.create_plan(s, caller.user_id, workspace_id, body.title, body.content)
        )


@router.get("/plans/{plan_id}", response_model=PlanOut)
def get_plan(workspace_id: Id, plan_id: Id, caller: Caller, state: State) -> PlanOut:
    """One plan."""
    with state.db.session() as s:
        return PlanOut.model_validate(records.get_plan(s, caller.user_id, workspace_id, plan_id))


@router.delete("/plans/{plan_id}", status_code=204)
def delete_plan(workspace_id: Id, plan_id: Id, caller: Caller, state: State) -> Response:
    """Delete a plan."""
    with state.db.session() as s:
        records.delete_plan(s, caller.user_id, workspace_id, plan_id)
    return Response(status_code=204)
