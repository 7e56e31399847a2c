"""Typed settings: environment variables (``KAIGAI_*``) over ``kaigai.toml`` over defaults.

No settings are read at import time: call :func:`get_settings` (or build ``Settings``)
and pass the object down.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from kaigai.core.config_file import (
    config_file_candidates,
    default_cache_dir,
    env_settings,
    read_config_file,
)
from kaigai.core.errors import ConfigError

Engine = Literal["duckdb", "pyspark"]
Lang = Literal["en", "ja"]


def _default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("kaigai", appauthor=False))


def _env_values(fields: dict[str, Any]) -> dict[str, Any]:
    """``KAIGAI_<NAME>`` variables of the settings' ``fields`` (names matched
    case-insensitively; a table-valued field such as ``rates`` is read as JSON; an empty value
    of a folder setting is not set, as for the compiled kernels' loader in
    :mod:`kaigai.core.config_file`: ``Path("")`` would be the current folder).

    Plain environment reading keeps pydantic-settings (and asyncio, which it imports) off every
    CLI call; the values are validated by the model like any other input.
    """
    out: dict[str, Any] = {}
    for name, raw in env_settings().items():
        if name not in fields or (not raw and fields[name].annotation is Path):
            continue
        value: Any = raw
        if name in _JSON_FIELDS:
            try:
                value = json.loads(raw)
            except ValueError:
                value = raw  # reported by validation: "Input should be a valid dictionary"
        out[name] = value
    return out


_JSON_FIELDS = frozenset({"rates"})


class Settings(BaseModel):
    """kaigai settings. Override with ``KAIGAI_<NAME>`` env vars or a ``kaigai.toml``.

    ``Settings(**values)`` reads the ``KAIGAI_*`` environment variables; explicit values win.
    """

    model_config = ConfigDict(extra="ignore")

    def __init__(self, **values: Any) -> None:
        env = _env_values(type(self).model_fields)
        super().__init__(**{**env, **values})

    data_dir: Path = Field(default_factory=_default_data_dir)
    cache_dir: Path = Field(default_factory=default_cache_dir)
    shared_data: Path = Path("../shared/data")
    engine: Engine = "duckdb"
    lang: Lang = "en"
    use_starter: bool = True
    offline: bool = False
    database_url: str = ""
    secret_key: str = ""
    # Reverse proxies whose X-Forwarded-For / -Proto the server believes (comma-separated IPs
    # or CIDRs, e.g. "127.0.0.1"); empty: none, the TCP peer is the client.
    trusted_proxies: str = ""
    # Exchange rates the user supplies (kaigai ships none), e.g. in kaigai.toml:
    # [rates."USD/JPY"]  rate = 150.2, date = "2025-01-06", source = "MUFG TTM"
    # Read them with kaigai.core.money.rates_from_settings(settings).
    rates: dict[str, dict[str, Any]] = Field(default_factory=dict)

    @property
    def catalog_path(self) -> Path:
        return self.data_dir / "catalog.duckdb"


def get_settings(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Build settings from (in rising priority) defaults, ``kaigai.toml``, env vars, overrides."""
    file_values = read_config_file(config_file)
    env = _env_values(Settings.model_fields)  # the variables Settings reads: they win over the file
    merged = {k: v for k, v in file_values.items() if k not in env}
    merged.update(overrides)
    try:
        return Settings(**merged)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(x) for x in first["loc"])
        raise ConfigError(
            f"Invalid setting {loc}: {first['msg']}",
            hint="Check kaigai.toml and KAIGAI_* environment variables (`kaigai config show`).",
        ) from exc


__all__ = ["Engine", "Lang", "Settings", "config_file_candidates", "get_settings"]
