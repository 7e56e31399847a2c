"""Duty options service: the tariff index built once per app, answers memoised per query."""

from __future__ import annotations

import datetime as dt
from typing import Any

from kaigai.api.state import AppState
from kaigai.core.countries import normalize_country
from kaigai.core.errors import InputError
from kaigai.core.money import currency_code
from kaigai.hs.codes import normalize_hs6


def _rule_lookup(state: AppState) -> Any:
    """Origin rule per (agreement, hs6) for the duty table; None if the origin engine is unusable."""
    try:
        from kaigai.api.services.origin import rule
    except ImportError:  # pragma: no cover - origin is part of the package
        return None

    def look(agreement: str, hs6: str) -> dict[str, Any]:
        r = rule(state, agreement, hs6)
        return {"rule": r["rule_text"], "rule_text": [x["text"] for x in r["source_rows"]],
                "hs_edition": r["hs_edition"], "edition_note": r["edition_note"],
                "provenance": [x["provenance"] for x in r["source_rows"]]}  # fmt: skip

    return look


def index(state: AppState) -> Any:
    from kaigai.data.tariffs import build_index

    return state.cached("duty.index", lambda: build_index(state.settings))


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
    from kaigai.tariffs.expr import Basis
    from kaigai.tariffs.options import DutyQuery
    from kaigai.tariffs.options import duty_options as engine

    if (quantity is None) != (unit is None):
        raise InputError("Give quantity and unit together.", hint="e.g. quantity=5&unit=kg")
    o, d = normalize_country(origin), normalize_country(destination)
    on = as_of or dt.date.today()
    cur = currency_code(currency)
    key = ("duty", normalize_hs6(hs) if len(hs) <= 7 else hs, o, d, on, value, cur, quantity, unit,
           line, quota, lang)  # fmt: skip

    def run() -> dict[str, Any]:
        basis = Basis(value, cur if value is not None else None, quantity, unit, quota=quota)
        q = DutyQuery(hs, o, d, on, basis, line, rule_lookup=_rule_lookup(state))
        out: dict[str, Any] = engine(index(state), q, lang).to_dict()
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
