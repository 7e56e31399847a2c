"""API fixtures: an app on a temporary SQLite database, clients for two separate firms."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from kaigai.api.app import create_app
from kaigai.core.config import Settings
from kaigai.storage import secrets


@pytest.fixture(autouse=True)
def _fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    # argon2id still, with test-sized cost (production keeps argon2-cffi's defaults).
    monkeypatch.setattr(
        secrets, "_HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


@pytest.fixture
def app(settings: Settings) -> Iterator[object]:
    a = create_app(settings)
    yield a
    a.state.kaigai.db.dispose()


@dataclass
class Firm:
    client: TestClient
    csrf: str
    org_id: int
    workspace_id: int
    email: str


def new_firm(app: object, email: str, org: str = "Office") -> Firm:
    c = TestClient(app, raise_server_exceptions=False)  # type: ignore[arg-type]
    r = c.post(
        "/api/v1/auth/register",
        json={"email": email, "password": "long enough pw", "organisation": org},
    )
    assert r.status_code == 201, r.text
    csrf = r.json()["csrf_token"]
    c.headers["X-CSRF-Token"] = csrf
    org_id = c.get("/api/v1/organisations").json()[0]["id"]
    ws = c.post("/api/v1/workspaces", json={"organisation_id": org_id, "name": f"{org} firm"})
    assert ws.status_code == 201, ws.text
    return Firm(c, csrf, org_id, ws.json()["id"], email)


@pytest.fixture
def firm_a(app: object) -> Firm:
    return new_firm(app, "a@example.jp", "A office")


@pytest.fixture
def firm_b(app: object) -> Firm:
    return new_firm(app, "b@example.jp", "B office")


BOM = {
    "name": "Desk fan DF-30",
    "product_hs6": "841451",
    "ex_works_price": 5000.0,
    "lines": [
        {"part_id": "M", "part": "motor", "hs_code": "850131", "origin": "CHN", "value": 1200.0},
        {"part_id": "B", "part": "blade", "hs_code": "392690", "origin": "JPN", "value": 300.0},
    ],
}
