"""Issue 14 items 7 and 11 (dashboard): CSRF tokens bound to the session, no state change on
GET, password change and "sign out other sessions" forms, no-store on key pages."""

from __future__ import annotations

import re
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import text

from kaigai.core.config import Settings
from kaigai.storage import secrets
from kaigai.web.site import create_site

HTML = {"accept": "text/html"}
EMAIL, PW = "a@example.jp", "long enough pw"


@pytest.fixture
def app(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setattr(
        secrets, "_HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )
    a = create_site(settings)
    r = TestClient(a).post("/api/v1/auth/register",
                           json={"email": EMAIL, "password": PW, "organisation": "A"})  # fmt: skip
    assert r.status_code == 201
    yield a
    a.state.kaigai.db.dispose()


def _token(page: str) -> str:
    m = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page)
    assert m is not None
    return m.group(1)


def _browser_login(app: Any) -> tuple[TestClient, str]:
    """Log in through the form like a browser; returns the client and its pre-login token."""
    c = TestClient(app)
    pre = _token(c.get("/login", headers=HTML).text)
    r = c.post("/login", data={"email": EMAIL, "password": PW, "csrf_token": pre},
               headers=HTML, follow_redirects=False)  # fmt: skip
    assert r.status_code == 303
    return c, pre


def test_pre_login_token_is_refused_after_login(app: Any) -> None:
    c, pre = _browser_login(app)
    for url, data in (("/workspaces", {"organisation_id": "1", "name": "x"}),
                      ("/account/api-keys", {"label": "stolen"})):  # fmt: skip
        r = c.post(url, data={**data, "csrf_token": pre}, headers=HTML, follow_redirects=False)
        assert r.status_code == 403, (url, r.status_code)
    good = _token(c.get("/", headers=HTML).text)
    assert good != pre
    r = c.post("/workspaces", data={"organisation_id": "1", "name": "x", "csrf_token": good},
               headers=HTML, follow_redirects=False)  # fmt: skip
    assert r.status_code == 303


def test_token_rotates_at_login(app: Any) -> None:
    c, _pre = _browser_login(app)
    first = _token(c.get("/", headers=HTML).text)
    c.post("/logout", data={"csrf_token": first}, headers=HTML)
    pre2 = _token(c.get("/login", headers=HTML).text)
    c.post("/login", data={"email": EMAIL, "password": PW, "csrf_token": pre2}, headers=HTML)
    second = _token(c.get("/", headers=HTML).text)
    assert second != first
    r = c.post("/account/api-keys", data={"label": "x", "csrf_token": first}, headers=HTML)
    assert r.status_code == 403  # the old session's token is dead


def _saved_lang(app: Any) -> str:
    with app.state.kaigai.db.session() as s:
        return str(
            s.execute(text("SELECT lang FROM users WHERE email=:e"), {"e": EMAIL}).scalar_one()
        )


def test_language_get_sets_only_the_cookie(app: Any) -> None:
    c, _ = _browser_login(app)
    r = c.get("/lang/ja", follow_redirects=False)
    assert r.status_code == 303 and "kaigai_lang=ja" in r.headers["set-cookie"]
    assert _saved_lang(app) == "en"  # a GET (e.g. an <img src>) changes no saved state
    token = _token(c.get("/", headers=HTML).text)
    assert c.post("/lang/ja", data={"csrf_token": "bad"}, headers=HTML).status_code == 403
    r = c.post("/lang/ja", data={"csrf_token": token, "next": "/account"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/account"
    assert _saved_lang(app) == "ja"


def test_dashboard_password_change_and_other_sessions(app: Any) -> None:
    c, _ = _browser_login(app)
    other, _ = _browser_login(app)
    page = c.get("/account", headers=HTML)
    assert (
        'action="/account/password"' in page.text
        and 'action="/account/sessions/revoke"' in page.text
    )
    assert page.headers["cache-control"] == "no-store"
    token = _token(page.text)
    r = c.post("/account/sessions/revoke", data={"csrf_token": token}, headers=HTML)
    assert r.status_code == 200
    assert other.get("/account", headers=HTML, follow_redirects=False).status_code == 303
    token = _token(c.get("/account", headers=HTML).text)
    r = c.post("/account/password", data={"current_password": PW, "new_password": "password12",
                                          "csrf_token": token}, headers=HTML)  # fmt: skip
    assert r.status_code == 422 and "common" in r.text
    r = c.post("/account/password", data={"current_password": PW, "new_password": "new long phrase 9",
                                          "csrf_token": token}, headers=HTML)  # fmt: skip
    assert r.status_code == 200, r.text
    assert c.get("/account", headers=HTML).status_code == 200  # still logged in (new session)
    r = TestClient(app).post(
        "/api/v1/auth/login", json={"email": EMAIL, "password": "new long phrase 9"}
    )
    assert r.status_code == 200
