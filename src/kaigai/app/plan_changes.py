"""What changed since the firm's last plan: rate changes of the plan's products in each market's
schedule between two versions (stored per data state and the two versions compared).

Part of the plan's engine adapters (:mod:`kaigai.app.plan_engines`, which re-exports these).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from kaigai.app.cache import stored

if TYPE_CHECKING:
    from kaigai.app.plan_engines import EngineContext


def _code() -> tuple[str, ...]:
    from kaigai.app.plan_engines import DUTY_CODE

    return DUTY_CODE


def _same(d: dict[str, Any]) -> dict[str, Any]:
    return d


def _version_heads(ctx: EngineContext, market: str) -> list[tuple[str, str]]:
    """(valid_from, label) of every dated version of ``market``'s schedule, the first source
    per date (as :func:`kaigai.tariffs.changes.changes` picks them); stored per data state."""

    def make() -> list[tuple[str, str]]:
        from kaigai.data.tariff_versions import schedule_versions

        by_date: dict[str, str] = {}
        for v in schedule_versions(ctx.settings, market, ctx.tariff_index()):
            by_date.setdefault(v.valid_from.isoformat(), v.label)
        return sorted(by_date.items())

    return stored("plan.versions", ctx.settings, {"market": market}, make,
                  lambda v: [list(x) for x in v], lambda d: [(str(x), str(y)) for x, y in d],
                  code=_code())  # fmt: skip


def run_changes(
    ctx: EngineContext, market: str, hs6: str, since: dt.date | None, on: dt.date, limit: int = 40
) -> dict[str, Any]:
    """:func:`rate_changes`, stored per data state and the two schedule versions compared.

    When the version in force on ``since`` is the one in force on ``on`` (a plan made again
    the same day), no line can differ: the answer is built from the versions' dates and labels
    alone, without the tariff index.
    """
    from kaigai.tariffs.changes import Version

    heads = _version_heads(ctx, market)

    def in_force(d: dt.date) -> str | None:
        ok = [h for h, _ in heads if h <= d.isoformat()]
        return ok[-1] if ok else None

    start = since or (dt.date.fromisoformat(heads[0][0]) if heads else None)
    base = in_force(start) if start is not None else None
    target = in_force(on)
    if base is not None and base == target:
        stubs = [Version(market, dt.date.fromisoformat(d), label, {}) for d, label in heads]
        return changes_dict(market, hs6, since, on, limit, stubs, {})
    request = {"market": market, "hs6": hs6, "base": base, "target": target, "limit": limit,
               # before the earliest version the answer names the date asked for
               "since": since.isoformat() if since and base is None else None}  # fmt: skip
    got: dict[str, Any] = stored(
        "plan.changes", ctx.settings, request,
        lambda: rate_changes(ctx, market, hs6, since, on, limit), _same, _same, code=_code(),
    )  # fmt: skip
    got["since"] = since.isoformat() if since else None  # the only field ``since`` sets itself
    return got


def rate_changes(
    ctx: EngineContext, market: str, hs6: str, since: dt.date | None, on: dt.date, limit: int = 40
) -> dict[str, Any]:
    """Rate changes of ``hs6`` in ``market``'s schedule between the version in force on ``since``
    (the last plan; default: the earliest version) and the one in force on ``on``."""
    from kaigai.data.tariff_versions import schedule_versions
    from kaigai.tariffs.changes import option_names

    index = ctx.tariff_index()
    versions = schedule_versions(ctx.settings, market, index)
    return changes_dict(
        market, hs6, since, on, limit, versions, option_names(index.agreements, market)
    )


def changes_dict(
    market: str,
    hs6: str,
    since: dt.date | None,
    on: dt.date,
    limit: int,
    versions: list[Any],
    names: dict[str, str],
) -> dict[str, Any]:
    """The plan's entry for the rate changes between two of ``versions`` (see :func:`rate_changes`)."""
    from kaigai.core.errors import TariffError
    from kaigai.tariffs.changes import changes

    out: dict[str, Any] = {
        "market": market,
        "hs6": hs6,
        "since": since.isoformat() if since else None,
    }
    if not versions:
        return {**out, "status": "not_available", "detail": f"no {market} schedule in the data"}
    start = since or min(v.valid_from for v in versions)
    try:
        base, target, rows = changes(versions, [hs6], start, on, names)
    except TariffError as exc:
        return {**out, "status": "not_available", "detail": exc.message}
    dates = sorted({v.valid_from for v in versions})
    return {
        **out,
        "status": "ok",
        "from_version": f"{base.valid_from.isoformat()} ({base.label})",
        "to_version": f"{target.valid_from.isoformat()} ({target.label})",
        "versions": [d.isoformat() for d in dates],
        "n_changes": len(rows),
        "changes": [c.to_dict() for c in rows[:limit]],
        "detail": (
            f"{len(rows)} rate change(s) for HS {hs6}" if rows
            else f"no rate change for HS {hs6} between these versions"
        ) + (f" (only one {market} schedule version in the data)" if len(dates) == 1 else ""),
    }  # fmt: skip


__all__ = ["changes_dict", "rate_changes", "run_changes"]
