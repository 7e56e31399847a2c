"""Accounts: register, log in/out (session cookie + CSRF token), API keys, organisations."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from kaigai.api.deps import Caller, State
from kaigai.api.schemas import (
    ERRORS,
    ApiKeyCreated,
    ApiKeyIn,
    ApiKeyOut,
    LoginIn,
    LoginOut,
    MemberIn,
    MemberOut,
    OrganisationOut,
    RegisterIn,
    UserOut,
)
from kaigai.api.security import SESSION_COOKIE, csrf_token
from kaigai.api.services import auth as svc
from kaigai.storage import accounts
from kaigai.storage.models import User

router = APIRouter(tags=["accounts"], responses=ERRORS)


def client_id(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE, token, httponly=True, samesite="lax",
        secure=request.url.scheme == "https", max_age=12 * 3600, path="/",
    )  # fmt: skip


def _login_out(state: State, user: User, token: str) -> LoginOut:
    return LoginOut(user=UserOut.model_validate(user), csrf_token=csrf_token(state.secret, token))


@router.post("/auth/register", response_model=LoginOut, status_code=201)
def register(body: RegisterIn, request: Request, response: Response, state: State) -> LoginOut:
    """Create an account owning a new organisation, and log it in."""
    user, token = svc.register(state, body.email, body.password, body.name, body.organisation)
    set_session_cookie(request, response, token)
    return _login_out(state, user, token)


@router.post("/auth/login", response_model=LoginOut)
def login(body: LoginIn, request: Request, response: Response, state: State) -> LoginOut:
    """Log in; sets an HttpOnly session cookie and returns the CSRF token for it."""
    user, token = svc.login(state, client_id(request), body.email, body.password)
    set_session_cookie(request, response, token)
    return _login_out(state, user, token)


@router.post("/auth/logout", status_code=204)
def logout(request: Request, caller: Caller, state: State) -> Response:
    """End the current session."""
    svc.logout(state, request.cookies.get(SESSION_COOKIE))
    out = Response(status_code=204)
    out.delete_cookie(SESSION_COOKIE, path="/")
    return out


@router.get("/auth/me", response_model=UserOut)
def me(caller: Caller, state: State) -> UserOut:
    """The authenticated user."""
    with state.db.session() as s:
        user = s.get(User, caller.user_id)
        return UserOut.model_validate(user)


@router.get("/auth/api-keys", response_model=list[ApiKeyOut])
def list_keys(caller: Caller, state: State) -> list[ApiKeyOut]:
    """Your API keys (secrets are never shown again)."""
    with state.db.session() as s:
        return [ApiKeyOut.model_validate(k) for k in accounts.list_api_keys(s, caller.user_id)]


@router.post("/auth/api-keys", response_model=ApiKeyCreated, status_code=201)
def create_key(body: ApiKeyIn, caller: Caller, state: State) -> ApiKeyCreated:
    """Create an API key; the secret is in the response only."""
    with state.db.session() as s:
        key, secret = accounts.create_api_key(s, caller.user_id, body.label)
        return ApiKeyCreated(**ApiKeyOut.model_validate(key).model_dump(), key=secret)


@router.delete("/auth/api-keys/{key_id}", status_code=204)
def revoke_key(key_id: int, caller: Caller, state: State) -> Response:
    """Revoke one of your API keys."""
    with state.db.session() as s:
        accounts.revoke_api_key(s, caller.user_id, key_id)
    return Response(status_code=204)


@router.get("/organisations", response_model=list[OrganisationOut])
def organisations(caller: Caller, state: State) -> list[OrganisationOut]:
    """Organisations you belong to, with your role."""
    with state.db.session() as s:
        return [
            OrganisationOut(id=o.id, name=o.name, role=r)
            for o, r in accounts.organisations_of(s, caller.user_id)
        ]


@router.put("/organisations/{organisation_id}/members", status_code=204)
def add_member(organisation_id: int, body: MemberIn, caller: Caller, state: State) -> Response:
    """Owner: add a registered user to the organisation with a role (or change the role)."""
    with state.db.session() as s:
        accounts.add_member(s, caller.user_id, organisation_id, body.email, body.role)
    return Response(status_code=204)


@router.get("/organisations/{organisation_id}/members", response_model=list[MemberOut])
def members(organisation_id: int, caller: Caller, state: State) -> list[MemberOut]:
    """Members of one of your organisations, with their roles."""
    with state.db.session() as s:
        return [
            MemberOut(user_id=u.id, email=u.email, name=u.name, role=r)
            for u, r in accounts.list_members(s, caller.user_id, organisation_id)
        ]


@router.delete("/organisations/{organisation_id}/members/{user_id}", status_code=204)
def remove_member(organisation_id: int, user_id: int, caller: Caller, state: State) -> Response:
    """Owner: remove a member (not the last owner)."""
    with state.db.session() as s:
        accounts.remove_member(s, caller.user_id, organisation_id, user_id)
    return Response(status_code=204)
