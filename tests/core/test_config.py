from __future__ import annotations

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
