"""Log-in, register, log-out and the language switch."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from kaigai.app.served import auth as svc
from kaigai.core.errors import KaigaiError
from kaigai.service.http import client_id, set_device_cookie, set_session_cookie
from kaigai.service.security import DEVICE_COOKIE, LANG_COOKIE, SESSION_COOKIE
from kaigai.storage import accounts
from kaigai.web.render import render
from kaigai.web.webdeps import WebUser, check_form_csrf, safe_next, state_of

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
    check_form_csrf(request, csrf_token, pre_session=True)
    state = state_of(request)
    try:
        user, token = svc.login(state, client_id(request), email, password,
                                request.cookies.get(DEVICE_COOKIE))  # fmt: skip
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
    set_device_cookie(request, resp, state, user.email)
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
    check_form_csrf(request, csrf_token, pre_session=True)
    try:
        _user, token = svc.register(
            state_of(request), email, password, name, organisation, client_id(request)
        )
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


def _lang_redirect(code: str, next: str) -> tuple[str, Response]:
    lang = code if code in ("en", "ja") else "en"
    resp = RedirectResponse(safe_next(next), status_code=303)
    resp.set_cookie(LANG_COOKIE, lang, samesite="lax", path="/", max_age=365 * 86400)
    return lang, resp


@router.get("/lang/{code}")
def switch_lang(code: str, next: str = "/") -> Response:
    """Set the interface language for this browser (a cookie only: a GET saves nothing)."""
    return _lang_redirect(code, next)[1]


@router.post("/lang/{code}")
def save_lang(
    request: Request,
    code: str,
    user: WebUser,
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    """Set the language and save it on the account (used at the next log-in elsewhere)."""
    check_form_csrf(request, csrf_token)
    lang, resp = _lang_redirect(code, next)
    with state_of(request).db.session() as s:
        accounts.set_user_lang(s, user.user_id, lang)
    return resp
