"""The ``kaigai`` command. Each command group lives in its own module with ``register(app)``."""

from __future__ import annotations

import importlib
import json
import sys
from typing import Any

import typer
import typer.main
from typer._click import core as tclick  # Typer's own Click (commands are built with it)
from typer.core import TyperGroup

from kaigai.cli.coerce import plain_types
from kaigai.cli.options import ConfigOpt, JsonOpt, LangOpt, SharedOptions, add_shared_options
from kaigai.cli.registry import COMMANDS
from kaigai.cli.subgroups import ListedGroup
from kaigai.core.errors import KaigaiError


class LazyGroup(ListedGroup):
    """The root group: commands come from :data:`~kaigai.cli.registry.COMMANDS` and their modules
    are imported only when the command is invoked (help lists use the registry's text)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        plain_types(self)  # the root's --json/--lang/--config converted without pydantic

    def list_commands(self, ctx: tclick.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(COMMANDS))

    def get_command(self, ctx: tclick.Context, cmd_name: str) -> tclick.Command | None:
        got = super().get_command(ctx, cmd_name)
        if got is not None or cmd_name not in COMMANDS:
            return got
        if self._listing:  # help text only: no import
            return self.stub(cmd_name, COMMANDS[cmd_name][1])
        return load_command(cmd_name, ctx.find_root().command.params)


def load_command(
    name: str, shared_params: list[tclick.Parameter] | None = None
) -> tclick.Command | None:
    """Import the modules of command ``name`` and build its Click command, with the shared
    options (``shared_params``: the root's ``--json/--lang/--config``; default: :data:`app`'s)."""
    sub = typer.Typer()

    @sub.callback()
    def _group() -> None:  # a callback keeps a one-command app a group
        pass

    for mod in COMMANDS[name][0]:
        importlib.import_module(f"kaigai.cli.{mod}").register(sub)
    group = typer.main.get_command(sub)
    assert isinstance(group, TyperGroup)
    cmd = group.get_command(tclick.Context(group), name)
    if cmd is not None:
        plain_types(cmd)
        if shared_params is None:
            shared_params = typer.main.get_command(app).params
        add_shared_options(cmd, shared_params)
    return cmd


app = typer.Typer(
    name="kaigai",
    help="kaigai (海外): export toolkit for small firms — markets, duties & FTAs, rules of origin, readiness, policy.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    cls=LazyGroup,
)


@app.callback()
def _root(
    ctx: typer.Context, as_json: JsonOpt = False, lang: LangOpt = None, config: ConfigOpt = None
) -> None:
    """kaigai (海外): export toolkit for small firms — markets, duties & FTAs, rules of origin, readiness, policy."""
    # the shared options are declared here only; every command also takes them after its name
    # (kaigai.cli.options gives each loaded command copies of these)
    from kaigai.core.config_file import choose_config_file

    choose_config_file(None)  # this invocation's --config only (set below or after the name)
    ctx.call_on_close(lambda: choose_config_file(None))  # and not past its end (in-process runs)
    opts = ctx.ensure_object(SharedOptions)
    for key, value in (("json", as_json), ("lang", lang), ("config", config)):
        opts.set(key, value, root=True)


def _report_error(exc: KaigaiError, as_json: bool) -> int:
    if as_json:
        typer.echo(json.dumps({"error": exc.to_dict()}, ensure_ascii=False, indent=2))
    typer.echo(f"Error: {exc.message}", err=True)
    if exc.hint:
        typer.echo(f"Hint: {exc.hint}", err=True)
    return exc.exit_code


def resolve_aliases(args: list[str]) -> list[str]:
    """Spoken forms of commands: ``kaigai duty changes`` is the ``duty-changes`` command."""
    if args[:2] == ["duty", "changes"]:
        return ["duty-changes", *args[2:]]
    return args


def _click() -> Any:
    """The ``click`` package (not Typer's own copy), imported only when an exception is matched
    against it: a library the command calls may raise its errors."""
    import click

    return click


def one_blas_thread() -> None:
    """Before numpy is first imported: OpenBLAS with one thread unless the user chose a
    number. At import, OpenBLAS starts a thread per CPU that spins about 0.1 s before it
    sleeps (60-80 ms of CPU per command on 2 CPUs, beside the file read and the fit); the
    commands' dense algebra is small (k x k in a fit, 160 x 160 in a GE run), so the threads
    bring nothing, and the estimators limit BLAS to one thread anyway."""
    import os

    if "numpy" not in sys.modules:
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app, translating KaigaiError into a message and exit code."""
    from kaigai.core.progress import set_sink

    one_blas_thread()

    args = list(sys.argv[1:] if argv is None else argv)
    if (
        sys.stderr.isatty()
    ):  # "Preparing …" on first use after an import (never mixed into --json pipes)
        set_sink(lambda msg: typer.echo(msg, err=True))
    args = resolve_aliases(args)
    try:
        rc = app(args=args, prog_name="kaigai", standalone_mode=False)
    except KaigaiError as exc:
        sys.exit(_report_error(exc, "--json" in args))
    except (_click().exceptions.Abort, typer.Abort):
        typer.echo("Aborted.", err=True)
        sys.exit(130)
    except _click().exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except _click().ClickException as exc:
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
    except MemoryError as exc:  # outside the C kernels (which raise OutOfMemoryError): numpy
        from kaigai.core.errors import OutOfMemoryError

        detail = str(exc)  # numpy's "Unable to allocate 7.1 PiB for an array ...": kept
        oom = OutOfMemoryError(
            "Not enough memory for this command" + (f": {detail}" if detail else "."),
            hint="kaigai needed more memory than is free: close other programs or give it "
            "less data (policy estimate: fewer rows or fixed effects, or --engine spark)",
        )
        sys.exit(_report_error(oom, "--json" in args))
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
