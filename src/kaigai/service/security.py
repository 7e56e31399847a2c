"""Secret key, CSRF tokens and the login rate limiter.

CSRF: a cookie-authenticated request that changes state must carry a token equal to
HMAC(secret, session token) — in the ``X-CSRF-Token`` header (HTMX/JS) or a ``csrf_token``
form field. API-key requests carry no ambient credentials and need no token.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import os
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

from kaigai.core.errors import RateLimitError

SESSION_COOKIE = "kaigai_session"
DEVICE_COOKIE = "kaigai_device"
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


def normalise_email(email: str) -> str:
    """The e-mail as log-in and registration compare it (trimmed, lower case)."""
    return email.strip().lower()


class _Recent:
    """A bounded LRU map ``key -> (count, last time)``: the least recently touched entry is
    dropped when full, and entries idle for ``forget_after_s`` count as absent."""

    def __init__(self, max_entries: int, forget_after_s: float) -> None:
        self.max_entries = max_entries
        self.forget_after_s = forget_after_s
        self._d: OrderedDict[str, tuple[int, float]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._d)

    def get(self, key: str, now: float) -> tuple[int, float]:
        v = self._d.get(key)
        if v is None or now - v[1] > self.forget_after_s:
            return 0, 0.0
        return v

    def bump(self, key: str, now: float) -> int:
        n = self.get(key, now)[0] + 1
        self._d[key] = (n, now)
        self._d.move_to_end(key)
        while len(self._d) > self.max_entries:
            self._d.popitem(last=False)
        return n

    def forget(self, key: str) -> None:
        self._d.pop(key, None)


class LoginLimiter:
    """Exponential back-off on failed log-ins, never a lock-out.

    Keys: (client, e-mail) — the e-mail normalised as log-in does; the e-mail from every client
    (distributed guessing); the client for every e-mail (password spraying). After ``threshold``
    failures on a key the next try must wait ``base_delay_s * 2**(failures - threshold)`` (at
    most ``max_delay_s``) after the last failure; refused tries are not counted. A browser that
    logged in before shows a signed device cookie: it is judged on its own (device, e-mail) key
    only, so an attacker behind the same address cannot keep the real user out.
    Memory is bounded: at most ``max_entries`` keys (~240 bytes each), least recent dropped.
    The client is the TCP peer: forwarded headers count only from configured proxies
    (``KAIGAI_TRUSTED_PROXIES``, applied by the server). In-process (one server process).
    """

    def __init__(
        self,
        per_account: int = 5,
        per_client: int = 30,
        per_email: int = 50,
        base_delay_s: float = 1.0,
        max_delay_s: float = 900.0,
        forget_after_s: float = 3600.0,
        max_entries: int = 20_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.per_account, self.per_client, self.per_email = per_account, per_client, per_email
        self.base_delay_s, self.max_delay_s = base_delay_s, max_delay_s
        self.max_entries = max_entries
        self.clock = clock
        self._recent = _Recent(max_entries, forget_after_s)
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._recent)

    def _keys(self, client: str, email: str, device: str | None) -> list[tuple[str, int]]:
        e = normalise_email(email)
        if device:
            return [(f"d\0{device}\0{e}", self.per_account)]
        return [(f"ac\0{client}\0{e}", self.per_account), (f"c\0{client}", self.per_client),
                (f"e\0{e}", self.per_email)]  # fmt: skip

    def _wait(self, n: int, last: float, threshold: int, now: float) -> float:
        if n < threshold:
            return 0.0
        delay = min(self.base_delay_s * 2.0 ** min(n - threshold, 40), self.max_delay_s)
        return max(0.0, last + delay - now)

    def check(
        self, client: str, email: str, *, device: str | None = None, device_ok: bool = False
    ) -> None:
        """Raise RateLimitError (with ``retry_after`` seconds) while a key is backing off."""
        if device_ok and not device:
            device = "trusted"
        now = self.clock()
        with self._lock:
            waits = [self._wait(*self._recent.get(k, now), t, now)
                     for k, t in self._keys(client, email, device)]  # fmt: skip
        wait = max(waits)
        if wait > 0:
            secs = math.ceil(wait)
            raise RateLimitError(
                "Too many failed log-in attempts.",
                hint=f"Wait {secs} s and try again.",
                retry_after=secs,
            )

    def failed(self, client: str, email: str, *, device: str | None = None) -> None:
        now = self.clock()
        with self._lock:
            for k, _t in self._keys(client, email, device):
                self._recent.bump(k, now)

    def succeeded(self, client: str, email: str, *, device: str | None = None) -> None:
        with self._lock:
            self._recent.forget(self._keys(client, email, device)[0][0])


class WindowCounter:
    """At most ``limit`` events per key in a fixed window of ``window_s`` (bounded LRU of keys)."""

    def __init__(self, limit: int, window_s: float, max_entries: int = 20_000) -> None:
        self.limit = limit
        self.window_s = window_s
        self.max_entries = max_entries
        self._d: OrderedDict[str, tuple[int, float]] = OrderedDict()
        self._lock = threading.Lock()

    def hit(self, key: str, what: str) -> None:
        """Count one event, or raise RateLimitError if the key's window is full."""
        now = time.monotonic()
        with self._lock:
            n, start = self._d.get(key, (0, now))
            if now - start > self.window_s:
                n, start = 0, now
            if n >= self.limit:
                secs = math.ceil(start + self.window_s - now)
                raise RateLimitError(f"Too many {what} from this address.",
                                     hint=f"Wait {secs} s and try again.", retry_after=secs)  # fmt: skip
            self._d[key] = (n + 1, start)
            self._d.move_to_end(key)
            while len(self._d) > self.max_entries:
                self._d.popitem(last=False)


def device_cookie(secret: bytes, email: str) -> str:
    """A new signed device token for a browser that just logged in as ``email``."""
    nonce = secrets.token_urlsafe(12)
    return f"{nonce}.{_device_mac(secret, nonce, email)}"


def device_of(secret: bytes, cookie: str | None, email: str) -> str | None:
    """The device nonce if ``cookie`` was issued to this browser for ``email``, else None."""
    if not cookie or "." not in cookie:
        return None
    nonce, _, mac = cookie.partition(".")
    ok = hmac.compare_digest(mac, _device_mac(secret, nonce, email))
    return nonce if ok else None


def _device_mac(secret: bytes, nonce: str, email: str) -> str:
    msg = f"device:{nonce}:{normalise_email(email)}".encode()
    return hmac.new(secret, msg, hashlib.sha256).hexdigest()[:32]


__all__ = [
    "DEVICE_COOKIE",
    "CSRF_FIELD",
    "CSRF_HEADER",
    "LANG_COOKIE",
    "SAFE_METHODS",
    "SESSION_COOKIE",
    "LoginLimiter",
    "WindowCounter",
    "device_cookie",
    "device_of",
    "normalise_email",
    "csrf_ok",
    "csrf_token",
    "load_secret_key",
]
