"""When each firm's last export plan was built (``<data_dir>/plan_history.json``).

The plan's "what changed since your last plan" section compares the schedules in force on that
date with today's.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kaigai.core.config import Settings


def _path(settings: Settings) -> Path:
    return Path(settings.data_dir) / "plan_history.json"


def last_plan(settings: Settings, firm: str) -> dt.date | None:
    """Date of ``firm``'s previous plan, or None (first plan or unreadable history)."""
    p = _path(settings)
    try:
        raw = json.loads(p.read_text(encoding="utf-8")).get(firm)
        return dt.date.fromisoformat(raw) if raw else None
    except (OSError, ValueError, AttributeError):
        return None


def record_plan(settings: Settings, firm: str, on: dt.date) -> None:
    """Remember that ``firm``'s plan was built on ``on`` (written atomically)."""
    p = _path(settings)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            data = {}
    except (OSError, ValueError):
        data = {}
    data[firm] = on.isoformat()
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(p)


__all__ = ["last_plan", "record_plan"]
