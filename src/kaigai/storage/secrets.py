"""Password hashing (argon2id) and opaque token helpers (API keys, session tokens)."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

# Defaults of argon2-cffi (RFC 9106 low-memory profile): t=3, m=64 MiB, p=4.
_HASHER = PasswordHasher()


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def new_token(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


def token_hash(token: str) -> str:
    """SHA-256 of a high-entropy token: fine for lookup, the token itself is never stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


# Verified against when a user does not exist, so timing does not reveal valid e-mails.
DUMMY_HASH = _HASHER.hash("not-a-real-password")

__all__ = ["DUMMY_HASH", "hash_password", "new_token", "same", "token_hash", "verify_password"]
