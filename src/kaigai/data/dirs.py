"""The folders kaigai writes to (data and cache), created on first use with a clear error when they cannot be."""

from __future__ import annotations

import errno
import os
from pathlib import Path

from kaigai.core.errors import ConfigError

_SETTING = {"data": "KAIGAI_DATA_DIR", "cache": "KAIGAI_CACHE_DIR"}


def ensure_dir(path: Path, kind: str = "data") -> Path:
    """Create ``path`` (and parents) if missing and check kaigai may write there.

    ``kind`` is ``data`` or ``cache`` and names the setting in the message.

    Raises
    ------
    ConfigError
        (exit code 78) when the path or one of its parents is a file, or the folder cannot be
        created or written; the hint names the setting to change.
    """
    setting = _SETTING.get(kind, "KAIGAI_DATA_DIR")
    hint = (
        f"Set {setting} (environment or kaigai.toml `{setting[7:].lower()}`) to a folder you can "
        f"write, or unset it to use the default; `kaigai config show` prints the current value."
    )
    p = Path(path)
    try:
        p.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError) as exc:
        blocker = next((a for a in (p, *p.parents) if a.is_file()), p)
        raise ConfigError(
            f"The {kind} folder {p} cannot be used: {blocker} is a file, not a folder.",
            hint=hint,
            path=str(p),
        ) from exc
    except OSError as exc:
        raise ConfigError(
            f"The {kind} folder {p} cannot be created: {exc.strerror or exc}.",
            hint=hint,
            path=str(p),
        ) from exc
    if not os.access(p, os.W_OK | os.X_OK):
        raise ConfigError(
            f"The {kind} folder {p} is not writable: {os.strerror(errno.EACCES)}.",
            hint=hint,
            path=str(p),
        )
    return p


__all__ = ["ensure_dir"]
