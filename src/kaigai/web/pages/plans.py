"""Firm profile + readiness form, export plan creation and download."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from kaigai.app import readiness as app_readiness
from kaigai.app.served import plans as plan_svc
from kaigai.core.countries import normalize_country
from kaigai.core.errors import InputError, KaigaiError
from kaigai.service.http import Id
from kaigai.service.payloads import check_profile
from kaigai.storage import records
from kaigai.web.render import lang_of, render
from kaigai.web.webdeps import WebUser, check_form_csrf, state_of

router = APIRouter()
MAX_FORM_FIELDS = 500  # readiness answers + ticked markets (at most ~230)


def _num(v: str, field: str, *, integer: bool = False) -> float | int | None:
    v = v.replace(",", "").strip()
    if not v:
        return None
    try:
        x = float(v)
    except ValueError as exc:
        raise InputError(f"{field}: '{v}' is not a number.") from exc
    if x < 0:
        raise InputError(f"{field}: must not be negative.")
    return int(x) if integer else x


def profile_from_form(
    form: dict[str, str], markets: list[str] | None = None, stored: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The plan engine's profile shape from the dashboard form (readiness answers ``r_<id>``).

    ``markets``: the ticked boxes of the country picker (ISO3 values; order kept, duplicates
    dropped); each entry may also be a list of codes or names (``VNM、Thailand``).
    ``stored``: the saved profile; what the form does not show (a product's tariff line per
    market, other products, excluded markets ...) is kept, nothing saved is lost.
    """
    if markets is None:
        markets = [form.get("target_markets", "")]
    names = [x for m in markets for x in m.replace("、", ",").split(",") if x.strip()]
    markets = list(dict.fromkeys(normalize_country(x) for x in names))
    product: dict[str, Any] = {
        "name": form.get("product_name", "").strip(),
        "hs": form.get("product_hs", "").strip(),
    }
    for key, field in (
        ("unit_value", "unit_value"),
        ("unit_fob", "unit_fob"),
        ("annual_export_value", "annual_export_value"),
        ("shipments_per_year", "shipments_per_year"),
    ):
        val = _num(form.get(field, ""), field)
        if val is not None:
            product[key] = val
    if form.get("bom_id", "").isdigit():
        product["bom_id"] = int(form["bom_id"])
    if form.get("wholly_obtained") in ("yes", "on", "true"):
        product["wholly_obtained"] = True
    if form.get("product_name_ja", "").strip():
        product["name_ja"] = form["product_name_ja"].strip()
    size: dict[str, Any] = {
        "employees": _num(form.get("employees", ""), "employees", integer=True) or 0,
        "currency": "JPY",
    }
    sales = _num(form.get("annual_sales", ""), "annual_sales")
    if sales is not None:
        size["annual_sales"] = sales
    out: dict[str, Any] = {
        "name": form.get("name", "").strip(), "home_country": "JPN", "size": size,
        "products": [product], "preferences": {"target_markets": markets},
        "readiness": {k[2:]: v for k, v in form.items() if k.startswith("r_") and v},
    }  # fmt: skip
    if form.get("name_ja", "").strip():
        out["name_ja"] = form["name_ja"].strip()
    return _keep_unshown(out, stored or {}, form)


# Keys the form shows (a blank field removes them); anything else saved is carried over.
_FORM_PRODUCT_KEYS = ("name", "hs", "unit_value", "unit_fob", "annual_export_value", "bom_id",
                      "wholly_obtained")  # fmt: skip


def _keep_unshown(
    new: dict[str, Any], stored: dict[str, Any], form: dict[str, str]
) -> dict[str, Any]:
    if not stored:
        return new
    out = {k: v for k, v in stored.items() if k != "name_ja"}
    out.update(new)
    prods = [p for p in stored.get("products") or [] if isinstance(p, dict)]
    first = {k: v for k, v in (prods[0] if prods else {}).items() if k not in _FORM_PRODUCT_KEYS}
    for key, field in (
        ("shipments_per_year", "shipments_per_year"),
        ("name_ja", "product_name_ja"),
    ):
        if field in form:
            first.pop(key, None)
    out["products"] = [{**first, **new["products"][0]}, *prods[1:]]
    out["preferences"] = {**(stored.get("preferences") or {}), **new["preferences"]}
    size = {**(stored.get("size") or {}), **new["size"]}
    if "annual_sales" not in new["size"]:
        size.pop("annual_sales", None)
    out["size"] = size
    return out


def _ctx(request: Request, user_id: int, wid: int) -> dict[str, Any]:
    with state_of(request).db.session() as s:
        ws = records.get_workspace(s, user_id, wid)
        profile = records.get_profile(s, user_id, wid)
        boms, _ = records.list_boms(s, user_id, wid, limit=200)
    prod = (profile.get("products") or [{}])[0] if isinstance(profile.get("products"), list) else {}
    return {"ws": ws, "profile": profile, "product": prod, "boms": boms,
            "questionnaire": app_readiness.questionnaire(lang_of(request))}  # fmt: skip


@router.get("/w/{wid}/profile")
def profile_page(request: Request, wid: Id, user: WebUser) -> Response:
    return render(request, "profile.html", user=user, **_ctx(request, user.user_id, wid))


@router.post("/w/{wid}/profile")
async def profile_submit(request: Request, wid: Id, user: WebUser) -> Response:
    form_data = await request.form(max_fields=MAX_FORM_FIELDS, max_files=0)
    form = {k: str(v)[:500] for k, v in form_data.items()}
    check_form_csrf(request, form.get("csrf_token"))
    state = state_of(request)
    try:
        markets = [str(v)[:60] for v in form_data.getlist("target_markets")]
        with state.db.session() as s:
            stored = records.get_profile(s, user.user_id, wid)
        data = profile_from_form(form, markets, stored if isinstance(stored, dict) else None)
        check_profile(data)
        with state.db.session() as s:
            records.put_profile(s, user.user_id, wid, data)
    except KaigaiError as exc:
        ctx = _ctx(request, user.user_id, wid)
        return render(
            request, "profile.html", status=exc.http_status, user=user, error=exc.to_dict(), **ctx
        )
    return RedirectResponse(f"/w/{wid}", status_code=303)


@router.post("/w/{wid}/plans")
async def make_plan(request: Request, wid: Id, user: WebUser) -> Response:
    form = await request.form(max_fields=10, max_files=0)
    check_form_csrf(request, str(form.get("csrf_token", "")))
    state = state_of(request)
    try:
        await run_in_threadpool(plan_svc.build_and_store, state, user.user_id, wid, n_markets=3,
                                lang=lang_of(request))  # fmt: skip
    except KaigaiError as exc:
        from kaigai.web.pages.workspace import _workspace_ctx

        ctx = _workspace_ctx(request, user.user_id, wid)
        return render(
            request,
            "workspace.html",
            status=exc.http_status,
            user=user,
            plan_error=exc.to_dict(),
            **ctx,
        )
    return RedirectResponse(f"/w/{wid}#plans-h", status_code=303)


@router.get("/w/{wid}/plans/{pid}/download")
def download(request: Request, wid: Id, pid: Id, user: WebUser, format: str = "html") -> Response:
    fmt = format if format in ("pdf", "json") else "html"
    body, media, name = plan_svc.download(state_of(request), user.user_id, wid, pid, fmt)
    return Response(body, media_type=media, headers=plan_svc.download_headers(name))
