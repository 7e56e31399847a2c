"""A client workspace: BOM upload and list, origin claims, plans, audit log."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from kaigai.app.served import bom_io, engines
from kaigai.app.served import origin as origin_svc
from kaigai.core.errors import KaigaiError
from kaigai.core.i18n import t
from kaigai.hs.codes import normalize_hs6
from kaigai.service.http import Id, read_upload
from kaigai.storage import records
from kaigai.web import charts
from kaigai.web.render import lang_of, render
from kaigai.web.webdeps import WebUser, check_form_csrf, state_of

router = APIRouter()


def _workspace_ctx(request: Request, user_id: int, wid: int) -> dict[str, Any]:
    with state_of(request).db.session() as s:
        ws = records.get_workspace(s, user_id, wid)
        role = records.workspace_role(s, user_id, wid)
        boms, _ = records.list_boms(s, user_id, wid, limit=200)
        claims, _ = records.list_claims(s, user_id, wid, limit=200)
        plans, _ = records.list_plans(s, user_id, wid, limit=200)
        events, _ = records.audit_log(s, user_id, wid, limit=20)
        profile = records.get_profile(s, user_id, wid)
    ctx: dict[str, Any] = {
        "ws": ws,
        "role": role,
        "boms": boms,
        "claims": claims,
        "plans": plans,
        "events": events,
        "profile": profile,
        "can_write": role in records.WRITE_ROLES,
    }
    answers = profile.get("readiness") if isinstance(profile, dict) else None
    if isinstance(answers, dict) and answers:
        try:
            r = engines.readiness({str(k): str(v) for k, v in answers.items()}, lang_of(request))
            ctx["readiness"] = r
            ctx["readiness_chart"] = charts.bar_chart(
                [d["title"][:18] for d in r["dimensions"]],
                [d["score"] for d in r["dimensions"]],
                title=t("Readiness score per dimension (0-100)", lang_of(request)),
            )
        except KaigaiError as exc:
            ctx["readiness_error"] = exc.to_dict()
    return ctx


@router.get("/w/{wid}")
def workspace(request: Request, wid: Id, user: WebUser) -> Response:
    return render(
        request, "workspace.html", user=user, **_workspace_ctx(request, user.user_id, wid)
    )


@router.post("/w/{wid}/boms")
async def upload_bom(
    request: Request,
    wid: Id,
    user: WebUser,
    file: Annotated[UploadFile, File()],
    name: Annotated[str, Form(max_length=200)],
    product_hs6: Annotated[str, Form(max_length=20)],
    ex_works_price: Annotated[str, Form(max_length=30)] = "",
    fob_price: Annotated[str, Form(max_length=30)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    check_form_csrf(request, csrf_token)
    state = state_of(request)
    try:
        content = await read_upload(request, file, state.limits)
        raw = bom_io.fill_defaults(
            bom_io.parse_upload(file.filename or "", content, state.limits), "JPY"
        )
        lines = await run_in_threadpool(origin_svc.validate_lines, state, raw, "JPY")
        price = float(ex_works_price.replace(",", "")) if ex_works_price.strip() else None
        fob = float(fob_price.replace(",", "")) if fob_price.strip() else None
        if any(p is not None and not 0 < p < 1e13 for p in (price, fob)):
            raise ValueError("price")
        fields = {
            "name": name.strip() or (file.filename or "BOM"),
            "lines": lines,
            "currency": "JPY",
            "product_hs6": normalize_hs6(product_hs6),
            "ex_works_price": price,
            "fob_price": fob,
        }
        bom = await run_in_threadpool(_create, state, user.user_id, wid, fields)
    except (KaigaiError, ValueError) as exc:
        err = (
            exc.to_dict()
            if isinstance(exc, KaigaiError)
            else {
                "code": "invalid_input",
                "message": "Prices must be positive numbers.",
                "hint": None,
            }
        )
        ctx = _workspace_ctx(request, user.user_id, wid)
        status = exc.http_status if isinstance(exc, KaigaiError) else 422
        return render(request, "workspace.html", status=status, user=user, upload_error=err, **ctx)
    return RedirectResponse(f"/w/{wid}/boms/{bom.id}", status_code=303)


def _create(state: Any, user_id: int, wid: int, fields: dict[str, Any]) -> Any:
    with state.db.session() as s:
        return records.create_bom(s, user_id, wid, fields)


@router.get("/w/{wid}/boms/{bid}")
def bom_page(request: Request, wid: Id, bid: Id, user: WebUser) -> Response:
    return render(request, "bom.html", user=user, **_bom_ctx(request, user.user_id, wid, bid))


def _bom_ctx(request: Request, user_id: int, wid: int, bid: int) -> dict[str, Any]:
    with state_of(request).db.session() as s:
        ws = records.get_workspace(s, user_id, wid)
        bom = records.get_bom(s, user_id, wid, bid)
        role = records.workspace_role(s, user_id, wid)
        claims = [c for c in records.list_claims(s, user_id, wid, limit=200)[0] if c.bom_id == bid]
    lines = list(bom.lines or [])
    total = sum(float(x.get("value") or 0) for x in lines if not x.get("parent"))
    wo_home = bool(lines) and all(
        x.get("wholly_obtained") == "yes" and x.get("origin") == "JPN" for x in lines
    )
    return {"ws": ws, "bom": bom, "claims": claims, "total": total, "wo_home": wo_home,
            "can_write": role in records.WRITE_ROLES, "agreements": _agreements()}  # fmt: skip


@router.post("/w/{wid}/boms/{bid}/wholly-obtained")
async def mark_wholly_obtained(request: Request, wid: Id, bid: Id, user: WebUser) -> Response:
    """The BOM editor's wholly-obtained boxes: the ticked lines become ``wholly_obtained = yes``,
    the others blank; saved as the next BOM version (refused if someone saved meanwhile)."""
    state = state_of(request)
    form = await request.form(max_fields=state.limits.max_bom_lines + 10, max_files=0)
    check_form_csrf(request, str(form.get("csrf_token", "")))
    marked = {str(v) for v in form.getlist("wholly_obtained")}
    version = str(form.get("version", ""))
    try:
        with state.db.session() as s:
            bom = records.get_bom(s, user.user_id, wid, bid)
            currency = bom.currency
            raw = [{**ln, "wholly_obtained": "yes" if ln.get("part_id") in marked else ""}
                   for ln in bom.lines or []]  # fmt: skip
        lines = await run_in_threadpool(origin_svc.validate_lines, state, raw, currency)
        with state.db.session() as s:
            records.update_bom(s, user.user_id, wid, bid, {"lines": lines},
                               if_version=int(version) if version.isdigit() else None)  # fmt: skip
    except KaigaiError as exc:
        if exc.http_status in (401, 403, 404):
            raise
        ctx = _bom_ctx(request, user.user_id, wid, bid)
        return render(request, "bom.html", status=exc.http_status, user=user,
                      bom_error=exc.to_dict(), **ctx)  # fmt: skip
    return RedirectResponse(f"/w/{wid}/boms/{bid}", status_code=303)


def _agreements() -> list[str]:
    return origin_svc.agreements()


def wo_explanations(result: dict[str, Any], lang: str) -> dict[str, str]:
    """Per agreement whose rule is the wholly-obtained criterion: the criterion with its article,
    and whether this BOM declares it (every material ticked wholly obtained) or how to."""
    from types import SimpleNamespace

    from kaigai.app.origin import wo_criterion
    from kaigai.core.countries import country_label
    from kaigai.origin.wholly import uses_wo

    prod = result.get("product") or {}
    home = country_label(str(prod.get("exporter", "JPN")), lang)
    out: dict[str, str] = {}
    for v in result.get("verdicts") or []:
        if not uses_wo(SimpleNamespace(rule_text=v.get("rule_text"))):
            continue
        text = wo_criterion(str(v["agreement"]), lang)
        if prod.get("wholly_obtained"):
            more = t("Declared wholly obtained: every material of this BOM is ticked wholly obtained in {country}.", lang, country=home)  # fmt: skip
        else:
            more = t("Not declared. If the product is made only from what is grown, harvested or extracted in {country}, tick 'Wholly obtained' for every material of this BOM, save, and keep farm or production records as proof.", lang, country=home)  # fmt: skip
        out[str(v["agreement"])] = f"{text} {more}"
    return out


@router.post("/w/{wid}/boms/{bid}/check")
async def check_bom(
    request: Request,
    wid: Id,
    bid: Id,
    user: WebUser,
    importer: Annotated[str, Form(max_length=100)],
    agreement: Annotated[str, Form(max_length=40)] = "",
    price_change: Annotated[float | None, Form(ge=-90, le=500)] = None,
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Run the origin check; htmx gets the verdict fragment, a plain form post the full page.

    With ``price_change`` (what-if slider) the product price is scaled and nothing is stored.
    """
    check_form_csrf(request, csrf_token)
    state = state_of(request)
    factor = None if price_change is None else 1 + price_change / 100
    try:
        result = await run_in_threadpool(
            lambda: origin_svc.check_stored_bom(state, user.user_id, wid, bid, importer=importer,
                                                agreement_ids=[agreement] if agreement else None,
                                                price_factor=factor, keep=factor is None)
        )  # fmt: skip
        ctx: dict[str, Any] = {"result": result, "error": None,
                               "wo": wo_explanations(result, lang_of(request))}  # fmt: skip
        status = 200
    except KaigaiError as exc:
        if exc.http_status in (401, 403, 404):
            raise  # not this user's BOM: the error page, with its status
        # fixable input problems are shown in place (htmx swaps 2xx responses only)
        ctx = {"result": None, "error": exc.to_dict()}
        status = 200 if request.headers.get("hx-request") else exc.http_status
    if request.headers.get("hx-request"):
        return render(request, "partials/verdict.html", status=status, **ctx)
    return render(request, "verdict_page.html", status=status, user=user, wid=wid, bid=bid, **ctx)
