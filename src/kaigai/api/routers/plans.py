"""Export plans built from a workspace's firm profile; downloads as HTML, PDF or JSON."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from fastapi.concurrency import run_in_threadpool

from kaigai.api.deps import Caller, Id, State
from kaigai.api.schemas import ERRORS, PlanOut
from kaigai.app.served import plans as svc

router = APIRouter(prefix="/workspaces/{workspace_id}/plans", tags=["plans"], responses=ERRORS)


@router.post("/build", response_model=PlanOut, status_code=201)
async def build(
    workspace_id: Id,
    caller: Caller,
    state: State,
    markets: Annotated[int, Query(ge=1, le=10)] = 3,
    lang: Annotated[Literal["en", "ja"], Query()] = "en",
    as_of: Annotated[dt.date | None, Query()] = None,
) -> PlanOut:
    """Build the export plan from the firm profile (markets, duty, origin, readiness, actions)."""
    plan = await run_in_threadpool(svc.build_and_store, state, caller.user_id, workspace_id,
                                   n_markets=markets, lang=lang, as_of=as_of)  # fmt: skip
    return PlanOut.model_validate(plan)


@router.get(
    "/{plan_id}/download",
    response_class=Response,
    responses={200: {"content": {"text/html": {}, "application/pdf": {}, "application/json": {}}}},
)
def download(
    workspace_id: Id,
    plan_id: Id,
    caller: Caller,
    state: State,
    format: Annotated[Literal["html", "pdf", "json"], Query()] = "html",
) -> Response:
    """The stored plan report (HTML or PDF) or data (JSON) as a file."""
    body, media, name = svc.download(state, caller.user_id, workspace_id, plan_id, format)
    return Response(body, media_type=media, headers=svc.download_headers(name))
