"""CLI: kaigai plan / kaigai readiness through the real Typer app."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from kaigai.cli.app import app
from kaigai.plan.examples import example_profile_path
from kaigai.readiness import assess, load_answers

runner = CliRunner()


def test_plan_json_and_report(tmp_path: Path) -> None:
    out = tmp_path / "plan.json"
    res = runner.invoke(
        app,
        [
            "plan",
            str(example_profile_path()),
            "--markets",
            "3",
            "--lang",
            "ja",
            "--out",
            str(out),
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["report_path"] == str(out)
    assert data["lang"] == "ja"
    saved = json.loads(out.read_text(encoding="utf-8"))
    assert saved["readiness"] == data["readiness"]


def test_plan_human_summary(tmp_path: Path) -> None:
    out = tmp_path / "p.html"
    res = runner.invoke(app, ["plan", str(example_profile_path()), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "Report written to" in res.stdout and out.is_file()
    assert "Readiness score: 39/100" in res.stdout


def test_plan_bad_profile_lists_every_problem(tmp_path: Path) -> None:
    f = tmp_path / "bad.toml"
    f.write_text(
        '[size]\nemployees = -1\n[[products]]\nname = "x"\nhs = "848219"\n', encoding="utf-8"
    )
    import pytest

    from kaigai.cli.app import main

    with pytest.raises(SystemExit) as ei:
        main(["plan", str(f), "--json"])
    assert ei.value.code == 2


def test_plan_bad_profile_message(tmp_path: Path, capsys) -> None:
    import pytest

    from kaigai.cli.app import main

    f = tmp_path / "bad.toml"
    f.write_text(
        '[size]\nemployees = -1\n[[products]]\nname = "x"\nhs = "848219"\n', encoding="utf-8"
    )
    with pytest.raises(SystemExit):
        main(["plan", str(f)])
    err = capsys.readouterr().err
    assert "3 problem(s)" in err
    for loc in ("name", "size.employees", "products[0].hs"):
        assert f"- {loc}:" in err


def test_readiness_from_file_and_template(tmp_path: Path) -> None:
    res = runner.invoke(app, ["readiness", "--answers", str(example_profile_path()), "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    ref = assess(load_answers(example_profile_path()))
    assert data["overall"] == ref.overall
    assert [s["id"] for s in data["next_steps"]] == [s.id for s in ref.next_steps]
    tpl = runner.invoke(app, ["readiness", "--template", "--lang", "ja"])
    assert tpl.exit_code == 0 and "staff_languages:" in tpl.stdout and "人材" in tpl.stdout


def test_readiness_without_answers_non_interactive() -> None:
    import pytest

    from kaigai.cli.app import main

    with pytest.raises(SystemExit) as ei:
        main(["readiness", "--json"])
    assert ei.value.code == 2
