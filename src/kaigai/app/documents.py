"""Origin documents: the self-declaration / certificate data (or a supplier declaration) with
the worksheet, drafted from a BOM and rendered as JSON, HTML and PDF.

``kaigai origin docs`` calls :func:`draft` and :func:`render`; the export plan's short document
list comes from the same engine (:func:`kaigai.origin.documents.document_data`).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kaigai.core.errors import InputError

if TYPE_CHECKING:
    from kaigai.core.config import Settings

FORMATS = ("json", "html", "pdf")


@dataclass(frozen=True)
class Documents:
    """Drafted document data: for ``agreement``, file stem, and why the agreement was chosen."""

    agreement: str
    stem: str
    data: dict[str, Any]
    note: str | None = None  # set when no agreement was named and the first qualifying one is used


def formats_of(text: str) -> list[str]:
    """``"json,html"`` -> ["json", "html"]; unknown entries raise an InputError."""
    got = [f.strip().lower() for f in text.split(",") if f.strip()]
    if not set(got) <= set(FORMATS):
        raise InputError(f"--format '{text}' has unknown entries.", hint="Use json, html, pdf.")
    return [f for f in FORMATS if f in got]


def draft(
    settings: Settings,
    bom: Path,
    hs: str,
    to: str,
    *,
    agreement: str | None = None,
    frm: str = "JPN",
    fob: float | None = None,
    exw: float | None = None,
    currency: str = "JPY",
    rates: list[str] | None = None,
    exporter_name: str = "",
    description: str = "",
    supplier_part: str | None = None,
    process: list[str] | None = None,
    confirm: list[str] | None = None,
    date: str | None = None,
    operations: list[str] | None = None,
    extra: Path | None = None,
) -> Documents:
    """Check the BOM and draft the documents for ``agreement`` (default: the first agreement
    the product qualifies under, in ``origin check`` order) or a supplier declaration for
    ``supplier_part``."""
    from kaigai.app import origin as ao
    from kaigai.origin.documents import document_data, supplier_declaration_data
    from kaigai.origin.provisions import resolve_agreement

    c = ao.context(settings, extra)
    b = ao.load_bom_file(settings, bom, currency, ao.parse_rates(rates), extra)
    on: dt.date | None = ao.parse_date(date)

    def prod() -> Any:
        return ao.product(hs, frm, to, currency, fob, exw, None, None, description, False,
                          process, confirm, operations)  # fmt: skip

    note = None
    if agreement is None:
        if supplier_part:
            raise InputError(
                "--supplier-declaration-for needs --agreement.", hint="e.g. --agreement RCEP"
            )
        p0 = prod()
        verdicts = ao.check(settings, b, p0, None, on=on, extra=extra)
        ok = [v.agreement for v in verdicts if v.status == "qualifies"]
        if not ok:
            raise InputError(
                f"HS {p0.hs6} {p0.exporter}->{p0.importer} qualifies under no agreement: nothing to declare.",
                hint="See `kaigai origin check` for the reasons, or name one with --agreement to draft anyway.",
            )
        agreement = ok[0]
        note = f"No --agreement given: drafting for {ok[0]}, the first agreement the product qualifies under ({', '.join(ok)})."
    a = resolve_agreement(agreement, c.agreements)
    if supplier_part:
        line = next((ln for ln in b.lines if ln.part_id == supplier_part), None)
        if line is None:
            raise InputError(f"part_id '{supplier_part}' is not in the BOM.")
        data = supplier_declaration_data(
            line, a, supplier=exporter_name or "…", customer="…", on=on
        )
        return Documents(a.id, f"supplier_declaration_{a.id}_{supplier_part}", data, note)
    p = prod()
    v = ao.check(settings, b, p, [a.id], on=on, extra=extra)[0]
    data = document_data(v, p, a, exporter_name=exporter_name, on=on)
    return Documents(a.id, f"origin_{a.id}_{p.hs6}_{p.importer}", data, note)


def render(docs: Documents, formats: list[str], lang: str = "en") -> dict[str, str | bytes]:
    """File suffix -> content (``json`` and ``html`` as text, ``pdf`` as bytes)."""
    from kaigai.origin.documents import render_html, render_pdf

    out: dict[str, str | bytes] = {}
    if "json" in formats:
        out["json"] = json.dumps(docs.data, ensure_ascii=False, indent=2)
    html = render_html(docs.data, lang)
    if "html" in formats:
        out["html"] = html
    if "pdf" in formats:
        out["pdf"] = render_pdf(html)
    return out


def write(docs: Documents, out: Path, formats: list[str], lang: str = "en") -> list[str]:
    """Write the rendered documents into folder ``out``; returns the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for suffix, content in render(docs, formats, lang).items():
        path = out / f"{docs.stem}.{suffix}"
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        written.append(str(path))
    return written


__all__ = ["FORMATS", "Documents", "draft", "formats_of", "render", "write"]
