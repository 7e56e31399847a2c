"""The whole API on PostgreSQL (the multi-user deployment): accounts, isolation, audit, pages."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from kaigai.core.config import get_settings
from kaigai.web.site import create_site
from tests.api.conftest import BOM, new_firm
from tests.storage.conftest import _pg_database

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_app() -> Iterator[Any]:
    base = os.environ.get("KAIGAI_TEST_POSTGRES_URL")
    if not base:
        pytest.skip("KAIGAI_TEST_POSTGRES_URL not set (CI starts PostgreSQL; see .ci/run)")
    for url in _pg_database(base):
        app = create_site(get_settings(database_url=url))
        assert app.state.kaigai.db.dialect == "postgresql"
        yield app
        app.state.kaigai.db.dispose()


def test_api_on_postgres(pg_app: Any) -> None:
    a = new_firm(pg_app, "a@example.jp", "A")
    b = new_firm(pg_app, "b@example.jp", "B")
    base = f"/api/v1/workspaces/{a.workspace_id}"
    bom = a.client.post(f"{base}/boms", json=BOM).json()
    assert (
        a.client.put(f"{base}/boms/{bom['id']}", json=dict(BOM, name="v2")).json()["version"] == 2
    )
    assert b.client.get(f"{base}/boms/{bom['id']}").status_code == 404
    assert b.client.put(f"{base}/boms/{bom['id']}", json=BOM).status_code == 404
    audit = a.client.get(f"{base}/audit").json()
    assert audit["total"] == 2 and audit["items"][0]["detail"]["before"]["name"] == BOM["name"]
    page = a.client.get(f"/w/{a.workspace_id}", headers={"accept": "text/html"})
    assert page.status_code == 200 and "v2" in page.text
    r = TestClient(pg_app).post(
        "/api/v1/auth/login", json={"email": "a@example.jp", "password": "nope nope nope"}
    )
    assert r.status_code == 401
