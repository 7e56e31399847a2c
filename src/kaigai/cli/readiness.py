"""``kaigai readiness``: export-readiness self-assessment (interactive, from a file, or a template)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from kaigai.cli.common import console, esc, output, table
from kaigai.cli.options import shared
from kaigai.core.errors import InputError
from kaigai.core.i18n import PLAN, pt, t, tr
from kaigai.readiness import (
    ReadinessResult,
    load_answers,
    load_questionnaire,
    unanswered_text,
)


def ask_interactively(lang: str) -> dict[str, str]:
    """Ask every question in the terminal (questionary select prompts)."""
    import questionary

    qn = load_questionnaire()
    answers: dict[str, str] = {}
    for d in qn.dimensions:
        console.rule(d.title.get(lang))
        for q in d.questions:
            choice = questionary.select(
                q.text.get(lang),
                choices=[questionary.Choice(o.label.get(lang), value=o.value) for o in q.options],
            ).ask()
            if choice is None:  # Ctrl-C / EOF
                raise typer.Abort()
            answers[q.id] = str(choice)
    return answers


def print_result(r: ReadinessResult, lang: str) -> None:
    rows = [
        (
            d.title.get(lang),
            "—" if d.score is None else f"{d.score:.1f}",
            f"{d.weight * 100:.0f}%",
            t(f"status:{d.status}", lang),
            f"{d.answered}/{d.total}",
        )
        for d in r.dimensions
    ]
    cols = [
        pt(PLAN, "Dimension", lang),  # the plan report's words for its readiness table
        t("Score", lang),
        t("Weight", lang),
        pt(PLAN, "Status", lang),
        t("Answered", lang),
    ]
    console.print(table(pt(PLAN, "Export readiness", lang), cols, rows))
    score = "—" if r.overall is None else f"{r.overall:.1f}"
    console.print(f"[bold]{t('Overall score', lang)}: {score} / 100[/bold]")
    for n in r.notes:
        console.print(f"[yellow]{esc(n)}[/yellow]")
    if r.unanswered:
        sep = "、" if lang == "ja" else "; "
        msg = t("Readiness: {n} question(s) unanswered: {ids}", lang, n=len(r.unanswered),
                ids=sep.join(unanswered_text(r, lang)))  # fmt: skip
        console.print(f"[yellow]{esc(msg)}[/yellow]")
    for i, s in enumerate(r.next_steps, 1):
        console.print(f"[bold]{i}. {esc(s.title.get(lang))}[/bold]")
        console.print(f"   {esc(s.why.get(lang))}")
        for src in s.sources:
            line = t("Source: {label} {url}", lang, label=tr(src.label, lang), url=src.url)
            console.print(f"   [dim]{esc(line)}[/dim]")


def register(app: typer.Typer) -> None:
    @app.command("readiness")
    def readiness_cmd(
        answers: Annotated[
            Path | None,
            typer.Option("--answers", help="YAML/TOML file of answers (question id: option)."),
        ] = None,
        template: Annotated[
            bool,
            typer.Option(
                "--template", help="Print a commented answers file with every question and stop."
            ),
        ] = False,
    ) -> None:
        """Export-readiness self-assessment: scores per dimension, gaps and next steps with why."""
        opts = shared()
        lg = opts.lg
        from kaigai.app import readiness as app_readiness

        if template:
            typer.echo(app_readiness.template(lg), nl=False)
            return
        if answers is not None:
            data = load_answers(answers)
        elif sys.stdin.isatty() and not opts.json:
            data = ask_interactively(lg)
        else:
            raise InputError(
                "No answers given and the terminal is not interactive.",
                hint="Pass --answers answers.yaml (create one with `kaigai readiness --template`).",
            )
        result = app_readiness.assess(data, lg)
        output(result.to_dict(lg), opts.json, lambda: print_result(result, lg))
