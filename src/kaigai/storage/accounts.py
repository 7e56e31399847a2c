"""Users, organisations, memberships, API keys and login sessions (all queries live here)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from kaigai.core.errors import AuthError, InputError, NotFoundError, PermissionDeniedError
from kaigai.storage import secrets
from kaigai.storage.models import (
    ApiKey,
    LoginSession,
    Membership,
    Organisation,
    User,
    utcnow,
)

Role = Literal["owner", "advisor", "viewer"]
ROLES: tuple[str, ...] = ("owner", "advisor", "viewer")
API_KEY_PREFIX = "kg_"
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}$")


@dataclass(frozen=True)
class Principal:
    """Who is calling: the user and how they authenticated."""

    user_id: int
    email: str
    via: Literal["session", "api_key"]
    lang: str = "en"


def _check_password(password: str) -> None:
    if len(password) < 10:
        raise InputError("Password too short.", hint="Use at least 10 characters.")
    if len(password) > 1024:
        raise InputError("Password too long.", hint="Use at most 1024 characters.")


def create_user(s: Session, email: str, password: str, name: str = "", lang: str = "en") -> User:
    email = email.strip().lower()
    if not _EMAIL.match(email):
        raise InputError(f"'{email}' is not an e-mail address.", hint="e.g. name@example.jp")
    _check_password(password)
    if s.scalar(select(User.id).where(User.email == email)) is not None:
        raise InputError("A user with this e-mail already exists.", hint="Log in instead.")
    user = User(email=email, name=name, password_hash=secrets.hash_password(password), lang=lang)
    s.add(user)
    s.flush()
    return user


def authenticate(s: Session, email: str, password: str) -> User:
    """The user for these credentials, or AuthError (same message whether e-mail or password is wrong)."""
    user = s.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        secrets.verify_password(secrets.DUMMY_HASH, password)
        raise AuthError("E-mail or password is wrong.", hint="Check both and try again.")
    if not secrets.verify_password(user.password_hash, password):
        raise AuthError("E-mail or password is wrong.", hint="Check both and try again.")
    return user


def create_organisation(s: Session, name: str, owner: User) -> Organisation:
    name = name.strip()
    if not name or len(name) > 200:
        raise InputError("Organisation name must be 1-200 characters.")
    org = Organisation(name=name)
    s.add(org)
    s.flush()
    s.add(Membership(user_id=owner.id, organisation_id=org.id, role="owner"))
    s.flush()
    return org


def role_in(s: Session, user_id: int, organisation_id: int) -> str | None:
    return s.scalar(
        select(Membership.role).where(
            Membership.user_id == user_id, Membership.organisation_id == organisation_id
        )
    )


def organisations_of(s: Session, user_id: int) -> list[tuple[Organisation, str]]:
    rows = s.execute(
        select(Organisation, Membership.role)
        .join(Membership, Membership.organisation_id == Organisation.id)
        .where(Membership.user_id == user_id)
        .order_by(Organisation.id)
    ).all()
    return [(o, r) for o, r in rows]


def organisation_for(s: Session, user_id: int, organisation_id: int) -> tuple[Organisation, str]:
    role = role_in(s, user_id, organisation_id)
    org = s.get(Organisation, organisation_id) if role else None
    if org is None or role is None:
        raise NotFoundError(f"Organisation {organisation_id} not found.")
    return org, role


def add_member(
    s: Session, actor_id: int, organisation_id: int, email: str, role: str
) -> Membership:
    """Owner adds an existing user with ``role``; changes the role if already a member."""
    _org, actor_role = organisation_for(s, actor_id, organisation_id)
    if actor_role != "owner":
        raise PermissionDeniedError("Only an owner can manage members.")
    if role not in ROLES:
        raise InputError(f"Unknown role '{role}'.", hint="Roles: " + ", ".join(ROLES))
    user = s.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise NotFoundError(f"No user with e-mail {email}.", hint="Ask them to register first.")
    m = s.scalar(
        select(Membership).where(
            Membership.user_id == user.id, Membership.organisation_id == organisation_id
        )
    )
    if m is None:
        m = Membership(user_id=user.id, organisation_id=organisation_id, role=role)
        s.add(m)
    else:
        m.role = role
    s.flush()
    return m


def list_members(s: Session, actor_id: int, organisation_id: int) -> list[tuple[User, str]]:
    """Members of an organisation the actor belongs to, with their roles."""
    organisation_for(s, actor_id, organisation_id)
    rows = s.execute(
        select(User, Membership.role)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.organisation_id == organisation_id)
        .order_by(User.email)
    ).all()
    return [(u, r) for u, r in rows]


def remove_member(s: Session, actor_id: int, organisation_id: int, user_id: int) -> None:
    """Owner removes a member; the last owner cannot be removed."""
    _org, actor_role = organisation_for(s, actor_id, organisation_id)
    if actor_role != "owner":
        raise PermissionDeniedError("Only an owner can manage members.")
    m = s.scalar(
        select(Membership).where(
            Membership.user_id == user_id, Membership.organisation_id == organisation_id
        )
    )
    if m is None:
        raise NotFoundError(f"User {user_id} is not a member of organisation {organisation_id}.")
    if m.role == "owner":
        owners = s.scalars(
            select(Membership.id).where(
                Membership.organisation_id == organisation_id, Membership.role == "owner"
            )
        ).all()
        if len(owners) <= 1:
            raise InputError(
                "The last owner cannot be removed.", hint="Make another member owner first."
            )
    s.delete(m)


# --- API keys -----------------------------------------------------------------------------


def create_api_key(s: Session, user_id: int, label: str = "") -> tuple[ApiKey, str]:
    """A new key; the full secret is returned once and only its hash is stored."""
    secret = secrets.new_token(24)
    prefix = secrets.new_token(6)[:8]
    key = ApiKey(user_id=user_id, prefix=prefix, key_hash=secrets.token_hash(secret), label=label)
    s.add(key)
    s.flush()
    return key, f"{API_KEY_PREFIX}{prefix}.{secret}"


def principal_from_api_key(s: Session, raw: str) -> Principal:
    bad = AuthError(
        "API key not valid.",
        hint="Create a key on the dashboard's Account page (/account) or with POST /api/v1/auth/api-keys.",
    )
    if not raw.startswith(API_KEY_PREFIX) or "." not in raw:
        raise bad
    prefix, _, secret = raw[len(API_KEY_PREFIX) :].partition(".")
    row = s.execute(
        select(ApiKey, User).join(User, User.id == ApiKey.user_id).where(ApiKey.prefix == prefix)
    ).first()
    if row is None:
        raise bad
    key, user = row
    if key.revoked_at is not None or not secrets.same(key.key_hash, secrets.token_hash(secret)):
        raise bad
    return Principal(user.id, user.email, "api_key", user.lang)


def list_api_keys(s: Session, user_id: int) -> list[ApiKey]:
    return list(s.scalars(select(ApiKey).where(ApiKey.user_id == user_id).order_by(ApiKey.id)))


def revoke_api_key(s: Session, user_id: int, key_id: int) -> None:
    key = s.get(ApiKey, key_id)
    if key is None or key.user_id != user_id:
        raise NotFoundError(f"API key {key_id} not found.")
    key.revoked_at = utcnow()


# --- login sessions -----------------------------------------------------------------------


def create_login_session(s: Session, user: User, hours: int = 12) -> str:
    token = secrets.new_token()
    s.add(
        LoginSession(
            user_id=user.id,
            token_hash=secrets.token_hash(token),
            expires_at=utcnow() + dt.timedelta(hours=hours),
        )
    )
    s.flush()
    return token


def principal_from_session(s: Session, token: str) -> Principal:
    row = s.execute(
        select(LoginSession, User)
        .join(User, User.id == LoginSession.user_id)
        .where(LoginSession.token_hash == secrets.token_hash(token))
    ).first()
    if row is None or row[0].expires_at < utcnow():
        raise AuthError("Your session has ended.", hint="Log in again.")
    return Principal(row[1].id, row[1].email, "session", row[1].lang)


def end_login_session(s: Session, token: str) -> None:
    row = s.scalar(select(LoginSession).where(LoginSession.token_hash == secrets.token_hash(token)))
    if row is not None:
        s.delete(row)


def set_user_lang(s: Session, user_id: int, lang: str) -> None:
    user = s.get(User, user_id)
    if user is not None and lang in ("en", "ja"):
        user.lang = lang


__all__ = [
    "API_KEY_PREFIX",
    "ROLES",
    "Principal",
    "Role",
    "add_member",
    "authenticate",
    "create_api_key",
    "create_login_session",
    "create_organisation",
    "create_user",
    "end_login_session",
    "list_api_keys",
    "list_members",
    "organisation_for",
    "organisations_of",
    "principal_from_api_key",
    "principal_from_session",
    "remove_member",
    "revoke_api_key",
    "role_in",
    "set_user_lang",
]
