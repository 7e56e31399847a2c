"""The command starts OpenBLAS with one thread unless the user chose a number (its threads
otherwise spin about 0.1 s after numpy's import, beside the file read and the fit)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

SCRIPT = """
    import contextlib, io, sys
    from kaigai.cli.app import main
    with contextlib.redirect_stdout(io.StringIO()):
        try:
            main(["--help"])
        except SystemExit:
            pass
    import numpy, threadpoolctl
    blas = [d for d in threadpoolctl.threadpool_info() if d["internal_api"] == "openblas"]
    print(blas[0]["num_threads"] if blas else "none")
"""


def _threads(env_value: str | None) -> str:
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    if env_value is not None:
        env["OPENBLAS_NUM_THREADS"] = env_value
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(SCRIPT)],
        env=env, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    return done.stdout.strip()


def test_the_command_starts_openblas_with_one_thread() -> None:
    if _threads("2") == "none":
        pytest.skip("numpy is not built on OpenBLAS here")
    assert _threads(None) == "1"


def test_a_users_own_choice_is_kept() -> None:
    got = _threads("2")
    if got == "none":
        pytest.skip("numpy is not built on OpenBLAS here")
    assert got == "2"
