"""Reports: HTML without external requests, JSON equal to the plan, PDF pages render."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html import escape as html_escape
from pathlib import Path

import pytest

from kaigai.app.plan import build_plan, load_profile
from kaigai.core.errors import InputError
from kaigai.plan.examples import example_profile_path
from kaigai.reports import render_html, render_json, write_report


@pytest.fixture
def plan_en(settings):
    p = example_profile_path()
    return build_plan(load_profile(p, settings), settings, lang="en", base_dir=p.parent)


@pytest.fixture
def plan_ja(settings):
    p = example_profile_path()
    return build_plan(load_profile(p, settings), settings, lang="ja", base_dir=p.parent)


def external_refs(html: str) -> list[str]:
    """Every src/href/url()/@import that would make the browser fetch something off the page."""
    refs = re.findall(r"""(?:src|href)\s*=\s*["']([^"']*)["']""", html, flags=re.I)
    refs += re.findall(r"""url\(\s*["']?([^"')]*)""", html, flags=re.I)
    bad = [r for r in refs if not (r.startswith("#") or r.startswith("data:"))]
    if re.search(r"@import", html, flags=re.I):
        bad.append("@import")
    return bad


@pytest.mark.parametrize("which", ["plan_en", "plan_ja"])
def test_html_makes_no_external_requests(which, request) -> None:
    plan = request.getfixturevalue(which)
    html = render_html(plan)
    assert external_refs(html) == []
    assert not re.search(r"""(?:src|href)\s*=\s*["']\s*(?:https?:)?//""", html, flags=re.I)
    assert "<script" not in html.lower()
    assert html.count("data:image/svg+xml;base64,") >= 2  # markets + readiness charts inline


def test_external_ref_checker_catches_cdn() -> None:
    assert external_refs('<script src="https://cdn.example.com/x.js"></script>') == [
        "https://cdn.example.com/x.js"
    ]
    assert external_refs("<style>@import url(//fonts.example.com/a.css);</style>") != []


def test_html_figures_link_to_sources(plan_en) -> None:
    html = render_html(plan_en)
    assert "USD 82.7m" in html  # JPN->THA 848210 exports, trade_hs6 starter cell
    n_links = len(re.findall(r'href="#src-(\d+)"', html))
    n_sources = len(re.findall(r'<li id="src-\d+">', html))
    figures = [
        f
        for m in plan_en.products[0].markets
        for f in (*m.figures.values(), *m.duty.figures.values(), *m.origin.figures.values())
    ]
    distinct = {p for f in figures for p in f.provenance}
    assert n_sources == len(distinct) >= 8 + 3  # 8 trade cells, VNM MFN/CPTPP lines, net benefit
    assert n_links >= n_sources
    assert "exporter=JPN importer=THA hs6=848210 year=2024" in html
    assert plan_en.gaps  # what could not be checked, one line per gap, with how to fill it
    for g in plan_en.gaps:
        text = html.replace("&#39;", "'").replace("&#34;", '"')
        assert html_escape(g.text, quote=False)[:60] in text
        assert html_escape(g.fill, quote=False)[:60] in text
    for part in plan_en.products[0].parts:  # caveats of partial results: in the chain status
        assert html_escape(part.detail, quote=False)[:60] in text


def test_html_japanese(plan_ja) -> None:
    html = render_html(plan_ja)
    assert 'lang="ja"' in html and "輸出計画" in html and "優先順位付きアクション" in html
    assert "人材・グローバル対応力" in html


def test_json_equals_plan(plan_en, tmp_path: Path) -> None:
    path = write_report(plan_en, tmp_path / "plan.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data == json.loads(render_json(plan_en))
    assert data["readiness"]["overall"] == plan_en.readiness.overall
    assert set(data) >= {
        "firm",
        "summary",
        "products",
        "readiness",
        "actions",
        "assumptions",
        "missing",
        "provenance",
    }
    tha = data["products"][0]["markets"][0]
    assert (
        tha["figures"]["exports_usd"]["value"]
        == plan_en.products[0].markets[0].figures["exports_usd"].value
    )


def test_unknown_format(plan_en, tmp_path: Path) -> None:
    with pytest.raises(InputError):
        write_report(plan_en, tmp_path / "plan.docx")


@pytest.mark.parametrize("which", ["plan_en", "plan_ja"])
def test_pdf_pages_render(which, request, tmp_path: Path) -> None:
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) not installed")
    plan = request.getfixturevalue(which)
    pdf = write_report(plan, tmp_path / "plan.pdf")
    assert pdf.read_bytes()[:5] == b"%PDF-"
    subprocess.run(
        ["pdftoppm", "-r", "30", "-png", str(pdf), str(tmp_path / "page")], check=True, timeout=120
    )
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 3
    assert all(p.stat().st_size > 1000 for p in pages)
