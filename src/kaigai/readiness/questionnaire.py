"""The readiness questionnaire and its next steps, loaded from the bundled YAML data."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from kaigai.core.errors import InputError

LANGS = ("en", "ja")


@dataclass(frozen=True)
class Text:
    """A text in English and Japanese."""

    en: str
    ja: str

    def get(self, lang: str) -> str:
        return self.ja if lang == "ja" and self.ja else self.en

    def to_dict(self) -> dict[str, str]:
        return {"en": self.en, "ja": self.ja}


_LEGACY = {"false": "no", "true": "yes", "いいえ": "no", "はい": "yes"}


@dataclass(frozen=True)
class Option:
    value: str
    points: int
    label: Text


@dataclass(frozen=True)
class Question:
    id: str
    dimension: str
    text: Text
    options: tuple[Option, ...]

    def option(self, value: Any) -> Option | None:
        """The option ``value`` names: its id ("with_forwarder"), any letter case, or a legacy
        boolean / はい・いいえ for the "yes"/"no" options (answers files written when YAML turned
        ``no`` into ``False``)."""
        if isinstance(value, bool):
            value = "yes" if value else "no"
        s = str(value).strip()
        hit = next((o for o in self.options if o.value == s), None)
        if hit is None:
            low = _LEGACY.get(s.lower(), s.lower())
            hit = next((o for o in self.options if o.value.lower() == low), None)
        return hit


@dataclass(frozen=True)
class Dimension:
    id: str
    weight: float
    weight_why: Text
    title: Text
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Source:
    key: str
    label: str
    url: str


@dataclass(frozen=True)
class Trigger:
    """Fires a step: a question scored <= ``max_points``, answered one of ``answer_in``,
    or a dimension scored below ``below``."""

    question: str | None = None
    max_points: int | None = None
    answer_in: tuple[str, ...] = ()
    dimension: str | None = None
    below: float | None = None


@dataclass(frozen=True)
class StepSpec:
    id: str
    dimension: str
    triggers: tuple[Trigger, ...]
    title: Text
    why: Text
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Questionnaire:
    version: int
    scale_max: int
    gap_below: float
    critical_below: float
    dimensions: tuple[Dimension, ...]
    sources: dict[str, Source]
    steps: tuple[StepSpec, ...]

    @property
    def questions(self) -> tuple[Question, ...]:
        return tuple(q for d in self.dimensions for q in d.questions)

    def question(self, qid: str) -> Question | None:
        return next((q for q in self.questions if q.id == qid), None)

    def dimension(self, did: str) -> Dimension:
        return next(d for d in self.dimensions if d.id == did)


def _text(raw: Any, where: str) -> Text:
    if not isinstance(raw, dict) or not all(
        isinstance(raw.get(k), str) and raw.get(k) for k in LANGS
    ):
        raise InputError(
            f"Questionnaire text at {where} needs non-empty 'en' and 'ja'.", hint="Fix the YAML."
        )
    return Text(en=raw["en"], ja=raw["ja"])


def _option_id(raw: Any) -> str:
    # YAML 1.1 reads an unquoted no/yes as a boolean: keep the named choice.
    return ("yes" if raw else "no") if isinstance(raw, bool) else str(raw)


def parse_questionnaire(q_raw: dict[str, Any], s_raw: dict[str, Any]) -> Questionnaire:
    """Build a :class:`Questionnaire` from the two YAML documents (questions, next steps)."""
    sources = {
        k: Source(key=k, label=str(v["label"]), url=str(v.get("url", "")))
        for k, v in (q_raw.get("sources") or {}).items()
    }
    dims: list[Dimension] = []
    for d in q_raw["dimensions"]:
        qs = tuple(
            Question(
                id=q["id"],
                dimension=d["id"],
                text=_text(q["text"], f"{d['id']}.{q['id']}.text"),
                options=tuple(
                    Option(
                        value=_option_id(o["value"]),
                        points=int(o["points"]),
                        label=_text(o["label"], f"{q['id']}.{o['value']}"),
                    )
                    for o in q["options"]
                ),
            )
            for q in d["questions"]
        )
        dims.append(
            Dimension(
                id=d["id"],
                weight=float(d["weight"]),
                weight_why=_text(d["weight_why"], f"{d['id']}.weight_why"),
                title=_text(d["title"], f"{d['id']}.title"),
                questions=qs,
            )
        )
    steps = tuple(
        StepSpec(
            id=s["id"],
            dimension=s["dimension"],
            triggers=tuple(
                Trigger(
                    question=t.get("question"),
                    max_points=t.get("max_points"),
                    answer_in=tuple(str(a) for a in t.get("answer_in", ())),
                    dimension=t.get("dimension"),
                    below=t.get("below"),
                )
                for t in s["triggers"]
            ),
            title=_text(s["title"], f"{s['id']}.title"),
            why=_text(s["why"], f"{s['id']}.why"),
            sources=tuple(s.get("sources") or ()),
        )
        for s in s_raw["steps"]
    )
    qn = Questionnaire(
        version=int(q_raw["version"]),
        scale_max=int(q_raw["scale_max"]),
        gap_below=float(q_raw["gap_below"]),
        critical_below=float(q_raw["critical_below"]),
        dimensions=tuple(dims),
        sources=sources,
        steps=steps,
    )
    _check(qn)
    return qn


def _check(qn: Questionnaire) -> None:
    problems: list[str] = []
    total = sum(d.weight for d in qn.dimensions)
    if abs(total - 1.0) > 1e-9:
        problems.append(f"dimension weights sum to {total}, not 1")
    ids = [q.id for q in qn.questions]
    if len(ids) != len(set(ids)):
        problems.append("duplicate question ids")
    dim_ids = {d.id for d in qn.dimensions}
    for s in qn.steps:
        if s.dimension not in dim_ids:
            problems.append(f"step {s.id}: unknown dimension {s.dimension}")
        for t in s.triggers:
            if t.question is not None:
                q = qn.question(t.question)
                if q is None:
                    problems.append(f"step {s.id}: unknown question {t.question}")
                elif any(q.option(a) is None for a in t.answer_in):
                    problems.append(f"step {s.id}: unknown answer in {t.answer_in}")
            if t.dimension is not None and t.dimension not in dim_ids:
                problems.append(f"step {s.id}: unknown dimension {t.dimension}")
        problems += [f"step {s.id}: unknown source {k}" for k in s.sources if k not in qn.sources]
    for q in qn.questions:
        if any(not 0 <= o.points <= qn.scale_max for o in q.options):
            problems.append(f"question {q.id}: points outside 0..{qn.scale_max}")
    if problems:
        raise InputError(
            "Invalid questionnaire: " + "; ".join(problems), hint="Fix the questionnaire YAML."
        )


def _read_yaml(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise InputError(f"{path} is not a YAML mapping.", hint="Fix the file.")
    return data


@lru_cache(maxsize=4)
def load_questionnaire(path: Path | None = None, steps_path: Path | None = None) -> Questionnaire:
    """The bundled questionnaire (or one from ``path``/``steps_path``)."""
    base = Path(str(resources.files("kaigai.readiness")))
    return parse_questionnaire(
        _read_yaml(path or base / "questionnaire.yaml"),
        _read_yaml(steps_path or base / "next_steps.yaml"),
    )


__all__ = [
    "Dimension",
    "Option",
    "Question",
    "Questionnaire",
    "Source",
    "StepSpec",
    "Text",
    "Trigger",
    "load_questionnaire",
    "parse_questionnaire",
]
