"""The ``kaigai`` command. Each command group lives in its own module with ``register(app)``."""

from __future__ import annotations

import importlib
import json
import pkgutil
import sys

import click
import typer

from kaigai.core.errors import KaigaiError

app = typer.Typer(
    name="kaigai",
    help="kaigai (海外): export toolkit for small firms — markets, duties & FTAs, rules of origin, readiness, policy.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _command_modules() -> list[str]:
    """Modules under kaigai.cli that contribute commands: every one defining ``register(app)``."""
    import kaigai.cli as pkg

    skip = {"app", "common"}
    return sorted(
        m.name
        for m in pkgutil.iter_modules(pkg.__path__)
        if m.name not in skip and not m.name.startswith("_")
    )


for _mod in _command_modules():
    _module = importlib.import_module(f"kaigai.cli.{_mod}")
    if hasattr(_module, "register"):
        _module.register(app)


def _report_error(exc: KaigaiError, as_json: bool) -> int:
    if as_json:
        typer.echo(json.dumps({"error": exc.to_dict()}, ensure_ascii=False, indent=2))
    typer.echo(f"Error: {exc.message}", err=True)
    if exc.hint:
        typer.echo(f"Hint: {exc.hint}", err=True)
    return exc.exit_code


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app, translating KaigaiError into a message and exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:2] == ["duty", "changes"]:  # `kaigai duty changes` = the duty-changes command
        args = ["duty-changes", *args[2:]]
    try:
        rc = app(args=args, prog_name="kaigai", standalone_mode=False)
    except KaigaiError as exc:
        sys.exit(_report_error(exc, "--json" in args))
    except (click.exceptions.Abort, typer.Abort):
        typer.echo("Aborted.", err=True)
        sys.exit(130)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except typer.TyperException as exc:  # typer >= 0.2x vendors click: usage errors land here
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            typer.echo(f"Error: {exc}", err=True)
        sys.exit(int(getattr(exc, "exit_code", 2)))
    except KeyboardInterrupt:
        typer.echo("Interrupted.", err=True)
        sys.exit(130)
    except OSError as exc:  # a file or folder the OS refused: say which, never a traceback
        where = f" {exc.filename}" if exc.filename else ""
        typer.echo(f"Error: cannot access{where}: {exc.strerror or exc}.", err=True)
        typer.echo(
            "Hint: check the path and its permissions; kaigai's own folders are set by "
            "KAIGAI_DATA_DIR and KAIGAI_CACHE_DIR (`kaigai config show`).",
            err=True,
        )
        sys.exit(74)  # sysexits EX_IOERR
    sys.exit(rc if isinstance(rc, int) else 0)  # typer.Exit(code) returns its code here


if __name__ == "__main__":
    main()
