"""``kaigai data status|import|pull|coverage``: the dataset catalog."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from kaigai.cli.common import (
    console,
    err_console,
    esc,
    output,
    table,
)
from kaigai.cli.options import shared
from kaigai.core.i18n import t
from kaigai.data.catalog import status as catalog_status
from kaigai.data.importer import FileResult, Planned, import_path


def _fmt_rows(v: Any) -> str:
    return f"{int(v):,}" if isinstance(v, int | float) else "-"


NoPrepareOpt = Annotated[
    bool,
    typer.Option(
        "--no-prepare",
        help="Fast: do not rebuild the prepared indexes now (HS nomenclature, rules of origin, "
        "market potentials); the first command that needs one builds it.",
    ),
]


def register(app: typer.Typer) -> None:
    data = typer.Typer(
        help="Datasets: status, import local files, pull from official sources.",
        no_args_is_help=True,
    )
    app.add_typer(data, name="data")
    from kaigai.cli.data_coverage import coverage_cmd

    data.command("coverage")(coverage_cmd)

    @data.command("status")
    def status_cmd() -> None:
        """List the registered datasets: edition, source, licence, sha256, rows, import time."""
        opts = shared()
        s, lg = opts.settings(), opts.lg
        rows = catalog_status(s)
        payload = {"catalog_path": str(s.catalog_path), "datasets": rows}

        def human() -> None:
            console.print(
                table(
                    t("kaigai datasets ({path})", lg, path=s.catalog_path),
                    [
                        t("Dataset", lg),
                        t("Location", lg),
                        t("Edition", lg),
                        t("Rows", lg),
                        "sha256",
                        t("Imported", lg),
                    ],
                    [
                        (
                            r["name"],
                            t(r["location"], lg),
                            r["edition"],
                            _fmt_rows(r["row_count"]),
                            (r["sha256"] or "")[:12],
                            str(r["imported_at"] or "")[:19],
                        )
                        for r in rows
                    ],
                )
            )
            console.print(
                table(
                    t("Sources and licences", lg),
                    [t("Dataset", lg), t("Licence", lg), t("Source URL", lg)],
                    [(r["name"], r["licence"], r["url"] or "-") for r in rows],
                )
            )

        output(payload, opts.json, human)

    @data.command("import")
    def import_cmd(
        path: Annotated[
            Path, typer.Argument(help="A file or a folder, e.g. ../shared/data/markets.")
        ],
        as_name: Annotated[
            str | None, typer.Option("--as", help="Dataset name for a single unregistered file.")
        ] = None,
        force: Annotated[
            bool, typer.Option("--force", help="Re-import even if the checksum is unchanged.")
        ] = False,
        no_prepare: NoPrepareOpt = False,
    ) -> None:
        """Import Parquet/CSV files into the catalog (one transaction; unchanged files are skipped).

        Then prepares the indexes of the new catalog state (HS nomenclature, rules of origin, the
        market finder's export potentials), so the next commands start fast; --no-prepare skips it.
        """
        opts = shared()
        s, lg = opts.settings(), opts.lg
        with Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TimeElapsedColumn(),
            console=err_console,
            disable=opts.json or not err_console.is_terminal,
            transient=False,
        ) as bar:
            tasks: dict[Path, Any] = {}

            def on(event: str, item: Planned, res: FileResult | None) -> None:
                size = item.path.stat().st_size
                if event == "start":
                    tasks[item.path] = bar.add_task(item.path.name, total=size)
                elif res is not None:
                    label = f"{item.path.name} -> {res.dataset or '-'}: {t(res.action, lg)}"
                    bar.update(tasks[item.path], completed=size, description=label)

            results = import_path(path, s, as_name=as_name, force=force, progress=on)
        counts = {
            a: sum(r.action == a for r in results)
            for a in ("imported", "replaced", "unchanged", "skipped")
        }
        payload = {
            "path": str(path),
            "catalog_path": str(s.catalog_path),
            "summary": counts,
            "files": [r.to_dict() for r in results],
        }

        def human() -> None:
            console.print(
                table(
                    t("Import of {path}", lg, path=path),
                    [
                        t("File", lg),
                        t("Dataset", lg),
                        t("Action", lg),
                        t("Rows", lg),
                        t("Reason", lg),
                    ],
                    [
                        (
                            Path(r.path).name,
                            r.dataset or "",
                            t(r.action, lg),
                            _fmt_rows(r.rows),
                            r.reason,
                        )
                        for r in results
                    ],
                )
            )
            console.print(esc(", ".join(f"{t(k, lg)}: {v}" for k, v in counts.items())))

        output(payload, opts.json, human)
        if not no_prepare:
            _prepare(s, opts.json)

    @data.command("pull")
    def pull_cmd(
        name: Annotated[
            str,
            typer.Argument(
                help="Dataset (hs_nomenclature, wgi, ...) or connector: baci, wits, uk-tariff, usitc-hts."
            ),
        ],
        reporter: Annotated[
            str | None, typer.Option("--reporter", help="wits: the importing country (ISO3).")
        ] = None,
        partner: Annotated[
            str, typer.Option("--partner", help="wits: the exporting partner (default JPN).")
        ] = "JPN",
        year: Annotated[
            int | None, typer.Option("--year", help="wits: data year (default: two years ago).")
        ] = None,
        years: Annotated[
            str | None,
            typer.Option(
                "--years", help="baci: years to average, e.g. 2019-2023 (default: last 5)."
            ),
        ] = None,
        agreement: Annotated[
            str | None,
            typer.Option(
                "--agreement", help="wits: agreement id for the partner's preferential rates."
            ),
        ] = None,
        hs: Annotated[
            list[str] | None,
            typer.Option("--hs", help="uk-tariff: HS6 code or heading to fetch (repeatable)."),
        ] = None,
        file: Annotated[
            list[str] | None,
            typer.Option(
                "--file", help="Convert a file you downloaded by hand instead (repeatable)."
            ),
        ] = None,
        url: Annotated[
            str | None,
            typer.Option("--url", help="baci/usitc-hts: another release's download URL."),
        ] = None,
        edition: Annotated[
            str | None,
            typer.Option("--edition", help="usitc-hts: edition label, e.g. '2026 Rev. 4'."),
        ] = None,
        no_import: Annotated[
            bool, typer.Option("--no-import", help="Only download and checksum.")
        ] = False,
        force: Annotated[
            bool, typer.Option("--force", help="Download again even if cached.")
        ] = False,
        no_prepare: NoPrepareOpt = False,
    ) -> None:
        """Download a dataset from its official source into the cache, checksum it, import it.

        When new data lands, prepares the indexes of the new catalog state as ``data import``
        does (--no-prepare skips it).
        """
        opts = shared()
        from kaigai.data.connectors import CONNECTORS

        s, lg = opts.settings(), opts.lg
        if name in CONNECTORS:
            landed = _run_connector(
                name,
                s,
                lg,
                opts.json,
                force,
                reporter=reporter,
                partner=partner,
                year=year,
                years=_years(years),
                agreement=agreement,
                hs=hs,
                file=file,
                url=url,
                edition=edition,
            )
        else:
            landed = _run_pull(name, s, lg, opts.json, force, no_import)
        if landed and not no_prepare:
            _prepare(s, opts.json)


def _run_pull(name: str, s: Any, lg: str, as_json: bool, force: bool, no_import: bool) -> bool:
    """Pull one registered dataset and show what it fetched; True when it changed the catalog."""
    from kaigai.data.pull import pull

    with _download_bar(name, as_json) as on_bytes:
        res = pull(
            name,
            s,
            do_import=not no_import,
            force=force,
            on_bytes=on_bytes,
        )
    payload = res.to_dict()

    def human() -> None:
        rows = [
            (t("Dataset", lg), res.name),
            (t("Source URL", lg), res.url),
            (t("File", lg), res.path),
            ("sha256", res.sha256),
            (t("Bytes", lg), f"{res.bytes:,}"),
            (t("From cache", lg), t("yes", lg) if res.cached else t("no", lg)),
        ]
        if res.imported:
            rows.append(
                (
                    t("Action", lg),
                    f"{t(res.imported.action, lg)} ({_fmt_rows(res.imported.rows)} {t('rows', lg)})",
                )
            )
        if res.note:
            rows.append((t("Note", lg), res.note))
        console.print(
            table(t("Pull {name}", lg, name=name), [t("Field", lg), t("Value", lg)], rows)
        )

    output(payload, as_json, human)
    return res.landed


def _prepare(settings: Any, as_json: bool) -> None:
    """Build the prepared indexes of the new catalog state, one line per index on stderr."""
    import time

    from kaigai.app.prepare import steps

    quiet = as_json and not err_console.is_terminal
    for step in steps(settings):
        t0 = time.perf_counter()
        if quiet:
            step.run()
            continue
        with err_console.status(esc(step.message)):
            done = step.run()
        err_console.print(esc(f"{step.message} {done} ({time.perf_counter() - t0:.1f} s)"))


def _years(text: str | None) -> tuple[int, ...] | None:
    if not text:
        return None
    from kaigai.core.errors import InputError

    try:
        if "-" in text:
            a, b = (int(x) for x in text.split("-", 1))
            return tuple(range(a, b + 1))
        return tuple(int(x) for x in text.split(","))
    except ValueError as exc:
        raise InputError(
            f"--years '{text}' is not a year range.", hint="e.g. --years 2019-2023"
        ) from exc


@contextmanager
def _download_bar(name: str, as_json: bool) -> Iterator[Callable[[int, int | None], None]]:
    """A bytes progress bar on stderr (off for --json or a pipe); yields its update callback."""
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeElapsedColumn(),
        console=err_console,
        disable=as_json or not err_console.is_terminal,
    ) as bar:
        task = bar.add_task(name, total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)


def _run_connector(name: str, s: Any, lg: str, as_json: bool, force: bool, **params: Any) -> bool:
    """Run a connector and show what it fetched; True when new data landed."""
    from kaigai.data.connectors import run

    with _download_bar(name, as_json) as on_bytes:
        res = run(name, s, force=force, on_bytes=on_bytes, **params)
    payload = res.to_dict()

    def human() -> None:
        rows = [
            (d["url"], d["sha256"][:12], t("yes", lg) if d["cached"] else t("no", lg))
            for d in res.downloads
        ]
        if rows:
            console.print(
                table(
                    t("Pull {name}", lg, name=name),
                    [t("Source URL", lg), "sha256", t("From cache", lg)],
                    rows,
                )
            )
        for tb in res.tables:
            console.print(", ".join(f"{k}: {v}" for k, v in tb.items()))
        for n in res.notes:
            console.print(n)

    output(payload, as_json, human)
    return res.landed
