"""Write a plan to ``.html``, ``.pdf`` or ``.json`` (format chosen by the file suffix)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kaigai.core.errors import ConfigError, InputError

FORMATS = (".html", ".htm", ".pdf", ".json")


def render_json(plan: Any) -> str:
    """The plan as JSON text (stable keys, see docs/plan.md)."""
    from kaigai.core.jsonable import to_jsonable

    return json.dumps(to_jsonable(plan.to_dict()), ensure_ascii=False, indent=2)


def render_pdf(plan: Any) -> bytes:
    """The plan's HTML rendered to PDF with WeasyPrint (no network: no base URL, data URIs only)."""
    from kaigai.reports.html import render_html

    lang = getattr(plan, "lang", "en")
    if lang == "ja":  # before any rendering work
        from kaigai.reports.fonts import require_cjk_font

        require_cjk_font()
    return html_to_pdf(render_html(plan), lang)


def html_to_pdf(html: str, lang: str = "en") -> bytes:
    """A report's HTML (as :func:`~kaigai.reports.html.render_html` wrote it) as PDF bytes.

    Raises
    ------
    ConfigError
        Japanese text and no Japanese font installed (the PDF would show empty boxes), or
        WeasyPrint missing.
    """
    if lang == "ja":  # fail clearly instead of a PDF of empty boxes
        from kaigai.reports.fonts import require_cjk_font

        require_cjk_font()
    try:
        from weasyprint import HTML
    except ImportError as exc:  # pragma: no cover - weasyprint is in the pdf extra
        raise ConfigError(
            "PDF output needs WeasyPrint.", hint="pip install 'kaigai[pdf]' or write .html instead."
        ) from exc

    try:  # WeasyPrint >= 66: a fetcher restricted to data: URIs
        from weasyprint.urls import URLFetcher

        fetcher: Any = URLFetcher(allowed_protocols=("data",))
    except ImportError:  # pragma: no cover - older WeasyPrint
        fetcher = None
    kwargs: dict[str, Any] = {"url_fetcher": fetcher} if fetcher is not None else {}
    pdf = HTML(string=html, **kwargs).write_pdf()
    assert isinstance(pdf, bytes)
    return pdf


def write_report(plan: Any, path: Path) -> Path:
    """Write ``plan`` to ``path``; the suffix picks the format."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in FORMATS:
        raise InputError(
            f"Unknown report format '{p.suffix or p.name}'.",
            hint="Use a file name ending in .html, .pdf or .json.",
        )
    p.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".pdf":
        p.write_bytes(render_pdf(plan))
    elif suffix == ".json":
        p.write_text(render_json(plan) + "\n", encoding="utf-8")
    else:
        from kaigai.reports.html import render_html

        p.write_text(render_html(plan), encoding="utf-8")
    return p


__all__ = ["FORMATS", "html_to_pdf", "render_json", "render_pdf", "write_report"]
