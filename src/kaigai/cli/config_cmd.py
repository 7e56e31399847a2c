"""``kaigai config show``."""

from __future__ import annotations

import typer

from kaigai.cli.common import ConfigOpt, JsonOpt, console, output, settings, table
from kaigai.core.config import config_file_candidates


def register(app: typer.Typer) -> None:
    cfg = typer.Typer(help="Show the effective configuration.", no_args_is_help=True)
    app.add_typer(cfg, name="config")

    @cfg.command("show")
    def show(as_json: JsonOpt = False, config: ConfigOpt = None) -> None:
        """Print the effective settings and where they can be changed."""
        s = settings(config)
        data = {k: str(v) for k, v in s.model_dump().items() if k != "secret_key"}
        data["catalog_path"] = str(s.catalog_path)
        files = [str(p) for p in ([config] if config else config_file_candidates())]
        output(
            {"settings": data, "config_files": files},
            as_json,
            lambda: console.print(
                table(
                    "kaigai settings (env KAIGAI_<NAME> > kaigai.toml > default)",
                    ["setting", "value"],
                    data.items(),
                )
            ),
        )
