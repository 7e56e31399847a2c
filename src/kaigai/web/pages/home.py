"""Dashboard home: organisations, client workspaces, HS product search."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from kaigai.app.served import reference
from kaigai.core.errors import KaigaiError
from kaigai.storage import accounts, records
from kaigai.web.render import render
from kaigai.web.webdeps import WebUser, check_form_csrf, state_of

router = APIRouter()


@router.get("/")
def home(request: Request, user: WebUser) -> Response:
    state = state_of(request)
    with state.db.session() as s:
        orgs = accounts.organisations_of(s, user.user_id)
        workspaces, total = records.list_workspaces(s, user.user_id, limit=200)
    org_names = {o.id: o.name for o, _ in orgs}
    return render(
        request,
        "home.html",
        user=user,
        orgs=orgs,
        workspaces=workspaces,
        total=total,
        org_names=org_names,
    )


@router.post("/workspaces")
def create_workspace(
    request: Request,
    user: WebUser,
    organisation_id: Annotated[int, Form(ge=1, le=2**31 - 1)],
    name: Annotated[str, Form(max_length=200)],
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    check_form_csrf(request, csrf_token)
    with state_of(request).db.session() as s:
        ws = records.create_workspace(s, user.user_id, organisation_id, name)
    return RedirectResponse(f"/w/{ws.id}", status_code=303)


@router.get("/hs")
def hs_page(
    request: Request, user: WebUser, q: Annotated[str, Query(max_length=200)] = ""
) -> Response:
    """Product search (full page, or the results fragment for htmx)."""
    hits: list[dict[str, object]] = []
    error = None
    if q.strip():
        try:
            hits = reference.hs_search(state_of(request), q, limit=25, level=None)
        except KaigaiError as exc:
            error = exc.to_dict()
    tpl = "partials/hs_results.html" if request.headers.get("hx-request") else "hs.html"
    return render(request, tpl, user=user, q=q, hits=hits, error=error)
