"""Readiness answers from files and the questionnaire as plain data for forms (API/web)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import yaml

from kaigai.core.errors import InputError
from kaigai.core.text import decode_text
from kaigai.readiness.questionnaire import Questionnaire, load_questionnaire


def load_answers(path: Path) -> dict[str, str]:
    """Read answers from a YAML or TOML file.

    Accepts a flat mapping ``question_id: option`` or one nested under ``answers`` or
    ``readiness`` (so a whole firm profile can be passed as well).
    """
    p = Path(path)
    if not p.is_file():
        raise InputError(
            f"Answers file {p} not found.",
            hint="Create one with `kaigai readiness --template > answers.yaml`.",
        )
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise InputError(f"Cannot read {p}: {exc.strerror}.") from exc
    text = decode_text(raw, f"Answers file {p.name}", InputError)
    try:
        data: Any = tomllib.loads(text) if p.suffix.lower() == ".toml" else yaml.safe_load(text)
    except (tomllib.TOMLDecodeError, yaml.YAMLError, RecursionError, ValueError) as exc:
        raise InputError(
            f"Answers file {p} cannot be parsed: {exc}", hint="Check the YAML/TOML syntax."
        ) from exc
    if isinstance(data, dict):
        for key in ("answers", "readiness"):
            if isinstance(data.get(key), dict):
                data = data[key]
                break
    if not isinstance(data, dict):
        raise InputError(
            f"Answers file {p} must be a mapping of question id to option.",
            hint="e.g. staff_languages: none",
        )
    return {str(k): str(v) for k, v in data.items() if v is not None}


def questionnaire_data(
    lang: str = "en", questionnaire: Questionnaire | None = None
) -> dict[str, Any]:
    """The questionnaire as JSON-ready data in one language (for the REST API and web form)."""
    qn = questionnaire or load_questionnaire()
    return {
        "version": qn.version,
        "scale_max": qn.scale_max,
        "gap_below": qn.gap_below,
        "critical_below": qn.critical_below,
        "dimensions": [
            {
                "id": d.id,
                "title": d.title.get(lang),
                "weight": d.weight,
                "weight_why": d.weight_why.get(lang),
                "questions": [
                    {
                        "id": q.id,
                        "text": q.text.get(lang),
                        "options": [
                            {"value": o.value, "label": o.label.get(lang), "points": o.points}
                            for o in q.options
                        ],
                    }
                    for q in d.questions
                ],
            }
            for d in qn.dimensions
        ],
    }


_YAML_BOOL = {"yes", "no", "y", "n", "true", "false", "on", "off"}


def answers_template(lang: str = "en", questionnaire: Questionnaire | None = None) -> str:
    """A commented YAML answers file listing every question and its options."""
    qn = questionnaire or load_questionnaire()
    lines = ["# kaigai readiness answers: set each question to one of the listed options."]
    for d in qn.dimensions:
        lines.append(f"\n# == {d.title.get(lang)} (weight {d.weight:g})")
        for q in d.questions:
            lines.append(f"# {q.text.get(lang)}")
            for o in q.options:
                lines.append(f"#   {o.value}: {o.label.get(lang)}")
            first = q.options[0].value
            # quote words YAML 1.1 would read as booleans, so the file round-trips as written
            lines.append(
                f'{q.id}: "{first}"' if first.lower() in _YAML_BOOL else f"{q.id}: {first}"
            )
    return "\n".join(lines) + "\n"


__all__ = ["answers_template", "load_answers", "questionnaire_data"]
