"""The compiled kernels' cache folder follows ``--config``, as the settings' cache folder does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from kaigai.core import config_file
from kaigai.policy import native
from kaigai.policy.ppml_synthetic import synthetic_gravity_panel

FML = "trade ~ rta + ln_tariff | exp_year + imp_year + pair"
# the library is built where __pycache__ beside the source cannot hold it (a read-only
# install): the next folder of native._dirs, the settings' cache folder
SCRIPT = """
    import itertools, sys
    from kaigai.policy import native
    everywhere = native._dirs
    native._dirs = lambda: itertools.islice(everywhere(), 1, None)
    from kaigai.cli.app import main
    main(sys.argv[1:])
"""


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("KAIGAI_CACHE_DIR", "KAIGAI_CONFIG")}
    env["XDG_CACHE_HOME"] = str(tmp_path / "xdg")  # the user cache folder
    env["XDG_CONFIG_HOME"] = str(tmp_path / "xdg-config")  # no user kaigai.toml
    return env


@pytest.mark.parametrize("where", ["before", "after"])
def test_policy_estimate_builds_the_kernels_in_the_config_files_cache_dir(
    tmp_path: Path, where: str
) -> None:
    """``kaigai [--config F] policy estimate [--config F]``: the kernels are built in F's
    cache_dir (the old code built them in the user cache folder, and refused --config after
    the command name)."""
    if native._compiler() is None:
        pytest.skip("no C compiler")
    data = tmp_path / "panel.csv"
    synthetic_gravity_panel(8, 2, seed=1).to_csv(data, index=False)
    toml = tmp_path / "conf" / "kaigai.toml"
    toml.parent.mkdir()
    toml.write_text(f'[kaigai]\ncache_dir = "{tmp_path / "from-file"}"\n', encoding="utf-8")
    cmd = ["policy", "estimate", "--data", str(data), "--formula", FML, "--json"]
    cmd = ["--config", str(toml), *cmd] if where == "before" else [*cmd, "--config", str(toml)]
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(SCRIPT), *cmd],
        capture_output=True, text=True, env=_env(tmp_path), cwd=tmp_path, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["converged"] is True
    built = sorted(p.name for p in (tmp_path / "from-file" / "kernels").glob("*.so"))
    assert built == [f"hdfe_native-{native._key(native.SOURCE.read_bytes())}.so"]
    assert not (tmp_path / "xdg" / "kaigai").exists()


def test_the_chosen_file_over_the_usual_candidates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    found = tmp_path / "kaigai.toml"
    found.write_text(f'cache_dir = "{tmp_path / "found"}"\n', encoding="utf-8")
    given = tmp_path / "given.toml"
    given.write_text(f'[kaigai]\ncache_dir = "{tmp_path / "given"}"\n', encoding="utf-8")
    monkeypatch.setenv("KAIGAI_CONFIG", str(found))
    monkeypatch.delenv("KAIGAI_CACHE_DIR", raising=False)
    assert list(native._dirs())[1] == tmp_path / "found" / "kernels"
    config_file.choose_config_file(given)
    try:
        assert list(native._dirs())[1] == tmp_path / "given" / "kernels"
        monkeypatch.setenv("KAIGAI_CACHE_DIR", str(tmp_path / "env"))  # the variable wins
        assert list(native._dirs())[1] == tmp_path / "env" / "kernels"
    finally:
        config_file.choose_config_file(None)
    assert config_file.chosen_config_file() is None
