"""The FastAPI application factory: ``create_app(settings)`` (REST under /api/v1 + dashboard)."""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.types import Receive, Scope, Send

from kaigai import __version__
from kaigai.api import errors
from kaigai.core.config import Settings, get_settings
from kaigai.service.fastpath import AnswerCache
from kaigai.service.middleware import GuardMiddleware
from kaigai.service.security import load_secret_key
from kaigai.service.state import AppState, Limits
from kaigai.storage.db import database_url, open_database

log = logging.getLogger("kaigai.api")

API_PREFIX = "/api/v1"
# Routers mounted under /api/v1; engine routers are skipped (logged) if their engine is absent.
ROUTERS = (
    "auth", "reference", "workspaces", "boms", "records",
    "hs", "duty", "origin", "markets", "readiness", "plans", "policy",
)  # fmt: skip
MAX_BODY = 2_000_000

DESCRIPTION = """kaigai (海外) as a service: HS lookup, markets, duty options, rules of origin,
readiness, plans and policy scenarios, with private per-firm workspaces.

Authenticate with an API key (`Authorization: Bearer kg_...`) or a session cookie from
`POST /api/v1/auth/login` (then send `X-CSRF-Token` on writes). Errors always have the shape
`{"code", "message", "hint"}`. Lists are paginated with `limit` and `offset`."""


class KaigaiAPI(FastAPI):
    """FastAPI plus a check, before routing, for exact repeats of cached public GETs."""

    answers: AnswerCache

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and await self.answers.serve(scope, send):
            return
        await super().__call__(scope, receive, send)


def create_app(
    settings: Settings | None = None, *, limits: Limits | None = None, warm: bool = False
) -> KaigaiAPI:
    """Build the API app: open (and migrate) the database, mount the REST routers.

    The dashboard is added by :func:`kaigai.web.site.create_site` (web and api are siblings).

    ``warm=True`` loads the reference data (HS nomenclature, rule books, tariff index) in a
    background thread at start-up so that the first users do not wait for it.
    """
    settings = settings or get_settings()
    db = open_database(database_url(settings))
    state = AppState(
        settings=settings, db=db, secret=load_secret_key(settings.secret_key, settings.data_dir),
        limits=limits or Limits(),
    )  # fmt: skip

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if warm:
            threading.Thread(target=_warm, args=(state,), name="kaigai-warm", daemon=True).start()
        yield
        db.dispose()

    app = KaigaiAPI(
        title="kaigai", version=__version__, description=DESCRIPTION, lifespan=lifespan,
        openapi_url=f"{API_PREFIX}/openapi.json", docs_url=f"{API_PREFIX}/docs", redoc_url=None,
    )  # fmt: skip
    app.state.kaigai = state
    app.answers = state.answers
    errors.install(app)

    app.add_middleware(GuardMiddleware, max_body=MAX_BODY, api_prefix=API_PREFIX)

    for name in ROUTERS:
        try:
            module = importlib.import_module(f"kaigai.api.routers.{name}")
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.startswith("kaigai.api.routers"):
                continue
            log.warning("API router %s not mounted: %s", name, exc)
            continue
        app.include_router(module.router, prefix=API_PREFIX)
    return app


def server_options(settings: Settings) -> dict[str, object]:
    """uvicorn options for ``kaigai serve``: forwarded headers are believed only from the
    proxies in ``settings.trusted_proxies`` (uvicorn's default trusts them from 127.0.0.1,
    which lets any local client pick its address for the log-in limiter)."""
    trusted = ",".join(x.strip() for x in settings.trusted_proxies.split(",") if x.strip())
    if not trusted:
        return {"proxy_headers": False, "forwarded_allow_ips": ""}
    return {"proxy_headers": True, "forwarded_allow_ips": trusted}


def _warm(state: AppState) -> None:
    from kaigai.app.served import duty, origin, reference
    from kaigai.core.errors import KaigaiError

    for load in (reference.nomenclature, origin.context, duty.index):
        try:
            load(state)
        except KaigaiError as exc:  # missing data is reported when a user asks for it
            log.warning("warm-up skipped %s: %s", load.__name__, exc.message)


__all__ = ["API_PREFIX", "KaigaiAPI", "create_app", "server_options"]
