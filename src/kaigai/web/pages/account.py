"""Account page: API keys (create, shown once; revoke) and organisation members (owners)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from kaigai.app.served import auth as auth_svc
from kaigai.core.errors import KaigaiError
from kaigai.service.http import Id, set_session_cookie
from kaigai.service.security import SESSION_COOKIE
from kaigai.storage import accounts
from kaigai.web.render import render
from kaigai.web.webdeps import WebUser, check_form_csrf, state_of

router = APIRouter()


def _ctx(request: Request, user_id: int) -> dict[str, Any]:
    with state_of(request).db.session() as s:
        keys = accounts.list_api_keys(s, user_id)
        orgs = accounts.organisations_of(s, user_id)
    return {"keys": keys, "orgs": orgs}


@router.get("/account")
def account(request: Request, user: WebUser) -> Response:
    return render(request, "account.html", user=user, **_ctx(request, user.user_id))


@router.post("/account/api-keys")
def create_key(
    request: Request,
    user: WebUser,
    label: Annotated[str, Form(max_length=200)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    check_form_csrf(request, csrf_token)
    with state_of(request).db.session() as s:
        _key, secret = accounts.create_api_key(s, user.user_id, label)
    # shown once on this response; only its hash is stored
    return render(request, "account.html", user=user, new_key=secret, **_ctx(request, user.user_id))


@router.post("/account/api-keys/{key_id}/revoke")
def revoke_key(
    request: Request,
    key_id: Id,
    user: WebUser,
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    check_form_csrf(request, csrf_token)
    with state_of(request).db.session() as s:
        accounts.revoke_api_key(s, user.user_id, key_id)
    return RedirectResponse("/account", status_code=303)


@router.post("/account/password")
def change_password(
    request: Request,
    user: WebUser,
    current_password: Annotated[str, Form(max_length=1024)],
    new_password: Annotated[str, Form(max_length=1024)],
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """New password: every session ends, this browser gets a new one."""
    check_form_csrf(request, csrf_token)
    state = state_of(request)
    try:
        token = auth_svc.change_password(state, user.user_id, current_password, new_password)
    except KaigaiError as exc:
        return render(request, "account.html", status=exc.http_status, user=user,
                      error=exc.to_dict(), **_ctx(request, user.user_id))  # fmt: skip
    request.scope["kaigai.session"] = token  # the page's forms carry the new session's token
    resp = render(request, "account.html", user=user, password_changed=True,
                  **_ctx(request, user.user_id))  # fmt: skip
    set_session_cookie(request, resp, token)
    return resp


@router.post("/account/sessions/revoke")
def end_other_sessions(
    request: Request, user: WebUser, csrf_token: Annotated[str, Form(max_length=200)] = ""
) -> Response:
    """Sign out every other browser and device of this account."""
    check_form_csrf(request, csrf_token)
    n = auth_svc.end_other_sessions(
        state_of(request), user.user_id, request.cookies.get(SESSION_COOKIE)
    )
    return render(
        request, "account.html", user=user, sessions_ended=n, **_ctx(request, user.user_id)
    )


@router.post("/account/members")
def add_member(
    request: Request,
    user: WebUser,
    organisation_id: Annotated[int, Form(ge=1, le=2**31 - 1)],
    email: Annotated[str, Form(max_length=320)],
    role: Annotated[str, Form(max_length=16)],
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    check_form_csrf(request, csrf_token)
    try:
        with state_of(request).db.session() as s:
            accounts.add_member(s, user.user_id, organisation_id, email, role)
    except KaigaiError as exc:
        if exc.http_status == 404 and "Organisation" in exc.message:
            raise
        return render(request, "account.html", status=exc.http_status, user=user, error=exc.to_dict(),
                      **_ctx(request, user.user_id))  # fmt: skip
    return render(request, "account.html", user=user, added=email, **_ctx(request, user.user_id))
