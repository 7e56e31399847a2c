"""Duty options: MFN and every agreement side by side, on a date (``as_of``)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool

from kaigai.api.deps import State
from kaigai.api.schemas import ERRORS
from kaigai.app.served import duty as svc

router = APIRouter(prefix="/duty", tags=["duty"], responses=ERRORS)


@router.get(
    "/options",
    response_class=Response,
    responses={
        200: {
            "content": {"application/json": {"schema": {"type": "object"}}},
            "description": "Options per national line, best option, staging path, sources",
        }
    },
)
async def options(
    request: Request,
    state: State,
    hs: Annotated[
        str,
        Query(
            min_length=2,
            max_length=20,
            examples=["847130"],
            description="HS6 code or national line",
        ),
    ],
    origin: Annotated[str, Query(min_length=2, max_length=60, examples=["JPN"])],
    destination: Annotated[str, Query(min_length=2, max_length=60, examples=["VNM"])],
    as_of: Annotated[
        dt.date | None,
        Query(description="Rates in force on this date (default today)", examples=["2027-04-01"]),
    ] = None,
    value: Annotated[float | None, Query(ge=0, le=1e13, description="Customs value")] = None,
    currency: Annotated[str, Query(pattern="^[A-Za-z]{3}$")] = "JPY",
    quantity: Annotated[float | None, Query(ge=0, le=1e12)] = None,
    unit: Annotated[str | None, Query(max_length=10, examples=["kg"])] = None,
    line: Annotated[str | None, Query(max_length=20, description="National line")] = None,
    quota: Annotated[Literal["in", "out"] | None, Query()] = None,
    lang: Annotated[Literal["en", "ja"], Query()] = "en",
) -> Response:
    """Every duty option (MFN, each agreement in force), the best one, staging and sources."""
    kw: dict[str, Any] = dict(hs=hs, origin=origin, destination=destination, as_of=as_of, value=value,
                              currency=currency, quantity=quantity, unit=unit, line=line, quota=quota,
                              lang=lang)  # fmt: skip
    body = svc.cached_json(state, **kw)
    if body is None:  # first time: compute off the event loop
        body = await run_in_threadpool(svc.duty_options_json, state, **kw)
    if as_of is not None:  # deterministic: exact repeats are answered before routing
        state.answers.put(request.scope["path"], request.scope["query_string"], body)
    return Response(body, media_type="application/json")
