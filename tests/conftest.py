"""Shared fixtures: isolated settings (temporary data dir) and the shared-data location."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kaigai.core.config import Settings, get_settings


def shared_data_dir() -> Path:
    return Path(os.environ.get("KAIGAI_SHARED_DATA", "../shared/data")).resolve()


@pytest.fixture(autouse=True)
def _isolated_env(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every test gets its own data/cache dir so no test touches the user's catalog."""
    base = tmp_path_factory.mktemp("kaigai_home")
    monkeypatch.setenv("KAIGAI_DATA_DIR", str(base / "data"))
    monkeypatch.setenv("KAIGAI_CACHE_DIR", str(base / "cache"))
    monkeypatch.setenv("KAIGAI_CONFIG", str(base / "none.toml"))


@pytest.fixture
def settings() -> Settings:
    return get_settings()


@pytest.fixture
def shared_data() -> Path:
    """Path of the full shared datasets; skips the test where they are absent."""
    p = shared_data_dir()
    if not (p / "markets").is_dir():
        pytest.skip(f"shared data not found at {p} (set KAIGAI_SHARED_DATA)")
    return p
