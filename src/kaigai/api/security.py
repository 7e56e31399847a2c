"""Secret key, CSRF tokens and the login rate limiter.

CSRF: a cookie-authenticated request that changes state must carry a token equal to
HMAC(secret, session token) — in the ``X-CSRF-Token`` header (HTMX/JS) or a ``csrf_token``
form field. API-key requests carry no ambient credentials and need no token.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import threading
import time
from collections import deque
from pathlib import Path

from kaigai.core.errors import RateLimitError

SESSION_COOKIE = "kaigai_session"
LANG_COOKIE = "kaigai_lang"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def load_secret_key(configured: str, data_dir: Path) -> bytes:
    """The configured key, else one generated once and kept in ``data_dir/secret_key`` (mode 600)."""
    if configured:
        return configured.encode()
    path = data_dir / "secret_key"
    if path.is_file():
        return path.read_bytes().strip()
    from kaigai.data.dirs import ensure_dir

    ensure_dir(data_dir)
    key = secrets.token_urlsafe(48).encode()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker process created it first
        time.sleep(0.2)
        return path.read_bytes().strip()
    try:
        os.write(fd, key)
    finally:
        os.close(fd)
    return key


def csrf_token(secret: bytes, session_token: str) -> str:
    return hmac.new(secret, b"csrf:" + session_token.encode(), hashlib.sha256).hexdigest()


def csrf_ok(secret: bytes, session_token: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(csrf_token(secret, session_token), given or "")


class LoginLimiter:
    """Sliding-window limit on failed logins per (client, e-mail) and per client.

    In-process (one server process); behind several workers use a proxy-level limit too.
    """

    def __init__(self, per_account: int = 5, per_client: int = 20, window_s: float = 300.0) -> None:
        self.per_account = per_account
        self.per_client = per_client
        self.window_s = window_s
        self._fails: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        q = self._fails.setdefault(key, deque())
        while q and now - q[0] > self.window_s:
            q.popleft()
        return q

    def check(self, client: str, email: str) -> None:
        """Raise RateLimitError if this client/account has failed too often recently."""
        now = time.monotonic()
        with self._lock:
            acct = self._recent(f"a:{client}:{email.lower()}", now)
            cli = self._recent(f"c:{client}", now)
            if len(acct) >= self.per_account or len(cli) >= self.per_client:
                oldest = min(q[0] for q in (acct, cli) if q)
                wait = int(self.window_s - (now - oldest)) + 1
                raise RateLimitError(
                    "Too many failed log-in attempts.", hint=f"Wait {wait} s and try again."
                )

    def failed(self, client: str, email: str) -> None:
        now = time.monotonic()
        with self._lock:
            self._recent(f"a:{client}:{email.lower()}", now).append(now)
            self._recent(f"c:{client}", now).append(now)

    def succeeded(self, client: str, email: str) -> None:
        with self._lock:
            self._fails.pop(f"a:{client}:{email.lower()}", None)


__all__ = [
    "CSRF_FIELD",
    "CSRF_HEADER",
    "LANG_COOKIE",
    "SAFE_METHODS",
    "SESSION_COOKIE",
    "LoginLimiter",
    "csrf_ok",
    "csrf_token",
    "load_secret_key",
]
