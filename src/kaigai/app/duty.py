"""Duty questions: every duty option for a product, origin and destination, and whether an FTA pays.

One request type for every shell: :class:`DutyRequest` is checked here (dates, quantity/unit,
quota, currency, countries), the tariff index comes from the data layer (only the product's rows
of the prepared index for one-off questions, the whole index for the service), the rules-of-origin
column from :func:`kaigai.app.origin.rule_lookup`, and the answer from the pure engine.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kaigai.app.cache import memo
from kaigai.core.errors import InputError

if TYPE_CHECKING:
    from kaigai.core.config import Settings
    from kaigai.tariffs.duty_types import DutyOptions
    from kaigai.tariffs.index import TariffIndex


def resolve_date(year: int | None, as_of: str | None, today: dt.date | None = None) -> dt.date:
    """``--as-of`` wins; ``--year Y`` means 31 Dec of Y (after Japan's 1 April and VN's 1 Jan cuts)."""
    if as_of:
        try:
            return dt.date.fromisoformat(as_of)
        except ValueError as exc:
            raise InputError(f"--as-of '{as_of}' is not a date.", hint="Use YYYY-MM-DD.") from exc
    if year is not None:
        if year < 1900 or year > 2100:
            raise InputError(f"--year {year} is out of range.", hint="e.g. --year 2027")
        return dt.date(year, 12, 31)
    return today or dt.date.today()


@dataclass(frozen=True)
class DutyRequest:
    """One duty question. ``on`` None = today; ``line`` picks one national line of the HS6."""

    hs: str
    origin: str
    destination: str
    on: dt.date | None = None
    value: float | None = None
    currency: str = "JPY"
    quantity: float | None = None
    unit: str | None = None
    line: str | None = None
    quota: str | None = None
    jpy_per_unit: float | None = None
    scenarios: tuple[Path, ...] = field(default_factory=tuple)
    lang: str = "en"
    with_rules: bool = True  # fill the rules-of-origin column from the origin engine

    def checked(self) -> DutyRequest:
        """The request with countries/currency normalised and the date set; bad input raises."""
        from kaigai.core.countries import normalize_country
        from kaigai.core.money import currency_code

        if self.quota not in (None, "in", "out"):
            raise InputError(f"--quota must be 'in' or 'out', not '{self.quota}'.")
        if (self.quantity is None) != (self.unit is None):
            raise InputError(
                "Give --quantity and --unit together.", hint="e.g. --quantity 5 --unit kg"
            )
        if self.jpy_per_unit is not None and self.jpy_per_unit <= 0:
            raise InputError(
                "--jpy-rate must be positive.", hint="e.g. --currency USD --jpy-rate 150"
            )
        return replace(
            self,
            origin=normalize_country(self.origin),
            destination=normalize_country(self.destination),
            currency=currency_code(self.currency),
            on=self.on or dt.date.today(),
        )


def _hs6_of(hs: str) -> str | None:
    digits = "".join(ch for ch in hs if ch.isdigit())
    return digits[:6] if len(digits) >= 6 else None


def tariff_index(
    settings: Settings,
    hs6s: Sequence[str] | None = None,
    destinations: Sequence[str] | None = None,
    scenarios: tuple[Path, ...] = (),
) -> TariffIndex:
    """The tariff index, memoised per catalog state: whole (``hs6s`` None) or only the rows of
    ``hs6s`` into ``destinations``: read from the prepared index of this catalog state
    (:mod:`kaigai.data.tariff_store`, no pandas), or with scenario files from the catalog
    with parameterised SQL (:func:`kaigai.data.tariffs.index_for`)."""
    if hs6s is None or destinations is None:
        from kaigai.data.tariffs import build_index

        return memo("tariffs.index", settings, lambda: build_index(settings, scenarios), scenarios)
    h, d = tuple(sorted(set(hs6s))), tuple(sorted(set(destinations)))
    if not scenarios:
        from kaigai.data.tariff_store import scoped_index

        return memo("tariffs.scoped", settings, lambda: scoped_index(settings, h, d), h, d)
    from kaigai.data.tariffs import index_for

    return memo("tariffs.index_for", settings, lambda: index_for(settings, h, d, scenarios),
                h, d, scenarios)  # fmt: skip


def duty_options(
    settings: Settings, req: DutyRequest, index: TariffIndex | None = None
) -> DutyOptions:
    """Every duty option (MFN, each agreement in force), the best one and its staging path.

    Without ``index`` only the product's schedule rows are read from the prepared index (the
    CLI, the plan and the service); callers holding an index (tests, benchmarks) pass it.
    """
    from kaigai.tariffs.expr import Basis
    from kaigai.tariffs.options import DutyQuery
    from kaigai.tariffs.options import duty_options as engine

    r = req.checked()
    if index is None:
        hs6 = _hs6_of(r.hs)
        codes = [c for c in (hs6, _hs6_of(r.line or "")) if c]  # --line may name another HS6
        index = (
            tariff_index(settings, codes, [r.destination], r.scenarios)
            if hs6
            else tariff_index(settings, scenarios=r.scenarios)
        )
    basis = Basis(
        r.value,
        r.currency if r.value is not None else None,
        r.quantity,
        r.unit,
        quota=r.quota,
        fx_to={"JPY": r.jpy_per_unit} if r.jpy_per_unit else {},
    )
    lookup = None
    if r.with_rules:
        from kaigai.app.origin import rule_lookup

        lookup = rule_lookup(settings)
    assert r.on is not None
    q = DutyQuery(r.hs, r.origin, r.destination, r.on, basis, r.line, rule_lookup=lookup)
    return engine(index, q, r.lang)


def net_benefit(
    res: DutyOptions, annual_value: float, shipments: float, costs_file: Path | None = None
) -> list[dict[str, Any]]:
    """FTA net benefit of every preferential option of a one-line answer (cost file optional)."""
    from kaigai.tariffs.benefit import load_costs, option_net_benefit, require_one_line

    require_one_line(res)  # before reading the cost file
    costs = load_costs(costs_file)
    out = []
    for r in res.lines[0].options:
        if r.option == "MFN" or r.status != "ok" or r.rate_pct is None:
            continue
        nb = option_net_benefit(res, r.option, annual_value, shipments, costs)
        out.append({"option": r.option, **{k: getattr(nb, k) for k in nb.__dataclass_fields__}})
    return out


def net_benefit_for(
    settings: Settings,
    req: DutyRequest,
    res: DutyOptions,
    annual_value: float,
    shipments: float,
    costs_file: Path | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    """:func:`net_benefit` of a duty answer, and a note when an average shipment was priced.

    Without a shipment value the MFN duty of a shipment is unknown (status needs_input) and the
    margin path would be empty: one average shipment (annual value / shipments) is priced.
    """
    if annual_value <= 0 or shipments <= 0:
        raise InputError(
            "--annual-value and --shipments must be positive.",
            hint="e.g. --annual-value 3000000 --shipments 6",
        )
    if req.value is not None:
        return net_benefit(res, annual_value, shipments, costs_file), None
    per = annual_value / shipments
    bres = duty_options(settings, replace(req, value=per, currency="JPY"))
    note = (
        f"Net benefit priced on an average shipment of JPY {per:,.0f} "
        f"(--annual-value {annual_value:,.0f} / --shipments {shipments:g})."
    )
    return net_benefit(bres, annual_value, shipments, costs_file), note


__all__ = [
    "DutyRequest",
    "duty_options",
    "net_benefit",
    "net_benefit_for",
    "resolve_date",
    "tariff_index",
]
