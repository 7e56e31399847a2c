"""Export-readiness self-assessment: questionnaire (YAML data), scoring, gaps and next steps.

Python API (used by the CLI, the REST API and the web form)::

    from kaigai.readiness import assess, questionnaire_data, load_answers
    result = assess({"staff_languages": "none", ...})
    result.overall, result.gaps, result.next_steps
"""

from __future__ import annotations

from kaigai.readiness.answers import answers_template, load_answers, questionnaire_data
from kaigai.readiness.questionnaire import Questionnaire, load_questionnaire
from kaigai.readiness.scoring import (
    DimensionScore,
    NextStep,
    ReadinessResult,
    assess,
    canonical_answers,
    unanswered_text,
    validate_answers,
)

__all__ = [
    "DimensionScore",
    "NextStep",
    "Questionnaire",
    "ReadinessResult",
    "answers_template",
    "assess",
    "canonical_answers",
    "load_answers",
    "load_questionnaire",
    "questionnaire_data",
    "unanswered_text",
    "validate_answers",
]
