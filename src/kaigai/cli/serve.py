"""``kaigai serve``: the REST API and the web dashboard with uvicorn (localhost by default)."""

from __future__ import annotations

from typing import Annotated

import typer

from kaigai.cli.common import ConfigOpt, console, settings


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(
        host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
        port: Annotated[int, typer.Option("--port", min=1, max=65535, help="TCP port.")] = 8000,
        workers: Annotated[int, typer.Option("--workers", min=1, max=32, help="Processes.")] = 1,
        log_level: Annotated[str, typer.Option("--log-level")] = "warning",
        config: ConfigOpt = None,
    ) -> None:
        """Serve the dashboard (/) and the REST API (/api/v1, docs at /api/v1/docs)."""
        import uvicorn

        from kaigai.storage.db import database_url
        from kaigai.web.site import create_site

        s = settings(config)
        url = database_url(s)
        shown = url.split("@")[-1] if "@" in url else url
        console.print(
            f"kaigai dashboard on http://{host}:{port}/  (API docs /api/v1/docs; database {shown})"
        )
        # No access log (a log line per request costs more than a cached answer); uvicorn uses
        # httptools and uvloop when installed (web extra).
        if workers > 1:  # each worker process builds its app and loads the reference data
            uvicorn.run(
                "kaigai.web.site:create_served_site",
                factory=True,
                host=host,
                port=port,
                workers=workers,
                log_level=log_level,
                access_log=False,
            )
        else:
            uvicorn.run(
                create_site(s, warm=True),
                host=host,
                port=port,
                log_level=log_level,
                access_log=False,
            )
