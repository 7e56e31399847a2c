"""Firm profile + readiness form, export plan creation and download."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from kaigai.app import readiness as app_readiness
from kaigai.app.served import plans as plan_svc
from kaigai.core.errors import KaigaiError
from kaigai.service.http import Id
from kaigai.service.payloads import check_profile
from kaigai.storage import records
from kaigai.web.profile_form import page_rows, profile_from_form
from kaigai.web.render import lang_of, render
from kaigai.web.webdeps import WebUser, check_form_csrf, state_of

router = APIRouter()
MAX_FORM_FIELDS = 1000  # readiness answers + ticked markets (at most ~230) + 12 per product


def _ctx(
    request: Request,
    user_id: int,
    wid: int,
    shown: dict[str, Any] | None = None,
    form: dict[str, str] | None = None,
    add: bool = False,
) -> dict[str, Any]:
    """The form's context: the saved profile, or ``shown`` (a posted form shown again, with its
    product rows from ``form``; ``add``: one more empty product row)."""
    with state_of(request).db.session() as s:
        ws = records.get_workspace(s, user_id, wid)
        profile = shown if shown is not None else records.get_profile(s, user_id, wid)
        boms, _ = records.list_boms(s, user_id, wid, limit=200)
    profile = profile if isinstance(profile, dict) else {}
    return {"ws": ws, "profile": profile, "rows": page_rows(profile, form, add), "boms": boms,
            "questionnaire": app_readiness.questionnaire(lang_of(request))}  # fmt: skip


@router.get("/w/{wid}/profile")
def profile_page(request: Request, wid: Id, user: WebUser) -> Response:
    return render(request, "profile.html", user=user, **_ctx(request, user.user_id, wid))


@router.post("/w/{wid}/profile")
async def profile_submit(request: Request, wid: Id, user: WebUser) -> Response:
    """Save the profile; "Add a product" shows the form again with one more product row."""
    form_data = await request.form(max_fields=MAX_FORM_FIELDS, max_files=0)
    form = {k: str(v)[:500] for k, v in form_data.items()}
    check_form_csrf(request, form.get("csrf_token"))
    state = state_of(request)
    add = "add_product" in form
    data: dict[str, Any] | None = None
    try:
        markets = [str(v)[:60] for v in form_data.getlist("target_markets")]
        with state.db.session() as s:
            stored = records.get_profile(s, user.user_id, wid)
        data = profile_from_form(form, markets, stored if isinstance(stored, dict) else None)
        if add:
            ctx = _ctx(request, user.user_id, wid, {**data, "products": []}, form, add=True)
            return render(request, "profile.html", user=user, **ctx)
        check_profile(data)
        with state.db.session() as s:
            records.put_profile(s, user.user_id, wid, data)
    except KaigaiError as exc:
        shown = None if data is None else {**data, "products": []}
        ctx = _ctx(request, user.user_id, wid, shown, form if data is not None else None)
        return render(
            request, "profile.html", status=exc.http_status, user=user, error=exc.to_dict(), **ctx
        )
    return RedirectResponse(f"/w/{wid}", status_code=303)


@router.post("/w/{wid}/plans")
async def make_plan(request: Request, wid: Id, user: WebUser) -> Response:
    form = await request.form(max_fields=10, max_files=0)
    check_form_csrf(request, str(form.get("csrf_token", "")))
    state = state_of(request)
    try:
        await run_in_threadpool(plan_svc.build_and_store, state, user.user_id, wid, n_markets=3,
                                lang=lang_of(request))  # fmt: skip
    except KaigaiError as exc:
        from kaigai.web.pages.workspace import _workspace_ctx

        ctx = _workspace_ctx(request, user.user_id, wid)
        return render(
            request,
            "workspace.html",
            status=exc.http_status,
            user=user,
            plan_error=exc.to_dict(),
            **ctx,
        )
    return RedirectResponse(f"/w/{wid}#plans-h", status_code=303)


@router.get("/w/{wid}/plans/{pid}/download")
def download(request: Request, wid: Id, pid: Id, user: WebUser, format: str = "html") -> Response:
    fmt = format if format in ("pdf", "json") else "html"
    body, media, name = plan_svc.download(state_of(request), user.user_id, wid, pid, fmt)
    return Response(body, media_type=media, headers=plan_svc.download_headers(name))
