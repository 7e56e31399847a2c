"""Engine routes return exactly what the engines return (the engines are the reference)."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from kaigai.core.config import Settings
from tests.api.conftest import Firm

ROOT = Path(__file__).resolve().parents[2]


def test_duty_options_as_of_matches_engine(app: Any, settings: Settings) -> None:
    from kaigai.data.tariffs import build_index
    from kaigai.tariffs.expr import Basis
    from kaigai.tariffs.options import DutyQuery, duty_options

    c = TestClient(app)
    q = {
        "hs": "220830",
        "origin": "JPN",
        "destination": "VNM",
        "as_of": "2027-01-01",
        "value": 100000,
    }
    got = c.get("/api/v1/duty/options", params=q).json()
    ref = duty_options(
        build_index(settings),
        DutyQuery("220830", "JPN", "VNM", dt.date(2027, 1, 1), Basis(100000.0, "JPY", None, None)),
        "en",
    ).to_dict()
    rates = {o["option"]: o["rate_pct"] for o in got["lines"][0]["options"]}
    assert rates == {o["option"]: o["rate_pct"] for o in ref["lines"][0]["options"]}
    assert rates["MFN"] == 45.0 and rates["JP-VN"] == 0.0  # VN 2026 schedule, line 2208.30
    assert got["as_of"] == "2027-01-01" and got["lines"][0]["best"] == ref["lines"][0]["best"]
    duty = {o["option"]: o["duty"] for o in got["lines"][0]["options"]}
    assert duty["MFN"]["low"] == pytest.approx(45_000.0)
    # a cached second answer is byte-identical
    assert (
        c.get("/api/v1/duty/options", params=q).content
        == c.get("/api/v1/duty/options", params=q).content
    )
    r = c.get("/api/v1/duty/options", params=dict(q, destination="USA"))
    assert r.status_code == 404 and r.json()["code"] == "data_error"
    r = c.get("/api/v1/duty/options", params=dict(q, as_of="2027-13-01"))
    assert r.status_code == 422


def test_duty_answers_come_from_the_prepared_index(
    app: Any, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The service reads the prepared tariff index the CLI and the plan read (one HS6 into one
    destination per question), not a whole index of its own built from the catalog."""
    from kaigai.app.served import duty
    from kaigai.data import tariff_store, tariffs

    assert duty.index(app.state.kaigai) in ("ready", "up to date")  # the warm-up step
    assert tariff_store.store_path(settings).is_file()

    def whole_index(*_: Any, **__: Any) -> None:
        raise AssertionError("the service built a tariff index from the catalog")

    monkeypatch.setattr(tariffs, "build_index", whole_index)
    q = {"hs": "848210", "origin": "JPN", "destination": "VNM", "as_of": "2026-12-06"}
    got = TestClient(app).get("/api/v1/duty/options", params=q)
    assert got.status_code == 200
    line = got.json()["lines"][0]
    assert line["national_line"] == "8482.10.00" and line["best"] == "CPTPP"


def test_origin_rule_matches_engine(app: Any) -> None:
    r = TestClient(app).get("/api/v1/origin/rules", params={"agreement": "RCEP", "hs": "848210"})
    assert r.status_code == 200
    assert r.json()["rule_text"] == "CTSH or RVC 40%"
    assert r.json()["source_rows"][0]["provenance"]["dataset"] == "rcep_psr"
    ags = TestClient(app).get("/api/v1/origin/agreements").json()
    assert {a["id"] for a in ags if a["has_rules"]} >= {"CPTPP", "RCEP"}


def test_readiness_matches_engine(app: Any) -> None:
    from kaigai.readiness import assess

    example = tomllib.loads((ROOT / "examples" / "firm_tokyo_bearings.toml").read_text())[
        "readiness"
    ]
    got = (
        TestClient(app).post("/api/v1/readiness/assess", json=example, params={"lang": "ja"}).json()
    )
    ref = assess(example).to_dict("ja")
    assert got["overall"] == ref["overall"]
    assert [d["score"] for d in got["dimensions"]] == [d["score"] for d in ref["dimensions"]]
    r = TestClient(app).post("/api/v1/readiness/assess", json={"staff_languages": "fluent-klingon"})
    assert r.status_code == 422 and set(r.json()) >= {"code", "message", "hint"}


def test_plan_built_from_workspace_profile_and_downloaded(firm_a: Firm) -> None:
    base = f"/api/v1/workspaces/{firm_a.workspace_id}"
    files = {"file": ("bom_bearing.csv", (ROOT / "examples" / "bom_bearing.csv").read_bytes())}
    bom = firm_a.client.post(f"{base}/boms/upload", files=files,
                             data={"name": "Bearing", "product_hs6": "848210", "ex_works_price": "1200",
                                   "fob_price": "1300"}).json()  # fmt: skip
    r = firm_a.client.post(f"{base}/plans/build")
    assert r.status_code == 422 and r.json()["code"] == "invalid_profile"
    prof = tomllib.loads((ROOT / "examples" / "firm_tokyo_bearings.toml").read_text())
    prof["products"][0].pop("bom")
    prof["products"][0]["bom_id"] = bom["id"]
    assert firm_a.client.put(f"{base}/profile", json=prof).status_code == 200
    r = firm_a.client.post(
        f"{base}/plans/build", params={"markets": 1, "lang": "en", "as_of": "2027-04-01"}
    )
    assert r.status_code == 201, r.text
    plan = r.json()
    assert "html" not in plan["content"]
    vnm = [
        m for p in plan["content"]["plan"]["products"] for m in p["markets"] if m["iso3"] == "VNM"
    ]
    assert vnm and vnm[0]["origin"]["status"] == "ok"
    d = firm_a.client.get(f"{base}/plans/{plan['id']}/download")
    assert d.status_code == 200 and d.headers["content-type"].startswith("text/html")
    assert 'attachment; filename="kaigai-plan-' in d.headers["content-disposition"]
    assert "Ota Precision Bearings" in d.text
    j = firm_a.client.get(f"{base}/plans/{plan['id']}/download", params={"format": "json"}).json()
    assert j["firm"]["name"] == "Ota Precision Bearings Co., Ltd."


@pytest.mark.slow
def test_markets_paginated_like_engine(app: Any, settings: Settings) -> None:
    from kaigai.app.markets import find_markets

    ref = find_markets(settings, "JPN", "848210").to_dict()
    c = TestClient(app)
    p1 = c.get("/api/v1/markets", params={"hs": "848210", "limit": 3}).json()
    p2 = c.get("/api/v1/markets", params={"hs": "848210", "limit": 3, "offset": 3}).json()
    assert p1["total"] == len(ref["markets"])
    assert [m["market"] for m in p1["markets"] + p2["markets"]] == [
        m["market"] for m in ref["markets"][:6]
    ]
    assert p1["markets"][0]["potential_usd"] == pytest.approx(ref["markets"][0]["potential_usd"])


def test_policy_report_in_both_languages_from_one_run(app: Any) -> None:
    """The dashboard's "Full report" link passes the page's language; the run is shared."""
    import re

    from tests.i18n.english import english_runs, html_text

    c = TestClient(app)
    url = "/api/v1/policy/scenarios/shared-parks/report"
    en = c.get(url, params={"firms": 5000})
    ja = c.get(url, params={"firms": 5000, "lang": "ja"})
    assert en.status_code == ja.status_code == 200
    assert "<html lang='en'>" in en.text and "Small-firm export simulator" in en.text
    assert "<html lang='ja'>" in ja.text and "中小企業の輸出シミュレーター" in ja.text
    assert english_runs(html_text(ja.text)) == []
    cells = [re.findall(r"<td>([\d,.%–-]+)</td>", x.text) for x in (en, ja)]
    assert cells[0] == cells[1] and len(cells[0]) > 40
    assert c.get(url, params={"lang": "fr"}).status_code == 422
