"""Register (throttled per client), log in (back-off per account), log out, password change."""

from __future__ import annotations

from kaigai.core.errors import AuthError
from kaigai.service.security import device_of
from kaigai.service.state import AppState
from kaigai.storage import accounts
from kaigai.storage.models import User


def register(
    state: AppState, email: str, password: str, name: str, organisation: str, client: str = ""
) -> tuple[User, str]:
    """Create a user who owns a new organisation; returns the user and a session token."""
    state.registrations.hit(client or "unknown", "registrations")
    with state.db.session() as s:
        user = accounts.create_user(s, email, password, name)
        accounts.create_organisation(s, organisation, user)
        token = accounts.create_login_session(s, user)
    return user, token


def login(
    state: AppState, client: str, email: str, password: str, device_cookie: str | None = None
) -> tuple[User, str]:
    """Log in; ``device_cookie`` (from an earlier log-in of this browser) exempts the caller
    from back-off caused by others behind the same address."""
    device = device_of(state.secret, device_cookie, email)
    state.limiter.check(client, email, device=device)
    try:
        with state.db.session() as s:
            user = accounts.authenticate(s, email, password)
            token = accounts.create_login_session(s, user)
    except AuthError:
        state.limiter.failed(client, email, device=device)
        raise
    state.limiter.succeeded(client, email, device=device)
    return user, token


def logout(state: AppState, token: str | None) -> None:
    if token:
        with state.db.session() as s:
            accounts.end_login_session(s, token)


def change_password(state: AppState, user_id: int, current: str, new: str) -> str:
    """New password; every session of the user ends; returns the caller's new session token."""
    with state.db.session() as s:
        _user, token = accounts.change_password(s, user_id, current, new)
    return token


def end_other_sessions(state: AppState, user_id: int, keep_token: str | None) -> int:
    with state.db.session() as s:
        return accounts.end_other_sessions(s, user_id, keep_token)


__all__ = ["change_password", "end_other_sessions", "login", "logout", "register"]
