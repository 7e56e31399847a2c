"""Dashboard pages without a browser: isolation between firms, log-in redirect, language."""

from __future__ import annotations

import re
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from kaigai.core.config import Settings
from kaigai.storage import secrets
from kaigai.web.site import create_site
from tests.api.conftest import BOM, Firm, new_firm

HTML = {"accept": "text/html"}


@pytest.fixture
def two(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Firm, Firm]:
    monkeypatch.setattr(
        secrets, "_HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )
    app = create_site(settings)
    return app, new_firm(app, "a@example.jp", "A"), new_firm(app, "b@example.jp", "B")


def test_pages_of_another_firm_are_not_found(two: tuple[Any, Firm, Firm]) -> None:
    _app, a, b = two
    ws = a.workspace_id
    bom = a.client.post(f"/api/v1/workspaces/{ws}/boms", json=BOM).json()["id"]
    plan = a.client.post(
        f"/api/v1/workspaces/{ws}/plans", json={"title": "P", "content": {}}
    ).json()["id"]
    for url in (f"/w/{ws}", f"/w/{ws}/boms/{bom}", f"/w/{ws}/profile", f"/w/{ws}/plans/{plan}/download",
                f"/w/{b.workspace_id}/boms/{bom}"):  # fmt: skip
        r = b.client.get(url, headers=HTML)
        assert r.status_code == 404, url
        assert "Desk fan" not in r.text
    r = b.client.post(
        f"/w/{ws}/boms/{bom}/check", data={"importer": "VNM", "csrf_token": b.csrf}, headers=HTML
    )
    assert r.status_code == 404
    assert a.client.get(f"/api/v1/workspaces/{ws}/claims").json()["total"] == 0
    assert a.client.get(f"/w/{ws}/boms/{bom}", headers=HTML).status_code == 200


def test_anonymous_is_sent_to_login_and_language_switch(two: tuple[Any, Firm, Firm]) -> None:
    app, a, _b = two
    anon = TestClient(app)
    r = anon.get(f"/w/{a.workspace_id}", headers=HTML, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"
    r = anon.get("/login", headers={**HTML, "accept-language": "ja-JP,ja;q=0.9"})
    assert '<html lang="ja">' in r.text and "ログイン" in r.text
    r = a.client.get("/lang/ja", params={"next": "//evil.example/"}, follow_redirects=False)
    assert r.headers["location"] == "/"  # no open redirect
    a.client.cookies.set("kaigai_lang", "ja")
    page = a.client.get(f"/w/{a.workspace_id}", headers=HTML).text
    assert "部品表をアップロード" in page and "監査ログ" in page


def test_form_posts_need_the_page_token(two: tuple[Any, Firm, Firm]) -> None:
    _app, a, _b = two
    r = a.client.post("/workspaces", data={"organisation_id": a.org_id, "name": "x"},
                      headers={**HTML, "X-CSRF-Token": ""})  # fmt: skip
    assert r.status_code == 403
    page = a.client.get("/", headers=HTML).text
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page)
    assert token is not None
    r = a.client.post("/workspaces", data={"organisation_id": a.org_id, "name": "x", "csrf_token": token.group(1)},
                      headers={**HTML, "X-CSRF-Token": ""}, follow_redirects=False)  # fmt: skip
    assert r.status_code == 303


def test_account_page_keys_and_members(two: tuple[Any, Firm, Firm]) -> None:
    app, a, b = two
    page = a.client.get("/account", headers=HTML).text
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page)
    assert token is not None
    r = a.client.post(
        "/account/api-keys", data={"label": "erp", "csrf_token": token.group(1)}, headers=HTML
    )
    key = re.search(r'<code id="new-key">(kg_[^<]+)</code>', r.text)
    assert r.status_code == 200 and key is not None
    anon = TestClient(app)
    assert (
        anon.get("/api/v1/workspaces", headers={"Authorization": f"Bearer {key.group(1)}"}).json()[
            "total"
        ]
        == 1
    )
    assert key.group(1) not in a.client.get("/account", headers=HTML).text  # shown once
    # the owner makes B a viewer of A's office: B now sees A's workspace, read-only
    r = a.client.post("/account/members", data={"organisation_id": a.org_id, "email": "b@example.jp",
                                                "role": "viewer", "csrf_token": token.group(1)}, headers=HTML)  # fmt: skip
    assert r.status_code == 200 and "b@example.jp" in r.text
    assert b.client.get(f"/w/{a.workspace_id}", headers=HTML).status_code == 200
    assert b.client.post(f"/api/v1/workspaces/{a.workspace_id}/boms", json=BOM).status_code == 403
    # B is not an owner of A's office: cannot add members there
    r = b.client.post("/account/members", data={"organisation_id": a.org_id, "email": "b@example.jp",
                                                "role": "owner", "csrf_token": b.csrf}, headers=HTML)  # fmt: skip
    assert r.status_code == 403


def test_dashboard_words_for_msgids_the_plan_translates_otherwise(
    two: tuple[Any, Firm, Firm],
) -> None:
    """The BOM page's "Part" is a component (部品, the plan's "Part" is 部分) and its "Value" an
    amount (金額, elsewhere 値); the workspace lists BOMs by 名前 (core.i18n.WEB)."""
    _app, a, _b = two
    ws = a.workspace_id
    bom = a.client.post(f"/api/v1/workspaces/{ws}/boms", json=BOM).json()["id"]
    a.client.cookies.set("kaigai_lang", "ja")
    page = a.client.get(f"/w/{ws}/boms/{bom}", headers=HTML).text
    assert '<th scope="col">部品</th>' in page and '<th scope="col" class="num">金額</th>' in page
    page = a.client.get(f"/w/{ws}", headers=HTML).text
    assert '<th scope="col">名前</th>' in page
