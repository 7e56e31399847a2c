"""``kaigai plan FIRM``: the one-command export plan (markets -> duty/FTA -> origin -> readiness -> actions)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import typer

from kaigai.cli.common import (
    console,
    emit_json,
    err_console,
    esc,
    settings,
    table,
)
from kaigai.cli.options import shared
from kaigai.core.i18n import check_lang, t


def default_out(firm: Path, lang: str) -> Path:
    return Path.cwd() / f"{firm.stem}_plan_{lang}.html"


def run_plan(
    firm: Path,
    *,
    n_markets: int,
    lang: str | None,
    out: Path | None,
    config: Path | None,
    quiet: bool = False,
    since: dt.date | None = None,
) -> tuple[Any, Path]:
    """Load the profile, build the plan and write the report; returns (plan, report path)."""
    from kaigai.app.plan import build_plan, load_profile, write_plan

    s = settings(config, lang)
    lg = check_lang(s.lang)
    status = err_console.status(t("Building the export plan…", lg)) if not quiet else None
    if status is not None:
        status.start()
    try:
        from kaigai.data.plan_history import last_plan, record_plan

        profile = load_profile(firm, s)
        key = str(firm.resolve())
        plan = build_plan(
            profile, s, n_markets=n_markets, lang=lg, base_dir=firm.resolve().parent,
            since=since or last_plan(s, key),
        )  # fmt: skip
        path = write_plan(plan, out or default_out(firm, lg), s)
        record_plan(s, key, dt.date.today())
    finally:
        if status is not None:
            status.stop()
    return plan, path


def duty_cell(m: Any, lg: str) -> str:
    """Best duty option of a market, or the range over its national lines."""
    if m.duty.status == "ok":
        return str(m.duty.best_option)
    if m.duty.lines:
        return t("{options} (range over {n} lines)", lg, options="/".join(m.duty.best_options),
                 n=len(m.duty.lines))  # fmt: skip
    return t("no data", lg)


def origin_cell(m: Any, lg: str) -> str:
    if m.origin.status == "ok":
        verdict = t("qualifies", lg) if m.origin.qualifies else t("does not qualify", lg)
        return f"{m.origin.agreement}: {verdict}"
    return t("no agreement (MFN)", lg) if m.origin.reason == "no_fta" else t("not checked", lg)


def print_summary(plan: Any, path: Path) -> None:
    lg = plan.lang
    console.print(
        f"[bold green]{esc(t('Report written to {path}', lg, path=str(path)))}[/bold green]"
    )
    for line in plan.summary:
        console.print(f"• {esc(line)}")
    for p in plan.products:
        rows = [
            (
                m.name,
                "—" if m.rank is None else m.rank,
                duty_cell(m, lg),
                origin_cell(m, lg),
            )
            for m in p.markets
        ]
        cols = [t("Market", lg), t("Rank", lg), t("Best duty option", lg), t("Origin check", lg)]
        console.print(table(f"HS {p.hs6} {p.description}", cols, rows))
    if plan.gaps:
        console.print(
            f"[yellow]{t('What this plan could not check, and how to fill it', lg)}:[/yellow]"
        )
        for g in plan.gaps:
            console.print(f"  - {esc(g.text)}")
            if g.fill:
                console.print(f"    [cyan]→ {esc(g.fill)}[/cyan]", highlight=False)


def register(app: typer.Typer) -> None:
    @app.command("plan")
    def plan_cmd(
        firm: Annotated[Path, typer.Argument(help="Firm profile (.toml or .yaml).")],
        markets: Annotated[
            int, typer.Option("--markets", help="How many top-ranked markets to analyse.")
        ] = 5,
        out: Annotated[
            Path | None,
            typer.Option(
                "--out",
                help="Report file: .html, .pdf or .json (default ./<firm>_plan_<lang>.html).",
            ),
        ] = None,
        since: Annotated[
            str | None,
            typer.Option(
                "--since",
                help="List rate changes since this date (default: this firm's last plan).",
            ),
        ] = None,
    ) -> None:
        """Export plan for a firm: market finder -> duty & FTA -> origin -> readiness -> actions."""
        opts = shared()
        from kaigai.app.duty import resolve_date

        plan, path = run_plan(
            firm, n_markets=markets, lang=opts.lang, out=out, config=opts.config, quiet=opts.json,
            since=resolve_date(None, since) if since else None,
        )  # fmt: skip
        if opts.json:
            data = plan.to_dict()
            data["report_path"] = str(path)
            emit_json(data)
        else:
            print_summary(plan, path)
