"""Issue 14 items 3, 4 and 11: login limiter (forwarded headers, key normalisation, bounded
memory, per-account backoff), register throttling and bounded hashing, passwords and sessions."""

from __future__ import annotations

import contextlib
import threading
import time
import tracemalloc
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from kaigai.core.errors import RateLimitError
from kaigai.service.security import LoginLimiter
from kaigai.storage import secrets
from tests.api.conftest import Firm

LOGIN = "/api/v1/auth/login"


@pytest.fixture
def app(settings: Any) -> Iterator[Any]:
    """The served site (API + dashboard): some checks go through dashboard pages too."""
    from kaigai.web.site import create_site

    a = create_site(settings)
    yield a
    a.state.kaigai.db.dispose()


def _login(c: Any, email: str, password: str) -> Any:
    return c.post(LOGIN, json={"email": email, "password": password})


# --- 3. limiter ---------------------------------------------------------------------------


def test_limiter_key_normalises_email_like_login(app: Any, firm_a: Firm) -> None:
    app.state.kaigai.limiter.clock = lambda: 1000.0  # no back-off expires during the test
    c = TestClient(app)
    spellings = ["a@example.jp", " a@example.jp", "A@EXAMPLE.JP", "a@example.jp ", "\ta@Example.jp"]
    codes = [_login(c, e, "wrong password!").status_code for e in spellings * 2]
    assert codes[:5] == [401] * 5
    assert codes[5:] == [429] * 5  # one budget, whatever the spelling


def test_limiter_memory_is_bounded_over_100k_refused_attempts() -> None:
    lim = LoginLimiter()
    tracemalloc.start()
    base, _ = tracemalloc.get_traced_memory()
    for i in range(100_000):
        client, email = f"10.{i // 65536}.{(i // 256) % 256}.{i % 256}", f"u{i}@x.jp"
        with contextlib.suppress(RateLimitError):
            lim.check(client, email)
        lim.failed(client, email)
    used, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert len(lim) <= lim.max_entries == 20_000
    grown_mb = (used - base) / 2**20
    print(f"limiter: {len(lim)} entries, {grown_mb:.2f} MiB after 100,000 refused attempts")
    assert grown_mb < 12


def test_backoff_per_account_not_lockout(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1000.0]
    lim = LoginLimiter(clock=lambda: now[0])
    for _ in range(5):
        lim.check("1.1.1.1", "v@x.jp")
        lim.failed("1.1.1.1", "v@x.jp")
    with pytest.raises(RateLimitError) as e:
        lim.check("1.1.1.1", "v@x.jp")
    assert e.value.fields["retry_after"] == 1  # first delay 1 s, then doubling
    now[0] += 1.01
    lim.check("1.1.1.1", "v@x.jp")  # the wait is short: the real user gets in after it
    lim.failed("1.1.1.1", "v@x.jp")
    with pytest.raises(RateLimitError) as e:
        lim.check("1.1.1.1", "v@x.jp")
    assert e.value.fields["retry_after"] == 2
    # someone else behind the same address guessing 40 accounts does not lock out a known device
    for i in range(40):
        now[0] += 0.001
        lim.failed("2.2.2.2", f"x{i}@x.jp")
    with pytest.raises(RateLimitError):
        lim.check("2.2.2.2", "real@x.jp")
    lim.check("2.2.2.2", "real@x.jp", device="nonce-of-the-real-users-browser")


def test_known_device_cookie_gets_past_client_backoff(app: Any, firm_a: Firm) -> None:
    office = TestClient(app)  # the real user: logs in once, gets a device cookie
    assert _login(office, firm_a.email, "long enough pw").status_code == 200
    assert "kaigai_device" in office.cookies
    attacker = TestClient(app)  # same address ("testclient"), no device cookie
    for i in range(40):
        _login(attacker, f"victim{i}@x.jp", "guess guess guess")
    assert _login(attacker, firm_a.email, "long enough pw").status_code == 429
    assert _login(office, firm_a.email, "long enough pw").status_code == 200


def _serve(app: Any, **opts: Any) -> tuple[Any, threading.Thread, int]:
    import uvicorn

    from tests.web.conftest import free_port

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", **opts)
    )
    th = threading.Thread(target=server.run, daemon=True)
    th.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    return server, th, port


@pytest.mark.parametrize("trusted", ["", "127.0.0.1"])
def test_forwarded_for_trusted_only_from_configured_proxies(
    settings: Any, trusted: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from argon2 import PasswordHasher

    from kaigai.api.app import create_app, server_options

    monkeypatch.setattr(
        secrets, "_HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )
    s = settings.model_copy(update={"trusted_proxies": trusted})
    app = create_app(s)
    app.state.kaigai.limiter.clock = lambda: 1000.0  # no back-off expires during the test
    server, th, port = _serve(app, **server_options(s))
    try:
        codes = []
        for i in range(8):  # a new X-Forwarded-For on every try
            r = httpx.post(f"http://127.0.0.1:{port}{LOGIN}", json={"email": "v@x.jp", "password": "x" * 12},
                           headers={"X-Forwarded-For": f"203.0.113.{i}"}, timeout=120)  # fmt: skip
            codes.append(r.status_code)
    finally:
        server.should_exit = True
        th.join(timeout=10)
        app.state.kaigai.db.dispose()
    if trusted:  # behind the configured proxy each forwarded address has its own budget
        assert codes == [401] * 8
    else:  # nobody is trusted: the header is ignored, the budget is the peer's
        assert codes == [401] * 5 + [429] * 3


# --- 4. register ---------------------------------------------------------------------------


def test_register_is_rate_limited(app: Any) -> None:
    c = TestClient(app)
    codes = [
        c.post("/api/v1/auth/register",
               json={"email": f"r{i}@x.jp", "password": "long enough pw", "organisation": "O"}).status_code
        for i in range(12)
    ]  # fmt: skip
    assert codes == [201] * 10 + [429] * 2


def test_parallel_registrations_hash_at_most_k_at_once(
    app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = {"now": 0, "max": 0}
    lock = threading.Lock()

    class SlowHasher:
        def hash(self, pw: str) -> str:
            with lock:
                state["now"] += 1
                state["max"] = max(state["max"], state["now"])
            time.sleep(0.05)
            with lock:
                state["now"] -= 1
            return "$fake$" + pw

        def verify(self, h: str, pw: str) -> bool:
            return self.hash(pw) == h

    monkeypatch.setattr(secrets, "_HASHER", SlowHasher())
    app.state.kaigai.registrations.limit = 1000
    codes: list[int] = []

    def reg(i: int) -> None:
        r = TestClient(app).post("/api/v1/auth/register", json={
            "email": f"p{i}@x.jp", "password": "long enough pw", "organisation": "O"})  # fmt: skip
        codes.append(r.status_code)

    threads = [threading.Thread(target=reg, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert codes == [201] * 16
    assert state["max"] == secrets.MAX_CONCURRENT_HASHES == 2


# --- 11. enumeration, password policy, password change, other sessions, no-store -----------


def test_member_lookup_does_not_reveal_registered_emails(
    app: Any, firm_a: Firm, firm_b: Firm
) -> None:
    url = f"/api/v1/organisations/{firm_a.org_id}/members"
    known = firm_a.client.put(url, json={"email": firm_b.email, "role": "viewer"})
    unknown = firm_a.client.put(url, json={"email": "nobody@x.jp", "role": "viewer"})
    assert (known.status_code, known.text) == (unknown.status_code, unknown.text) == (204, "")
    # the invitation becomes a membership when that address registers
    later = TestClient(app)
    r = later.post("/api/v1/auth/register",
                   json={"email": "nobody@x.jp", "password": "long enough pw", "organisation": "N"})  # fmt: skip
    assert r.status_code == 201
    orgs = {o["id"]: o["role"] for o in later.get("/api/v1/organisations").json()}
    assert orgs[firm_a.org_id] == "viewer"


def test_register_refusal_does_not_say_the_account_exists(app: Any, firm_a: Firm) -> None:
    r = TestClient(app).post("/api/v1/auth/register", json={
        "email": firm_a.email, "password": "another long pw", "organisation": "X"})  # fmt: skip
    assert r.status_code == 422
    body = r.json()
    assert "exist" not in (body["message"] + (body["hint"] or "")).lower()
    assert body["message"] == "This account could not be created."


@pytest.mark.parametrize(
    "pw",
    [
        " " * 10,
        "\x00" * 10,
        "password12",
        "Password123",
        "1234567890",
        "qwertyuiop",
        "aaaaaaaaaaaa",
        "short",
    ],
)
def test_weak_passwords_are_refused(app: Any, pw: str) -> None:
    r = TestClient(app).post("/api/v1/auth/register", json={
        "email": "w@x.jp", "password": pw, "organisation": "X"})  # fmt: skip
    assert r.status_code == 422, (pw, r.text)
    assert "assword" in r.json()["message"]


def test_password_change_and_sign_out_other_sessions(app: Any, firm_a: Firm) -> None:
    other = TestClient(app)
    assert _login(other, firm_a.email, "long enough pw").status_code == 200
    assert other.get("/api/v1/auth/me").status_code == 200
    r = firm_a.client.post("/api/v1/auth/password", json={
        "current_password": "wrong one here", "new_password": "a brand new phrase"})  # fmt: skip
    assert r.status_code == 401
    r = firm_a.client.post("/api/v1/auth/password", json={
        "current_password": "long enough pw", "new_password": "a brand new phrase"})  # fmt: skip
    assert r.status_code == 200, r.text
    firm_a.client.headers["X-CSRF-Token"] = r.json()["csrf_token"]  # session rotated
    assert firm_a.client.get("/api/v1/auth/me").status_code == 200
    assert other.get("/api/v1/auth/me").status_code == 401  # other sessions ended
    assert _login(TestClient(app), firm_a.email, "a brand new phrase").status_code == 200
    # "sign out other sessions" on its own
    third = TestClient(app)
    assert _login(third, firm_a.email, "a brand new phrase").status_code == 200
    assert firm_a.client.post("/api/v1/auth/sessions/others/revoke").status_code == 204
    assert third.get("/api/v1/auth/me").status_code == 401
    assert firm_a.client.get("/api/v1/auth/me").status_code == 200


def test_new_api_key_responses_are_not_cached(app: Any, firm_a: Firm) -> None:
    r = firm_a.client.post("/api/v1/auth/api-keys", json={"label": "k"})
    assert r.headers["cache-control"] == "no-store"
    page = firm_a.client.post("/account/api-keys", data={"label": "k", "csrf_token": firm_a.csrf},
                              headers={"accept": "text/html"})  # fmt: skip
    assert page.status_code == 200 and "kg_" in page.text
    assert page.headers["cache-control"] == "no-store"
