"""Reports of an export plan: HTML (self-contained, offline), PDF (WeasyPrint) and JSON."""

from __future__ import annotations

from kaigai.reports.html import render_html
from kaigai.reports.writer import render_json, render_pdf, write_report

__all__ = ["render_html", "render_json", "render_pdf", "write_report"]
