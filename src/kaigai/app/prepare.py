"""Prepare the persistent indexes of a new catalog state right after ``kaigai data import``.

Each step calls the data layer's own builder, which checks its fingerprint, writes atomically and
is a no-op when the stored index is current: the HS nomenclature index, the rule books of every
agreement, the tariff index of every schedule, and the market finder's export potentials
(default parameters, when trade data is available). Skipped (``--no-prepare``), the first query
prepares lazily as before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kaigai.core.config import Settings


@dataclass(frozen=True)
class Step:
    """One prepared index: its name and the message shown while it is built."""

    name: str
    message: str
    run: Callable[[], str]


def steps(settings: Settings) -> Iterator[Step]:
    """The prepare steps for ``settings``' catalog state; ``run()`` returns what it did."""

    def nomenclature() -> str:
        from kaigai.data.nomenclature import prepared

        prepared(settings)
        return "ready"

    def rulebooks() -> str:
        from kaigai.app.origin import context

        return f"{len(context(settings).books)} agreements"

    def tariffs() -> str:
        from kaigai.data.tariff_store import prepare

        return prepare(settings)

    def markets() -> str:
        from kaigai.core.errors import DatasetMissingError
        from kaigai.data import store
        from kaigai.data.markets import is_prepared, prepare
        from kaigai.markets.types import EPIParams

        if store.location("trade_hs6", settings) == "missing":
            return "skipped (no trade data)"
        params = EPIParams()
        if is_prepared(settings, params):
            return "up to date"
        try:
            prepare(settings, params)
        except DatasetMissingError as exc:
            return f"skipped ({exc})"
        return "ready"

    yield Step("nomenclature", "Preparing the HS nomenclature index…", nomenclature)
    yield Step("rulebooks", "Preparing the rules-of-origin index…", rulebooks)
    yield Step("tariffs", "Preparing the tariff index…", tariffs)
    yield Step("markets", "Preparing the market finder's export potentials…", markets)


__all__ = ["Step", "steps"]
