"""Password hashing (argon2id) and opaque token helpers (API keys, session tokens)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from kaigai.core.errors import RateLimitError

# Defaults of argon2-cffi (RFC 9106 low-memory profile): t=3, m=64 MiB, p=4.
_HASHER = PasswordHasher()
# Each hash takes 64 MiB and a core for ~50 ms: at most this many run at once per process
# (register, log-in, password change); the rest wait up to HASH_WAIT_S, then get a 429.
MAX_CONCURRENT_HASHES = 2
HASH_WAIT_S = 20.0
_GATE = threading.BoundedSemaphore(MAX_CONCURRENT_HASHES)


@contextmanager
def _hash_slot() -> Iterator[None]:
    if not _GATE.acquire(timeout=HASH_WAIT_S):
        raise RateLimitError(
            "The server is busy checking passwords.", hint="Try again in a few seconds.",
            retry_after=5,
        )  # fmt: skip
    try:
        yield
    finally:
        _GATE.release()


def hash_password(password: str) -> str:
    with _hash_slot():
        return _HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    with _hash_slot():
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

__all__ = [
    "DUMMY_HASH",
    "MAX_CONCURRENT_HASHES",
    "hash_password",
    "new_token",
    "same",
    "token_hash",
    "verify_password",
]
