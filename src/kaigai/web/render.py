"""Jinja2 rendering for the dashboard: language choice, translations, CSRF token in every page."""

from __future__ import annotations

import json
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from kaigai.core.countries import country_label
from kaigai.core.i18n import WEB, pt
from kaigai.core.i18n import tr as tr_message
from kaigai.service.security import LANG_COOKIE, SESSION_COOKIE, csrf_token
from kaigai.web.pickers import country_choices, iso3_or_blank, market_groups

TEMPLATES = Path(__file__).parent / "templates"
PRE_CSRF_COOKIE = "kaigai_precsrf"


@lru_cache(maxsize=1)
def env() -> Environment:
    e = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    e.filters["tojson_attr"] = lambda v: json.dumps(v, ensure_ascii=False)
    e.filters["num"] = _num
    e.filters["pct"] = lambda v, d=1: "—" if v is None else f"{100 * float(v):.{d}f}%"
    # countries read by name in the page's language (codes stay in forms' values and in JSON)
    e.filters["country"] = lambda code, lang="en": country_label(str(code or ""), lang)
    e.filters["iso3"] = iso3_or_blank
    e.globals["country_choices"] = country_choices
    e.globals["market_groups"] = market_groups
    e.globals["tool_links"] = [
        ("/duty", "Duty"),
        ("/markets", "Markets"),
        ("/policy", "Policy lab"),
    ]
    return e


def _num(v: Any, digits: int = 0) -> str:
    if v is None:
        return "—"
    try:
        return f"{float(v):,.{digits}f}"
    except (TypeError, ValueError):
        return str(v)


def lang_of(request: Request) -> str:
    """?lang= over the language cookie over Accept-Language; en or ja."""
    q = request.query_params.get("lang")
    if q in ("en", "ja"):
        return q
    c = request.cookies.get(LANG_COOKIE)
    if c in ("en", "ja"):
        return c
    return "ja" if request.headers.get("accept-language", "").lower().startswith("ja") else "en"


def page_csrf(request: Request) -> str:
    """CSRF token for forms: bound to the session, or (logged out) to a pre-session cookie."""
    state = request.app.state.kaigai
    token = request.scope.get("kaigai.session") or request.cookies.get(SESSION_COOKIE)
    if token:
        return csrf_token(state.secret, token)
    pre = request.cookies.get(PRE_CSRF_COOKIE) or request.scope.get("kaigai.precsrf")
    if not pre:
        pre = secrets.token_urlsafe(24)
        request.scope["kaigai.precsrf"] = pre
    return csrf_token(state.secret, "pre:" + pre)


def _here(request: Request) -> str:
    """Where the language switch returns to: this page with its query (a GET page's results
    stay on screen), without ``lang=``; the bare path when that is too long."""
    path = request.url.path
    if request.method != "GET":
        return path
    query = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "lang"])
    here = f"{path}?{query}" if query else path
    return here if len(here) <= 500 else path


def render(request: Request, template: str, status: int = 200, **ctx: Any) -> HTMLResponse:
    lang = lang_of(request)

    def tr(msgid: str, **kw: Any) -> str:
        return pt(WEB, msgid, lang, **kw)  # the dashboard's words first

    csrf = page_csrf(request)
    html = (
        env()
        .get_template(template)
        .render(
            request=request,
            lang=lang,
            t=tr,
            tr=lambda message: tr_message(
                str(message or ""), lang
            ),  # engine text, see core.i18n.tr
            csrf=csrf,
            path=request.url.path,
            here=_here(request),
            **ctx,
        )  # fmt: skip
    )
    resp = HTMLResponse(html, status_code=status)
    # Pages are per user and may show a new API key once: never kept by browsers or proxies.
    resp.headers["Cache-Control"] = "no-store"
    pre = request.scope.get("kaigai.precsrf")
    if pre:
        resp.set_cookie(PRE_CSRF_COOKIE, pre, httponly=True, samesite="strict", path="/")
    return resp


def render_error(request: Request, status: int, body: dict[str, Any]) -> HTMLResponse:
    user = getattr(request.state, "web_user", None)
    return render(request, "error.html", status=status, error=body, user=user)


__all__ = ["PRE_CSRF_COOKIE", "env", "lang_of", "page_csrf", "render", "render_error"]
