"""Issue 14 regressions: server file read via profile BOM paths, deep JSON, caller HTML in plan
downloads, last owner, 500s on odd input (each test failed on the code before its fix)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kaigai.storage import records
from tests.api.conftest import BOM, Firm

HUGE = 2**64


@pytest.fixture
def app(settings: Any) -> Iterator[Any]:
    """The served site (API + dashboard): some checks go through dashboard pages too."""
    from kaigai.web.site import create_site

    a = create_site(settings)
    yield a
    a.state.kaigai.db.dispose()


def _user_id(app: Any, email: str) -> int:
    from sqlalchemy import text

    with app.state.kaigai.db.session() as s:
        return int(
            s.execute(text("SELECT id FROM users WHERE email=:e"), {"e": email}).scalar_one()
        )


# --- 1. a profile's BOM is a reference to a stored BOM, never a server path -----------------


def test_profile_bom_path_is_refused_without_revealing_existence(
    app: Any, firm_a: Firm, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.csv"
    secret.write_text("part_id,hs_code,origin,value\nX,850131,CHN,1\n", encoding="utf-8")
    base = f"/api/v1/workspaces/{firm_a.workspace_id}"
    answers = []
    for path in (str(secret), str(tmp_path / "nope.csv"), "../../../../etc/passwd"):
        prof = {"name": "F", "size": {"employees": 3},
                "products": [{"name": "fan", "hs": "841451", "bom": path}]}  # fmt: skip
        r = firm_a.client.put(f"{base}/profile", json=prof)
        answers.append((r.status_code, r.json()["message"], r.json()["hint"]))
    assert answers[0][0] == 422
    assert "bom_id" in answers[0][1]
    assert len(set(answers)) == 1  # same answer whether the file exists or not
    assert firm_a.client.get(f"{base}/profile").json() == {}


def test_stored_profile_with_bom_path_never_opens_it(
    app: Any, firm_a: Firm, tmp_path: Path, monkeypatch: Any
) -> None:
    # A profile saved before the fix (written straight to the database) still holds a path.
    uid = _user_id(app, firm_a.email)
    secret = tmp_path / "secret.csv"
    secret.write_text("part_id,hs_code,origin,value\nX,850131,CHN,1\n", encoding="utf-8")
    opened: list[str] = []
    real_open = Path.open

    def spy(self: Path, *a: Any, **k: Any) -> Any:
        opened.append(str(self))
        return real_open(self, *a, **k)

    answers = []
    for path in (str(secret), str(tmp_path / "nope.csv")):
        with app.state.kaigai.db.session() as s:
            records.put_profile(s, uid, firm_a.workspace_id, {
                "name": "F", "size": {"employees": 3},
                "products": [{"name": "fan", "hs": "841451", "bom": path}]})  # fmt: skip
        monkeypatch.setattr(Path, "open", spy)
        r = firm_a.client.post(f"/api/v1/workspaces/{firm_a.workspace_id}/plans/build")
        monkeypatch.setattr(Path, "open", real_open)
        answers.append((r.status_code, r.json()["message"]))
    assert answers[0][0] == 422 and answers[0] == answers[1]
    assert str(tmp_path) not in answers[0][1]
    assert not any(str(tmp_path) in p for p in opened)


# --- 5. deep JSON is refused, nothing unreadable is stored ----------------------------------


def _nested(levels: int) -> Any:
    v: Any = 1
    for _ in range(levels):
        v = {"a": v}
    return v


def test_deep_json_is_refused_and_reads_keep_working(firm_a: Firm) -> None:
    base = f"/api/v1/workspaces/{firm_a.workspace_id}"
    js = {"content-type": "application/json"}
    for levels in (400, 600):
        deep = '{"a":' * levels + "1" + "}" * levels  # built as text: json.dumps would recurse
        r = firm_a.client.put(
            f"{base}/profile", content='{"name": "F", "x": ' + deep + "}", headers=js
        )
        assert r.status_code == 422, r.text
        assert "nested" in r.json()["message"]
        r = firm_a.client.post(
            f"{base}/plans", content='{"title": "t", "content": ' + deep + "}", headers=js
        )
        assert r.status_code == 422, r.text
    assert firm_a.client.get(f"{base}/profile").status_code == 200
    listed = firm_a.client.get(f"{base}/plans")
    assert listed.status_code == 200 and listed.json()["total"] == 0
    # 5,000 and 100,000 levels are parse errors (4xx), not a crash
    for n in (5_000, 100_000):
        raw = "[" * n + "]" * n
        r = firm_a.client.put(f"{base}/profile", content=raw, headers=js)
        assert r.status_code == 400, r.text
    # a normal nested profile still works
    ok = firm_a.client.put(f"{base}/profile", json={"name": "F", "x": _nested(10)})
    assert ok.status_code == 200


# --- 6. plan downloads serve only server-rendered reports ----------------------------------


def test_plan_download_never_serves_caller_html(firm_a: Firm) -> None:
    base = f"/api/v1/workspaces/{firm_a.workspace_id}/plans"
    payloads = [
        {"html": "<script>alert(1)</script>"},
        {"note": "</pre><script>alert(2)</script>"},
    ]
    for content in payloads:
        r = firm_a.client.post(base, json={"title": "x", "content": content})
        assert r.status_code == 201
        pid = r.json()["id"]
        for url in (f"{base}/{pid}/download", f"/w/{firm_a.workspace_id}/plans/{pid}/download"):
            d = firm_a.client.get(url)
            assert d.status_code == 200
            assert "<script" not in d.text, d.text
            csp = d.headers["content-security-policy"]
            assert "sandbox" in csp and "script-src 'none'" in csp


# --- 8. the last owner cannot demote or remove themselves ----------------------------------


def test_last_owner_cannot_demote_or_remove_self(app: Any, firm_a: Firm) -> None:
    org = firm_a.org_id
    r = firm_a.client.put(
        f"/api/v1/organisations/{org}/members", json={"email": firm_a.email, "role": "viewer"}
    )
    assert r.status_code == 409, r.text
    assert r.json()["message"] == "An organisation must keep at least one owner."
    uid = _user_id(app, firm_a.email)
    r = firm_a.client.delete(f"/api/v1/organisations/{org}/members/{uid}")
    assert r.status_code == 409
    roles = firm_a.client.get(f"/api/v1/organisations/{org}/members").json()
    assert [m["role"] for m in roles] == ["owner"]


# --- 9. 4xx, not 500 ------------------------------------------------------------------------


def test_huge_ids_are_client_errors(firm_a: Firm) -> None:
    ws = firm_a.workspace_id
    urls = [
        ("GET", f"/api/v1/workspaces/{HUGE}"),
        ("GET", f"/api/v1/workspaces/{ws}/boms/{HUGE}"),
        ("PUT", f"/api/v1/workspaces/{ws}/boms/{HUGE}"),
        ("GET", f"/api/v1/workspaces/{ws}/plans/{HUGE}"),
        ("GET", f"/api/v1/workspaces/{ws}/claims/{HUGE}"),
        ("DELETE", f"/api/v1/auth/api-keys/{HUGE}"),
        ("GET", f"/api/v1/organisations/{HUGE}/members"),
        ("DELETE", f"/api/v1/organisations/{firm_a.org_id}/members/{HUGE}"),
        ("GET", f"/w/{HUGE}"),
    ]
    for method, url in urls:
        r = firm_a.client.request(method, url, json=BOM if method == "PUT" else None)
        assert 400 <= r.status_code < 500, (method, url, r.status_code, r.text[:200])


def test_plan_build_with_malformed_products_is_422(app: Any, firm_a: Firm) -> None:
    uid = _user_id(app, firm_a.email)
    base = f"/api/v1/workspaces/{firm_a.workspace_id}"
    bad_profiles = [
        {"name": "F", "size": {"employees": 3}, "products": 5},
        {"name": "F", "size": {"employees": 3},
         "products": [{"name": "fan", "hs": "841451", "bom_id": "x"}]},
        {"name": "F", "size": {"employees": 3},
         "products": [{"name": "fan", "hs": "841451", "bom_id": HUGE}]},
    ]  # fmt: skip
    for prof in bad_profiles:
        assert firm_a.client.put(f"{base}/profile", json=prof).status_code == 422
        with app.state.kaigai.db.session() as s:  # saved before the fix: build must still say 422
            records.put_profile(s, uid, firm_a.workspace_id, prof)
        r = firm_a.client.post(f"{base}/plans/build")
        assert r.status_code == 422, r.text
        assert "products" in r.json()["message"]


def _xlsx_with(sheet_xml: bytes) -> bytes:
    """A real workbook (openpyxl) whose first sheet's XML is replaced by ``sheet_xml``."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["part_id", "hs_code", "origin", "value"])
    src = io.BytesIO()
    wb.save(src)
    out = io.BytesIO()
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = sheet_xml
            zout.writestr(info.filename, data)
    return out.getvalue()


def test_xlsx_with_bad_xml_is_422(firm_a: Firm) -> None:
    ns = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    cells = [
        b"<c r='A1' t='s'><v>99</v></c>",  # shared string that does not exist
        b"<c r='A1' t='n'><v>abc</v></c>",  # number that is not one
        b"<c r='A1'><v>1</v></c></row><row r='x'><c r='A2'><v>1</v></c>",  # row number not a number
    ]
    bad = [b"<worksheet " + ns + b"><sheetData><row r='1'>" + c + b"</row></sheetData></worksheet>"
           for c in cells]  # fmt: skip
    bad.append(
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "boom">]><worksheet '
        + ns
        + b"><sheetData><row><c t='inlineStr'><is><t>&e;</t></is></c></row></sheetData></worksheet>"
    )
    for sheet in bad:
        r = firm_a.client.post(
            f"/api/v1/workspaces/{firm_a.workspace_id}/boms/upload",
            files={"file": ("bom.xlsx", _xlsx_with(sheet))},
            data={"name": "x", "product_hs6": "841451"},
        )
        assert r.status_code == 422, r.text
        assert r.json()["code"] == "invalid_bom"
