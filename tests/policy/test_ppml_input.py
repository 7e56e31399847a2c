"""Bad input to fepois and ``kaigai policy estimate``: clear messages, nothing silent."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from kaigai.cli.app import app
from kaigai.core.errors import EstimationError, InputError, NonConvergenceError
from kaigai.policy.ppml import fepois
from kaigai.policy.ppml_synthetic import synthetic_gravity_panel


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return synthetic_gravity_panel(15, 4, seed=5)


def test_collinear_regressors_dropped_like_fixest(panel: pd.DataFrame) -> None:
    df = panel.assign(rta2=2.0 * panel["rta"])
    res = fepois(df, "trade ~ rta + ln_dist + rta2 + ln_tariff | exp_year + imp_year + pair")
    # ln_dist is constant within pair; rta2 = 2 rta
    assert res.collinear == ("ln_dist", "rta2")
    assert list(res.coef.index) == ["rta", "ln_tariff"]
    assert any("collinear" in t and "ln_dist" in t for t in res.trace)
    pf = pytest.importorskip("pyfixest")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = pf.fepois(
            "trade ~ rta + ln_tariff | exp_year + imp_year + pair", data=df, iwls_tol=1e-12
        )
    np.testing.assert_allclose(res.coef.to_numpy(), ref.coef().to_numpy(), rtol=1e-7)


def test_only_collinear_regressors_is_an_error(panel: pd.DataFrame) -> None:
    with pytest.raises(EstimationError, match="collinear with the fixed effects"):
        fepois(panel, "trade ~ ln_dist | exp_year + imp_year + pair")


def test_all_zero_groups_dropped_and_counted(panel: pd.DataFrame) -> None:
    df = panel.copy()
    zero_exp = df["exp_year"] == df["exp_year"].iloc[0]
    df.loc[zero_exp, "trade"] = 0.0
    n_zero_group = int(zero_exp.sum())
    base = fepois(panel, "trade ~ rta + ln_tariff | exp_year + imp_year")
    res = fepois(df, "trade ~ rta + ln_tariff | exp_year + imp_year")
    assert res.dropped["separated_fe"] >= n_zero_group
    assert set(res.dropped_rows["separated_fe"]) >= set(df.index[zero_exp])
    assert res.n_obs <= base.n_obs - n_zero_group
    with pytest.raises(EstimationError, match="only zero outcomes"):
        fepois(df, "trade ~ rta + ln_tariff | exp_year + imp_year", separation=())


def test_negative_outcome_rejected(panel: pd.DataFrame) -> None:
    df = panel.copy()
    df.loc[df.index[:3], "trade"] = -1.0
    with pytest.raises(EstimationError, match=r"3 observation\(s\) of 'trade' are negative"):
        fepois(df, "trade ~ rta | exp_year + imp_year")


def test_missing_fixed_effect_column(panel: pd.DataFrame) -> None:
    with pytest.raises(EstimationError, match="exp_yr") as exc:
        fepois(panel, "trade ~ rta | exp_yr + imp_year")
    assert exc.value.hint and "exp_year" in exc.value.hint


def test_missing_values_dropped_and_counted(panel: pd.DataFrame) -> None:
    df = panel.copy()
    df.loc[df.index[:5], "rta"] = np.nan
    df["exp_year"] = df["exp_year"].astype("float64")
    df.loc[df.index[10:12], "exp_year"] = np.nan
    res = fepois(df, "trade ~ rta + ln_tariff | exp_year + imp_year")
    assert res.dropped["missing"] == 7
    assert len(res.dropped_rows["missing"]) == 7


def test_non_convergence_reports_why(panel: pd.DataFrame) -> None:
    with pytest.raises(NonConvergenceError, match="did not converge after 1 iterations") as exc:
        fepois(panel, "trade ~ rta + ln_tariff | exp_year + imp_year + pair", maxiter=1)
    assert exc.value.hint


def test_malformed_formula() -> None:
    with pytest.raises(InputError, match="exactly one '~'"):
        fepois(pd.DataFrame({"y": [1.0]}), "y = x")


@pytest.fixture
def data_file(tmp_path: Path, panel: pd.DataFrame) -> Path:
    p = tmp_path / "panel.csv"
    panel.to_csv(p, index=False)
    return p


def test_cli_json(data_file: Path, panel: pd.DataFrame) -> None:
    fml = "trade ~ rta + ln_tariff | exp_year + imp_year + pair"
    r = CliRunner().invoke(
        app,
        [
            "policy",
            "estimate",
            "--data",
            str(data_file),
            "--formula",
            fml,
            "--cluster",
            "pair",
            "--json",
        ],
    )
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    ref = fepois(panel, fml, {"CRV1": "pair"})
    assert [c["name"] for c in out["coefficients"]] == ["rta", "ln_tariff"]
    np.testing.assert_allclose(
        [c["estimate"] for c in out["coefficients"]], ref.coef.to_numpy(), rtol=1e-12
    )
    np.testing.assert_allclose(
        [c["se"] for c in out["coefficients"]], ref.se.to_numpy(), rtol=1e-12
    )
    assert out["n_obs"] == ref.n_obs and out["dropped"] == ref.dropped and out["converged"] is True


def test_cli_table(data_file: Path) -> None:
    r = CliRunner().invoke(
        app,
        [
            "policy",
            "estimate",
            "--data",
            str(data_file),
            "--formula",
            "trade ~ rta | exp_year + imp_year",
        ],
    )
    assert r.exit_code == 0, r.output
    assert "rta" in r.output and "Observations" in r.output and "Converged: True" in r.output


def test_cli_errors_without_traceback(data_file: Path, tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("kaigai")
    cmds = [
        (["--data", str(data_file), "--formula", "trade ~ rta | nope"], 7, "nope"),
        (["--data", str(tmp_path / "absent.csv"), "--formula", "trade ~ rta"], 2, "does not exist"),
        (
            ["--data", str(data_file), "--formula", "trade ~ rta | exp_year", "--vcov", "HC3"],
            7,
            "not supported",
        ),
    ]
    for args, code, text in cmds:
        p = subprocess.run(
            [str(exe), "policy", "estimate", *args], capture_output=True, text=True, timeout=120
        )
        assert p.returncode == code, p.stderr
        assert text in p.stderr
        assert "Traceback" not in p.stderr + p.stdout


def test_cli_cluster_with_spaces(data_file: Path, panel: pd.DataFrame) -> None:
    """``--cluster "exporter + importer"`` is two-way clustering (it said the columns were
    not in the data); standard errors as pyfixest's CRV1 by exporter+importer."""
    fml = "trade ~ rta + ln_tariff | exp_year + imp_year"
    r = CliRunner().invoke(
        app,
        ["policy", "estimate", "--data", str(data_file), "--formula", fml]
        + ["--cluster", " exporter + importer ", "--json"],
    )
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    pf = pytest.importorskip("pyfixest")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = pf.fepois(fml, data=panel, vcov={"CRV1": "exporter+importer"}, iwls_tol=1e-12)
    np.testing.assert_allclose(
        [c["estimate"] for c in out["coefficients"]], ref.coef().to_numpy(), rtol=1e-7
    )
    np.testing.assert_allclose(
        [c["se"] for c in out["coefficients"]], ref.se().to_numpy(), rtol=1e-5
    )


def test_cli_ols_t_pvalues(data_file: Path, panel: pd.DataFrame) -> None:
    """OLS: column t and Student's t p-values with G - 1 degrees of freedom (clustered), as
    pyfixest's feols; PPML keeps z and the normal distribution."""
    import re

    fml = "trade ~ rta + ln_tariff | exp_year + imp_year"
    base = ["policy", "estimate", "--data", str(data_file), "--formula", fml, "--cluster", "pair"]
    r = CliRunner().invoke(app, [*base, "--model", "ols", "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    pf = pytest.importorskip("pyfixest")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = pf.feols(fml, data=panel, vcov={"CRV1": "pair"})
    assert ref._df_t == panel["pair"].nunique() - 1 == 224
    np.testing.assert_allclose(
        [c["p"] for c in out["coefficients"]], ref.pvalue().to_numpy(), rtol=1e-6
    )
    table = CliRunner().invoke(app, [*base, "--model", "ols"], env={"COLUMNS": "200"}).output
    assert re.search(r"┃\s*t\s*┃\s*p\s*┃", table), table
    table = CliRunner().invoke(app, base, env={"COLUMNS": "200"}).output
    assert re.search(r"┃\s*z\s*┃\s*p\s*┃", table), table


def test_cli_cluster_naming_no_column_is_refused(
    data_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--cluster " "`` (or only separators) was silently no clustering."""
    from kaigai.cli.app import main

    base = ["policy", "estimate", "--data", str(data_file), "--formula", "trade ~ rta | exp_year"]
    for value in (" ", " + "):
        with pytest.raises(SystemExit) as ei:
            main([*base, "--cluster", value])
        err = capsys.readouterr().err
        assert ei.value.code == 2, err
        assert f"--cluster {value!r} names no column" in err
        assert "e.g. --cluster pair or exporter+importer" in err and "Traceback" not in err


def test_cli_separation_empty_is_no_check(data_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``--separation ""`` asks for no check, as ``none`` (it had become the default fe,ir
    when the option's default changed to "not given"); leaving it out is fe,ir."""
    from kaigai.policy import ppml

    seen: list[tuple[str, ...]] = []
    real = ppml.fepois

    def spy(*a: Any, **k: Any) -> Any:
        seen.append(k["separation"])
        return real(*a, **k)

    monkeypatch.setattr(ppml, "fepois", spy)
    base = ["policy", "estimate", "--data", str(data_file), "--formula", "trade ~ rta | exp_year"]
    for extra in (["--separation", ""], ["--separation", "none"], []):
        r = CliRunner().invoke(app, [*base, *extra, "--json"])
        assert r.exit_code == 0, r.output
    assert seen == [(), (), ("fe", "ir")]
