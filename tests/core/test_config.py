from __future__ import annotations

import os
from pathlib import Path

import pytest

from kaigai.core.config import get_settings
from kaigai.core.errors import ConfigError


def test_env_overrides_file_and_file_overrides_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    f = tmp_path / "kaigai.toml"
    f.write_text('[kaigai]\nengine = "pyspark"\nlang = "ja"\n')
    monkeypatch.delenv("KAIGAI_LANG", raising=False)
    monkeypatch.setenv("KAIGAI_ENGINE", "duckdb")
    s = get_settings(f)
    assert s.lang == "ja"  # from file
    assert s.engine == "duckdb"  # env wins


def test_invalid_setting_is_a_config_error(tmp_path: Path) -> None:
    f = tmp_path / "kaigai.toml"
    f.write_text('engine = "oracle"\n')
    with pytest.raises(ConfigError, match="engine"):
        get_settings(f)


@pytest.mark.parametrize(
    ("env", "want"),
    [
        ({"KAIGAI_CACHE_DIR": ""}, "from-file"),  # empty: not set (was Path("") = ".")
        ({"kaigai_cache_dir": "from-env"}, "from-env"),  # lowercase: the file lost to it only half
        ({"KAIGAI_CACHE_DIR": "from-env"}, "from-env"),
        ({}, "from-file"),
    ],
)
def test_settings_and_the_kernels_loader_read_the_same_cache_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, env: dict[str, str], want: str
) -> None:
    """``Settings.cache_dir`` and ``config_file.cache_dir()`` (the compiled kernels' folder,
    read without pydantic) agree for an empty or a lowercase variable."""
    from kaigai.core import config_file

    f = tmp_path / "kaigai.toml"
    f.write_text('[kaigai]\ncache_dir = "from-file"\n', encoding="utf-8")
    for key in [k for k in os.environ if k.upper() == "KAIGAI_CACHE_DIR"]:
        monkeypatch.delenv(key)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    config_file.choose_config_file(f)
    try:
        assert get_settings(f).cache_dir == Path(want)
        assert config_file.cache_dir() == Path(want)
    finally:
        config_file.choose_config_file(None)
