"""What-if ranking and sensitivities; draft documents (JSON/HTML/PDF) with retention reminder."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kaigai.core.errors import OriginRuleError
from kaigai.origin.api import check
from kaigai.origin.bom import Product, load_bom
from kaigai.origin.documents import (
    document_data,
    render_html,
    render_pdf,
    retention_text,
    supplier_declaration_data,
)
from kaigai.origin.whatif import whatif

from .conftest import Rules

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "bom_bearing.csv"


def test_whatif_ranks_by_cost_and_verifies(rules: Rules) -> None:
    bom = load_bom(EXAMPLE, "JPY", hs_codes=rules.hs22)
    p = Product("848210", "JPN", "GBR", "JPY", fob=520, exw=500)
    w = whatif(bom, p, rules.books, rules.agreements, rules.hs17, "UK-JP", premium_pct=10)
    assert w.status_before == "does not qualify"
    # VNM 295 of EXW 500 = 59% > 50%: dropping BALL (120) gives 35%, dropping OR (150) gives 29%.
    assert [(c.parts, c.cost) for c in w.changes[:2]] == [(("BALL",), 12.0), (("OR",), 15.0)]
    price = next(c for c in w.changes if c.kind == "price")
    assert price.cost == pytest.approx(0.18 * 520, abs=0.5)  # EXW must reach 295/0.5 = 590 = +18%
    assert all(c.status_after == "qualifies" for c in w.changes)


def test_sensitivity_break_even(rules: Rules) -> None:
    bom = load_bom(EXAMPLE, "JPY", hs_codes=rules.hs22)
    p = Product("848210", "JPN", "GBR", "JPY", fob=1000, exw=950)
    w = whatif(bom, p, rules.books, rules.agreements, rules.hs17, "UK-JP")
    assert w.changes == ()
    s = {x.item: x.break_even_pct for x in w.sensitivity}
    # headroom JPY 180 on MaxNOM (0.5*950 - 295); the outer ring (150) may rise 120%
    assert s["price of OR"] == pytest.approx(100 * 180 / 150)


def test_documents(rules: Rules, tmp_path: Path) -> None:
    bom = load_bom(EXAMPLE, "JPY", hs_codes=rules.hs22)
    p = Product("848210", "JPN", "VNM", "JPY", fob=1000, exw=950, description="Ball bearing 6204")
    v = check(bom, p, rules.books, rules.agreements, rules.hs17, ["CPTPP"])[0]
    d = document_data(
        v, p, rules.agreements["CPTPP"], exporter_name="Tokyo Bearing KK", on=dt.date(2026, 1, 15)
    )
    assert d["kind"] == "certificate" and d["retention"].startswith("Keep this worksheet")
    assert "until 2031-01-15" in d["retention"] and "Art. 3.26" in d["retention"]
    html = render_html(d)
    assert "Tokyo Bearing KK" in html and "RVC 50% (build-down)" in html
    pdf = render_pdf(html)
    assert pdf[:5] == b"%PDF-"
    line = next(ln for ln in bom.lines if ln.part_id == "CAGE")
    s = supplier_declaration_data(line, rules.agreements["RCEP"], supplier="Osaka Press", customer="Tokyo Bearing KK",
                                  on=dt.date(2026, 1, 15))  # fmt: skip
    assert s["period"] == {"from": "2026-01-15", "to": "2027-01-15"} and "3 years" in s["retention"]
    assert "Osaka Press" in render_html(s)


def test_no_declaration_for_failing_product(rules: Rules) -> None:
    bom = load_bom(EXAMPLE, "JPY", hs_codes=rules.hs22)
    p = Product("848210", "JPN", "GBR", "JPY", fob=520, exw=500)
    v = check(bom, p, rules.books, rules.agreements, rules.hs17, ["UK-JP"])[0]
    with pytest.raises(OriginRuleError, match="does not qualify"):
        document_data(v, p, rules.agreements["UK-JP"])


def test_retention_eu_jp() -> None:
    from kaigai.origin.provisions import load_agreements

    t = retention_text(load_agreements()["EU-JP"], dt.date(2026, 3, 1))
    assert "4 years (importer: 3 years after importation)" in t and "2030-03-01" in t


def test_fx_sensitivity(rules: Rules) -> None:
    from decimal import Decimal

    from kaigai.core.money import Rate, Rates
    from kaigai.origin.bom import parse_bom

    rates = Rates.of([Rate("USD", "JPY", Decimal("150"), dt.date(2026, 1, 5), "test")])
    b = parse_bom([{"part_id": "M", "part": "balls", "hs_code": "8482.91", "origin": "USA", "value": 2,
                    "currency": "USD"}], "JPY", rates=rates)  # fmt: skip
    p = Product("848210", "JPN", "GBR", "JPY", fob=1000, exw=1000)
    w = whatif(b, p, rules.books, rules.agreements, rules.hs17, "UK-JP")
    fx = next(s for s in w.sensitivity if s.item == "FX USD/JPY")
    # MaxNOM 50% of EXW 1000 = 500 allowed; VNM = 2 USD x 150 = 300; headroom 200 -> USD may rise 66.7%
    assert fx.break_even_pct == pytest.approx(100 * 200 / 300)
    # with a material that changes heading, CTH carries the claim and prices/FX do not matter
    b2 = parse_bom([{"part_id": "M", "part": "motor", "hs_code": "8501.10", "origin": "USA", "value": 2,
                     "currency": "USD"}], "JPY", rates=rates)  # fmt: skip
    w2 = whatif(b2, p, rules.books, rules.agreements, rules.hs17, "UK-JP")
    assert w2.sensitivity[0].break_even_pct is None and "CTH" in w2.sensitivity[0].note
