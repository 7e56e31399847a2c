from __future__ import annotations

import pytest

from kaigai.core.errors import NotFoundError, PermissionDeniedError
from kaigai.storage import accounts, records
from kaigai.storage.db import Database
from kaigai.storage.models import AuditEvent, Bom

LINES = [
    {"part": "motor", "hs6": "850131", "origin": "CHN", "value": 1200.0},
    {"part": "housing", "hs6": "392690", "origin": "JPN", "value": 300.0},
]


def _two_orgs(db: Database) -> tuple[int, int, int, int, int]:
    with db.session() as s:
        a = accounts.create_user(s, "a@example.jp", "long enough pw")
        b = accounts.create_user(s, "b@example.jp", "long enough pw")
        v = accounts.create_user(s, "v@example.jp", "long enough pw")
        org_a = accounts.create_organisation(s, "A office", a)
        org_b = accounts.create_organisation(s, "B office", b)
        accounts.add_member(s, a.id, org_a.id, "v@example.jp", "viewer")
        ws_a = records.create_workspace(s, a.id, org_a.id, "Firm A1")
        ws_b = records.create_workspace(s, b.id, org_b.id, "Firm B1")
        return a.id, b.id, v.id, ws_a.id, ws_b.id


def test_bom_versions_and_audit_trail(db: Database) -> None:
    a, _b, _v, ws_a, _ws_b = _two_orgs(db)
    with db.session() as s:
        bom = records.create_bom(
            s,
            a,
            ws_a,
            {"name": "Fan", "product_hs6": "841451", "ex_works_price": 2000.0, "lines": LINES},
        )
    with db.session() as s:
        records.update_bom(s, a, ws_a, bom.id, {"ex_works_price": 2500.0})
    with db.session() as s:
        got = records.get_bom(s, a, ws_a, bom.id)
        assert (got.version, got.ex_works_price, got.lines) == (2, 2500.0, LINES)
        events, total = records.audit_log(s, a, ws_a)
        assert total == 2
        upd = events[0]
        assert (upd.action, upd.entity, upd.user_email) == ("update", "bom", "a@example.jp")
        assert upd.detail["before"]["ex_works_price"] == 2000.0
        assert upd.detail["after"]["ex_works_price"] == 2500.0
        assert upd.detail["after"]["version"] == 2


def test_foreign_workspace_is_invisible(db: Database) -> None:
    a, b, _v, ws_a, ws_b = _two_orgs(db)
    with db.session() as s:
        bom = records.create_bom(
            s, a, ws_a, {"name": "Fan", "product_hs6": "841451", "lines": LINES}
        )
    with db.session() as s:
        with pytest.raises(NotFoundError):
            records.get_workspace(s, b, ws_a)
        with pytest.raises(NotFoundError):
            records.get_bom(s, b, ws_a, bom.id)
        # b asking via its own workspace id for a's BOM id: still not found.
        with pytest.raises(NotFoundError):
            records.get_bom(s, b, ws_b, bom.id)
        with pytest.raises(NotFoundError):
            records.update_bom(s, b, ws_b, bom.id, {"name": "stolen"})
        items, total = records.list_workspaces(s, b)
        assert [w.id for w in items] == [ws_b] and total == 1
    with db.session() as s:
        assert records.get_bom(s, a, ws_a, bom.id).name == "Fan"


def test_viewer_reads_but_cannot_write(db: Database) -> None:
    a, _b, v, ws_a, _ws_b = _two_orgs(db)
    with db.session() as s:
        records.create_bom(s, a, ws_a, {"name": "Fan", "product_hs6": "841451", "lines": LINES})
    with db.session() as s:
        assert records.list_boms(s, v, ws_a)[1] == 1
        with pytest.raises(PermissionDeniedError):
            records.create_bom(s, v, ws_a, {"name": "X", "product_hs6": "841451", "lines": []})
    with db.session() as s:
        assert records.count_rows(s, Bom) == 1


def test_claims_plans_profile_and_pagination(db: Database) -> None:
    a, _b, _v, ws_a, _ws_b = _two_orgs(db)
    with db.session() as s:
        bom = records.create_bom(
            s, a, ws_a, {"name": "Fan", "product_hs6": "841451", "lines": LINES}
        )
        for i in range(5):
            records.create_plan(s, a, ws_a, f"Plan {i}", {"markets": ["VNM"]})
        c = records.create_claim(
            s,
            a,
            ws_a,
            {
                "bom_id": bom.id,
                "bom_version": 1,
                "agreement": "RCEP",
                "importer": "VNM",
                "verdict": "originating",
                "result": {"rule": "CTH"},
            },
        )
        records.put_profile(s, a, ws_a, {"name": "Fan maker", "employees": 12})
    with db.session() as s:
        page, total = records.list_plans(s, a, ws_a, limit=2, offset=2)
        assert total == 5 and [p.title for p in page] == ["Plan 2", "Plan 3"]
        assert records.get_claim(s, a, ws_a, c.id).result == {"rule": "CTH"}
        assert records.get_profile(s, a, ws_a)["employees"] == 12
        kinds = {e.entity for e in s.query(AuditEvent).all()}
        assert kinds == {"bom", "plan", "claim", "profile"}


def test_deleting_workspace_cascades(db: Database) -> None:
    a, _b, _v, ws_a, _ws_b = _two_orgs(db)
    with db.session() as s:
        records.create_bom(s, a, ws_a, {"name": "Fan", "product_hs6": "841451", "lines": LINES})
    with db.session() as s:
        records.delete_workspace(s, a, ws_a)
    with db.session() as s:
        assert records.count_rows(s, Bom) == 0
