"""``kaigai.toml``: where it is looked for and what it says, without pydantic.

:func:`kaigai.core.config.get_settings` validates these values into ``Settings``; callers
that must not import pydantic (the compiled kernels' loader on the ``policy estimate`` path)
read single settings here with the same precedence: ``KAIGAI_<NAME>`` over the file over
the default. The CLI's ``--config PATH`` names the file of one invocation
(:func:`choose_config_file`); such readers then read that file only, as the settings do.
"""

from __future__ import annotations

import os
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from kaigai.core.errors import ConfigError

ENV_PREFIX = "KAIGAI_"

# the ``--config`` of the running CLI invocation (None: look for kaigai.toml as usual)
_CHOSEN: ContextVar[Path | None] = ContextVar("kaigai_config_file", default=None)


def choose_config_file(path: Path | None) -> None:
    """Make ``path`` the kaigai.toml that :func:`cache_dir` reads (the CLI's ``--config``;
    None: back to :func:`config_file_candidates`)."""
    _CHOSEN.set(path)


def chosen_config_file() -> Path | None:
    """The file given by :func:`choose_config_file`, if any."""
    return _CHOSEN.get()


def env_settings() -> dict[str, str]:
    """The ``KAIGAI_<NAME>`` environment variables by lowercase name (prefix and name matched
    case-insensitively; of two spellings of one name, the later in the environment): what
    ``Settings`` and :func:`cache_dir` read."""
    n = len(ENV_PREFIX)
    return {k[n:].lower(): v for k, v in os.environ.items() if k[:n].upper() == ENV_PREFIX}


def config_file_candidates() -> list[Path]:
    """Where ``kaigai.toml`` is looked for, first match wins."""
    import platformdirs

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
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
                raise ConfigError(
                    f"Config file {path} is not valid TOML: {exc}", hint="Fix or remove the file."
                ) from exc
            return dict(raw.get("kaigai", raw))
    return {}


def check_config_file(path: Path) -> None:
    """A ``--config`` file given on the command line: :class:`ConfigError` unless it is a
    readable TOML file (checked when the option is read, so that every command, including
    those that never build the settings, refuses it the same way)."""
    if not path.is_file():
        raise ConfigError(
            f"Config file {path} does not exist" + (" (it is a folder)" if path.is_dir() else ""),
            hint="give the path of a kaigai.toml, or leave out --config",
        )
    read_config_file(path)


def default_cache_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("kaigai", appauthor=False))


def cache_dir() -> Path:
    """``Settings.cache_dir`` without building the settings: ``KAIGAI_CACHE_DIR``, else the
    file's ``cache_dir`` (the ``--config`` file when one was given), else the user cache
    folder."""
    value = env_settings().get("cache_dir")
    if value:  # an empty value is not a folder
        return Path(value)
    configured = read_config_file(_CHOSEN.get()).get("cache_dir")
    return Path(configured) if isinstance(configured, str) else default_cache_dir()


__all__ = [
    "cache_dir",
    "check_config_file",
    "choose_config_file",
    "chosen_config_file",
    "config_file_candidates",
    "default_cache_dir",
    "env_settings",
    "read_config_file",
]
