"""Export plans from a workspace's firm profile and stored BOMs; kept with their HTML report."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import re
import tempfile
from html import escape
from pathlib import Path
from typing import Any

from kaigai.core.errors import ProfileError
from kaigai.service.payloads import check_stored_profile
from kaigai.service.state import AppState
from kaigai.storage import records
from kaigai.storage.models import Plan

BOM_COLUMNS = ("part_id", "part", "hs_code", "origin", "value", "currency", "quantity",
               "originating", "supplier_declaration", "parent", "weight_kg", "component",
               "wholly_obtained")  # fmt: skip


# Japanese script (kana, CJK ideographs, full-width forms): such text needs a Japanese font in a PDF.
_CJK = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")


def _jsonable(obj: Any) -> Any:
    from kaigai.core.jsonable import to_jsonable

    return to_jsonable(obj)


def build_and_store(
    state: AppState,
    user_id: int,
    workspace_id: int,
    *,
    n_markets: int = 3,
    lang: str = "en",
    as_of: dt.date | None = None,
) -> Plan:
    """Build the plan for the workspace's profile (products may name a stored ``bom_id``)."""
    from kaigai.app.plan import build_plan, render
    from kaigai.plan.profile import parse_profile

    with state.db.session() as s:
        records.get_workspace(s, user_id, workspace_id)
        if records.workspace_role(s, user_id, workspace_id) not in records.WRITE_ROLES:
            from kaigai.core.errors import PermissionDeniedError

            raise PermissionDeniedError("Viewers cannot create plans.")
        data = records.get_profile(s, user_id, workspace_id)
        if not data:
            raise ProfileError("This workspace has no firm profile yet.",
                               hint="Fill in the firm profile of this workspace first.")  # fmt: skip
        # A profile saved before these checks may hold anything: refuse it before any use
        # (a product's BOM is only ever a stored BOM of this workspace, never a file).
        check_stored_profile(data)
        boms: dict[int, list[dict[str, Any]]] = {}
        for prod in data.get("products") or []:
            if prod.get("bom_id") is not None:
                bid = int(prod["bom_id"])
                boms[bid] = list(records.get_bom(s, user_id, workspace_id, bid).lines or [])
    with tempfile.TemporaryDirectory(prefix="kaigai-plan-") as tmp:
        folder = Path(tmp)
        prof = dict(data)
        prods = []
        for prod in prof.get("products") or []:
            p = dict(prod)
            if p.get("bom_id") is not None:
                bid = int(p.pop("bom_id"))
                name = f"bom_{bid}.csv"
                with (folder / name).open("w", newline="", encoding="utf-8") as fh:
                    w = csv.DictWriter(fh, fieldnames=BOM_COLUMNS, extrasaction="ignore")
                    w.writeheader()
                    for ln in boms[bid]:
                        w.writerow({c: "" if ln.get(c) is None else ln.get(c) for c in BOM_COLUMNS})
                p["bom"] = name
            prods.append(p)
        prof["products"] = prods
        profile = parse_profile(prof, source="workspace profile", base_dir=folder)
        plan = build_plan(profile, state.settings, n_markets=n_markets, lang=lang,
                          base_dir=folder, as_of=as_of)  # fmt: skip
        html = str(render(plan, "html", state.settings))
    content = {"lang": lang, "as_of": (as_of or dt.date.today()).isoformat(),
               "plan": _jsonable(plan.to_dict()), "html": html,
               "html_sig": report_signature(state.secret, html)}  # fmt: skip
    title = f"{profile.name} — {content['as_of']} ({lang})"
    with state.db.session() as s:
        return records.create_plan(s, user_id, workspace_id, title, content)


def report_signature(secret: bytes, html: str) -> str:
    """HMAC of a report this server rendered: only signed HTML is ever served as a page."""
    return hmac.new(secret, b"plan-report:" + html.encode("utf-8"), hashlib.sha256).hexdigest()


def download(
    state: AppState, user_id: int, workspace_id: int, plan_id: int, fmt: str
) -> tuple[bytes, str, str]:
    """(body, media type, file name) of a stored plan as HTML, PDF or JSON.

    HTML is the report rendered by :func:`build_and_store` (recognised by its signature);
    a plan document saved by a caller is shown as escaped data, never as their markup. PDF is
    that HTML printed by WeasyPrint (a Japanese plan needs a Japanese font: ConfigError).
    """
    import json

    with state.db.session() as s:
        plan = records.get_plan(s, user_id, workspace_id, plan_id)
        content = dict(plan.content or {})
        title = plan.title
    if fmt in ("html", "pdf"):
        html = _report_html(state, content, title)
        if fmt == "html":
            return html.encode("utf-8"), "text/html; charset=utf-8", f"kaigai-plan-{plan_id}.html"
        from kaigai.reports.writer import html_to_pdf

        ja = content.get("lang") == "ja" or _CJK.search(html) is not None
        pdf = html_to_pdf(html, "ja" if ja else "en")
        return pdf, "application/pdf", f"kaigai-plan-{plan_id}.pdf"
    data = content.get("plan", content)
    if isinstance(data, dict):
        data = {k: v for k, v in data.items() if k not in ("html", "html_sig")}
    body = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
    return body, "application/json", f"kaigai-plan-{plan_id}.json"


def _report_html(state: AppState, content: dict[str, Any], title: str) -> str:
    """The stored report if this server signed it, else the plan data escaped in a page."""
    import json

    html = content.get("html")
    sig = content.get("html_sig")
    if (isinstance(html, str) and isinstance(sig, str)
            and hmac.compare_digest(sig, report_signature(state.secret, html))):  # fmt: skip
        return html
    data = {k: v for k, v in content.items() if k not in ("html", "html_sig")}
    return ("<!doctype html><meta charset=utf-8><title>" + escape(title) + "</title><pre>"
            + escape(json.dumps(data, ensure_ascii=False, indent=2)) + "</pre>")  # fmt: skip


# Downloaded reports: no script, no network, no plugins; inline styles and data: images only.
DOWNLOAD_CSP = ("default-src 'none'; script-src 'none'; style-src 'unsafe-inline'; "
                "img-src data:; font-src data:; sandbox; frame-ancestors 'none'; form-action 'none'")  # fmt: skip


def download_headers(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"',
            "Content-Security-Policy": DOWNLOAD_CSP}  # fmt: skip


__all__ = ["DOWNLOAD_CSP", "build_and_store", "download", "download_headers", "report_signature"]
