"""``kaigai.toml``: where it is looked for and what it says, without pydantic.

:func:`kaigai.core.config.get_settings` validates these values into ``Settings``; callers
that must not import pydantic (the compiled kernels' loader on the ``policy estimate`` path)
read single settings here with the same precedence: ``KAIGAI_<NAME>`` over the file over
the default.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import platformdirs

from kaigai.core.errors import ConfigError


def config_file_candidates() -> list[Path]:
    """Where ``kaigai.toml`` is looked for, first match wins."""
    env = os.environ.get("KAIGAI_CONFIG")
    out = [Path(env)] if env else []
    out += [
        Path.cwd() / "kaigai.toml",
        Path(platformdirs.user_config_dir("kaigai")) / "kaigai.toml",
    ]
    return out


def read_config_file(config_file: Path | None = None) -> dict[str, Any]:
    """The settings table of the first ``kaigai.toml`` found (its ``[kaigai]`` table, or the
    top level), empty without a file; :class:`ConfigError` if it is not valid TOML."""
    import tomllib

    candidates = [config_file] if config_file else config_file_candidates()
    for path in candidates:
        if path is not None and path.is_file():
            try:
                raw = tomllib.loads(path.read_text(encoding="utf-8"))
            except tomllib.TOMLDecodeError as exc:
                raise ConfigError(
                    f"Config file {path} is not valid TOML: {exc}", hint="Fix or remove the file."
                ) from exc
            return dict(raw.get("kaigai", raw))
    return {}


def default_cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir("kaigai", appauthor=False))


def cache_dir() -> Path:
    """``Settings.cache_dir`` without building the settings: ``KAIGAI_CACHE_DIR``, else the
    file's ``cache_dir``, else the user cache folder."""
    for key, value in os.environ.items():
        if key.upper() == "KAIGAI_CACHE_DIR" and value:  # an empty value is not a folder
            return Path(value)
    configured = read_config_file().get("cache_dir")
    return Path(configured) if isinstance(configured, str) else default_cache_dir()


__all__ = ["cache_dir", "config_file_candidates", "default_cache_dir", "read_config_file"]
