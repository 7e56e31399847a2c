"""Isolation between workspaces on every route, authentication everywhere, no leaked internals."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from kaigai.storage import records
from tests.api.conftest import BOM, Firm

PUBLIC = {
    "/api/v1/health", "/api/v1/auth/login", "/api/v1/auth/register", "/api/v1/countries",
    "/api/v1/countries/groups", "/api/v1/countries/{code}", "/api/v1/hs/search", "/api/v1/hs/{code}",
}  # fmt: skip
# Reference engines (duty, origin rules, markets, policy...) are public data; they are listed
# by tag so that new reference routes do not need an edit here.
PUBLIC_TAGS = {
    "reference",
    "hs",
    "duty",
    "markets",
    "policy",
    "origin-rules",
    "readiness-reference",
}

VALID_BODY: dict[str, Any] = {
    "boms": BOM,
    "plans": {"title": "Plan", "content": {}},
    "profile": {"name": "stolen"},
    "members": {"email": "b@example.jp", "role": "owner"},
    "check": {"importer": "VNM"},
}


def api_routes(app: Any) -> list[tuple[str, str, list[str]]]:
    """(method, path template, tags) of every operation in the OpenAPI schema."""
    out = []
    for path, ops in app.openapi()["paths"].items():
        for method, op in ops.items():
            out.append((method.upper(), path, list(op.get("tags", []))))
    return out


def _is_public(path: str, tags: list[str]) -> bool:
    return path in PUBLIC or bool(set(tags) & PUBLIC_TAGS)


def _body_for(path: str) -> Any:
    """A valid body for the operation, keyed by the last literal path segment."""
    literal = [seg for seg in path.split("/") if seg and not seg.startswith("{")][-1]
    if literal == "boms" and path.endswith("}"):
        return BOM
    return VALID_BODY.get(literal, {})


@pytest.fixture
def a_records(app: Any, firm_a: Firm) -> dict[str, int]:
    """Every kind of record in firm A's workspace, by path parameter name."""
    ws = firm_a.workspace_id
    bom = firm_a.client.post(f"/api/v1/workspaces/{ws}/boms", json=BOM).json()
    plan = firm_a.client.post(
        f"/api/v1/workspaces/{ws}/plans", json={"title": "P", "content": {}}
    ).json()
    key = firm_a.client.post("/api/v1/auth/api-keys", json={"label": "k"}).json()
    db = app.state.kaigai.db
    with db.session() as s:
        user_id = s.execute(text("SELECT id FROM users WHERE email='a@example.jp'")).scalar_one()
        claim = records.create_claim(
            s,
            user_id,
            ws,
            {
                "bom_id": bom["id"],
                "bom_version": 1,
                "agreement": "RCEP",
                "importer": "VNM",
                "verdict": "originating",
                "result": {},
            },
        )
    return {
        "workspace_id": ws,
        "bom_id": bom["id"],
        "plan_id": plan["id"],
        "claim_id": claim.id,
        "key_id": key["id"],
        "organisation_id": firm_a.org_id,
    }


def _fill(path: str, ids: dict[str, int]) -> str:
    def sub(m: re.Match[str]) -> str:
        return str(ids.get(m.group(1), 1))

    return re.sub(r"\{(\w+)\}", sub, path)


def _snapshot(app: Any) -> list[Any]:
    with app.state.kaigai.db.session() as s:
        return [
            s.execute(text(f"SELECT * FROM {t} ORDER BY id")).all()
            for t in (
                "workspaces",
                "boms",
                "origin_claims",
                "plans",
                "firm_profiles",
                "memberships",
                "audit_events",
            )
        ] + [s.execute(text("SELECT id, revoked_at FROM api_keys ORDER BY id")).all()]


def test_every_private_route_refuses_foreign_ids(
    app: Any, firm_a: Firm, firm_b: Firm, a_records: dict[str, int]
) -> None:
    before = _snapshot(app)
    checked = 0
    # B uses A's ids directly, and also B's own workspace with A's record ids.
    own_ws = dict(a_records, workspace_id=firm_b.workspace_id)
    for method, path, route in api_routes(app):
        if _is_public(path, route) or "{" not in path:
            continue
        for ids in (a_records, own_ws):
            params = set(re.findall(r"\{(\w+)\}", path))
            if ids is own_ws and ("workspace_id" not in params or params == {"workspace_id"}):
                continue
            url = _fill(path, ids)
            kw: dict[str, Any] = {}
            if method in ("POST", "PUT", "PATCH"):
                if path.endswith("/upload"):
                    kw = {
                        "data": {"name": "x", "product_hs6": "841451"},
                        "files": {"file": ("b.csv", b"part,hs6,origin,value\nm,850131,CHN,1\n")},
                    }
                else:
                    kw = {"json": _body_for(path)}
            r = firm_b.client.request(method, url, **kw)
            assert r.status_code in (403, 404), f"{method} {url} -> {r.status_code} {r.text[:200]}"
            assert "a@example.jp" not in r.text and "Desk fan" not in r.text
            checked += 1
    assert checked >= 20
    assert _snapshot(app) == before
    # and A still sees everything
    ws = a_records["workspace_id"]
    assert (
        firm_a.client.get(f"/api/v1/workspaces/{ws}/boms/{a_records['bom_id']}").status_code == 200
    )


def test_lists_only_show_own_workspaces(firm_a: Firm, firm_b: Firm) -> None:
    ids = [w["id"] for w in firm_b.client.get("/api/v1/workspaces").json()["items"]]
    assert ids == [firm_b.workspace_id]


def test_unauthenticated_refused_on_every_private_route(
    app: Any, firm_a: Firm, a_records: dict[str, int]
) -> None:
    anon = TestClient(app, raise_server_exceptions=False)
    checked = 0
    for method, path, route in api_routes(app):
        if _is_public(path, route):
            continue
        kw = {"json": _body_for(path)} if method in ("POST", "PUT", "PATCH") else {}
        r = anon.request(method, _fill(path, a_records), **kw)
        assert r.status_code in (401, 422), f"{method} {path} -> {r.status_code}"
        if r.status_code == 422:  # body validation may come first; it must never reach data
            assert r.json()["code"] == "invalid_input"
        else:
            assert r.json()["code"] == "unauthenticated"
        checked += 1
    assert checked >= 15
    # a bad API key is refused too
    r = anon.get("/api/v1/workspaces", headers={"Authorization": "Bearer kg_nope.nope"})
    assert r.status_code == 401


LEAK = re.compile(
    r"Traceback|File \"|sqlalchemy|sqlite3|psycopg|SELECT |INSERT |no such table", re.I
)


def test_database_failure_is_a_clean_500(app: Any, firm_a: Firm) -> None:
    with app.state.kaigai.db.engine.begin() as c:
        c.execute(text("DROP TABLE audit_events"))
    r = firm_a.client.post(f"/api/v1/workspaces/{firm_a.workspace_id}/boms", json=BOM)
    assert r.status_code == 500
    assert r.json()["code"] == "storage_error"
    assert not LEAK.search(r.text), r.text


def _raised_on_a_route(app: Any, exc: BaseException) -> Any:
    """The response to a GET of a route that raises ``exc`` (the server's own handlers)."""

    @app.get("/api/v1/_boom")
    def boom() -> None:
        raise exc

    return TestClient(app, raise_server_exceptions=False).get("/api/v1/_boom")


def test_unexpected_exception_is_generic(app: Any) -> None:
    r = _raised_on_a_route(app, RuntimeError("SELECT password_hash FROM users -- secret detail"))
    assert r.status_code == 500
    assert r.json() == {
        "code": "internal_error",
        "message": "Something went wrong on the server.",
        "hint": "Try again; the administrator can find the details in the server log.",
    }


def test_out_of_memory_is_a_503_with_message_and_hint(app: Any) -> None:
    """numpy's MemoryError (outside the C kernels, which raise OutOfMemoryError) was a
    generic 500; numpy's text (sizes asked for) stays in the server log."""
    oom = MemoryError("Unable to allocate 7.11 PiB for an array with shape (10**15,)")
    r = _raised_on_a_route(app, oom)
    assert r.status_code == 503
    assert r.json() == {
        "code": "out_of_memory",
        "message": "Not enough memory for this request.",
        "hint": "the server needed more memory than is free: try again later or ask for less data",
    }


def test_validation_errors_have_stable_shape(firm_a: Firm) -> None:
    r = firm_a.client.post(f"/api/v1/workspaces/{firm_a.workspace_id}/boms", json={"name": 1})
    assert r.status_code == 422
    body = r.json()
    assert body["code"] == "invalid_input" and body["message"] and "hint" in body
    assert not LEAK.search(r.text)
    r = firm_a.client.get("/api/v1/workspaces/notanumber")
    assert r.status_code == 422 and r.json()["code"] == "invalid_input"
    r = firm_a.client.get("/api/v1/nothing-here")
    assert r.status_code == 404 and r.json()["code"] == "not_found"


def test_security_headers(app: Any) -> None:
    r = TestClient(app).get("/api/v1/health")
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    assert "default-src 'self'" in r.headers["content-security-policy"]


def test_oversized_body_refused_before_parsing(firm_a: Firm) -> None:
    r = firm_a.client.post(
        f"/api/v1/workspaces/{firm_a.workspace_id}/boms",
        content=b"{" + b" " * 2_100_000 + b"}",
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 413
