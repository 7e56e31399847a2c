"""Workspaces (one per client firm) with their firm profile and audit log."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Response

from kaigai.api.deps import Caller, Id, Paging, State
from kaigai.api.schemas import ERRORS, AuditOut, PageOf, WorkspaceIn, WorkspaceOut
from kaigai.service.payloads import check_profile
from kaigai.storage import records

router = APIRouter(prefix="/workspaces", tags=["workspaces"], responses=ERRORS)


@router.get("", response_model=PageOf[WorkspaceOut])
def list_workspaces(caller: Caller, state: State, page: Paging) -> PageOf[WorkspaceOut]:
    """Workspaces of every organisation you belong to."""
    with state.db.session() as s:
        items, total = records.list_workspaces(
            s, caller.user_id, limit=page.limit, offset=page.offset
        )
        return PageOf(
            items=[WorkspaceOut.model_validate(w) for w in items],
            total=total,
            limit=page.limit,
            offset=page.offset,
        )


@router.post("", response_model=WorkspaceOut, status_code=201)
def create_workspace(body: WorkspaceIn, caller: Caller, state: State) -> WorkspaceOut:
    """Create a workspace for a client firm (owner or advisor)."""
    with state.db.session() as s:
        return WorkspaceOut.model_validate(
            records.create_workspace(s, caller.user_id, body.organisation_id, body.name)
        )


@router.get("/{workspace_id}", response_model=WorkspaceOut)
def get_workspace(workspace_id: Id, caller: Caller, state: State) -> WorkspaceOut:
    """One workspace."""
    with state.db.session() as s:
        return WorkspaceOut.model_validate(records.get_workspace(s, caller.user_id, workspace_id))


@router.delete("/{workspace_id}", status_code=204)
def delete_workspace(workspace_id: Id, caller: Caller, state: State) -> Response:
    """Delete a workspace and everything in it (owner only)."""
    with state.db.session() as s:
        records.delete_workspace(s, caller.user_id, workspace_id)
    return Response(status_code=204)


@router.get("/{workspace_id}/profile", response_model=dict[str, Any])
def get_profile(workspace_id: Id, caller: Caller, state: State) -> dict[str, Any]:
    """The firm profile (free-form answers used by readiness and plans)."""
    with state.db.session() as s:
        return records.get_profile(s, caller.user_id, workspace_id)


@router.put("/{workspace_id}/profile", response_model=dict[str, Any])
def put_profile(
    workspace_id: Id,
    caller: Caller,
    state: State,
    body: dict[str, Any] = Body(examples=[{"name": "Kansai Fans", "employees": 25}]),
) -> dict[str, Any]:
    """Replace the firm profile (audited)."""
    check_profile(body)
    with state.db.session() as s:
        return records.put_profile(s, caller.user_id, workspace_id, body)


@router.get("/{workspace_id}/audit", response_model=PageOf[AuditOut])
def audit_log(workspace_id: Id, caller: Caller, state: State, page: Paging) -> PageOf[AuditOut]:
    """Who changed what and when (newest first)."""
    with state.db.session() as s:
        items, total = records.audit_log(
            s, caller.user_id, workspace_id, limit=page.limit, offset=page.offset
        )
        return PageOf(
            items=[AuditOut.model_validate(e) for e in items],
            total=total,
            limit=page.limit,
            offset=page.offset,
        )
