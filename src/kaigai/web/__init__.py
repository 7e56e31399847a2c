"""Server-rendered dashboard (Jinja2 + vendored htmx): pages under /, static files under /static."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).parent / "static"


def mount(app: FastAPI) -> None:
    """Add the dashboard routes and static files to ``app``."""
    from kaigai.web import pages
    from kaigai.web.render import render_error

    app.state.html_error = render_error  # the API's error handlers answer browsers with a page
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    for router in pages.routers():
        app.include_router(router, include_in_schema=False)


__all__ = ["mount"]
