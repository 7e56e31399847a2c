"""Issue 15 item 6 without a browser: the profile form's country picker (names in the page's
language, ISO3 submitted), the wholly-obtained boxes (profile and BOM editor), no API words in
hints, the plan as a real PDF, and markets named (Taiwan, not a code) on the markets page."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from kaigai.core.config import Settings
from kaigai.storage import secrets
from kaigai.web.pickers import country_choices, market_groups, sort_key
from kaigai.web.site import create_site
from tests.api.conftest import Firm, new_firm

HTML = {"accept": "text/html"}
API_WORDS = ("PUT /", "/workspaces/{id}", "ISO3", "comma separated", "カンマ区切り")
TEA_BOM = {
    "name": "Sencha",
    "product_hs6": "090210",
    "ex_works_price": 2000.0,
    "fob_price": 2200.0,
    "lines": [
        {
            "part_id": "LEAF",
            "part": "Tea leaves from own farm",
            "hs_code": "0902.10",
            "origin": "JPN",
            "value": 1200.0,
        },  # fmt: skip
    ],
}


@pytest.fixture
def firm(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Firm:
    monkeypatch.setattr(
        secrets, "_HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )
    return new_firm(create_site(settings), "a@example.jp", "Shizuoka tea desk")


def _ja(f: Firm) -> None:
    f.client.cookies.set("kaigai_lang", "ja")


def _ticked(page: str) -> list[tuple[str, str]]:
    """(value, name) of the ticked boxes of the market picker."""
    return re.findall(
        r'<label><input type="checkbox" name="target_markets" value="(\w+)" checked> ([^<]+)</label>',
        page,
    )


def test_country_names_sorted_for_the_reader() -> None:
    en = dict(country_choices("en"))
    ja = dict(country_choices("ja"))
    assert (en["TWN"], ja["TWN"], en["VNM"], ja["KOR"]) == ("Taiwan", "台湾", "Vietnam", "韓国")
    assert "CSK" not in en and "SUN" not in ja  # former entities are not offered
    names = [n for _, n in country_choices("ja")]
    # gojūon order, kanji names by their reading: タイ < 台湾 < チリ, 韓国 between カナダ and カンボジア
    assert names.index("タイ") < names.index("台湾") < names.index("チリ")
    assert names.index("カナダ") < names.index("韓国") < names.index("カンボジア")
    assert sort_key("香港", "ja") == "ほんこん"
    main, others = market_groups("en", ["BRA"])
    assert ("TWN", "Taiwan") in main and others[0] == ("BRA", "Brazil")
    assert all(iso != "JPN" for iso, _ in main + others)  # the home country is no market


def test_profile_form_picks_markets_by_name_and_keeps_iso3(firm: Firm) -> None:
    ws = firm.workspace_id
    page = firm.client.get(f"/w/{ws}/profile", headers=HTML).text
    assert '<input type="checkbox" name="target_markets" value="TWN"> Taiwan</label>' in page
    assert "S19" not in page and not [w for w in API_WORDS if w in page]
    # every label names a control that exists, and each control sits in its own field row
    ids = set(re.findall(r' id="([^"]+)"', page))
    assert set(re.findall(r'<label for="([^"]+)"', page)) <= ids
    assert page.count('<div class="field') >= 30
    form = {"csrf_token": firm.csrf, "name": "Shizuoka Green Tea Co.", "employees": "12",
            "product_name": "Sencha", "product_hs": "0902.10", "unit_value": "2000",
            "unit_fob": "2200", "wholly_obtained": "yes",
            "target_markets": ["TWN", "KOR", "TWN"]}  # fmt: skip
    r = firm.client.post(f"/w/{ws}/profile", data=form, headers=HTML, follow_redirects=False)
    assert r.status_code == 303, r.text
    prof = firm.client.get(f"/api/v1/workspaces/{ws}/profile").json()
    assert prof["preferences"]["target_markets"] == ["TWN", "KOR"]
    assert prof["products"][0]["wholly_obtained"] is True
    _ja(firm)
    page = firm.client.get(f"/w/{ws}/profile", headers=HTML).text
    assert _ticked(page) == [("KOR", "韓国"), ("TWN", "台湾")]
    assert "検討中の市場" in page and "日本の完全生産品" in page
    assert re.search(r'id="wholly_obtained" name="wholly_obtained" value="yes" checked', page)
    assert not [w for w in API_WORDS if w in page]
    # unticking the box clears the flag; a market typed by name (old form posts) still reads
    form.pop("wholly_obtained")
    form["target_markets"] = "Viet Nam、台湾"
    firm.client.post(f"/w/{ws}/profile", data=form, headers=HTML)
    prof = firm.client.get(f"/api/v1/workspaces/{ws}/profile").json()
    assert prof["preferences"]["target_markets"] == ["VNM", "TWN"]
    assert "wholly_obtained" not in prof["products"][0]


def test_plan_without_profile_hint_has_no_api_words(firm: Firm) -> None:
    ws = firm.workspace_id
    r = firm.client.post(f"/w/{ws}/plans", data={"csrf_token": firm.csrf}, headers=HTML)
    assert r.status_code == 422
    assert "This workspace has no firm profile yet." in r.text
    assert "Fill in the firm profile of this workspace first." in r.text
    assert "PUT /" not in r.text
    _ja(firm)
    r = firm.client.post(f"/w/{ws}/plans", data={"csrf_token": firm.csrf}, headers=HTML)
    assert "このワークスペースには、まだ企業情報がありません。" in r.text and "PUT /" not in r.text


def test_bom_editor_marks_wholly_obtained_and_the_check_uses_it(firm: Firm) -> None:
    ws = firm.workspace_id
    bid = firm.client.post(f"/api/v1/workspaces/{ws}/boms", json=TEA_BOM).json()["id"]
    page = firm.client.get(f"/w/{ws}/boms/{bid}", headers=HTML).text
    assert 'name="wholly_obtained" value="LEAF" id="wo-1"' in page
    assert 'value="LEAF" id="wo-1" aria-label="Wholly obtained: Tea leaves from own farm">' in page
    assert 'id="wo-home"' not in page
    check = {"importer": "CHN", "agreement": "RCEP", "csrf_token": firm.csrf}
    hx = {**HTML, "hx-request": "true"}
    r = firm.client.post(f"/w/{ws}/boms/{bid}/check", headers=hx, data=check)
    assert "does not qualify" in r.text and "Japan → China" in r.text
    wo = re.search(r'<p class="wo-criterion">([^<]+)</p>', r.text)
    assert wo is not None and wo.group(1).startswith("Wholly obtained (WO), RCEP Art. 3.3")
    assert "Not declared. If the product is made only from what is grown, harvested or extracted in Japan, tick &#39;Wholly obtained&#39; for every material" in wo.group(1)  # fmt: skip
    data = {"csrf_token": firm.csrf, "version": "1", "wholly_obtained": "LEAF"}
    r = firm.client.post(f"/w/{ws}/boms/{bid}/wholly-obtained", data=data, headers=HTML,
                         follow_redirects=False)  # fmt: skip
    assert r.status_code == 303
    bom = firm.client.get(f"/api/v1/workspaces/{ws}/boms/{bid}").json()
    assert (bom["version"], bom["lines"][0]["wholly_obtained"]) == (2, "yes")
    page = firm.client.get(f"/w/{ws}/boms/{bid}", headers=HTML).text
    assert 'id="wo-home"' in page and 'value="LEAF" id="wo-1" aria-label' in page
    assert re.search(r'value="LEAF" id="wo-1" aria-label="[^"]*" checked>', page)
    # the dashboard's origin check: RCEP Annex 3A has "WO" for 0902.10
    r = firm.client.post(f"/w/{ws}/boms/{bid}/check", headers=hx, data=check)
    assert 'data-agreement="RCEP"' in r.text and "declared wholly obtained" in r.text
    assert '<span class="status">qualifies</span>' in r.text
    assert "Declared wholly obtained: every material of this BOM is ticked wholly obtained in Japan." in r.text  # fmt: skip
    _ja(firm)
    r = firm.client.post(f"/w/{ws}/boms/{bid}/check", headers=hx, data=check)
    assert "日本 → 中国" in r.text and "完全生産品（WO）、RCEP" in r.text
    assert "この部品表のすべての材料が日本の完全生産品として指定されています。" in r.text
    firm.client.cookies.set("kaigai_lang", "en")
    # a form read before that save is refused, not silently applied over the newer version
    r = firm.client.post(f"/w/{ws}/boms/{bid}/wholly-obtained", headers=HTML,
                         data={"csrf_token": firm.csrf, "version": "1"})  # fmt: skip
    assert r.status_code == 409 and "is at version 2, not 1" in r.text
    assert firm.client.get(f"/api/v1/workspaces/{ws}/boms/{bid}").json()["version"] == 2


def _build_plan(firm: Firm, lang: str) -> int:
    prof = {"name": "Ota Precision Bearings", "name_ja": "太田精密", "home_country": "JPN",
            "size": {"employees": 38},
            "products": [{"name": "Ball bearing", "name_ja": "玉軸受", "hs": "848210",
                          "unit_value": 1200, "unit_fob": 1300}],
            "preferences": {"target_markets": ["VNM"]}}  # fmt: skip
    base = f"/api/v1/workspaces/{firm.workspace_id}"
    assert firm.client.put(f"{base}/profile", json=prof).status_code == 200
    r = firm.client.post(f"{base}/plans/build", params={"lang": lang, "markets": 1})
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def _pdf_text(pdf: bytes, tmp: Path) -> str | None:
    exe = shutil.which("pdftotext")
    if exe is None:
        return None
    (tmp / "p.pdf").write_bytes(pdf)
    subprocess.run([exe, "-enc", "UTF-8", str(tmp / "p.pdf"), str(tmp / "p.txt")], check=True)
    return (tmp / "p.txt").read_text(encoding="utf-8")


@pytest.mark.slow
def test_plan_download_as_pdf(firm: Firm, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ws = firm.workspace_id
    pid = _build_plan(firm, "ja")
    page = firm.client.get(f"/w/{ws}", headers=HTML).text
    assert f'href="/w/{ws}/plans/{pid}/download?format=pdf">PDF</a>' in page
    r = firm.client.get(f"/w/{ws}/plans/{pid}/download", params={"format": "pdf"}, headers=HTML)
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF-")
    assert r.headers["content-disposition"] == f'attachment; filename="kaigai-plan-{pid}.pdf"'
    text = _pdf_text(r.content, tmp_path)
    if text is not None:  # poppler-utils present: the Japanese text is in the PDF, not boxes
        assert "輸出計画: 太田精密" in text and "製品：玉軸受、HS 848210" in text
    # without a Japanese font: the existing ConfigError (clear message), not a PDF of boxes
    from kaigai.reports import fonts

    monkeypatch.setattr(fonts, "cjk_family", lambda: None)
    r = firm.client.get(f"/w/{ws}/plans/{pid}/download", params={"format": "pdf"}, headers=HTML)
    assert r.status_code == 503 and "A Japanese PDF needs a font with Japanese glyphs" in r.text
    r = firm.client.get(f"/api/v1/workspaces/{ws}/plans/{pid}/download", params={"format": "pdf"})
    assert (r.status_code, r.json()["code"]) == (503, "config_error")


def _import_markets(shared: Path) -> None:
    from typer.testing import CliRunner

    from kaigai.cli.app import app

    res = CliRunner().invoke(app, ["data", "import", str(shared / "markets"), "--no-prepare"])
    assert res.exit_code == 0, res.output


@pytest.mark.slow
@pytest.mark.shared
def test_markets_page_names_taiwan(firm: Firm, shared_data: Path) -> None:
    """Full trade data: Taiwan ranks 9th for JPN 848210; the page names it (EN/JA), the map too."""
    _import_markets(shared_data)
    page = firm.client.get("/markets", params={"hs": "848210"}, headers=HTML).text
    rows = re.findall(r"<tr><td>(\d+)</td><td>([^<]+)</td>", page)
    assert rows[:10] == [("1", "Vietnam"), ("2", "Philippines"), ("3", "India"),
                         ("4", "Malaysia"), ("5", "China"), ("6", "Bangladesh"),
                         ("7", "South Korea"), ("8", "Hong Kong SAR China"), ("9", "Taiwan"),
                         ("10", "Canada")]  # fmt: skip
    assert "<title>Taiwan: " in page and ">Taiwan</text>" in page  # map circle and label
    assert "S19" not in page and ">TWN<" not in page
    api = firm.client.get("/api/v1/markets", params={"exporter": "JPN", "hs": "848210"}).json()
    assert api["markets"][8]["market"] == "TWN"  # JSON keeps the code
    _ja(firm)
    page = firm.client.get("/markets", params={"hs": "848210"}, headers=HTML).text
    assert "<tr><td>9</td><td>台湾</td>" in page and "<title>台湾: " in page


def test_staging_chart_names_overlaid_lines_once() -> None:
    """Options with the same rate draw one line over another: one label names them all."""
    from kaigai.web.charts import line_chart

    pts = [("2026", 0.0), ("2027", 0.0)]
    svg = line_chart({"MFN": [("2026", 3.0), ("2027", 3.0)], "CPTPP": pts, "RCEP": pts}, title="t")
    labels = re.findall(r'text-anchor="end" fill="[^"]+">([^<]+)</text>', svg)
    assert labels == ["MFN", "CPTPP, RCEP"]


def test_saving_the_form_keeps_what_it_does_not_show(firm: Firm) -> None:
    """A profile with a tariff line per market, a second product and excluded markets (set
    through the API or a TOML file) keeps them when the dashboard form saves it."""
    ws = firm.workspace_id
    prof = {"name": "Ginza Cosmetics", "home_country": "JPN",
            "size": {"employees": 20, "annual_sales": 300_000_000},
            "products": [{"name": "Lotion", "hs": "330499", "unit_fob": 1500,
                          "shipments_per_year": 6, "lines": {"VNM": "3304.99.20"}},
                         {"name": "Soap", "hs": "340111"}],
            "preferences": {"target_markets": ["VNM"], "excluded_markets": ["RUS"]}}  # fmt: skip
    assert firm.client.put(f"/api/v1/workspaces/{ws}/profile", json=prof).status_code == 200
    form = {"csrf_token": firm.csrf, "name": "Ginza Cosmetics", "employees": "22",
            "product_name": "Lotion", "product_hs": "330499", "unit_fob": "1600",
            "target_markets": ["VNM", "TWN"]}  # fmt: skip
    r = firm.client.post(f"/w/{ws}/profile", data=form, headers=HTML, follow_redirects=False)
    assert r.status_code == 303, r.text
    got = firm.client.get(f"/api/v1/workspaces/{ws}/profile").json()
    assert got["products"][0] == {"name": "Lotion", "hs": "330499", "unit_fob": 1600.0,
                                  "shipments_per_year": 6, "lines": {"VNM": "3304.99.20"}}  # fmt: skip
    assert got["products"][1] == {"name": "Soap", "hs": "340111"}
    assert got["preferences"] == {"target_markets": ["VNM", "TWN"], "excluded_markets": ["RUS"]}
    assert got["size"] == {"employees": 22, "currency": "JPY"}  # a blank field removes its value


def test_japanese_forms_have_no_untranslated_english(firm: Firm) -> None:
    """The forms of this issue read in Japanese (the detector of tests/i18n; user data removed)."""
    from tests.i18n.english import english_runs, html_text

    ws = firm.workspace_id
    _ja(firm)
    user_data = ("Shizuoka tea desk firm", "Tea leaves from own farm", "Sencha")
    pages = {"profile": f"/w/{ws}/profile", "workspace": f"/w/{ws}"}
    found = {}
    for name, url in pages.items():
        text = html_text(firm.client.get(url, headers=HTML).text)
        found[name] = english_runs(text.replace(user_data[0], ""))
    bid = firm.client.post(f"/api/v1/workspaces/{ws}/boms", json=TEA_BOM).json()["id"]
    text = html_text(firm.client.get(f"/w/{ws}/boms/{bid}", headers=HTML).text)
    for d in user_data:
        text = text.replace(d, "")
    found["bom"] = english_runs(text)
    assert found == {"profile": [], "workspace": [], "bom": []}


def _fields(page: str) -> dict[str, str]:
    """name -> value of the text inputs and hidden fields of a page."""
    return dict(
        re.findall(
            r'<input (?:id="[^"]+" )?(?:type="hidden" )?name="([^"]+)"[^>]*? value="([^"]*)"', page
        )
    )


@pytest.mark.slow
def test_profile_form_edits_every_product_and_the_plan_covers_them(firm: Firm) -> None:
    """Issue 15 item 6: each product of the profile is a row of the form (add and remove rows);
    saving keeps what the form does not show, per product; the plan built covers both."""
    ws = firm.workspace_id
    prof = {"name": "Ginza Works", "home_country": "JPN", "size": {"employees": 30},
            "products": [{"name": "Ball bearing", "hs": "848210", "unit_fob": 1300,
                          "lines": {"VNM": "8482.10.00"}},
                         {"name": "Lotion", "hs": "330499", "unit_fob": 1500,
                          "shipments_per_year": 6, "lines": {"VNM": "3304.99.20"}}],
            "preferences": {"target_markets": ["VNM"]}}  # fmt: skip
    assert firm.client.put(f"/api/v1/workspaces/{ws}/profile", json=prof).status_code == 200
    page = firm.client.get(f"/w/{ws}/profile", headers=HTML).text
    got = _fields(page)
    assert (got["product_name"], got["product_hs"], got["unit_fob"]) == (
        "Ball bearing",
        "848210",
        "1300",
    )
    assert (got["product_name_1"], got["product_hs_1"], got["unit_fob_1"]) == (
        "Lotion",
        "330499",
        "1500",
    )
    assert (got["product_key"], got["product_key_1"]) == ("0", "1")
    assert "<legend>Product 2</legend>" in page and 'name="product_name_2"' not in page
    form = {"csrf_token": firm.csrf, "name": "Ginza Works", "employees": "30",
            "target_markets": ["VNM"],
            "product_key": "0", "product_name": "Ball bearing", "product_hs": "848210",
            "unit_fob": "1350",
            "product_key_1": "1", "product_name_1": "Face lotion", "product_hs_1": "330499",
            "unit_fob_1": "1600", "wholly_obtained_1": ""}  # fmt: skip
    # "Add a product": the same form again, what was typed kept, one more (empty) row; not saved
    r = firm.client.post(f"/w/{ws}/profile", data={**form, "add_product": "1"}, headers=HTML)
    assert r.status_code == 200
    got = _fields(r.text)
    assert (got["product_name_1"], got["unit_fob_1"], got["product_key_2"]) == (
        "Face lotion",
        "1600",
        "new",
    )
    assert got["product_name_2"] == "" and "<legend>Product 3</legend>" in r.text
    assert firm.client.get(f"/api/v1/workspaces/{ws}/profile").json() == prof
    # save with the new row left blank: both products saved, each keeping its unshown keys
    r = firm.client.post(f"/w/{ws}/profile", data={**form, "product_key_2": "new",
                         "product_name_2": "", "product_hs_2": ""}, headers=HTML,
                         follow_redirects=False)  # fmt: skip
    assert r.status_code == 303, r.text
    saved = firm.client.get(f"/api/v1/workspaces/{ws}/profile").json()
    assert saved["products"] == [
        {"name": "Ball bearing", "hs": "848210", "unit_fob": 1350.0, "lines": {"VNM": "8482.10.00"}},
        {"name": "Face lotion", "hs": "330499", "unit_fob": 1600.0, "shipments_per_year": 6,
         "lines": {"VNM": "3304.99.20"}},
    ]  # fmt: skip
    # the plan built from the saved profile covers both products
    r = firm.client.post(f"/w/{ws}/plans", data={"csrf_token": firm.csrf}, headers=HTML,
                         follow_redirects=False)  # fmt: skip
    assert r.status_code == 303, r.text
    plan = firm.client.get(f"/api/v1/workspaces/{ws}/plans").json()["items"][0]["content"]["plan"]
    assert [(p["name"], p["hs6"]) for p in plan["products"]] == [
        ("Ball bearing", "848210"), ("Face lotion", "330499")]  # fmt: skip
    assert all(p["markets"] for p in plan["products"])
    # a new product filled in is added; a ticked row is removed
    r = firm.client.post(f"/w/{ws}/profile", data={**form, "remove_product": "yes",
                         "product_key_2": "new", "product_name_2": "Sake", "product_hs_2": "220610",
                         "unit_fob_2": "3000"}, headers=HTML, follow_redirects=False)  # fmt: skip
    assert r.status_code == 303, r.text
    saved = firm.client.get(f"/api/v1/workspaces/{ws}/profile").json()
    assert [(p["name"], p["hs"]) for p in saved["products"]] == [
        ("Face lotion", "330499"), ("Sake", "220610")]  # fmt: skip
    assert saved["products"][0]["lines"] == {"VNM": "3304.99.20"}
    # in Japanese the rows are numbered 製品1, 製品2
    _ja(firm)
    page = firm.client.get(f"/w/{ws}/profile", headers=HTML).text
    assert "<legend>製品1</legend>" in page and "<legend>製品2</legend>" in page
    assert "保存時にこの製品を削除する" in page and "製品を追加" in page
