"""Out of memory in the C kernels: an error with its message and hint, never a crash.

``kaigai_native_fail_after(n)`` (a test hook of ``hdfe_native.c``) makes the n-th allocation
from now fail as malloc does when memory runs out; ``kaigai_native_pool_fail(1)`` makes the
start of a pool thread fail as pthread_create does.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from kaigai.core.errors import EstimationError, OutOfMemoryError
from kaigai.policy import kernel_backend as kb
from kaigai.policy import native
from kaigai.policy.ppml import fepois
from kaigai.policy.ppml_synthetic import synthetic_gravity_panel

FML = "trade ~ rta + ln_tariff | exp_year + imp_year + pair"
MESSAGE = (
    "Not enough memory to estimate this model: the fixed-effect solver could not allocate "
    "its work space."
)
HINT = (
    "the panel needs more memory than is free: use fewer rows or fixed effects, or --engine spark"
)


@pytest.fixture
def lib() -> Iterator[Any]:
    got = native.library()
    if got is None or not kb._twins():
        pytest.skip("no C compiler: the C twins are not built")
    kb.set_backend(None)
    yield got
    got.kaigai_native_fail_after(0)
    kb.set_backend(None)


def _bits(res: Any) -> tuple[bytes, bytes, float]:
    return np.asarray(res.coef).tobytes(), np.asarray(res.se).tobytes(), res.deviance


def test_every_allocation_of_a_fit_that_fails_raises_the_error(lib: Any) -> None:
    """Make each allocation of a fit fail in turn: every one gives OutOfMemoryError with its
    message and hint (no crash, no result), and the next fit gives the bits of a sound one."""
    d = synthetic_gravity_panel(20, 4, seed=2)
    sound = fepois(d, FML, {"CRV1": "pair"})
    assert set(kb.backends()[k] for k in ("_ipf_nb", "_demean_cols_nb", "_grad_hess_nb")) == {
        "native"
    }
    lib.kaigai_native_fail_after(0)
    fepois(d, FML, {"CRV1": "pair"})
    total = lib.kaigai_native_fail_after(0)  # allocations of one fit, work space included
    assert total >= 10
    failed_in: dict[str, int] = {}
    for n in range(1, total + 1):
        lib.kaigai_native_fail_after(n)
        with pytest.raises(OutOfMemoryError) as got:
            fepois(d, FML, {"CRV1": "pair"})
        err = got.value
        assert isinstance(err, EstimationError) and isinstance(err, MemoryError)
        assert (err.message, err.hint, err.code, err.exit_code) == (
            MESSAGE, HINT, "out_of_memory", 7,
        )  # fmt: skip
        failed_in[err.fields["kernel"]] = failed_in.get(err.fields["kernel"], 0) + 1
    assert sum(failed_in.values()) == total
    # the C functions that allocate during this fit (k_ipf finds a work space already large
    # enough: it allocates nothing here); a new kernel that allocates joins them, and its
    # twin must raise OutOfMemoryError on a negative return (see hdfe_native.c's header)
    assert set(failed_in) >= {
        "k_remap_codes", "k_drop_fe_levels", "k_inv_weights", "k_demean_cols", "k_gram", "k_grad_hess",
        "k_lin_index", "k_nested_in",
    }, failed_in  # fmt: skip
    lib.kaigai_native_fail_after(0)
    assert _bits(fepois(d, FML, {"CRV1": "pair"})) == _bits(sound)


# Python kernel -> its C function, for the kernels that allocate memory
ALLOCATING = {
    "_demean_col_nb": "k_demean_col",
    "_inv_weights_nb": "k_inv_weights",
    "_ipf_sweep_nb": "k_ipf_sweep",
    "_ipf_nb": "k_ipf",
    "_wsweep2_nb": "k_wsweep2",
    "_demean_pair_nb": "k_demean_pair",
    "_demean_cols_nb": "k_demean_cols",
    "_absorb_nb": "k_absorb",
    "remap_codes": "k_remap_codes",
    "drop_fe_levels": "k_drop_fe_levels",
    "gram": "k_gram",
    "_grad_hess_nb": "k_grad_hess",
    "lin_index": "k_lin_index",
    "nested_in": "k_nested_in",
}
NOT_ALLOCATING = ("_wsweep_nb", "_deviance_sum_nb", "cluster_sums")


@pytest.mark.parametrize("nc", [1, 2])
def test_each_kernel_out_of_memory_raises_and_writes_nothing(
    lib: Any, nc: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each C kernel that allocates, its first allocation failing: OutOfMemoryError naming
    it, and every array passed to it (those it writes included) is left as it was."""
    from kaigai.policy import threads
    from tests.policy.test_native_kernels import _cases, _panel

    monkeypatch.setattr(threads, "row_chunks", lambda rows: nc)
    twins = kb._twins()
    cases = _cases(_panel(30, seed=1), nc)
    for name, kernel in ALLOCATING.items():
        args = copy.deepcopy(cases[name])
        lib.kaigai_native_fail_after(1)
        with pytest.raises(OutOfMemoryError) as got:
            twins[name](*args)
        assert got.value.fields == {"kernel": kernel} and got.value.message == MESSAGE, name
        for before, after in zip(cases[name], args, strict=True):
            if isinstance(before, np.ndarray):
                assert np.array_equal(before, after, equal_nan=True), name
        lib.kaigai_native_fail_after(0)
        twins[name](*copy.deepcopy(cases[name]))
        assert lib.kaigai_native_fail_after(0) >= 1, name  # it does allocate
    for name in NOT_ALLOCATING:
        twins[name](*copy.deepcopy(cases[name]))
        assert lib.kaigai_native_fail_after(0) == 0, name


def _run(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script), *args],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_policy_estimate_out_of_memory_exit_code_and_message(lib: Any, tmp_path: Path) -> None:
    """`kaigai policy estimate` whose kernels run out of memory: exit code 7, the message and
    hint on stderr, the error as JSON on stdout, no traceback."""
    data = tmp_path / "panel.csv"
    synthetic_gravity_panel(12, 3, seed=1).to_csv(data, index=False)
    script = """
        import sys
        from kaigai.policy import native
        native.library().kaigai_native_fail_after(int(sys.argv[1]))
        from kaigai.cli.app import main
        main(sys.argv[2:])
    """
    cli = ["policy", "estimate", "--data", str(data), "--formula", FML, "--cluster", "pair"]
    done = _run(script, "1", *cli, "--json")
    assert done.returncode == 7, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.splitlines() == [f"Error: {MESSAGE}", f"Hint: {HINT}"]
    err = json.loads(done.stdout)["error"]
    assert (err["code"], err["message"], err["hint"]) == ("out_of_memory", MESSAGE, HINT)
    sound = _run(script, "0", *cli, "--json")
    assert sound.returncode == 0, sound.stderr
    assert json.loads(sound.stdout)["converged"] is True


NUMPY_OOM = (
    "Unable to allocate 7.11 PiB for an array with shape (1000000000000000,) and data type float64"
)


@pytest.mark.parametrize(("text", "as_json"), [("", False), (NUMPY_OOM, False), (NUMPY_OOM, True)])
def test_a_plain_memory_error_in_a_command_gets_the_same_message(
    tmp_path: Path, text: str, as_json: bool
) -> None:
    """A MemoryError raised outside the C kernels (numpy, numba) also ends in the message and
    hint with exit code 7, not a traceback; numpy's own text (what was asked for) is kept."""
    script = f"""
        import sys
        from kaigai.policy import ppml
        def boom(*a, **k):
            raise MemoryError({text!r})
        ppml.fepois = boom
        from kaigai.cli.app import main
        main(sys.argv[1:])
    """
    data = tmp_path / "panel.csv"
    synthetic_gravity_panel(8, 2, seed=1).to_csv(data, index=False)
    args = ["policy", "estimate", "--data", str(data), "--formula", FML]
    done = _run(script, *args, *(["--json"] if as_json else []))
    assert done.returncode == 7, done.stderr
    message = "Not enough memory for this command" + (f": {text}" if text else ".")
    hint = (
        "kaigai needed more memory than is free: close other programs or give it less "
        "data (policy estimate: fewer rows or fixed effects, or --engine spark)"
    )
    assert done.stderr.splitlines()[-2:] == [f"Error: {message}", f"Hint: {hint}"]
    assert "Traceback" not in done.stderr
    if as_json:
        assert json.loads(done.stdout)["error"] == {
            "code": "out_of_memory", "message": message, "hint": hint
        }  # fmt: skip


def test_a_pool_thread_that_cannot_start_leaves_its_chunks_to_the_caller(lib: Any) -> None:
    """pthread_create failing (no thread can start): the sweeps run their row chunks on the
    calling thread and the fit gives the bits it gives on the pool (a fresh process: the pool
    of this one is already running)."""
    script = """
        import json
        import numpy as np
        from kaigai.policy import native, threads
        from kaigai.policy.ppml import fepois
        from kaigai.policy.ppml_synthetic import synthetic_gravity_panel
        lib = native.library()
        d = synthetic_gravity_panel(60, 15, seed=3)
        nc = threads.row_chunks(len(d))
        fml = "trade ~ rta + ln_tariff | exp_year + imp_year + pair"
        lib.kaigai_native_pool_fail(1)
        alone = fepois(d, fml, {"CRV1": "pair"})
        workers_alone = lib.kaigai_native_pool_fail(0)
        pooled = fepois(d, fml, {"CRV1": "pair"})
        workers = lib.kaigai_native_pool_fail(0)
        same = [np.asarray(a.coef).tobytes() == np.asarray(b.coef).tobytes() and
                np.asarray(a.se).tobytes() == np.asarray(b.se).tobytes() and
                a.deviance == b.deviance for a, b in [(alone, pooled)]][0]
        print(json.dumps({"nc": nc, "alone": workers_alone, "pooled": workers, "same": same}))
    """
    done = _run(script)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    if out["nc"] < 2:
        pytest.skip("one CPU for this process: the sweeps use one chunk and no pool")
    assert out == {"nc": out["nc"], "alone": 0, "pooled": out["nc"] - 1, "same": True}
