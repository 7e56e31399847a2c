"""Firm profile validation: every problem listed at once with its location."""

from __future__ import annotations

from pathlib import Path

import pytest

from kaigai.app.plan import load_profile
from kaigai.core.errors import ProfileError
from kaigai.plan.examples import example_profile_path

BAD = """
# name is missing
home_country = "Japan"
current_markets = ["JPN", "Atlantis"]

[size]
employees = -3
annual_sales = -1

[[products]]
name = "Bearings"
hs = "848219"
annual_export_value = -5

[[products]]
name = "Gears"
hs = "8483.40"

[preferences]
target_markets = ["THA", "Wakanda"]
risk_appetite = "reckless"

[readiness]
staff_languages = "fluent"
"""


def test_example_profile_is_valid(settings) -> None:
    p = load_profile(example_profile_path(), settings)
    assert p.products[0].hs == "848210"
    assert p.preferences.target_markets == ["THA", "VNM", "IDN", "IND"]
    assert p.home_country == "JPN"
    assert p.readiness["export_channel"] == "customer_supply_chain"


def test_every_problem_listed_with_location(tmp_path: Path, settings) -> None:
    f = tmp_path / "bad.toml"
    f.write_text(BAD, encoding="utf-8")
    with pytest.raises(ProfileError) as ei:
        load_profile(f, settings)
    problems = {p["loc"]: p["msg"] for p in ei.value.fields["problems"]}
    assert problems["name"] == "required field is missing"
    assert "Atlantis" in problems["current_markets"]
    assert "greater than or equal to 0" in problems["size.employees"]
    assert "size.annual_sales" in problems
    assert (
        "848219" in problems["products[0].hs"]
        and "not an HS subheading" in problems["products[0].hs"]
    )
    assert "products[0].annual_export_value" in problems
    assert "Wakanda" in problems["preferences.target_markets"]
    assert "preferences.risk_appetite" in problems
    assert "fluent" in problems["readiness"]
    assert "products[1].hs" not in problems  # 8483.40 is valid
    assert len(problems) == 9
    msg = ei.value.message
    assert "9 problem(s)" in msg and "size.employees" in msg and "products[0].hs" in msg
    assert ei.value.exit_code == 2


def test_yaml_profile_with_unknown_field(tmp_path: Path, settings) -> None:
    f = tmp_path / "firm.yaml"
    f.write_text(
        "name: X\nsize: {employees: 3}\nproducts:\n  - {name: P, hs: '848210', bom: nope.csv}\ntypo_field: 1\n",
        encoding="utf-8",
    )
    with pytest.raises(ProfileError) as ei:
        load_profile(f, settings)
    problems = {p["loc"]: p["msg"] for p in ei.value.fields["problems"]}
    assert list(problems) == ["typo_field"]  # a missing BOM file is stated in the plan instead
    assert problems["typo_field"].startswith("unknown field")


def test_service_entry_points(settings) -> None:
    import tomllib

    from kaigai.app.plan import plan_from_mapping, profile_from_mapping, render
    from kaigai.readiness import questionnaire_data

    data = tomllib.loads(example_profile_path().read_text(encoding="utf-8"))
    plan = plan_from_mapping(data, settings, lang="ja", bom_dir=example_profile_path().parent)
    assert plan.products[0].hs6 == "848210" and plan.lang == "ja"
    assert isinstance(render(plan, "json"), str)
    bad = dict(data, size={"employees": -1})
    with pytest.raises(ProfileError) as ei:
        profile_from_mapping(bad, settings)
    assert ei.value.fields["problems"][0]["loc"] == "size.employees"
    assert len(questionnaire_data("en")["dimensions"]) == 7
