"""``kaigai config show``."""

from __future__ import annotations

import typer

from kaigai.cli.common import console, output, table
from kaigai.cli.options import shared, takes
from kaigai.core.config import config_file_candidates


def register(app: typer.Typer) -> None:
    cfg = typer.Typer(help="Show the effective configuration.", no_args_is_help=True)
    app.add_typer(cfg, name="config")

    @cfg.command("show")
    @takes("json", "config")
    def show() -> None:
        """Print the effective settings and where they can be changed."""
        opts = shared()
        s = opts.settings()
        data = {k: str(v) for k, v in s.model_dump().items() if k != "secret_key"}
        data["catalog_path"] = str(s.catalog_path)
        files = [str(p) for p in ([opts.config] if opts.config else config_file_candidates())]
        output(
            {"settings": data, "config_files": files},
            opts.json,
            lambda: console.print(
                table(
                    "kaigai settings (env KAIGAI_<NAME> > kaigai.toml > default)",
                    ["setting", "value"],
                    data.items(),
                )
            ),
        )
