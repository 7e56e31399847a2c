"""Users, organisations, memberships, API keys and login sessions (all queries live here)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from kaigai.core.errors import (
    AuthError,
    ConflictError,
    InputError,
    NotFoundError,
    PermissionDeniedError,
)
from kaigai.storage import secrets
from kaigai.storage.models import (
    ApiKey,
    Invitation,
    LoginSession,
    Membership,
    Organisation,
    User,
    utcnow,
)
from kaigai.storage.passwords import check_password

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


def create_user(s: Session, email: str, password: str, name: str = "", lang: str = "en") -> User:
    """A new user; pending invitations for the address become memberships.

    A taken address gets the same generic refusal as any other failed registration would,
    after the same hashing work (no timing difference)."""
    email = email.strip().lower()
    if not _EMAIL.match(email):
        raise InputError(f"'{email}' is not an e-mail address.", hint="e.g. name@example.jp")
    check_password(password, email)
    password_hash = secrets.hash_password(password)
    if s.scalar(select(User.id).where(User.email == email)) is not None:
        raise InputError(
            "This account could not be created.",
            hint="If you already have an account, log in; otherwise check the e-mail address.",
        )
    user = User(email=email, name=name, password_hash=password_hash, lang=lang)
    s.add(user)
    s.flush()
    for inv in s.scalars(select(Invitation).where(Invitation.email == email)):
        s.add(Membership(user_id=user.id, organisation_id=inv.organisation_id, role=inv.role))
        s.delete(inv)
    s.flush()
    return user


def change_password(s: Session, user_id: int, current: str, new: str) -> tuple[User, str]:
    """Check ``current``, set ``new`` (policy applies), end every session of the user and
    return a fresh session token for the caller."""
    user = s.get(User, user_id)
    if user is None or not secrets.verify_password(user.password_hash, current):
        raise AuthError("The current password is wrong.", hint="Type it again.")
    check_password(new, user.email)
    user.password_hash = secrets.hash_password(new)
    s.execute(delete(LoginSession).where(LoginSession.user_id == user_id))
    return user, create_login_session(s, user)


def end_other_sessions(s: Session, user_id: int, keep_token: str | None) -> int:
    """Sign out every session of the user except ``keep_token``'s; returns how many ended."""
    q = delete(LoginSession).where(LoginSession.user_id == user_id)
    if keep_token:
        q = q.where(LoginSession.token_hash != secrets.token_hash(keep_token))
    return int(s.execute(q).rowcount or 0)  # type: ignore[attr-defined]


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


LAST_OWNER = "An organisation must keep at least one owner."


def _owner_count(s: Session, organisation_id: int) -> int:
    q = select(func.count()).where(
        Membership.organisation_id == organisation_id, Membership.role == "owner"
    )
    return int(s.scalar(q) or 0)


def add_member(
    s: Session, actor_id: int, organisation_id: int, email: str, role: str
) -> Membership | None:
    """Owner gives ``email`` a role: a member's role changes, a registered user joins, and an
    address not registered yet is invited (it joins on registering; None is returned). The
    caller's answer is the same in every case, so it does not reveal who is registered."""
    _org, actor_role = organisation_for(s, actor_id, organisation_id)
    if actor_role != "owner":
        raise PermissionDeniedError("Only an owner can manage members.")
    if role not in ROLES:
        raise InputError(f"Unknown role '{role}'.", hint="Roles: " + ", ".join(ROLES))
    email = email.strip().lower()
    if not _EMAIL.match(email):
        raise InputError(f"'{email}' is not an e-mail address.", hint="e.g. name@example.jp")
    user = s.scalar(select(User).where(User.email == email))
    if user is None:
        inv = s.scalar(
            select(Invitation).where(
                Invitation.organisation_id == organisation_id, Invitation.email == email
            )
        )
        if inv is None:
            s.add(Invitation(organisation_id=organisation_id, email=email, role=role))
        else:
            inv.role = role
        s.flush()
        return None
    m = s.scalar(
        select(Membership)
        .where(Membership.user_id == user.id, Membership.organisation_id == organisation_id)
        .with_for_update()
    )
    if m is None:
        m = Membership(user_id=user.id, organisation_id=organisation_id, role=role)
        s.add(m)
    else:
        if m.role == "owner" and role != "owner" and _owner_count(s, organisation_id) <= 1:
            raise ConflictError(LAST_OWNER, hint="Make another member owner first.")
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
    if m.role == "owner" and _owner_count(s, organisation_id) <= 1:
        raise ConflictError(LAST_OWNER, hint="Make another member owner first.")
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
    "change_password",
    "check_password",
    "end_other_sessions",
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
