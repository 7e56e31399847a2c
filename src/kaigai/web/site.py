"""The served site: the REST API (``kaigai.api``) with the dashboard mounted beside it.

This is the composition root of ``kaigai serve``; the API package itself knows nothing of the
dashboard (web and api are siblings that both call the application layer).
"""

from __future__ import annotations

from kaigai.api.app import KaigaiAPI, create_app
from kaigai.core.config import Settings
from kaigai.service.state import Limits
from kaigai.web import mount


def create_site(
    settings: Settings | None = None, *, limits: Limits | None = None, warm: bool = False
) -> KaigaiAPI:
    """The API app (see :func:`kaigai.api.app.create_app`) plus the dashboard under ``/``."""
    app = create_app(settings, limits=limits, warm=warm)
    mount(app)
    return app


def create_served_site() -> KaigaiAPI:
    """Factory for ``uvicorn --factory`` worker processes (``kaigai serve --workers N``): settings
    from the environment, reference data loaded at start-up in every worker."""
    return create_site(warm=True)


__all__ = ["create_served_site", "create_site"]
