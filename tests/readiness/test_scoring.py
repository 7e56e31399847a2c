"""Readiness scoring: hand-computed scores from the bundled questionnaire's points and weights."""

from __future__ import annotations

import pytest
import yaml

from kaigai.core.errors import InputError
from kaigai.readiness import (
    answers_template,
    assess,
    load_answers,
    load_questionnaire,
    questionnaire_data,
)

# Points read from questionnaire.yaml for these options.
EXAMPLE = {
    "staff_languages": "one_part_time",  # 1
    "international_outlook": "some_travel",  # 1
    "foreign_employees": "technical_trainees",  # 2
    "integration": "no_plan",  # 0
    "export_channel": "customer_supply_chain",  # 1
    "export_share": "under_5",  # 1
    "export_documents": "with_forwarder",  # 2
    "receivables_capacity": "with_difficulty",  # 2
    "payment_security": "open_account",  # 0
    "fx_management": "invoice_jpy",  # 2
    "standards_known": "partly",  # 2
    "labelling": "english_only",  # 2
    "origin_records": "some",  # 2
    "ip_registered": "none",  # 0
    "know_how_protection": "nda",  # 2
    "spare_capacity": "ten_to_30",  # 3
    "after_sales": "remote",  # 2
    "export_plan": "idea",  # 1
    "horizon": "one_to_3y",  # 3
}


def test_questionnaire_covers_the_issue_dimensions_in_both_languages() -> None:
    qn = load_questionnaire()
    assert [d.id for d in qn.dimensions] == [
        "people", "experience", "finance", "certification", "ip", "capacity", "commitment",
    ]  # fmt: skip
    assert sum(d.weight for d in qn.dimensions) == pytest.approx(1.0, abs=1e-12)
    for q in qn.questions:
        assert q.text.en and q.text.ja and q.text.en != q.text.ja
        assert all(o.label.en and o.label.ja for o in q.options)
    assert {s.id for s in qn.steps} >= {
        "hire_train_global_staff", "export_promotion_programme", "trade_insurance",
        "start_through_trading_house", "shared_industrial_park",
    }  # fmt: skip


def test_scores_match_hand_computation() -> None:
    r = assess(EXAMPLE)
    expected = {
        "people": 100 * (1 + 1 + 2 + 0) / 16,  # 25.0
        "experience": 100 * (1 + 1 + 2) / 12,  # 33.33
        "finance": 100 * (2 + 0 + 2) / 12,  # 33.33
        "certification": 100 * (2 + 2 + 2) / 12,  # 50.0
        "ip": 100 * (0 + 2) / 8,  # 25.0
        "capacity": 100 * (3 + 2) / 8,  # 62.5
        "commitment": 100 * (1 + 3) / 8,  # 50.0
    }
    weights = {
        "people": 0.20,
        "experience": 0.15,
        "finance": 0.15,
        "certification": 0.15,
        "ip": 0.10,
        "capacity": 0.10,
        "commitment": 0.15,
    }
    for did, sc in expected.items():
        assert r.dimension(did).score == pytest.approx(sc, rel=1e-12)
        assert r.dimension(did).weight == weights[did]
    overall = sum(weights[d] * expected[d] for d in expected)
    assert r.overall == pytest.approx(overall, rel=1e-12)  # 5 + 5 + 5 + 7.5 + 2.5 + 6.25 + 7.5
    assert r.overall == pytest.approx(38.75)
    assert r.dimension("capacity").status == "ok"
    assert r.dimension("certification").status == "gap"
    assert r.dimension("people").status == "critical"
    assert set(r.gaps) == {"people", "experience", "finance", "certification", "ip", "commitment"}
    assert r.gaps[0] in ("people", "ip")  # lowest score first
    assert r.unanswered == ()


def test_next_steps_fire_with_reason_and_priority() -> None:
    r = assess(EXAMPLE)
    ids = [s.id for s in r.next_steps]
    for expected in (
        "hire_train_global_staff",
        "start_through_trading_house",
        "trade_insurance",
        "register_ip",
        "export_promotion_programme",
    ):
        assert expected in ids
    assert "fx_policy" not in ids  # invoice_jpy scores 2 > max_points 0
    assert "shared_industrial_park" not in ids  # capacity answers above trigger
    hire = next(s for s in r.next_steps if s.id == "hire_train_global_staff")
    assert hire.priority == pytest.approx(0.20 * (100 - 25.0))  # 15.0, the highest
    assert ids[0] == "hire_train_global_staff"
    assert "staff_languages=one_part_time" in hire.triggered_by
    prios = [s.priority for s in r.next_steps]
    assert prios == sorted(prios, reverse=True)
    jetro = next(s for s in r.next_steps if s.id == "export_promotion_programme")
    assert any("jetro.go.jp" in s.url for s in jetro.sources)
    assert jetro.why.ja and jetro.why.en


def test_unanswered_are_not_zero() -> None:
    r = assess({"staff_languages": "team"})
    assert r.dimension("people").score == 100.0
    assert r.dimension("finance").score is None and r.dimension("finance").status == "not_assessed"
    assert r.overall == 100.0  # only the assessed dimension counts ...
    assert any(
        "Finance: receivables and FX risk" in n for n in r.notes
    )  # ... and the result says so
    assert len(r.unanswered) == 18


def test_all_problems_reported_at_once() -> None:
    with pytest.raises(InputError) as ei:
        assess({"staff_languages": "fluent", "no_such_question": "x", "horizon": "forever"})
    locs = [p["loc"] for p in ei.value.fields["problems"]]
    assert locs == ["staff_languages", "no_such_question", "horizon"]
    assert (
        "none = Nobody, one_part_time = One person, occasionally, "
        "one_dedicated = One person whose job includes it, team = Two or more people"
    ) in ei.value.message


def test_template_round_trip(tmp_path) -> None:
    text = answers_template("ja")
    assert "人材" in text
    p = tmp_path / "a.yaml"
    p.write_text(text, encoding="utf-8")
    answers = load_answers(p)
    assert len(answers) == 19
    r = assess(answers)
    assert r.overall == 0.0  # the template picks each question's first option (0 points)
    data = questionnaire_data("ja")
    assert data["dimensions"][0]["questions"][0]["options"][0]["label"] == "いない"
    p2 = tmp_path / "firm.yaml"
    p2.write_text(
        yaml.safe_dump({"name": "x", "readiness": {"horizon": "over_3y"}}), encoding="utf-8"
    )
    assert load_answers(p2) == {"horizon": "over_3y"}
