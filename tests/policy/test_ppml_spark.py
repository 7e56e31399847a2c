"""PPML on PySpark (kaigai.policy.ppml_spark) gives the in-memory fepois estimates.

Shared test panel: ``synthetic_gravity_panel(10, 3, seed=4)`` (300 rows, exporter-year,
importer-year and pair fixed effects); coefficients and standard errors within 1e-6
(relative) of :func:`kaigai.policy.ppml.fepois` with the same separation rule (fixed-effect
separation only: the Spark path does not run the IR check).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kaigai.core.errors import EstimationError, InputError
from kaigai.policy.ppml import fepois
from kaigai.policy.ppml_synthetic import synthetic_gravity_panel

pytestmark = [pytest.mark.spark, pytest.mark.slow]


@pytest.fixture(scope="module")
def spark():  # type: ignore[no-untyped-def]
    pytest.importorskip("pyspark")
    from kaigai.data.backends.pyspark_backend import spark_session

    return spark_session()


def test_spark_equals_in_memory(spark) -> None:  # type: ignore[no-untyped-def]
    from kaigai.policy.ppml_spark import fepois_spark

    d = synthetic_gravity_panel(10, 3, seed=4)
    fml = "trade ~ rta + ln_tariff | exp_year + imp_year + pair"
    ref = fepois(d, fml, {"CRV1": "pair"}, separation=("fe",))
    res = fepois_spark(spark.createDataFrame(d), fml, {"CRV1": "pair"})
    assert res.converged and res.n_obs == ref.n_obs == 294 and res.n_input == 300
    assert res.dropped["separated"] == ref.dropped["separated"] == 6
    assert list(res.coef.index) == ["rta", "ln_tariff"]
    np.testing.assert_allclose(res.coef.to_numpy(), ref.coef.to_numpy(), rtol=1e-6)
    np.testing.assert_allclose(res.se.to_numpy(), ref.se.to_numpy(), rtol=1e-6)
    assert res.vcov_info["K"] == ref.vcov_info["K"]  # pair FE nested in the pair clusters


def test_spark_rejects_unsupported_terms(spark) -> None:  # type: ignore[no-untyped-def]
    from kaigai.policy.ppml_spark import fepois_spark

    sdf = spark.createDataFrame(synthetic_gravity_panel(4, 2, seed=1))
    with pytest.raises(EstimationError, match="not supported on Spark"):
        fepois_spark(sdf, "trade ~ C(cntg) | exp_year", "hetero")
    with pytest.raises(EstimationError, match="at least one fixed effect"):
        fepois_spark(sdf, "trade ~ rta", "hetero")


def test_cli_engine_spark(spark, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import json

    from typer.testing import CliRunner

    from kaigai.cli.app import app

    d = synthetic_gravity_panel(8, 3, seed=2)
    # rows missing a fixed-effect value are dropped as missing, as in memory (Spark's
    # concat_ws had turned the null into "" and kept them as one more level)
    d["exp_year"] = d["exp_year"].astype("Int64")
    d.loc[[5, 17, 40], "exp_year"] = pd.NA
    path = tmp_path / "panel.parquet"
    d.to_parquet(path)
    fml = "trade ~ ln_dist + cntg + rta | exp_year + imp_year"
    cmd = ["policy", "estimate", "--engine", "spark", "--data", str(path), "--formula", fml,
           "--cluster", "pair", "--json"]  # fmt: skip
    r = CliRunner().invoke(app, cmd)
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    ref = fepois(d, fml, {"CRV1": "pair"}, separation=("fe",))
    assert out["dropped"]["missing"] == ref.dropped["missing"] == 3
    assert out["n_obs"] == ref.n_obs and out["n_input"] == 192
    got = np.array([c["estimate"] for c in out["coefficients"]])
    np.testing.assert_allclose(got, ref.coef.to_numpy(), rtol=1e-6)
    se = np.array([c["se"] for c in out["coefficients"]])
    np.testing.assert_allclose(se, ref.se.to_numpy(), rtol=1e-6)
    # --separation fe is what Spark does; the IR check (or none) is refused, not ignored
    r = CliRunner().invoke(app, [*cmd, "--separation", "fe"])
    assert r.exit_code == 0, r.output
    for sep in ("fe,ir", "ir", "none"):
        r = CliRunner().invoke(app, [*cmd, "--separation", sep])
        assert r.exit_code != 0 and isinstance(r.exception, InputError), r.output
        assert "fixed-effect separation check only" in str(r.exception)
