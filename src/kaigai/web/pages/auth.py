"""Log-in, register, log-out and the language switch."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from kaigai.api.routers.auth import client_id, set_session_cookie
from kaigai.api.security import LANG_COOKIE, SESSION_COOKIE
from kaigai.api.services import auth as svc
from kaigai.core.errors import KaigaiError
from kaigai.storage import accounts
from kaigai.web.render import render
from kaigai.web.webdeps import check_form_csrf, safe_next, state_of

router = APIRouter()


@router.get("/login")
def login_page(request: Request, next: str = "/") -> Response:
    return render(request, "login.html", next=safe_next(next), email="")


@router.post("/login")
def login_submit(
    request: Request,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=1024)],
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    check_form_csrf(request, csrf_token)
    state = state_of(request)
    try:
        user, token = svc.login(state, client_id(request), email, password)
    except KaigaiError as exc:
        return render(
            request,
            "login.html",
            status=exc.http_status,
            error=exc.to_dict(),
            email=email,
            next=safe_next(next),
        )
    resp = RedirectResponse(safe_next(next), status_code=303)
    set_session_cookie(request, resp, token)
    if not request.cookies.get(LANG_COOKIE):
        resp.set_cookie(LANG_COOKIE, user.lang, samesite="lax", path="/")
    return resp


@router.get("/register")
def register_page(request: Request) -> Response:
    return render(request, "register.html", form={})


@router.post("/register")
def register_submit(
    request: Request,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=1024)],
    organisation: Annotated[str, Form(max_length=200)],
    name: Annotated[str, Form(max_length=200)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    check_form_csrf(request, csrf_token)
    try:
        _user, token = svc.register(state_of(request), email, password, name, organisation)
    except KaigaiError as exc:
        form = {"email": email, "name": name, "organisation": organisation}
        return render(
            request, "register.html", status=exc.http_status, error=exc.to_dict(), form=form
        )
    resp = RedirectResponse("/", status_code=303)
    set_session_cookie(request, resp, token)
    return resp


@router.post("/logout")
def logout(request: Request, csrf_token: Annotated[str, Form(max_length=200)] = "") -> Response:
    check_form_csrf(request, csrf_token)
    svc.logout(state_of(request), request.cookies.get(SESSION_COOKIE))
    resp = RedirectResponse("/login", status_code=303)
    resp.delete_cookie(SESSION_COOKIE, path="/")
    return resp


@router.get("/lang/{code}")
def switch_lang(request: Request, code: str, next: str = "/") -> Response:
    """Set the interface language (cookie; also saved on the account when logged in)."""
    lang = code if code in ("en", "ja") else "en"
    resp = RedirectResponse(safe_next(next), status_code=303)
    resp.set_cookie(LANG_COOKIE, lang, samesite="lax", path="/", max_age=365 * 86400)
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        state = state_of(request)
        try:
            with state.db.session() as s:
                p = accounts.principal_from_session(s, token)
                accounts.set_user_lang(s, p.user_id, lang)
        except KaigaiError:
            pass
    return resp
