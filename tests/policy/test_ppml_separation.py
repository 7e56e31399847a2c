"""Separation detection on the 18 standard test datasets of the ppmlhdfe project.

``tests/policy/data/ppmlhdfe_separation/NN.csv`` are sergiocorreia/ppmlhdfe
``test/separation_datasets/*.csv`` unchanged (columns ``y``, regressors ``x*``, fixed effects
``id*`` and the known answer ``separated``; see the README there). ppmlhdfe's own check
(``validate_tagsep.do``) runs ``ppmlhdfe y x*, a(id*) keepsing`` and asserts that the rows it
tags equal ``separated``; with ``singletons=False`` (``--keep-singletons``) so must ours, on
all 18 files. With singletons dropped (the default, as ppmlhdfe without ``keepsing``), some
separated rows go first as singletons; the singleton counts are pinned.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kaigai.policy.ppml import fepois

DATA = Path(__file__).parent / "data" / "ppmlhdfe_separation"
FILES = [f"{i:02d}" for i in range(1, 19)]
# singletons dropped per file in the default mode (every other file: 0)
SINGLETONS = {"03": 6, "04": 8, "07": 1, "08": 1, "12": 3, "13": 3}


def _load(name: str) -> tuple[pd.DataFrame, str]:
    d = pd.read_csv(DATA / f"{name}.csv")
    xs = [c for c in d.columns if c.startswith("x")]
    ids = [c for c in d.columns if c.startswith("id")]
    fml = "y ~ " + (" + ".join(xs) if xs else "1") + ((" | " + " + ".join(ids)) if ids else "")
    return d, fml


def test_all_eighteen_files_present() -> None:
    assert sorted(p.stem for p in DATA.glob("*.csv")) == FILES


@pytest.mark.parametrize("name", FILES)
def test_keep_singletons_matches_ppmlhdfe_answer(name: str) -> None:
    d, fml = _load(name)
    res = fepois(d, fml, singletons=False)
    truth = d.index[d["separated"] == 1]
    found = res.dropped_rows["separated_fe"].union(res.dropped_rows["separated_ir"])
    assert found.equals(truth)
    assert res.dropped["singletons"] == 0
    assert res.dropped["separated"] == len(truth)
    assert res.n_obs == len(d) - len(truth)
    assert res.converged
    assert np.all(np.isfinite(res.coef.to_numpy()))


@pytest.mark.parametrize("name", FILES)
def test_default_drops_singletons_first(name: str) -> None:
    d, fml = _load(name)
    res = fepois(d, fml)
    truth = d.index[d["separated"] == 1]
    found = res.dropped_rows["separated_fe"].union(res.dropped_rows["separated_ir"])
    singletons = res.dropped_rows["singleton"]
    # every truly separated row is dropped (as separated, or first as a singleton) ...
    assert truth.difference(found.union(singletons)).empty
    # ... and no row is called separated that is not
    assert found.difference(truth).empty
    assert res.dropped["separated"] == len(found)
    assert res.dropped["singletons"] == SINGLETONS.get(name, 0)
    assert res.converged
    assert np.all(np.isfinite(res.coef.to_numpy()))


def test_cli_keep_singletons_on_file_04() -> None:
    """04.csv is where keepsing matters: 83 separated rows; without it 8 go as singletons."""
    import json

    from typer.testing import CliRunner

    from kaigai.cli.app import app

    args = ["policy", "estimate", "--data", str(DATA / "04.csv"), "--formula", "y ~ 1 | id1 + id2"]
    keep = json.loads(CliRunner().invoke(app, [*args, "--keep-singletons", "--json"]).output)
    assert keep["dropped"]["singletons"] == 0 and keep["dropped"]["separated"] == 83
    default = json.loads(CliRunner().invoke(app, [*args, "--json"]).output)
    assert default["dropped"]["singletons"] == 8 and default["dropped"]["separated"] == 78
