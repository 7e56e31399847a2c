"""Regression tables (Markdown, HTML, LaTeX) and ``kaigai policy estimate`` with several
models, OLS, weights, delta method and Wald tests; numbers checked against pyfixest."""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from kaigai.cli.app import app
from kaigai.core.errors import InputError
from kaigai.policy.etable import etable
from kaigai.policy.ols import feols
from kaigai.policy.ppml import fepois
from kaigai.policy.ppml_synthetic import synthetic_gravity_panel

pf = pytest.importorskip("pyfixest")

F_OLS = "lt ~ ln_dist + rta | exp_year + imp_year"
F_PPML = "trade ~ ln_dist + rta | exp_year + imp_year"
F_PAIR = "trade ~ rta + ln_tariff | exp_year + imp_year + pair"


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    d = synthetic_gravity_panel(15, 4, seed=3)
    d["lt"] = np.log(d["trade"].where(d["trade"] > 0))
    d["w"] = np.random.default_rng(2).uniform(0.5, 2.0, len(d))
    return d


@pytest.fixture(scope="module")
def models(panel: pd.DataFrame) -> list:  # type: ignore[type-arg]
    vc = {"CRV1": "pair"}
    return [feols(panel, F_OLS, vc), fepois(panel, F_PPML, vc), fepois(panel, F_PAIR, vc)]


def test_markdown_cells_equal_pyfixest_rounded(panel: pd.DataFrame, models: list) -> None:  # type: ignore[type-arg]
    md = etable(models, "md")
    rows = {r.split("|")[1].strip(): [c.strip() for c in r.split("|")[2:-1]] for r in md.splitlines() if r.startswith("| ")}  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        refs = [
            pf.feols(F_OLS, data=panel, vcov={"CRV1": "pair"}),
            pf.fepois(F_PPML, data=panel, vcov={"CRV1": "pair"}),
            pf.fepois(F_PAIR, data=panel, vcov={"CRV1": "pair"}),
        ]
    for j, ref in enumerate(refs):
        for name in ref.coef().index:
            cell = rows[name][j]
            assert re.fullmatch(rf"{ref.coef()[name]:.3f}\**", cell), (name, cell)
        assert rows["Observations"][j] == f"{ref._N:,}"
    # the standard errors sit on the row below each coefficient
    lines = [r for r in md.splitlines() if r.startswith("| ")]
    i = next(k for k, r in enumerate(lines) if r.startswith("| ln_tariff |"))
    assert lines[i + 1].split("|")[4].strip() == f"({refs[2].se()['ln_tariff']:.3f})"
    assert rows["pair"] == ["-", "-", "x"] and rows["Estimator"] == ["OLS", "PPML", "PPML"]
    assert rows["R2 / pseudo R2"][0] == f"{refs[0]._r2:.3f}"


def test_html_and_latex(models: list) -> None:  # type: ignore[type-arg]
    h = etable({"OLS": models[0], "PPML <pair>": models[2]}, "html", caption="Gravity & RTAs")
    # 2 header rows + 6 coefficient rows + 4 fixed-effect rows + 5 statistics + the note
    assert h.count("<tr>") == 18
    assert "PPML &lt;pair&gt;" in h and "Gravity &amp; RTAs" in h
    t = etable(models, "tex")
    assert t.startswith("\\begin{tabular}{lccc}") and "ln\\_dist" in t
    assert re.search(r"\$\^\{\*+\}\$", t) and "\\end{tabular}" in t
    with pytest.raises(InputError, match="unknown table format"):
        etable(models, "docx")


def test_cli_several_models_table_delta_wald(panel: pd.DataFrame, tmp_path: Path) -> None:
    path = tmp_path / "panel.parquet"
    panel.to_parquet(path)
    base = ["policy", "estimate", "--data", str(path), "--cluster", "pair"]
    r = CliRunner().invoke(
        app,
        [*base, "--formula", F_PPML, "--formula", F_PAIR, "--delta", "100*(exp(rta)-1)",
         "--wald", "rta", "--table", "md", "--json"],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert [m["formula"] for m in out["models"]] == [F_PPML, F_PAIR]
    ref = fepois(panel, F_PAIR, {"CRV1": "pair"})
    d = out["models"][1]["delta"][0]
    np.testing.assert_allclose(d["estimate"], 100 * np.expm1(ref.coef["rta"]), rtol=1e-12)
    np.testing.assert_allclose(d["se"], 100 * np.exp(ref.coef["rta"]) * ref.se["rta"], rtol=1e-6)
    np.testing.assert_allclose(
        out["models"][1]["wald"]["statistic"], ref.tstat["rta"] ** 2, rtol=1e-9
    )
    assert out["table"] == etable([fepois(panel, F_PPML, {"CRV1": "pair"}), ref], "md")
    # OLS with weights, table written to a file
    tex = tmp_path / "t.tex"
    r = CliRunner().invoke(
        app, [*base, "--model", "ols", "--formula", F_OLS, "--weights", "w", "--out", str(tex)]
    )
    assert r.exit_code == 0, r.output
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = pf.feols(F_OLS, data=panel, vcov={"CRV1": "pair"}, weights="w")
    assert f"{m.coef()['rta']:.3f}" in tex.read_text()


def test_cli_bad_model_and_format(tmp_path: Path, panel: pd.DataFrame) -> None:
    path = tmp_path / "p.parquet"
    panel.to_parquet(path)
    args = ["policy", "estimate", "--data", str(path), "--formula", F_PPML]
    r = CliRunner().invoke(app, [*args, "--model", "probit"])
    assert isinstance(r.exception, InputError) and "unknown model 'probit'" in str(r.exception)
    r = CliRunner().invoke(app, [*args, "--table", "docx"])
    assert isinstance(r.exception, InputError)
    assert "unknown table format 'docx'" in str(r.exception)
