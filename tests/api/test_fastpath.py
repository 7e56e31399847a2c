"""Exact repeats of cached duty lookups are answered before routing, identically."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

Q = "/api/v1/duty/options?hs=220830&origin=JPN&destination=VNM&as_of=2027-01-01&value=100000"


def _routed(app: Any, monkeypatch: Any) -> set[str]:
    """Paths that reached FastAPI's router (the fast path does not)."""
    seen: set[str] = set()
    router_call = type(app.router).__call__

    async def spy(self: Any, scope: Any, receive: Any, send: Any) -> None:
        seen.add(scope["path"] + "?" + scope["query_string"].decode())
        await router_call(self, scope, receive, send)

    monkeypatch.setattr(type(app.router), "__call__", spy)
    return seen


def test_repeat_is_served_from_memory_with_same_body_and_headers(
    app: Any, monkeypatch: Any
) -> None:
    routed = _routed(app, monkeypatch)
    c = TestClient(app)
    first = c.get(Q)
    assert first.status_code == 200 and routed == {Q}
    assert first.json()["lines"][0]["options"][0]["option"] == "MFN"
    routed.clear()
    second = c.get(Q)
    assert routed == set()  # answered before routing
    assert second.status_code == 200 and second.content == first.content
    for h in ("content-type", "content-length", "cache-control", "content-security-policy",
              "x-frame-options", "x-content-type-options", "referrer-policy"):  # fmt: skip
        assert second.headers[h] == first.headers[h], h
    assert len(app.state.kaigai.answers) == 1


def test_only_dated_valid_get_answers_are_kept(app: Any, monkeypatch: Any) -> None:
    routed = _routed(app, monkeypatch)
    c = TestClient(app)
    undated = "/api/v1/duty/options?hs=220830&origin=JPN&destination=VNM"
    assert c.get(undated).status_code == 200  # "today": not kept (the date changes)
    bad = "/api/v1/duty/options?hs=220830&origin=JPN&destination=VNM&as_of=2027-13-01"
    assert c.get(bad).status_code == 422
    assert len(app.state.kaigai.answers) == 0
    c.get(Q)
    routed.clear()
    r = c.request("GET", Q, content=b"x")  # a GET with a body takes the normal path
    assert r.status_code == 200 and routed == {Q}
    routed.clear()
    r = c.request("GET", Q, headers={"content-length": "0"})  # an empty body is no body
    assert r.status_code == 200 and routed == set()
    routed.clear()
    assert c.head(Q).status_code in (200, 405) and routed == {Q}
