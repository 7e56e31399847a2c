"""Issue 15.8: readiness choices are named (no / with_forwarder / yes), old booleans still work,
and messages quote the question text in English and Japanese."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kaigai.core.errors import InputError
from kaigai.readiness import (
    answers_template,
    assess,
    canonical_answers,
    load_answers,
    load_questionnaire,
    unanswered_text,
)

EXPORT_DOCS_EN = "Can your firm prepare export documents itself (invoice, packing list, certificate of origin, Incoterms)?"


def test_every_option_is_a_named_choice() -> None:
    qn = load_questionnaire()
    values = [o.value for q in qn.questions for o in q.options]
    assert not {"True", "False"} & set(values)
    assert [o.value for o in qn.question("export_documents").options] == [
        "no",
        "with_forwarder",
        "yes",
    ]  # type: ignore[union-attr]
    assert sum(v in ("no", "yes") for v in values) == 11  # the 11 yes/no options of the YAML


def test_template_shows_named_choices_and_round_trips(tmp_path: Path) -> None:
    ja = answers_template("ja")
    assert "#   no: できない" in ja and "False" not in ja and "True" not in ja
    assert 'export_documents: "no"' in ja
    p = tmp_path / "answers.yaml"
    p.write_text(answers_template("en"), encoding="utf-8")
    answers = load_answers(p)
    assert answers["export_documents"] == "no" and answers["receivables_capacity"] == "no"
    assert assess(answers).unanswered == ()


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("yes", "yes"),
        ("Yes", "yes"),
        ("no", "no"),
        ("with_forwarder", "with_forwarder"),
        (True, "yes"),
        (False, "no"),
        ("True", "yes"),
        ("false", "no"),
        ("はい", "yes"),
    ],  # fmt: skip
)
def test_named_and_legacy_answers_accepted(given: object, expected: str) -> None:
    qn = load_questionnaire()
    assert canonical_answers({"export_documents": given}, qn) == {"export_documents": expected}
    res = assess({"export_documents": given})
    docs = next(q for d in res.dimensions for q in d.questions if q.question == "export_documents")
    assert docs.answer == expected
    assert docs.points == {"no": 0, "with_forwarder": 2, "yes": 4}[expected]


def test_toml_profile_with_yes_is_accepted() -> None:
    import tomllib

    from kaigai.plan.examples import example_profile_path
    from kaigai.plan.profile import parse_profile

    path = example_profile_path()
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    data["readiness"].update(
        tomllib.loads('export_documents = "yes"\nreceivables_capacity = false')
    )
    prof = parse_profile(data, source="firm.toml", base_dir=path.parent)
    assert prof.readiness["export_documents"] == "yes"
    assert prof.readiness["receivables_capacity"] == "no"


def test_invalid_answer_names_the_question_in_english_and_japanese() -> None:
    with pytest.raises(InputError) as en:
        assess({"export_documents": "maybe"})
    assert en.value.message == (
        f"Invalid readiness answers: export_documents: \"{EXPORT_DOCS_EN}\": 'maybe' is not an option "
        "(choose one of: no = No, with_forwarder = With a forwarder's help, yes = Yes, routinely)"
    )
    with pytest.raises(InputError) as ja:
        assess({"export_documents": "maybe"}, lang="ja")
    assert ja.value.message == (
        "準備度の回答に誤りがあります：export_documents: "
        "「輸出書類（インボイス、パッキングリスト、原産地証明、インコタームズ）を自社で作成できますか？」："
        "「maybe」は選択肢にありません（次から選択：no = できない, with_forwarder = フォワーダーの支援があればできる, "
        "yes = 日常的にできる）"
    )


def test_unanswered_questions_are_listed_by_text() -> None:
    qn = load_questionnaire()
    answers = {q.id: q.options[0].value for q in qn.questions if q.id != "export_documents"}
    res = assess(answers)
    assert res.unanswered == ("export_documents",)
    assert unanswered_text(res, "en") == [EXPORT_DOCS_EN]
    assert unanswered_text(res, "ja") == [
        "輸出書類（インボイス、パッキングリスト、原産地証明、インコタームズ）を自社で作成できますか？"
    ]


def test_template_file_is_valid_yaml_with_string_values() -> None:
    data = yaml.safe_load(answers_template("en"))
    assert all(isinstance(v, str) for v in data.values())
