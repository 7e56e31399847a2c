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


API_WORDS = ("PUT /", "/workspaces/{id}", "ISO3", "comma separated", "カンマ区切り")

# Each visible control's label sits above it or beside it on the same row, and starts below the
# previous control (never running on after it). Ticked-box lists (label wrapping its box) may
# hold several boxes per row.
LAYOUT_JS = """(sel) => {
  const out = [];
  let prevBottom = -Infinity;
  const ctrls = [...document.querySelector(sel).querySelectorAll('input,select,textarea')]
    .filter(e => e.type !== 'hidden' && e.checkVisibility());  // not inside a closed <details>
  for (const c of ctrls) {
    const name = c.id || c.name + '=' + c.value;
    const lab = c.labels && c.labels[0];
    if (!lab) { out.push('no label: ' + name); continue; }
    const L = lab.getBoundingClientRect(), C = c.getBoundingClientRect();
    if (!lab.contains(c)) {
      const box = c.type === 'checkbox' || c.type === 'radio';
      const above = L.bottom <= C.top + 1 && L.left < C.right && L.right > C.left;
      const row = L.top < C.bottom && L.bottom > C.top;
      const beside = row && (box ? L.left >= C.right - 1 : L.right <= C.left + 1);
      if (!above && !beside) { out.push('label neither above nor beside: ' + name); }
      if (L.top < prevBottom - 1) { out.push('label runs on after the previous field: ' + name); }
    }
    prevBottom = Math.max(prevBottom, C.bottom);
  }
  return out;
}"""


def _layout_problems(page: Any, form: str) -> list[str]:
    return list(page.evaluate(LAYOUT_JS, form))


def _api_words(page: Any) -> list[str]:
    text = page.inner_text("body")
    return [w for w in API_WORDS if w in text]


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
    assert page.get_by_role("cell", name="Steel balls", exact=True).is_visible()

    # Origin check via htmx: the verdict with its reasoning appears without a page load.
    assert page.locator("#importer option:checked").inner_text() == "Vietnam"
    page.get_by_label("Importing country").select_option("VNM")
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
    # markets are ticked by their Japanese names; the value sent is the ISO3 code
    assert page.get_by_label("台湾", exact=True).is_visible()
    assert page.get_by_label("台湾", exact=True).get_attribute("value") == "TWN"
    page.get_by_label("ベトナム", exact=True).check()
    page.get_by_label("タイ", exact=True).check()
    assert page.get_by_label("日本の完全生産品").is_visible()
    assert _unlabelled(page) == [] and _api_words(page) == []
    assert _layout_problems(page, "#profile-form") == []
    page.screenshot(path=str(artifacts / "profile-form-ja.png"), full_page=True)
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
    with page.expect_download() as dl:
        page.locator("a.plan-pdf").first.click()
    pdf = artifacts / "plan-ja.pdf"
    dl.value.save_as(str(pdf))
    assert pdf.read_bytes().startswith(b"%PDF-")
    _plan_screenshot(ctx, html, artifacts / "plan-ja.png", "輸出計画: Ota Precision Bearings")
    ctx.close()


def _plan_screenshot(ctx: Any, html: str, path: Path, heading: str) -> None:
    """The downloaded plan report as a reader sees it (opened in the browser)."""
    view = ctx.new_page()
    view.set_content(html)
    assert view.locator("h1").first.inner_text() == heading
    assert view.locator("#actions").is_visible() and view.locator("#gaps").is_visible()
    view.screenshot(path=str(path), full_page=True)
    view.close()


def test_english_profile_form_plan_and_duty_page(
    live_server: tuple[str, Any], browser: Any, artifacts: Path
) -> None:
    """Issue 15 item 6 in English: the labelled profile form with its country picker and the
    wholly-obtained box, the plan (HTML and PDF), the duty page; screenshots of each."""
    base, _app = live_server
    _register(base)
    ctx = browser.new_context(accept_downloads=True, locale="en-GB")
    page = ctx.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{base}/login")
    page.get_by_label("E-mail").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/")
    page.get_by_label("Client firm name").fill("Shizuoka Green Tea Co.")
    page.get_by_role("button", name="Create workspace").click()
    page.wait_for_url("**/w/*")

    # A plan without a profile: a plain-language hint, no API words.
    page.get_by_role("button", name="Make an export plan").click()
    assert "Fill in the firm profile of this workspace first." in page.inner_text("main")
    assert _api_words(page) == []

    page.get_by_role("link", name="Firm profile and readiness").first.click()
    page.get_by_label("Employees").fill("12")
    page.get_by_label("Product name", exact=True).fill("Sencha green tea")
    page.get_by_label("Product HS code (6 digits)").fill("090210")
    page.get_by_label("Ex-works price of one unit (JPY)").fill("2000")
    page.get_by_label("FOB price of one unit (JPY)").fill("2200")
    page.get_by_label("Wholly obtained in Japan").check()
    taiwan = page.get_by_label("Taiwan", exact=True)
    assert taiwan.is_visible() and taiwan.get_attribute("value") == "TWN"
    for name in ("China", "South Korea", "Taiwan"):
        page.get_by_label(name, exact=True).check()
    # the search box narrows the list (and opens "Other countries")
    page.get_by_label("Find a country").fill("bra")
    assert page.get_by_label("Brazil", exact=True).is_visible()
    assert not page.get_by_label("China", exact=True).is_visible()
    page.get_by_label("Find a country").fill("")
    assert _unlabelled(page) == [] and _api_words(page) == []
    assert _layout_problems(page, "#profile-form") == []
    page.screenshot(path=str(artifacts / "profile-form-en.png"), full_page=True)
    page.get_by_role("button", name="Save profile").click()
    page.wait_for_url("**/w/*")

    page.get_by_role("button", name="Make an export plan").click(no_wait_after=True)
    link = page.locator("a.plan-download").first
    link.wait_for(timeout=300_000)
    with page.expect_download() as dl:
        link.click()
    html = Path(dl.value.path()).read_text(encoding="utf-8")
    assert '<html lang="en">' in html and "Taiwan" in html and "S19" not in html
    # the wholly-obtained box reached the plan: green tea qualifies under RCEP in China
    assert "Criterion WO (RCEP Art. 3.3" in html
    with page.expect_download() as dl:
        page.locator("a.plan-pdf").first.click()
    pdf = artifacts / "plan-en.pdf"
    dl.value.save_as(str(pdf))
    assert pdf.read_bytes().startswith(b"%PDF-")
    _plan_screenshot(ctx, html, artifacts / "plan-en.png", "Export plan: Shizuoka Green Tea Co.")

    # The duty page: countries chosen by name, options compared, staging chart drawn.
    page.goto(f"{base}/duty")
    page.get_by_label("Product HS code (6 digits)").fill("848210")
    page.get_by_label("Destination").select_option("VNM")
    page.get_by_role("button", name="Compare").click()
    page.wait_for_url("**/duty?*")
    assert page.locator("#origin option:checked").inner_text() == "Japan"
    assert page.locator("#destination option:checked").inner_text() == "Vietnam"
    assert "848210 Japan → Vietnam" in page.locator("caption").first.inner_text()
    assert page.get_by_role("rowheader", name="CPTPP ★").count() >= 1
    assert page.locator("figure svg polyline").count() >= 2
    assert _unlabelled(page) == [] and _api_words(page) == []
    assert _layout_problems(page, "#duty-form") == []
    page.screenshot(path=str(artifacts / "duty-en.png"), full_page=True)
    page.locator("#lang-switch").click()
    page.wait_for_load_state()
    assert page.locator("#destination option:checked").inner_text() == "ベトナム"
    assert "日本 → ベトナム" in page.locator("caption").first.inner_text()
    chart = page.locator("figure svg").first.get_attribute("aria-label") or ""
    assert chart.startswith("税率の推移（")
    page.screenshot(path=str(artifacts / "duty-ja.png"), full_page=True)
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
