"""Numpy columns in place of a DataFrame (what `kaigai policy estimate` reads without pandas):
the same codes, the same sample, the same numbers, and a command that imports neither pandas
nor numba."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from kaigai.data.panels import read_columns
from kaigai.policy.columns import Columns, factorize
from kaigai.policy.ols import feols
from kaigai.policy.ppml import fepois
from kaigai.policy.ppml_synthetic import synthetic_gravity_panel


def _panel() -> pd.DataFrame:
    d = synthetic_gravity_panel(30, 5, seed=11)
    names = np.array([f"C{i:02d}" for i in range(30)], dtype=object)
    d["exp"] = names[d["exporter"].to_numpy()]
    d["imp"] = names[d["importer"].to_numpy()]
    d["region"] = np.where(
        d["importer"] % 3 == 0, "asia", np.where(d["importer"] % 3 == 1, "eu", None)
    )
    d.loc[d.index[::37], "ln_tariff"] = np.nan
    d["w"] = 1.0 + (d["pair"] % 4)
    d["log_trade"] = np.log1p(d["trade"])
    return d


def _columns(d: pd.DataFrame) -> Columns:
    return Columns({c: d[c].to_numpy() for c in d.columns})


CASES: list[tuple[str, dict[str, Any]]] = [
    ("trade ~ rta + ln_tariff | exp^year + imp^year + pair", {"vcov": {"CRV1": "pair"}}),
    ("trade ~ rta + ln_tariff + C(region) | exp + imp + year", {"vcov": {"CRV1": "exp+imp"}}),
    ("trade ~ i(year, rta, ref=2) + ln_dist | exp + imp", {"vcov": "hetero", "weights": "w"}),
]


@pytest.mark.parametrize(("fml", "kw"), CASES)
def test_fepois_on_columns_equals_fepois_on_the_frame(fml: str, kw: dict[str, Any]) -> None:
    d = _panel()
    a, b = fepois(d, fml, **kw), fepois(_columns(d), fml, **kw)
    assert a.names == b.names and a.dropped == b.dropped and a.n_obs == b.n_obs
    np.testing.assert_array_equal(a.beta, b.beta)
    np.testing.assert_array_equal(a.cov, b.cov)
    np.testing.assert_array_equal(a.fitted, b.fitted)
    assert json.dumps(a.to_dict()) == json.dumps(b.to_dict())  # NaN entries too
    np.testing.assert_array_equal(np.asarray(a.obs_index), b.obs_index)  # RangeIndex = positions
    for name, fa in a.fixef().items():
        fb = b.fixef()[name]
        assert list(fa.index) == list(fb.index) and fa.index.name == fb.index.name == name
        np.testing.assert_array_equal(fa.to_numpy(), fb.to_numpy())


def test_feols_on_columns_equals_feols_on_the_frame() -> None:
    d = _panel()
    fml = "log_trade ~ ln_dist + rta | exp^year + imp^year"
    a, b = feols(d, fml, {"CRV1": "pair"}), feols(_columns(d), fml, {"CRV1": "pair"})
    assert json.dumps(a.to_dict()) == json.dumps(b.to_dict())  # NaN entries too
    np.testing.assert_array_equal(a.cov, b.cov)


@pytest.mark.parametrize(
    "values",
    [
        np.array([5, 3, 5, 9, 3, 1], dtype=np.int32),
        np.array([2.5, np.nan, -1.0, 2.5, 0.0, np.nan]),
        np.array([True, False, True]),
        np.array(["jpn", None, "vnm", "jpn", "aus"], dtype=object),
    ],
)
@pytest.mark.parametrize("sort", [True, False])
def test_factorize_reproduces_pandas(values: np.ndarray, sort: bool) -> None:
    codes, levels = factorize(values, sort=sort)
    pc, pl = pd.factorize(values, sort=sort)
    np.testing.assert_array_equal(codes, pc)
    assert list(levels) == list(pl)


def test_read_columns_gives_the_values_pandas_reads(tmp_path: Path) -> None:
    t = pa.table(
        {
            "i": pa.chunked_array(
                [pa.array([1, None, 3], pa.int32()), pa.array([4, 5], pa.int32())]
            ),
            "f": pa.array([1.5, None, 2.0, 3.0, 4.0]),
            "n": pa.array([7, 8, 9, 10, 11], pa.int64()),
            "s": pa.array(["a", None, "b", "c", "a"]),
            "b": pa.array([True, False, True, True, False]),
            "d": pa.array(["x", "y", "x", "x", "y"]).dictionary_encode(),
        }
    ).slice(1)
    pq.write_table(t, tmp_path / "t.parquet")
    pd.read_parquet(tmp_path / "t.parquet").to_csv(tmp_path / "t.csv", index=False)
    for path in (tmp_path / "t.parquet", tmp_path / "t.csv"):
        cols = read_columns(path)
        ref = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
        assert cols.columns == list(ref.columns) and len(cols) == 4
        for c in ("i", "f", "n", "b"):
            np.testing.assert_array_equal(cols[c].values, ref[c].to_numpy(), err_msg=f"{path} {c}")
        for c in ("s", "d"):
            got = [None if v is None else str(v) for v in cols[c].values]
            assert got == [None if pd.isna(v) else str(v) for v in ref[c]], (path, c)
    only = read_columns(tmp_path / "t.parquet", ["f", "absent", "i"])
    assert only.columns == ["f", "i"]


def test_policy_estimate_imports_neither_pandas_nor_numba(tmp_path: Path) -> None:
    """The command reads and fits on numpy columns and the compiled C kernels (where a C
    compiler built them): the coefficients pandas input gives, without pandas' or numba's
    start-up. With ``--json`` it also imports neither pydantic (settings, Typer's option
    adapters) nor Rich nor Click (Typer's own copy parses)."""
    from kaigai.policy import kernel_backend as kb

    d = synthetic_gravity_panel(25, 4, seed=3)
    path = tmp_path / "p.parquet"
    d.to_parquet(path)
    fml = "trade ~ rta + ln_tariff | exp_year + imp_year + pair"
    code = (
        "import sys, json\nfrom kaigai.cli.app import main\n"
        f"sys.argv = ['kaigai', 'policy', 'estimate', '--data', {str(path)!r}, '--formula', {fml!r},"
        " '--cluster', 'pair', '--json']\n"
        "try:\n    main()\nexcept SystemExit as e:\n    assert not e.code, e.code\n"
        "print(json.dumps([m for m in ('pandas', 'numba', 'pydantic', 'rich', 'click')"
        " if m in sys.modules]),"
        " file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    loaded = json.loads(done.stderr.strip().splitlines()[-1])
    expected = [] if kb._twins() else ["numba"]
    assert loaded == expected
    out = json.loads(done.stdout)
    # written as every --json answer is (emit_json), the timings last
    assert done.stdout == json.dumps(out, ensure_ascii=False, indent=2) + "\n"
    assert list(out)[-1] == "timings" and out["timings"]["output"] > 0
    tm = out["timings"]
    assert list(tm) == [
        "load_kernels", "load_reader", "read", "read_wait", "estimate", "separation", "fit",
        "output", "overhead", "total",
    ]  # fmt: skip
    # the file is read on a thread while the kernels load: the command waits for what is left
    assert 0 <= tm["read_wait"] <= tm["total"] and tm["read"] > 0
    assert tm["overhead"] == tm["read_wait"] + tm["separation"] + tm["output"]
    ref = fepois(d, fml, {"CRV1": "pair"})
    assert [c["estimate"] for c in out["coefficients"]] == ref.beta.tolist()
    assert [c["se"] for c in out["coefficients"]] == list(ref.se)
    # the human table is built from the result's arrays too: still no pandas
    human = code.replace(" '--json']", "]")
    done = subprocess.run(
        [sys.executable, "-c", human], capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr
    loaded = json.loads(done.stderr.strip().splitlines()[-1])
    assert [m for m in loaded if m in ("pandas", "numba")] == expected
    assert f"{ref.beta[0]:.6f}" in done.stdout and f"{list(ref.se)[1]:.6f}" in done.stdout
