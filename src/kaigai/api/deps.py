"""FastAPI dependencies: app state, the calling principal (API key or session), pagination."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query, Request

from kaigai.core.errors import AuthError, PermissionDeniedError
from kaigai.service.http import Id
from kaigai.service.payloads import MAX_ID
from kaigai.service.security import CSRF_HEADER, SAFE_METHODS, SESSION_COOKIE, csrf_ok
from kaigai.service.state import AppState
from kaigai.storage import accounts
from kaigai.storage.accounts import Principal


def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.kaigai
    return state


State = Annotated[AppState, Depends(get_state)]


def _api_key(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return request.headers.get("x-api-key")


def optional_principal(request: Request, state: State) -> Principal | None:
    """The caller if authenticated (no CSRF check: use only on safe methods)."""
    key = _api_key(request)
    with state.db.session() as s:
        if key:
            return accounts.principal_from_api_key(s, key)
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            try:
                return accounts.principal_from_session(s, token)
            except AuthError:
                return None
    return None


def require_principal(request: Request, state: State) -> Principal:
    """The authenticated caller; cookie sessions must send the CSRF token on unsafe methods."""
    key = _api_key(request)
    token = request.cookies.get(SESSION_COOKIE)
    if not key and not token:
        raise AuthError(
            "Authentication required.",
            hint="Send 'Authorization: Bearer <API key>' or log in (POST /api/v1/auth/login).",
        )
    with state.db.session() as s:
        if key:
            return accounts.principal_from_api_key(s, key)
        assert token is not None
        p = accounts.principal_from_session(s, token)
    if request.method not in SAFE_METHODS:
        given = request.headers.get(CSRF_HEADER)
        if given is None:
            given = request.scope.get("kaigai.form_csrf")
        if not csrf_ok(state.secret, token, given):
            raise PermissionDeniedError(
                "Missing or wrong CSRF token.",
                hint=f"Send the token from the login response in the {CSRF_HEADER} header.",
            )
    return p


Caller = Annotated[Principal, Depends(require_principal)]
MaybeCaller = Annotated[Principal | None, Depends(optional_principal)]


@dataclass(frozen=True)
class Page:
    limit: int
    offset: int


def page_params(
    limit: Annotated[int, Query(ge=1, le=200, description="Items per page (1-200).")] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000, description="Items to skip.")] = 0,
) -> Page:
    return Page(limit, offset)


Paging = Annotated[Page, Depends(page_params)]

__all__ = ["MAX_ID", "Caller", "Id", "MaybeCaller", "Page", "Paging", "State", "get_state", "optional_principal",
           "page_params", "require_principal"]  # fmt: skip
