"""Reference tools in the dashboard: duty comparison with staging, market ranking, policy lab."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from kaigai.app.served import duty as duty_svc
from kaigai.app.served import engines
from kaigai.core.countries import country_label
from kaigai.core.errors import InputError, KaigaiError
from kaigai.core.i18n import t
from kaigai.web import charts
from kaigai.web.pickers import iso3_or_blank
from kaigai.web.render import lang_of, render
from kaigai.web.webdeps import WebUser, check_form_csrf, state_of

router = APIRouter()
STAGING_YEARS = 10


def _date(text: str) -> dt.date | None:
    if not text.strip():
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError as exc:
        raise InputError(f"'{text}' is not a date.", hint="Use YYYY-MM-DD.") from exc


@router.get("/duty")
def duty_page(
    request: Request,
    user: WebUser,
    hs: Annotated[str, Query(max_length=20)] = "",
    origin: Annotated[str, Query(max_length=60)] = "JPN",
    destination: Annotated[str, Query(max_length=60)] = "VNM",
    as_of: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    """Duty options side by side and each option's rate over the next years (staging)."""
    state = state_of(request)
    ctx: dict[str, Any] = {"hs": hs, "origin": origin, "destination": destination, "as_of": as_of,
                           "result": None, "error": None, "chart": ""}  # fmt: skip
    if hs.strip():
        try:
            on = _date(as_of)
            lang = lang_of(request)
            res = duty_svc.duty_options(
                state, hs=hs, origin=origin, destination=destination, as_of=on, lang=lang
            )
            ctx["result"] = res
            start = (on or dt.date.today()).year
            series: dict[str, list[tuple[str, float | None]]] = {}
            for y in range(start, start + STAGING_YEARS):
                r = duty_svc.duty_options(state, hs=hs, origin=origin, destination=destination,
                                          as_of=dt.date(y, 12, 31), lang=lang)  # fmt: skip
                for srow in r["summary"]:
                    series.setdefault(srow["option"], []).append((str(y), srow["min_rate_pct"]))
            ctx["chart"] = charts.line_chart(
                series,
                title=t(
                    "Duty rate by option, {start}-{end}",
                    lang,
                    start=start,
                    end=start + STAGING_YEARS - 1,
                ),
            )
            ctx["series"] = series
        except KaigaiError as exc:
            ctx["error"] = exc.to_dict()
    return render(request, "duty.html", user=user, **ctx)


@router.get("/markets")
def markets_page(
    request: Request,
    user: WebUser,
    hs: Annotated[str, Query(max_length=12)] = "",
    exporter: Annotated[str, Query(max_length=60)] = "JPN",
) -> Response:
    """Market ranking with a bar chart of untapped potential and a map."""
    ctx: dict[str, Any] = {"hs": hs, "exporter": exporter, "result": None, "error": None}
    if hs.strip():
        state = state_of(request)
        try:
            lang = lang_of(request)
            res = engines.markets(state, exporter, hs, lang=lang)
            top = res["markets"][:15]
            ctx["result"] = res
            ctx["top"] = top
            names = [country_label(m["market"], lang) for m in top]  # codes stay in JSON
            ctx["bars"] = charts.bar_chart(names, [m["untapped_usd"] for m in top],
                                           title=t("Untapped export potential (USD)", lang))  # fmt: skip
            ctx["map"] = charts.point_map(
                [(country_label(p[0], lang), *p[1:]) for p in _geo(state, top)],
                title=t("Markets by potential (circle area)", lang),
            )
        except KaigaiError as exc:
            ctx["error"] = exc.to_dict()
    return render(request, "markets.html", user=user, **ctx)


def _geo(state: Any, rows: list[dict[str, Any]]) -> list[tuple[str, float, float, float]]:
    from kaigai.data import store

    def load() -> dict[str, tuple[float, float]]:
        df = store.load("geodist_geo", state.settings, columns=["iso3", "lat", "lon"])
        out: dict[str, tuple[float, float]] = {}
        for r in df.itertuples(index=False):
            out.setdefault(str(r.iso3), (float(str(r.lat)), float(str(r.lon))))
        return out

    try:
        geo = state.shared("geo", load)
    except KaigaiError:
        return []
    out = []
    for m in rows:  # trade files may key a market otherwise than GeoDist (Taiwan: S19 / TWN)
        iso = m["market"] if m["market"] in geo else iso3_or_blank(m["market"])
        if iso in geo:
            out.append((m["market"], *geo[iso], float(m["potential_usd"] or 0)))
    return out


@router.get("/policy")
def policy_page(request: Request, user: WebUser) -> Response:
    return render(request, "policy.html", user=user, scenarios=engines.scenarios(), result=None)


@router.post("/policy")
async def policy_run(
    request: Request,
    user: WebUser,
    scenario: Annotated[str, Form(max_length=60)],
    firms: Annotated[int, Form(ge=1000, le=engines.MAX_FIRMS)] = 20_000,
    draws: Annotated[int, Form(ge=0, le=engines.MAX_DRAWS)] = 0,
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    check_form_csrf(request, csrf_token)
    state = state_of(request)
    ctx: dict[str, Any] = {"scenarios": engines.scenarios(), "chosen": scenario, "firms": firms,
                           "draws": draws, "result": None, "error": None}  # fmt: skip
    try:
        res, _html = await run_in_threadpool(
            engines.run_scenario, state, scenario, firms=firms, draws=draws
        )
        ctx["result"] = res
        rows = (res.get("ge") or {}).get("countries") or []
        top = sorted(rows, key=lambda r: -abs(r.get("real_gdp_pct") or 0))[:12]
        ctx["ge_top"] = top
        if top:
            names = [country_label(r["country"], lang_of(request)) for r in top]
            ctx["ge_chart"] = charts.bar_chart(names, [r["real_gdp_pct"] for r in top],
                                               title=t("Real GDP change (%)", lang_of(request)), unit="%")  # fmt: skip
    except KaigaiError as exc:
        ctx["error"] = exc.to_dict()
    return render(request, "policy.html", user=user, **ctx)
