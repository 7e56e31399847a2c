"""Score readiness answers: per-dimension scores, weighted overall score, gaps, next steps.

Formulas (weights and thresholds live in ``questionnaire.yaml``)::

    score_d  = 100 * sum(points_q for answered q in d) / (scale_max * n_answered_d)
    overall  = sum(w_d * score_d) / sum(w_d)      over dimensions with >= 1 answer
    gap      : score_d < gap_below  (critical when < critical_below)
    priority of a step = w_d * (100 - score_d)    (larger first)

Unanswered questions are reported, never scored as zero; a dimension without any answer
has ``score None`` ("not assessed") and is left out of the overall score, which says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kaigai.core.errors import InputError
from kaigai.core.i18n import t
from kaigai.readiness.questionnaire import Questionnaire, Source, StepSpec, Text, load_questionnaire


@dataclass(frozen=True)
class QuestionResult:
    question: str
    answer: str | None
    points: int | None


@dataclass(frozen=True)
class DimensionScore:
    id: str
    title: Text
    weight: float
    weight_why: Text
    score: float | None
    answered: int
    total: int
    status: str  # "ok" | "gap" | "critical" | "not_assessed"
    questions: tuple[QuestionResult, ...]

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title.get(lang),
            "weight": self.weight,
            "weight_why": self.weight_why.get(lang),
            "score": self.score,
            "answered": self.answered,
            "total": self.total,
            "status": self.status,
            "questions": [
                {"id": q.question, "answer": q.answer, "points": q.points} for q in self.questions
            ],
        }


@dataclass(frozen=True)
class NextStep:
    id: str
    dimension: str
    title: Text
    why: Text
    sources: tuple[Source, ...]
    priority: float
    triggered_by: tuple[str, ...]

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        return {
            "id": self.id,
            "dimension": self.dimension,
            "title": self.title.get(lang),
            "why": self.why.get(lang),
            "priority": self.priority,
            "triggered_by": list(self.triggered_by),
            "sources": [{"key": s.key, "label": s.label, "url": s.url} for s in self.sources],
        }


@dataclass(frozen=True)
class ReadinessResult:
    """Outcome of a readiness self-assessment."""

    overall: float | None
    dimensions: tuple[DimensionScore, ...]
    gaps: tuple[str, ...]
    next_steps: tuple[NextStep, ...]
    unanswered: tuple[str, ...]
    questionnaire_version: int
    notes: tuple[str, ...] = field(default_factory=tuple)

    def dimension(self, did: str) -> DimensionScore:
        return next(d for d in self.dimensions if d.id == did)

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        return {
            "overall": self.overall,
            "questionnaire_version": self.questionnaire_version,
            "dimensions": [d.to_dict(lang) for d in self.dimensions],
            "gaps": list(self.gaps),
            "next_steps": [s.to_dict(lang) for s in self.next_steps],
            "unanswered": list(self.unanswered),
            "notes": list(self.notes),
        }


def validate_answers(
    answers: Mapping[str, Any], qn: Questionnaire, lang: str = "en"
) -> list[tuple[str, str]]:
    """Every problem in ``answers`` as ``(question id, message)``; empty when valid.

    The message quotes the question's text in ``lang`` and lists the named choices with their
    labels, e.g. ``"Can your firm prepare export documents itself ...?": 'maybe' is not an option
    (choose one of: no = No, with_forwarder = With a forwarder's help, yes = Yes, routinely)``.
    """
    problems: list[tuple[str, str]] = []
    for qid, value in answers.items():
        q = qn.question(str(qid))
        if q is None:
            problems.append((str(qid), t("unknown question '{qid}'", lang, qid=qid)))
        elif value is not None and q.option(value) is None:
            allowed = ", ".join(f"{o.value} = {o.label.get(lang)}" for o in q.options)
            problems.append((str(qid), t("\"{question}\": '{value}' is not an option (choose one of: {allowed})",
                                         lang, question=q.text.get(lang), value=value, allowed=allowed)))  # fmt: skip
    return problems


def canonical_answers(answers: Mapping[str, Any], qn: Questionnaire) -> dict[str, str]:
    """``answers`` with every value replaced by its option id (legacy booleans -> "yes"/"no");
    unknown questions and invalid values are kept as given (see :func:`validate_answers`)."""
    out: dict[str, str] = {}
    for qid, value in answers.items():
        if value is None:
            continue
        q = qn.question(str(qid))
        opt = q.option(value) if q is not None else None
        out[str(qid)] = opt.value if opt is not None else str(value)
    return out


def unanswered_text(
    result: ReadinessResult, lang: str = "en", qn: Questionnaire | None = None
) -> list[str]:
    """The unanswered questions of ``result`` as their text in ``lang`` (ids are in ``result.unanswered``)."""
    qn = qn or load_questionnaire()
    return [q.text.get(lang) if (q := qn.question(i)) is not None else i for i in result.unanswered]


def _fires(
    spec: StepSpec,
    pts: Mapping[str, int],
    answers: Mapping[str, str],
    dims: Mapping[str, DimensionScore],
) -> list[str]:
    why: list[str] = []
    for trig in spec.triggers:
        q = trig.question
        if q is not None and q in pts:
            hit_points = trig.max_points is not None and pts[q] <= trig.max_points
            if hit_points or (trig.answer_in and answers[q] in trig.answer_in):
                why.append(f"{q}={answers[q]}")
        if trig.dimension is not None and trig.below is not None:
            sc = dims[trig.dimension].score
            if sc is not None and sc < trig.below:
                why.append(f"{trig.dimension} score {sc:.0f} < {trig.below:g}")
    return why


def assess(
    answers: Mapping[str, Any], questionnaire: Questionnaire | None = None, lang: str = "en"
) -> ReadinessResult:
    """Score ``answers`` (question id -> option value) against the questionnaire.

    Parameters
    ----------
    answers
        Mapping of question ids to option values; missing questions are "unanswered".
    questionnaire
        Defaults to the bundled one.

    Raises
    ------
    InputError
        listing every unknown question id or invalid option at once.
    """
    qn = questionnaire or load_questionnaire()
    problems = validate_answers(answers, qn, lang)
    if problems:
        raise InputError(
            t("Invalid readiness answers: {problems}", lang, problems="; ".join(f"{k}: {m}" for k, m in problems)),
            hint=t("Run `kaigai readiness --template` to see every question and its options.", lang),
            problems=[{"loc": k, "msg": m} for k, m in problems],
        )  # fmt: skip
    ans = canonical_answers(answers, qn)
    pts: dict[str, int] = {}
    for qid, v in ans.items():
        opt = qn.question(qid).option(v)  # type: ignore[union-attr]  # validated above
        pts[qid] = opt.points  # type: ignore[union-attr]
    dims: dict[str, DimensionScore] = {}
    for d in qn.dimensions:
        qres = tuple(QuestionResult(q.id, ans.get(q.id), pts.get(q.id)) for q in d.questions)
        answered = [r.points for r in qres if r.points is not None]
        score = 100.0 * sum(answered) / (qn.scale_max * len(answered)) if answered else None
        if score is None:
            status = "not_assessed"
        elif score < qn.critical_below:
            status = "critical"
        elif score < qn.gap_below:
            status = "gap"
        else:
            status = "ok"
        dims[d.id] = DimensionScore(
            d.id, d.title, d.weight, d.weight_why, score, len(answered), len(qres), status, qres
        )
    scored = [(ds.weight, ds.score) for ds in dims.values() if ds.score is not None]
    wsum = sum(w for w, _ in scored)
    overall = sum(w * sc for w, sc in scored) / wsum if scored and wsum > 0 else None
    steps: list[NextStep] = []
    for spec in qn.steps:
        fired = _fires(spec, pts, ans, dims)
        if fired:
            ds = dims[spec.dimension]
            prio = spec_priority(ds.weight, ds.score)
            steps.append(
                NextStep(
                    spec.id,
                    spec.dimension,
                    spec.title,
                    spec.why,
                    tuple(qn.sources[k] for k in spec.sources),
                    prio,
                    tuple(fired),
                )
            )
    steps.sort(key=lambda s: (-s.priority, s.id))
    unanswered = tuple(q.id for q in qn.questions if q.id not in ans)
    notes: list[str] = []
    not_assessed = [d.title.get(lang) for d in dims.values() if d.score is None]
    if not_assessed:
        notes.append(
            t(
                "Not assessed (no answers): {dimensions}; overall score covers the rest.",
                lang,
                dimensions=("、" if lang == "ja" else ", ").join(not_assessed),
            )
        )
    gaps = tuple(
        d.id
        for d in sorted(dims.values(), key=lambda x: x.score if x.score is not None else 999)
        if d.status in ("gap", "critical")
    )
    return ReadinessResult(
        overall=overall,
        dimensions=tuple(dims[d.id] for d in qn.dimensions),
        gaps=gaps,
        next_steps=tuple(steps),
        unanswered=unanswered,
        questionnaire_version=qn.version,
        notes=tuple(notes),
    )


def spec_priority(weight: float, score: float | None) -> float:
    """Priority of a step in dimension with ``weight`` and ``score``: ``w * (100 - score)``."""
    return round(weight * (100.0 - (score if score is not None else 0.0)), 4)


__all__ = [
    "DimensionScore",
    "NextStep",
    "QuestionResult",
    "ReadinessResult",
    "assess",
    "spec_priority",
    "validate_answers",
]
