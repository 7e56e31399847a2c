"""`kaigai readiness` interactive path: every question asked once, answers scored by the engine."""

from __future__ import annotations

from typing import Any

import pytest

from kaigai.cli import readiness as cli_readiness
from kaigai.readiness import assess, load_questionnaire


class _Prompt:
    def __init__(self, value: Any) -> None:
        self.value = value

    def ask(self) -> Any:
        return self.value


def test_interactive_asks_every_question(monkeypatch: pytest.MonkeyPatch) -> None:
    import questionary

    asked: list[str] = []

    def fake_select(message: str, choices: list[Any], **_: Any) -> _Prompt:
        asked.append(message)
        return _Prompt(choices[-1].value)  # the last option of each question (the "ready" end)

    monkeypatch.setattr(questionary, "select", fake_select)
    answers = cli_readiness.ask_interactively("ja")
    qn = load_questionnaire()
    assert asked == [q.text.ja for q in qn.questions]
    assert answers == {q.id: q.options[-1].value for q in qn.questions}
    assert assess(answers).overall == 100.0


def test_interactive_abort(monkeypatch: pytest.MonkeyPatch) -> None:
    import questionary
    import typer

    monkeypatch.setattr(questionary, "select", lambda *a, **k: _Prompt(None))
    with pytest.raises(typer.Abort):
        cli_readiness.ask_interactively("en")
