"""Register, log in (rate limited), log out."""

from __future__ import annotations

from kaigai.api.state import AppState
from kaigai.core.errors import AuthError
from kaigai.storage import accounts
from kaigai.storage.models import User


def register(
    state: AppState, email: str, password: str, name: str, organisation: str
) -> tuple[User, str]:
    """Create a user who owns a new organisation; returns the user and a session token."""
    with state.db.session() as s:
        user = accounts.create_user(s, email, password, name)
        accounts.create_organisation(s, organisation, user)
        token = accounts.create_login_session(s, user)
    return user, token


def login(state: AppState, client: str, email: str, password: str) -> tuple[User, str]:
    state.limiter.check(client, email)
    try:
        with state.db.session() as s:
            user = accounts.authenticate(s, email, password)
            token = accounts.create_login_session(s, user)
    except AuthError:
        state.limiter.failed(client, email)
        raise
    state.limiter.succeeded(client, email)
    return user, token


def logout(state: AppState, token: str | None) -> None:
    if token:
        with state.db.session() as s:
            accounts.end_login_session(s, token)


__all__ = ["login", "logout", "register"]
