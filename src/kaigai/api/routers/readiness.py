"""Export-readiness self-assessment."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query

from kaigai.api.schemas import ERRORS
from kaigai.app.served import engines

router = APIRouter(prefix="/readiness", tags=["readiness-reference"], responses=ERRORS)


@router.get("/questionnaire", response_model=dict[str, Any])
def questionnaire(lang: Annotated[Literal["en", "ja"], Query()] = "en") -> dict[str, Any]:
    """Every question with its options, weights and dimension."""
    return engines.questionnaire(lang)


@router.post("/assess", response_model=dict[str, Any])
def assess(
    answers: Annotated[
        dict[str, str],
        Body(
            max_length=200,
            examples=[{"staff_languages": "one_part_time", "export_plan": "idea"}],
            description="question id -> option id",
        ),
    ],
    lang: Annotated[Literal["en", "ja"], Query()] = "en",
) -> dict[str, Any]:
    """Scores per dimension, gaps and next steps (with why and sources)."""
    return engines.readiness(answers, lang)
