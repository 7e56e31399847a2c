"""Accounts: register, log in/out (session cookie + CSRF token), API keys, organisations."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from kaigai.api.deps import Caller, Id, State
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
    PasswordChangeIn,
    RegisterIn,
    UserOut,
)
from kaigai.app.served import auth as svc
from kaigai.service.http import client_id, set_device_cookie, set_session_cookie
from kaigai.service.security import DEVICE_COOKIE, SESSION_COOKIE, csrf_token
from kaigai.storage import accounts
from kaigai.storage.models import User

router = APIRouter(tags=["accounts"], responses=ERRORS)


def _login_out(state: State, user: User, token: str) -> LoginOut:
    return LoginOut(user=UserOut.model_validate(user), csrf_token=csrf_token(state.secret, token))


@router.post("/auth/register", response_model=LoginOut, status_code=201)
def register(body: RegisterIn, request: Request, response: Response, state: State) -> LoginOut:
    """Create an account owning a new organisation, and log it in."""
    user, token = svc.register(
        state, body.email, body.password, body.name, body.organisation, client_id(request)
    )
    set_session_cookie(request, response, token)
    return _login_out(state, user, token)


@router.post("/auth/login", response_model=LoginOut)
def login(body: LoginIn, request: Request, response: Response, state: State) -> LoginOut:
    """Log in; sets an HttpOnly session cookie and returns the CSRF token for it."""
    user, token = svc.login(state, client_id(request), body.email, body.password,
                            request.cookies.get(DEVICE_COOKIE))  # fmt: skip
    set_session_cookie(request, response, token)
    set_device_cookie(request, response, state, user.email)
    return _login_out(state, user, token)


@router.post("/auth/password", response_model=LoginOut)
def change_password(
    body: PasswordChangeIn, request: Request, response: Response, caller: Caller, state: State
) -> LoginOut:
    """Change your password: every session ends (API keys stay); the caller gets a new session
    (cookie + CSRF token in the answer)."""
    token = svc.change_password(state, caller.user_id, body.current_password, body.new_password)
    set_session_cookie(request, response, token)
    with state.db.session() as s:
        return _login_out(state, s.get(User, caller.user_id), token)  # type: ignore[arg-type]


@router.post("/auth/sessions/others/revoke", status_code=204)
def end_other_sessions(request: Request, caller: Caller, state: State) -> Response:
    """Sign out every other session of your account (other browsers and devices)."""
    keep = request.cookies.get(SESSION_COOKIE) if caller.via == "session" else None
    svc.end_other_sessions(state, caller.user_id, keep)
    return Response(status_code=204)


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
def revoke_key(key_id: Id, caller: Caller, state: State) -> Response:
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
def add_member(organisation_id: Id, body: MemberIn, caller: Caller, state: State) -> Response:
    """Owner: give an e-mail a role. A member's role changes, a registered user joins, an
    address not registered yet is invited and joins when it registers (same answer in every
    case). The last owner cannot be demoted (409)."""
    with state.db.session() as s:
        accounts.add_member(s, caller.user_id, organisation_id, body.email, body.role)
    return Response(status_code=204)


@router.get("/organisations/{organisation_id}/members", response_model=list[MemberOut])
def members(organisation_id: Id, caller: Caller, state: State) -> list[MemberOut]:
    """Members of one of your organisations, with their roles."""
    with state.db.session() as s:
        return [
            MemberOut(user_id=u.id, email=u.email, name=u.name, role=r)
            for u, r in accounts.list_members(s, caller.user_id, organisation_id)
        ]


@router.delete("/organisations/{organisation_id}/members/{user_id}", status_code=204)
def remove_member(organisation_id: Id, user_id: Id, caller: Caller, state: State) -> Response:
    """Owner: remove a member (not the last owner)."""
    with state.db.session() as s:
        accounts.remove_member(s, caller.user_id, organisation_id, user_id)
    return Response(status_code=204)
