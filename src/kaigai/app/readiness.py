"""Readiness questions: the questionnaire, a self-assessment's scores, gaps and next steps.

The CLI (``kaigai readiness``), the REST API (``/readiness``), the dashboard's profile form
and the export plan call these functions; the engine (:mod:`kaigai.readiness`) stays pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kaigai.readiness import ReadinessResult


def questionnaire(lang: str = "en") -> dict[str, Any]:
    """Every question with its options, weights and dimension, in ``lang`` (JSON-ready)."""
    from kaigai.readiness import questionnaire_data

    out: dict[str, Any] = questionnaire_data(lang)
    return out


def template(lang: str = "en") -> str:
    """A commented YAML answers file listing every question and its options."""
    from kaigai.readiness import answers_template

    return answers_template(lang)


def assess(answers: Mapping[str, Any], lang: str = "en") -> ReadinessResult:
    """Scores per dimension, overall score, gaps and next steps for ``answers``
    (question id -> option); unknown ids or options raise an InputError."""
    from kaigai.readiness import assess as engine

    return engine(answers, lang=lang)


def assess_file(path: Path, lang: str = "en") -> ReadinessResult:
    """:func:`assess` for an answers file (YAML or TOML)."""
    from kaigai.readiness import load_answers

    return assess(load_answers(Path(path)), lang)


__all__ = ["assess", "assess_file", "questionnaire", "template"]
