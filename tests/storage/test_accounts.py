from __future__ import annotations

import pytest

from kaigai.core.errors import AuthError, InputError, PermissionDeniedError
from kaigai.storage import accounts
from kaigai.storage.db import Database
from kaigai.storage.migrate import current_revision
from kaigai.storage.models import User


def test_migrations_reach_head(db: Database) -> None:
    assert current_revision(db) == "0002"


def test_password_is_hashed_with_argon2_and_verifies(db: Database) -> None:
    with db.session() as s:
        u = accounts.create_user(s, "A@Example.jp", "correct horse battery")
    with db.session() as s:
        row = s.get(User, u.id)
        assert row is not None
        assert row.email == "a@example.jp"
        assert row.password_hash.startswith("$argon2id$")
        assert "correct horse" not in row.password_hash
        assert accounts.authenticate(s, "a@example.jp", "correct horse battery").id == u.id
        with pytest.raises(AuthError):
            accounts.authenticate(s, "a@example.jp", "wrong password!!")
        with pytest.raises(AuthError):
            accounts.authenticate(s, "nobody@example.jp", "correct horse battery")


def test_duplicate_email_and_weak_password_rejected(db: Database) -> None:
    with db.session() as s:
        accounts.create_user(s, "b@example.jp", "long enough pw")
    with db.session() as s, pytest.raises(InputError):
        accounts.create_user(s, "B@example.jp", "long enough pw")
    with db.session() as s, pytest.raises(InputError):
        accounts.create_user(s, "c@example.jp", "short")


def test_api_key_round_trip_and_revocation(db: Database) -> None:
    with db.session() as s:
        u = accounts.create_user(s, "k@example.jp", "long enough pw")
        key, secret = accounts.create_api_key(s, u.id, "ci")
    assert secret.startswith("kg_")
    with db.session() as s:
        p = accounts.principal_from_api_key(s, secret)
        assert (p.user_id, p.via) == (u.id, "api_key")
        with pytest.raises(AuthError):
            accounts.principal_from_api_key(s, secret[:-1] + ("A" if secret[-1] != "A" else "B"))
        accounts.revoke_api_key(s, u.id, key.id)
    with db.session() as s, pytest.raises(AuthError):
        accounts.principal_from_api_key(s, secret)


def test_login_session_and_logout(db: Database) -> None:
    with db.session() as s:
        u = accounts.create_user(s, "s@example.jp", "long enough pw")
        token = accounts.create_login_session(s, u)
    with db.session() as s:
        assert accounts.principal_from_session(s, token).email == "s@example.jp"
        accounts.end_login_session(s, token)
    with db.session() as s, pytest.raises(AuthError):
        accounts.principal_from_session(s, token)


def test_members_and_roles(db: Database) -> None:
    with db.session() as s:
        owner = accounts.create_user(s, "o@example.jp", "long enough pw")
        adv = accounts.create_user(s, "a@example.jp", "long enough pw")
        org = accounts.create_organisation(s, "Osaka Chamber", owner)
        accounts.add_member(s, owner.id, org.id, "a@example.jp", "advisor")
    with db.session() as s:
        assert accounts.role_in(s, adv.id, org.id) == "advisor"
        with pytest.raises(PermissionDeniedError):
            accounts.add_member(s, adv.id, org.id, "o@example.jp", "viewer")
        # not registered yet: invited (same answer as for a registered user), joins on registering
        assert accounts.add_member(s, owner.id, org.id, "ghost@example.jp", "viewer") is None
        with pytest.raises(InputError):
            accounts.add_member(s, owner.id, org.id, "a@example.jp", "admin")
