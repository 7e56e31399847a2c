from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.conftest import Firm


def test_login_sets_httponly_cookie_and_me_works(app: object, firm_a: Firm) -> None:
    c = TestClient(app)  # type: ignore[arg-type]
    r = c.post("/api/v1/auth/login", json={"email": "a@example.jp", "password": "long enough pw"})
    assert r.status_code == 200
    cookie = r.headers["set-cookie"]
    assert "kaigai_session=" in cookie and "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
    assert c.get("/api/v1/auth/me").json()["email"] == "a@example.jp"


def test_wrong_password_same_message_as_unknown_user(app: object, firm_a: Firm) -> None:
    c = TestClient(app)  # type: ignore[arg-type]
    r1 = c.post("/api/v1/auth/login", json={"email": "a@example.jp", "password": "wrong password"})
    r2 = c.post("/api/v1/auth/login", json={"email": "zz@example.jp", "password": "wrong password"})
    assert r1.status_code == r2.status_code == 401
    assert r1.json() == r2.json()
    assert set(r1.json()) >= {"code", "message", "hint"}


def test_login_rate_limited_after_five_failures(app: object, firm_a: Firm) -> None:
    c = TestClient(app)  # type: ignore[arg-type]
    codes = [
        c.post(
            "/api/v1/auth/login", json={"email": "a@example.jp", "password": f"bad {i} xxxxx"}
        ).status_code
        for i in range(6)
    ]
    assert codes == [401] * 5 + [429]
    # Even the right password is refused while limited.
    r = c.post("/api/v1/auth/login", json={"email": "a@example.jp", "password": "long enough pw"})
    assert r.status_code == 429 and r.json()["code"] == "rate_limited"
    assert "Wait" in r.json()["hint"]


def test_cookie_writes_need_csrf_token(firm_a: Firm) -> None:
    c = firm_a.client
    body = {"organisation_id": firm_a.org_id, "name": "X"}
    del c.headers["X-CSRF-Token"]
    r = c.post("/api/v1/workspaces", json=body)
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    r = c.post("/api/v1/workspaces", json=body, headers={"X-CSRF-Token": "0" * 64})
    assert r.status_code == 403
    r = c.post("/api/v1/workspaces", json=body, headers={"X-CSRF-Token": firm_a.csrf})
    assert r.status_code == 201


def test_api_key_auth_and_revocation(app: object, firm_a: Firm) -> None:
    r = firm_a.client.post("/api/v1/auth/api-keys", json={"label": "erp"})
    assert r.status_code == 201
    key, key_id = r.json()["key"], r.json()["id"]
    bare = TestClient(app)  # type: ignore[arg-type]
    h = {"Authorization": f"Bearer {key}"}
    assert bare.get("/api/v1/workspaces", headers=h).json()["total"] == 1
    # no CSRF needed with an API key
    assert (
        bare.post(
            "/api/v1/workspaces",
            headers=h,
            json={"organisation_id": firm_a.org_id, "name": "via key"},
        ).status_code
        == 201
    )
    assert "key" not in firm_a.client.get("/api/v1/auth/api-keys").json()[0]
    assert firm_a.client.delete(f"/api/v1/auth/api-keys/{key_id}").status_code == 204
    assert bare.get("/api/v1/workspaces", headers=h).status_code == 401


def test_logout_ends_session(firm_a: Firm) -> None:
    assert firm_a.client.post("/api/v1/auth/logout").status_code == 204
    assert firm_a.client.get("/api/v1/auth/me").status_code == 401


def test_roles_viewer_is_read_only(app: object, firm_a: Firm) -> None:
    from tests.api.conftest import BOM, new_firm

    viewer = new_firm(app, "v@example.jp", "V office")
    r = firm_a.client.put(
        f"/api/v1/organisations/{firm_a.org_id}/members",
        json={"email": "v@example.jp", "role": "viewer"},
    )
    assert r.status_code == 204
    ws = firm_a.workspace_id
    assert firm_a.client.post(f"/api/v1/workspaces/{ws}/boms", json=BOM).status_code == 201
    assert viewer.client.get(f"/api/v1/workspaces/{ws}/boms").json()["total"] == 1
    r = viewer.client.post(f"/api/v1/workspaces/{ws}/boms", json=BOM)
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    # a viewer cannot promote themselves
    r = viewer.client.put(
        f"/api/v1/organisations/{firm_a.org_id}/members",
        json={"email": "v@example.jp", "role": "owner"},
    )
    assert r.status_code == 403


def test_members_listed_and_removed_by_owner_only(app: object, firm_a: Firm) -> None:
    from tests.api.conftest import new_firm

    b = new_firm(app, "b@example.jp", "B office")
    org = firm_a.org_id
    assert (
        firm_a.client.put(
            f"/api/v1/organisations/{org}/members",
            json={"email": "b@example.jp", "role": "advisor"},
        ).status_code
        == 204
    )
    members = firm_a.client.get(f"/api/v1/organisations/{org}/members").json()
    assert [(m["email"], m["role"]) for m in members] == [
        ("a@example.jp", "owner"),
        ("b@example.jp", "advisor"),
    ]
    a_id = members[0]["user_id"]
    b_id = members[1]["user_id"]
    # an advisor cannot remove anyone; the last owner cannot be removed
    assert b.client.delete(f"/api/v1/organisations/{org}/members/{a_id}").status_code == 403
    r = firm_a.client.delete(f"/api/v1/organisations/{org}/members/{a_id}")
    assert r.status_code == 409 and "at least one owner" in r.json()["message"]
    assert firm_a.client.delete(f"/api/v1/organisations/{org}/members/{b_id}").status_code == 204
    assert b.client.get(f"/api/v1/workspaces/{firm_a.workspace_id}").status_code == 404
    assert b.client.get(f"/api/v1/organisations/{org}/members").status_code == 404
