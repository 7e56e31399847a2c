"""Workspaces and what they hold (firm profile, BOMs, origin claims, plans, audit log).

Every function takes the caller's ``user_id`` and checks membership of the workspace's
organisation first: a workspace the caller cannot see raises NotFoundError (its existence
is not revealed); a viewer trying to write raises PermissionDeniedError.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from kaigai.core.errors import ConflictError, InputError, NotFoundError, PermissionDeniedError
from kaigai.storage.accounts import role_in
from kaigai.storage.models import (
    AuditEvent,
    Bom,
    FirmProfile,
    Membership,
    OriginClaim,
    Plan,
    User,
    Workspace,
    utcnow,
)

T = TypeVar("T", Bom, OriginClaim, Plan)
WRITE_ROLES = ("owner", "advisor")


def _workspace(s: Session, user_id: int, workspace_id: int, *, write: bool) -> Workspace:
    ws = s.get(Workspace, workspace_id)
    role = role_in(s, user_id, ws.organisation_id) if ws is not None else None
    if ws is None or role is None:
        raise NotFoundError(
            f"Workspace {workspace_id} not found.", hint="List yours: GET /api/v1/workspaces"
        )
    if write and role not in WRITE_ROLES:
        raise PermissionDeniedError("Your role in this organisation is read-only (viewer).")
    return ws


def get_workspace(s: Session, user_id: int, workspace_id: int) -> Workspace:
    return _workspace(s, user_id, workspace_id, write=False)


def workspace_role(s: Session, user_id: int, workspace_id: int) -> str:
    ws = _workspace(s, user_id, workspace_id, write=False)
    return role_in(s, user_id, ws.organisation_id) or "viewer"


def create_workspace(s: Session, user_id: int, organisation_id: int, name: str) -> Workspace:
    role = role_in(s, user_id, organisation_id)
    if role is None:
        raise NotFoundError(f"Organisation {organisation_id} not found.")
    if role not in WRITE_ROLES:
        raise PermissionDeniedError("Viewers cannot create workspaces.")
    name = name.strip()
    if not name or len(name) > 200:
        raise InputError("Workspace name must be 1-200 characters.")
    ws = Workspace(organisation_id=organisation_id, name=name)
    s.add(ws)
    s.flush()
    return ws


def list_workspaces(
    s: Session, user_id: int, *, limit: int = 50, offset: int = 0
) -> tuple[list[Workspace], int]:
    base = (
        select(Workspace)
        .join(Membership, Membership.organisation_id == Workspace.organisation_id)
        .where(Membership.user_id == user_id)
    )
    total = s.scalar(select(func.count()).select_from(base.subquery())) or 0
    items = list(s.scalars(base.order_by(Workspace.id).limit(limit).offset(offset)))
    return items, total


def delete_workspace(s: Session, user_id: int, workspace_id: int) -> None:
    ws = _workspace(s, user_id, workspace_id, write=True)
    if role_in(s, user_id, ws.organisation_id) != "owner":
        raise PermissionDeniedError("Only an owner can delete a workspace.")
    s.delete(ws)


# --- audit --------------------------------------------------------------------------------


def audit(
    s: Session,
    user_id: int,
    workspace_id: int,
    entity: str,
    entity_id: int,
    action: str,
    detail: dict[str, Any] | None = None,
) -> None:
    email = s.scalar(select(User.email).where(User.id == user_id)) or ""
    s.add(
        AuditEvent(
            workspace_id=workspace_id,
            user_id=user_id,
            user_email=email,
            entity=entity,
            entity_id=entity_id,
            action=action,
            detail=detail or {},
        )
    )


def audit_log(
    s: Session, user_id: int, workspace_id: int, *, limit: int = 50, offset: int = 0
) -> tuple[list[AuditEvent], int]:
    _workspace(s, user_id, workspace_id, write=False)
    q = select(AuditEvent).where(AuditEvent.workspace_id == workspace_id)
    total = s.scalar(select(func.count()).select_from(q.subquery())) or 0
    items = list(s.scalars(q.order_by(AuditEvent.id.desc()).limit(limit).offset(offset)))
    return items, total


# --- generic per-workspace records --------------------------------------------------------


def _get(
    s: Session, model: type[T], user_id: int, workspace_id: int, rid: int, *, write: bool
) -> T:
    _workspace(s, user_id, workspace_id, write=write)
    row = s.get(model, rid)
    if row is None or row.workspace_id != workspace_id:
        raise NotFoundError(f"{model.__name__} {rid} not found in workspace {workspace_id}.")
    return row


def _list(
    s: Session, model: type[T], user_id: int, workspace_id: int, limit: int, offset: int
) -> tuple[list[T], int]:
    _workspace(s, user_id, workspace_id, write=False)
    q = select(model).where(model.workspace_id == workspace_id)
    total = s.scalar(select(func.count()).select_from(q.subquery())) or 0
    return list(s.scalars(q.order_by(model.id).limit(limit).offset(offset))), total


# --- firm profile -------------------------------------------------------------------------


def get_profile(s: Session, user_id: int, workspace_id: int) -> dict[str, Any]:
    _workspace(s, user_id, workspace_id, write=False)
    p = s.scalar(select(FirmProfile).where(FirmProfile.workspace_id == workspace_id))
    return dict(p.data) if p else {}


def put_profile(
    s: Session, user_id: int, workspace_id: int, data: dict[str, Any]
) -> dict[str, Any]:
    _workspace(s, user_id, workspace_id, write=True)
    p = s.scalar(select(FirmProfile).where(FirmProfile.workspace_id == workspace_id))
    if p is None:
        p = FirmProfile(workspace_id=workspace_id, data=data)
        s.add(p)
    else:
        p.data = data
        p.updated_at = utcnow()
    s.flush()
    audit(s, user_id, workspace_id, "profile", p.id, "update", {"keys": sorted(data)})
    return dict(data)


# --- BOMs ---------------------------------------------------------------------------------


def create_bom(s: Session, user_id: int, workspace_id: int, fields: dict[str, Any]) -> Bom:
    _workspace(s, user_id, workspace_id, write=True)
    bom = Bom(workspace_id=workspace_id, **fields)
    s.add(bom)
    s.flush()
    audit(s, user_id, workspace_id, "bom", bom.id, "create", _bom_snapshot(bom))
    return bom


class StaleVersionError(ConflictError):
    """Another write changed the BOM between this request's read and its write."""


def update_bom(
    s: Session,
    user_id: int,
    workspace_id: int,
    bom_id: int,
    fields: dict[str, Any],
    *,
    if_version: int | None = None,
) -> Bom:
    """Replace a BOM's content as version ``n + 1`` (compare-and-set on the version it read:
    versions are unique and gap-free, one audit row per write, in the same transaction).

    ``if_version`` (from If-Match) must equal the stored version, else ConflictError (409).
    StaleVersionError means a concurrent writer won the race: retry with a new session.
    """
    bom = _get(s, Bom, user_id, workspace_id, bom_id, write=True)
    if if_version is not None and bom.version != if_version:
        raise ConflictError(
            f"BOM {bom_id} is at version {bom.version}, not {if_version}: someone changed it.",
            hint="Read it again (GET), re-apply your change and send it with the new ETag.",
        )
    before = _bom_snapshot(bom)
    read_version = bom.version
    done = s.execute(
        update(Bom)
        .where(Bom.id == bom.id, Bom.version == read_version)
        .values(**fields, version=read_version + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise StaleVersionError(f"BOM {bom_id} changed while it was being saved.",
                                hint="Read it again and retry.")  # fmt: skip
    s.refresh(bom)
    audit(
        s,
        user_id,
        workspace_id,
        "bom",
        bom.id,
        "update",
        {"before": before, "after": _bom_snapshot(bom)},
    )
    return bom


def delete_bom(s: Session, user_id: int, workspace_id: int, bom_id: int) -> None:
    bom = _get(s, Bom, user_id, workspace_id, bom_id, write=True)
    audit(s, user_id, workspace_id, "bom", bom.id, "delete", _bom_snapshot(bom))
    s.delete(bom)


def get_bom(s: Session, user_id: int, workspace_id: int, bom_id: int) -> Bom:
    return _get(s, Bom, user_id, workspace_id, bom_id, write=False)


def list_boms(
    s: Session, user_id: int, workspace_id: int, *, limit: int = 50, offset: int = 0
) -> tuple[list[Bom], int]:
    return _list(s, Bom, user_id, workspace_id, limit, offset)


def _bom_snapshot(b: Bom) -> dict[str, Any]:
    return {
        "version": b.version,
        "name": b.name,
        "product_hs6": b.product_hs6,
        "ex_works_price": b.ex_works_price,
        "fob_price": b.fob_price,
        "currency": b.currency,
        "lines": list(b.lines or []),
    }


# --- origin claims ------------------------------------------------------------------------


def create_claim(
    s: Session, user_id: int, workspace_id: int, fields: dict[str, Any]
) -> OriginClaim:
    _workspace(s, user_id, workspace_id, write=True)
    bom_id = fields.get("bom_id")
    if bom_id is not None:
        _get(s, Bom, user_id, workspace_id, int(bom_id), write=False)
    claim = OriginClaim(workspace_id=workspace_id, **fields)
    s.add(claim)
    s.flush()
    audit(
        s,
        user_id,
        workspace_id,
        "claim",
        claim.id,
        "create",
        {
            "bom_id": claim.bom_id,
            "bom_version": claim.bom_version,
            "agreement": claim.agreement,
            "verdict": claim.verdict,
        },
    )
    return claim


def get_claim(s: Session, user_id: int, workspace_id: int, claim_id: int) -> OriginClaim:
    return _get(s, OriginClaim, user_id, workspace_id, claim_id, write=False)


def list_claims(
    s: Session, user_id: int, workspace_id: int, *, limit: int = 50, offset: int = 0
) -> tuple[list[OriginClaim], int]:
    return _list(s, OriginClaim, user_id, workspace_id, limit, offset)


def delete_claim(s: Session, user_id: int, workspace_id: int, claim_id: int) -> None:
    c = _get(s, OriginClaim, user_id, workspace_id, claim_id, write=True)
    audit(
        s,
        user_id,
        workspace_id,
        "claim",
        c.id,
        "delete",
        {"agreement": c.agreement, "verdict": c.verdict, "bom_id": c.bom_id},
    )
    s.delete(c)


# --- plans --------------------------------------------------------------------------------


def create_plan(
    s: Session, user_id: int, workspace_id: int, title: str, content: dict[str, Any]
) -> Plan:
    _workspace(s, user_id, workspace_id, write=True)
    plan = Plan(workspace_id=workspace_id, title=title[:200], content=content)
    s.add(plan)
    s.flush()
    audit(s, user_id, workspace_id, "plan", plan.id, "create", {"title": plan.title})
    return plan


def get_plan(s: Session, user_id: int, workspace_id: int, plan_id: int) -> Plan:
    return _get(s, Plan, user_id, workspace_id, plan_id, write=False)


def list_plans(
    s: Session, user_id: int, workspace_id: int, *, limit: int = 50, offset: int = 0
) -> tuple[list[Plan], int]:
    return _list(s, Plan, user_id, workspace_id, limit, offset)


def delete_plan(s: Session, user_id: int, workspace_id: int, plan_id: int) -> None:
    p = _get(s, Plan, user_id, workspace_id, plan_id, write=True)
    audit(s, user_id, workspace_id, "plan", p.id, "delete", {"title": p.title})
    s.delete(p)


def count_rows(s: Session, model: type[Any], workspace_id: int | None = None) -> int:
    """Row count (benchmarks and durability tests use it to check no write was lost)."""
    q = select(func.count()).select_from(model)
    if workspace_id is not None:
        q = q.where(model.workspace_id == workspace_id)
    return int(s.scalar(q) or 0)


__all__ = [
    "audit", "audit_log", "count_rows", "create_bom", "create_claim", "create_plan",
    "create_workspace", "delete_bom", "delete_claim", "delete_plan", "delete_workspace",
    "StaleVersionError", "get_bom", "get_claim", "get_plan", "get_profile", "get_workspace", "list_boms",
    "list_claims", "list_plans", "list_workspaces", "put_profile", "update_bom",
    "workspace_role",
]  # fmt: skip
