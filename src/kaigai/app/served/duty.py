"""Duty options service: the application layer's answer (:mod:`kaigai.app.duty`), memoised per query."""

from __future__ import annotations

import datetime as dt
from typing import Any

from kaigai.hs.codes import normalize_hs6
from kaigai.service.state import AppState


def index(state: AppState) -> str:
    """Make sure the prepared tariff index of this catalog state exists (the service's warm-up).

    The service reads the same prepared index as the CLI and the plan: each question reads
    only its HS6 rows into its destination (:func:`kaigai.app.duty.tariff_index`)."""
    from kaigai.data.tariff_store import prepare

    return prepare(state.settings)


def duty_options(
    state: AppState,
    *,
    hs: str,
    origin: str,
    destination: str,
    as_of: dt.date | None = None,
    value: float | None = None,
    currency: str = "JPY",
    quantity: float | None = None,
    unit: str | None = None,
    line: str | None = None,
    quota: str | None = None,
    lang: str = "en",
) -> dict[str, Any]:
    """Every duty option side by side for ``hs`` from ``origin`` into ``destination`` on ``as_of``."""
    from kaigai.app import duty as app_duty

    req = app_duty.DutyRequest(hs, origin, destination, as_of, value, currency, quantity, unit,
                               line, quota, lang=lang).checked()  # fmt: skip
    key = ("duty", normalize_hs6(hs) if len(hs) <= 7 else hs, req)

    def run() -> dict[str, Any]:
        out: dict[str, Any] = app_duty.duty_options(state.settings, req).to_dict()
        return out

    return state.cached(key, run)


def _json_key(kw: dict[str, Any]) -> tuple[Any, ...]:
    """Cache key of a JSON answer; an undated query is keyed on today's date (it answers "today")."""
    dated = {**kw, "as_of": kw.get("as_of") or dt.date.today()}
    return ("duty-json", tuple(sorted((k, str(v)) for k, v in dated.items())))


def duty_options_json(state: AppState, **kw: Any) -> bytes:
    """The same answer encoded as JSON bytes, memoised (cached lookups skip re-encoding)."""
    import json

    from kaigai.core.jsonable import to_jsonable

    key = _json_key(kw)
    return state.cached(key, lambda: json.dumps(to_jsonable(duty_options(state, **kw)),
                                                ensure_ascii=False).encode("utf-8"))  # fmt: skip


def cached_json(state: AppState, **kw: Any) -> bytes | None:
    """Memoised JSON bytes if this exact query was answered before (no work, no blocking)."""
    key = _json_key(kw)
    hit: bytes | None = state._cache.get(key)
    return hit


__all__ = ["cached_json", "duty_options", "duty_options_json", "index"]
