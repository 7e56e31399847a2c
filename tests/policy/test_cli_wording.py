"""Issue 15.11: the policy lab's CLI says what it simulated, how noisy it is, and every code it reinterpreted."""

from __future__ import annotations

import json
import math

from typer.testing import CliRunner

from kaigai.cli.app import app
from kaigai.core.countries import renamed_codes

runner = CliRunner()
FIRMS = ["policy", "firms", "--staff-share", "0.4", "--n-firms", "20000"]


def test_policy_firms_speaks_plainly_and_states_sample_noise() -> None:
    human = runner.invoke(app, FIRMS)
    assert human.exit_code == 0, human.output
    text = " ".join(human.stdout.split())
    assert "each representing 1 firms" not in text and "{'staff_share'" not in text
    assert "policy: global staff share 0.4" in text
    assert "counts are of simulated firms (no --population scaling)" in text
    res = runner.invoke(app, [*FIRMS, "--json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert d["policy"] == {"staff_share": 0.4}  # JSON keeps the machine keys
    k, n, p = d["summary"]["new_exporters"], 20_000, d["summary"]["exporter_share_new"]
    se_new = math.sqrt(k * (1 - k / n))  # binomial count, 1 s.e.
    se_share_pts = 100 * math.sqrt(p * (1 - p) / n)
    line = (
        f"sample size 20,000 simulated firms: simulation noise (1 s.e.) about ±{se_new:,.0f} new exporters "
        f"and ±{se_share_pts:.3f} points of exporter share; runs with another number of firms (dashboard "
        "20,000 by default, CLI 1,000,000) or seed differ by about this much"
    )
    assert d["trace"][1] == line
    assert " ".join(line.split()) in text


def test_population_scaling_is_said_when_used() -> None:
    res = runner.invoke(app, [*FIRMS, "--population", "3580000", "--json"])
    assert res.exit_code == 0, res.output
    assert (
        json.loads(res.stdout)["trace"][0]
        == "20,000 simulated firms (seed 0), each representing 179 firms"
    )


def test_ge_says_when_a_code_is_read_as_another() -> None:
    assert renamed_codes(["CAN", "ROM", "ASEAN", "jpn"]) == ["ROM read as ROU (Romania)"]
    res = runner.invoke(app, ["policy", "ge", "--agreement", "CAN,ROM", "--coef", "pta=0.47", "--reference",
                              "DEU", "--json"])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["trace"][0] == "--agreement: ROM read as ROU (Romania)"
    human = runner.invoke(
        app, ["policy", "ge", "--agreement", "CAN,ROM", "--coef", "pta=0.47", "--reference", "DEU"]
    )
    assert "--agreement: ROM read as ROU (Romania)" in " ".join(human.stdout.split())
