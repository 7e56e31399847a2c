"""Draft origin documents: self-declaration / certificate data and supplier declarations.

Outputs the same data as JSON, HTML (Jinja2) and PDF (WeasyPrint, optional extra ``pdf``),
with the worksheet that proves the claim and a record-keeping reminder citing the agreement.
"""

from __future__ import annotations

import datetime as dt
from importlib import resources
from typing import Any

from jinja2 import Environment, select_autoescape

from kaigai.core.errors import ConfigError, OriginRuleError
from kaigai.origin.bom import BOMLine, Product
from kaigai.origin.evaluator import Verdict
from kaigai.origin.provisions import Agreement

_TITLES = {
    "statement": "Statement on origin (draft data)",
    "certificate": "Certification of origin — minimum data (draft)",
    "declaration": "Declaration / certificate of origin data (draft)",
}


def _kind(a: Agreement) -> str:
    proofs = " ".join(a.proofs).lower()
    if "statement on origin" in proofs:
        return "statement"
    if "certification of origin" in proofs:
        return "certificate"
    return "declaration"


def _criterion(v: Verdict) -> str:
    p = v.path or v.rule_text
    if p.startswith("WO"):
        return "wholly obtained (WO)"
    if p.startswith("PE"):
        return "produced exclusively from originating materials (PE)"
    return f"product-specific rule met: {p}"


def retention_text(a: Agreement, on: dt.date) -> str:
    r = a.retention
    if not r:
        return f"No record-keeping period on file for {a.id}; check the agreement."
    keep = (
        on.replace(year=on.year + int(r["years"]))
        if not (on.month == 2 and on.day == 29)
        else on + dt.timedelta(days=365 * int(r["years"]))
    )
    extra = (
        f" (importer: {r['importer_years']} years after importation)"
        if "importer_years" in r
        else ""
    )
    return (f"Keep this worksheet, the BOM, invoices and supplier declarations for at least {r['years']} years{extra} "
            f"— until {keep.isoformat()} if issued today. Source: {r.get('cite', '')}")  # fmt: skip


def document_data(
    v: Verdict,
    product: Product,
    a: Agreement,
    *,
    exporter_name: str = "",
    on: dt.date | None = None,
) -> dict[str, Any]:
    """JSON-ready data of the draft self-declaration / certificate with worksheet and retention reminder.

    Raises
    ------
    OriginRuleError
        when the product does not qualify (no declaration is drafted for a failing product).
    """
    if v.status != "qualifies":
        raise OriginRuleError(
            f"{product.hs6} does not qualify under {a.id} ({v.status}); no declaration drafted.",
            hint="Run `kaigai origin whatif` to see changes that would make it qualify.",
        )
    on = on or dt.date.today()
    kind = _kind(a)
    country = "Japan" if product.exporter == "JPN" else product.exporter
    decl = {
        "statement": f"The exporter of the products covered by this document (Exporter Reference No …) declares that, "
        f"except where otherwise clearly indicated, these products are of {country} preferential origin.",
        "certificate": "I certify that the goods described in this document qualify as originating and the information "
        "contained in this document is true and accurate.",
        "declaration": "The undersigned declares that the goods described meet the origin requirements of the agreement.",
    }[kind]
    return {
        "title": _TITLES[kind],
        "kind": kind,
        "date": on.isoformat(),
        "agreement": a.to_dict(),
        "stand_in": a.stand_in or "",
        "exporter_name": exporter_name or "…",
        "product": {
            "hs6": product.hs6,
            "exporter": product.exporter,
            "importer": product.importer,
            "description": product.description,
            "fob": product.fob,
            "exw": product.exw,
        },  # fmt: skip
        "hs_edition": v.hs_edition,
        "currency": v.currency,
        "declaration_text": decl,
        "criterion": _criterion(v),
        "rule_text": v.rule_text,
        "rule_text_ja": v.rule_text_ja,
        "status": v.status,
        "margins": list(v.margins),
        "materials": v.to_dict()["materials"],
        "trace": list(v.trace),
        "provenance": list(v.provenance),
        "retention": retention_text(a, on),
        "notes": list(v.notes),
    }


def supplier_declaration_data(line: BOMLine, a: Agreement, *, supplier: str, customer: str, on: dt.date | None = None,
                              months: int = 12) -> dict[str, Any]:  # fmt: skip
    """Draft long-term supplier declaration for one supplied material (default validity 12 months)."""
    on = on or dt.date.today()
    end = on + dt.timedelta(days=round(months * 30.44))
    return {
        "title": "Supplier's declaration (draft)",
        "kind": "supplier",
        "agreement": a.to_dict(),
        "supplier": supplier,
        "customer": customer,
        "part_id": line.part_id,
        "part": line.part,
        "hs6": line.hs6,
        "origin": line.origin,
        "period": {"from": on.isoformat(), "to": end.isoformat()},
        "declaration_text": (
            f"I, the undersigned supplier, declare that the goods listed ({line.part}, HS {line.hs6}) "
            f"originate in {line.origin} and satisfy the rules of origin of the {a.name_en}; I will inform "
            f"{customer} immediately if this ceases to be true and keep the supporting evidence."
        ),  # fmt: skip
        "retention": retention_text(a, on),
    }


def render_html(data: dict[str, Any], lang: str = "en") -> str:
    """HTML of a draft document (supplier declarations use a compact layout)."""
    env = Environment(autoescape=select_autoescape(["html", "j2"]))
    if data.get("kind") == "supplier":
        tpl = env.from_string(
            "<!doctype html><html><head><meta charset='utf-8'><title>{{ d.title }}</title></head><body>"
            "<p><b>DRAFT</b></p><h1>{{ d.title }}</h1><p>{{ d.agreement.name_en }} ({{ d.agreement.id }})</p>"
            "<p>{{ d.declaration_text }}</p><p>Period: {{ d.period.from }} – {{ d.period.to }}</p>"
            "<p>Supplier: {{ d.supplier }} — Customer: {{ d.customer }}</p><p>{{ d.retention }}</p></body></html>"
        )
    else:
        src = (
            resources.files("kaigai.origin")
            .joinpath("templates/origin_doc.html.j2")
            .read_text(encoding="utf-8")
        )
        tpl = env.from_string(src)
    return tpl.render(d=data, lang=lang)


def render_pdf(html: str) -> bytes:
    """PDF bytes of an HTML document (needs WeasyPrint: pip install 'kaigai[pdf]')."""
    try:
        from weasyprint import HTML
    except ImportError as exc:  # pragma: no cover - installed in the dev venv
        raise ConfigError("PDF output needs WeasyPrint.", hint="pip install 'kaigai[pdf]'") from exc
    return bytes(HTML(string=html).write_pdf())


__all__ = [
    "document_data",
    "render_html",
    "render_pdf",
    "retention_text",
    "supplier_declaration_data",
]
