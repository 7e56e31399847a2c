"""``kaigai serve``: the REST API and the web dashboard with uvicorn (localhost by default)."""

from __future__ import annotations

from typing import Annotated

import typer

from kaigai.cli.common import console, esc
from kaigai.cli.options import shared, takes
from kaigai.core.errors import InputError, PortInUseError


def check_port_free(host: str, port: int) -> None:
    """Bind ``host:port`` once as uvicorn would, so a busy port is a clear error before any loading.

    Raises
    ------
    PortInUseError
        the address is in use (e.g. a second ``kaigai serve``); exit code 69.
    InputError
        the host name cannot be resolved or bound.
    """
    import errno
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise InputError(f"--host {host}: {exc.strerror}.", hint="e.g. --host 127.0.0.1") from exc
    family, kind, proto, _, addr = infos[0]
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
        try:
            sock.bind(addr)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise PortInUseError(
                    f"Port {port} on {host} is already in use (another `kaigai serve` or another program).",
                    hint=f"Stop the other server, or choose a free port: kaigai serve --port {port + 1}",
                    host=host,
                    port=port,
                ) from exc
            raise InputError(
                f"Cannot listen on {host}:{port}: {exc.strerror}.",
                hint="Ports below 1024 need administrator rights; use e.g. --port 8000.",
            ) from exc


def register(app: typer.Typer) -> None:
    @app.command("serve")
    @takes("config")
    def serve(
        host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
        port: Annotated[int, typer.Option("--port", min=1, max=65535, help="TCP port.")] = 8000,
        workers: Annotated[int, typer.Option("--workers", min=1, max=32, help="Processes.")] = 1,
        log_level: Annotated[
            str,
            typer.Option(
                "--log-level", help="uvicorn log level: critical, error, warning, info, debug."
            ),
        ] = "warning",
    ) -> None:
        """Serve the dashboard (/) and the REST API (/api/v1, docs at /api/v1/docs)."""
        opts = shared()
        import uvicorn

        from kaigai.api.app import server_options
        from kaigai.storage.db import database_url
        from kaigai.web.site import create_site

        s = opts.settings()
        check_port_free(host, port)
        url = database_url(s)
        shown = url.split("@")[-1] if "@" in url else url
        console.print(
            esc(
                f"kaigai dashboard on http://{host}:{port}/  (API docs /api/v1/docs; database {shown})"
            )
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
                **server_options(s),  # type: ignore[arg-type]
            )
        else:
            uvicorn.run(
                create_site(s, warm=True),
                host=host,
                port=port,
                log_level=log_level,
                access_log=False,
                **server_options(s),  # type: ignore[arg-type]
            )
