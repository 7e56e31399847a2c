"""Real-browser flows: log in, upload a BOM, see the verdict, switch to Japanese, download a plan."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

EXAMPLE_BOM = Path(__file__).resolve().parents[2] / "examples" / "bom_bearing.csv"
EMAIL, PASSWORD = "advisor@chamber.example.jp", "correct horse battery"


def _register(base: str) -> None:
    r = httpx.post(
        f"{base}/api/v1/auth/register",
        json={"email": EMAIL, "password": PASSWORD, "organisation": "Osaka export desk"},
    )
    assert r.status_code == 201, r.text


def _unlabelled(page: Any) -> list[str]:
    """Visible form controls without an accessible label."""
    return list(
        page.evaluate("""() => [...document.querySelectorAll('input,select,textarea,button')]
        .filter(e => e.type !== 'hidden' && e.offsetParent !== null)
        .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')
                     && !(e.tagName === 'BUTTON' && e.textContent.trim()))
        .map(e => e.outerHTML.slice(0, 80))""")
    )


def test_login_upload_verdict_japanese_plan(
    live_server: tuple[str, Any], browser: Any, artifacts: Path
) -> None:
    base, _app = live_server
    _register(base)
    ctx = browser.new_context(accept_downloads=True, locale="en-GB")
    page = ctx.new_page()
    page.set_default_timeout(60_000)

    # Unauthenticated: the dashboard sends us to the log-in page.
    page.goto(f"{base}/")
    assert page.url.endswith("/login")
    # Keyboard: the first Tab reaches the skip link.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.get_by_label("E-mail").fill(EMAIL)
    page.get_by_label("Password").fill("wrong password!")
    page.get_by_role("button", name="Log in").click()
    assert page.get_by_role("alert").inner_text().startswith("E-mail or password is wrong")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/")
    assert _unlabelled(page) == []

    # A workspace for a client firm.
    page.get_by_label("Client firm name").fill("Ota Precision Bearings")
    page.get_by_role("button", name="Create workspace").click()
    page.wait_for_url("**/w/*")
    page.screenshot(path=str(artifacts / "01-workspace.png"), full_page=True)
    assert _unlabelled(page) == []

    # Upload the BOM.
    page.get_by_label("Product name").fill("Deep-groove ball bearing")
    page.get_by_label("Product HS code (6 digits)").fill("8482.10")
    page.get_by_label("Ex-works price of one unit (JPY)").fill("1200")
    page.get_by_label("FOB price of one unit (JPY)").fill("1300")
    page.get_by_label("BOM file (CSV or XLSX)").set_input_files(str(EXAMPLE_BOM))
    page.get_by_role("button", name="Upload").click()
    page.wait_for_url("**/boms/*")
    assert page.get_by_role("cell", name="Steel balls").is_visible()

    # Origin check via htmx: the verdict with its reasoning appears without a page load.
    page.get_by_label("Importing country (ISO3)").fill("VNM")
    page.get_by_role("button", name="Check origin").click()
    verdict = page.locator("#verdict article[data-agreement='CPTPP']")
    verdict.wait_for()
    text = verdict.inner_text()
    assert "qualifies" in text and "RVC" in text
    assert page.locator("#verdict article").count() >= 2
    page.screenshot(path=str(artifacts / "02-verdict-en.png"), full_page=True)

    # Switch to Japanese: same page, Japanese interface, verdict stored as evidence.
    page.locator("#lang-switch").click()
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.lang") == "ja"
    assert page.get_by_role("heading", name="原産地判定").is_visible()
    assert "CPTPP" in page.inner_text("main") and "原産性あり" in page.inner_text("main")
    page.screenshot(path=str(artifacts / "03-bom-ja.png"), full_page=True)

    # Firm profile (in Japanese), then build and download the plan.
    page.get_by_role("link", name="Ota Precision Bearings").first.click()
    page.get_by_role("link", name="企業情報と輸出準備状況").click()
    page.get_by_label("従業員数").fill("38")
    page.get_by_label("製品名", exact=True).fill("深溝玉軸受")
    page.get_by_label("製品のHSコード（6桁）").fill("848210")
    page.get_by_label("1個あたりの工場渡し価格（円）").fill("1200")
    page.get_by_label("1個あたりのFOB価格（円）").fill("1300")
    page.get_by_label("部品表", exact=True).select_option(index=1)
    page.get_by_label("検討中の市場（ISO3、カンマ区切り）").fill("VNM, THA")
    assert _unlabelled(page) == []
    page.get_by_role("button", name="保存").click()
    page.wait_for_url("**/w/*")
    page.set_default_navigation_timeout(300_000)
    page.get_by_role("button", name="輸出計画を作成").click(no_wait_after=True)
    link = page.locator("a.plan-download").first
    link.wait_for(timeout=300_000)
    page.screenshot(path=str(artifacts / "04-plan-ja.png"), full_page=True)
    with page.expect_download() as dl:
        link.click()
    target = artifacts / "plan-ja.html"
    dl.value.save_as(str(target))
    html = target.read_text(encoding="utf-8")
    assert '<html lang="ja">' in html
    assert "848210" in html and "CPTPP" in html
    ctx.close()


def test_htmx_and_forms_need_csrf(live_server: tuple[str, Any], browser: Any) -> None:
    """A form posted from another origin (no CSRF token) is refused."""
    base, _app = live_server
    _register(base)
    c = httpx.Client(base_url=base)
    r = c.post("/login", data={"email": EMAIL, "password": PASSWORD})
    assert r.status_code == 403
    page = browser.new_page()
    page.goto(f"{base}/login")
    page.get_by_label("E-mail").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/")
    # The session cookie is HttpOnly: page scripts cannot read it.
    assert "kaigai_session" not in page.evaluate("document.cookie")
    cookies = {ck["name"]: ck for ck in page.context.cookies()}
    assert cookies["kaigai_session"]["httpOnly"] is True
    r = httpx.post(
        f"{base}/workspaces",
        data={"organisation_id": 1, "name": "x"},
        cookies={"kaigai_session": cookies["kaigai_session"]["value"]},
    )
    assert r.status_code == 403
