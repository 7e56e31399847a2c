"""Bills of materials per workspace: JSON or file upload (CSV/XLSX), versions, safe CSV export."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Header, Request, Response, UploadFile
from fastapi.concurrency import run_in_threadpool

from kaigai.api.deps import Caller, Id, Paging, State
from kaigai.api.schemas import ERRORS, BomIn, BomOut, CheckIn, PageOf, Problem
from kaigai.app.served import bom_io
from kaigai.app.served import origin as origin_svc
from kaigai.core.errors import ConflictError, InputError
from kaigai.hs.codes import normalize_hs6
from kaigai.service.http import read_upload
from kaigai.service.state import AppState
from kaigai.storage import records

router = APIRouter(prefix="/workspaces/{workspace_id}/boms", tags=["boms"], responses=ERRORS)


def bom_fields(state: AppState, body: BomIn) -> dict[str, Any]:
    fields = body.model_dump()
    raw = [{k: v for k, v in ln.items() if v is not None} for ln in fields["lines"]]
    fields["lines"] = origin_svc.validate_lines(
        state, bom_io.fill_defaults(raw, body.currency), body.currency
    )
    fields["product_hs6"] = normalize_hs6(body.product_hs6)
    return fields


@router.get("", response_model=PageOf[BomOut])
def list_boms(workspace_id: Id, caller: Caller, state: State, page: Paging) -> PageOf[BomOut]:
    """BOMs in the workspace."""
    with state.db.session() as s:
        items, total = records.list_boms(
            s, caller.user_id, workspace_id, limit=page.limit, offset=page.offset
        )
        return PageOf(
            items=[BomOut.model_validate(b) for b in items],
            total=total,
            limit=page.limit,
            offset=page.offset,
        )


@router.post("", response_model=BomOut, status_code=201)
def create_bom(workspace_id: Id, body: BomIn, caller: Caller, state: State) -> BomOut:
    """Store a BOM given as JSON (validated by the origin engine; audited)."""
    fields = bom_fields(state, body)
    with state.db.session() as s:
        return BomOut.model_validate(records.create_bom(s, caller.user_id, workspace_id, fields))


@router.post("/upload", response_model=BomOut, status_code=201)
async def upload_bom(
    workspace_id: Id,
    request: Request,
    caller: Caller,
    state: State,
    file: Annotated[
        UploadFile, File(description="CSV or XLSX with the origin BOM columns (docs/origin.md)")
    ],
    name: Annotated[str, Form(min_length=1, max_length=200)],
    product_hs6: Annotated[str, Form(max_length=20)],
    ex_works_price: Annotated[float | None, Form(gt=0, le=1e13)] = None,
    fob_price: Annotated[float | None, Form(gt=0, le=1e13)] = None,
    currency: Annotated[str, Form(pattern="^[A-Z]{3}$")] = "JPY",
) -> BomOut:
    """Upload a BOM file (size-limited, validated; XLSX bombs refused)."""
    content = await read_upload(request, file, state.limits)
    raw = bom_io.fill_defaults(
        bom_io.parse_upload(file.filename or "", content, state.limits), currency
    )
    lines = await run_in_threadpool(origin_svc.validate_lines, state, raw, currency)
    fields = {
        "name": name,
        "product_hs6": normalize_hs6(product_hs6),
        "lines": lines,
        "ex_works_price": ex_works_price,
        "fob_price": fob_price,
        "currency": currency,
    }
    return await run_in_threadpool(_store, state, caller.user_id, workspace_id, fields)


def _store(state: AppState, user_id: int, workspace_id: int, fields: dict[str, Any]) -> BomOut:
    with state.db.session() as s:
        return BomOut.model_validate(records.create_bom(s, user_id, workspace_id, fields))


def etag(version: int) -> str:
    return f'"{version}"'


def parse_if_match(value: str | None) -> int | None:
    """The version named by an If-Match header (``"3"``, ``W/"3"`` or ``3``); None for absent/*."""
    if value is None or value.strip() == "*":
        return None
    v = value.strip().removeprefix("W/").strip('"')
    if not v.isdigit() or len(v) > 10:
        raise InputError(f"If-Match {value!r} is not a BOM version.",
                         hint='Send the ETag of the BOM you read, e.g. If-Match: "3".')  # fmt: skip
    return int(v)


@router.get("/{bom_id}", response_model=BomOut)
def get_bom(
    workspace_id: Id, bom_id: Id, caller: Caller, state: State, response: Response
) -> BomOut:
    """One BOM (current version; its ETag is the version, for If-Match on PUT)."""
    with state.db.session() as s:
        out = BomOut.model_validate(records.get_bom(s, caller.user_id, workspace_id, bom_id))
    response.headers["ETag"] = etag(out.version)
    return out


@router.put("/{bom_id}", response_model=BomOut, responses={409: {"model": Problem}})
def update_bom(
    workspace_id: Id,
    bom_id: Id,
    body: BomIn,
    caller: Caller,
    state: State,
    response: Response,
    if_match: Annotated[str | None, Header(max_length=40)] = None,
) -> BomOut:
    """Replace a BOM; its version increases by one and the audit log keeps before/after.

    Send ``If-Match: "<version>"`` (the ETag of your GET) to be refused with 409 when someone
    changed the BOM since you read it; without it the newest write wins, still as its own
    version (versions are unique and gap-free)."""
    expected = parse_if_match(if_match)
    fields = bom_fields(state, body)
    for attempt in range(50):
        try:
            with state.db.session() as s:
                bom = records.update_bom(
                    s, caller.user_id, workspace_id, bom_id, fields, if_version=expected
                )
                out = BomOut.model_validate(bom)
            break
        except records.StaleVersionError:
            if expected is not None:  # the caller's version is no longer the stored one
                raise ConflictError(
                    f"BOM {bom_id} was changed by someone else while saving.",
                    hint="Read it again (GET), re-apply your change and send the new ETag.",
                ) from None
            if attempt == 49:
                raise
    response.headers["ETag"] = etag(out.version)
    return out


@router.delete("/{bom_id}", status_code=204)
def delete_bom(workspace_id: Id, bom_id: Id, caller: Caller, state: State) -> Response:
    """Delete a BOM (the audit log keeps its last content)."""
    with state.db.session() as s:
        records.delete_bom(s, caller.user_id, workspace_id, bom_id)
    return Response(status_code=204)


@router.get(
    "/{bom_id}/export.csv", response_class=Response, responses={200: {"content": {"text/csv": {}}}}
)
def export_bom(workspace_id: Id, bom_id: Id, caller: Caller, state: State) -> Response:
    """The BOM lines as CSV; cells that a spreadsheet would run as formulas are neutralised."""
    with state.db.session() as s:
        bom = records.get_bom(s, caller.user_id, workspace_id, bom_id)
        body = bom_io.export_csv(list(bom.lines or []))
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="bom-{bom_id}.csv"'},
    )


@router.post("/{bom_id}/check", response_model=dict[str, Any])
def check_bom(
    workspace_id: Id, bom_id: Id, body: CheckIn, caller: Caller, state: State
) -> dict[str, Any]:
    """Origin verdict per agreement with its reasoning; each verdict is kept as a claim (evidence)."""
    return origin_svc.check_stored_bom(
        state, caller.user_id, workspace_id, bom_id, importer=body.importer,
        exporter=body.exporter, agreement_ids=body.agreements, on=body.on, keep=body.keep,
    )  # fmt: skip
