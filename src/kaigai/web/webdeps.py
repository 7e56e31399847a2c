"""Dashboard dependencies: the logged-in user (session cookie) and form CSRF checks."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from kaigai.core.errors import AuthError, PermissionDeniedError
from kaigai.service.security import SESSION_COOKIE, csrf_ok
from kaigai.service.state import AppState
from kaigai.storage import accounts
from kaigai.storage.accounts import Principal
from kaigai.web.render import PRE_CSRF_COOKIE


def state_of(request: Request) -> AppState:
    s: AppState = request.app.state.kaigai
    return s


def web_user(request: Request) -> Principal:
    """The logged-in user; AuthError makes the error handler redirect to /login."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise AuthError("Please log in.")
    with state_of(request).db.session() as s:
        p = accounts.principal_from_session(s, token)
    request.state.web_user = p
    return p


WebUser = Annotated[Principal, Depends(web_user)]


def check_form_csrf(request: Request, given: str | None, *, pre_session: bool = False) -> None:
    """Forms: the token bound to the caller's session (it changes at every log-in). Only the
    log-in and register forms (``pre_session=True``) accept the pre-session cookie's token."""
    state = state_of(request)
    if request.headers.get("x-csrf-token"):
        given = request.headers["x-csrf-token"]
    token = request.cookies.get(SESSION_COOKIE)
    if token and csrf_ok(state.secret, token, given):
        return
    pre = request.cookies.get(PRE_CSRF_COOKIE)
    if pre_session and pre and csrf_ok(state.secret, "pre:" + pre, given):
        return
    raise PermissionDeniedError(
        "The form has expired or did not come from this site.",
        hint="Reload the page and submit again.",
    )


def safe_next(url: str | None) -> str:
    """Only same-site relative redirects."""
    if url and url.startswith("/") and not url.startswith("//") and "\\" not in url:
        return url
    return "/"


__all__ = ["WebUser", "check_form_csrf", "safe_next", "state_of", "web_user"]
