"""FTA net benefit: duty saved along the staging path minus the cost of using the agreement.

Pure functions. ``margin_path`` gives the preference margin (MFN rate minus agreement rate,
percentage points) per year; costs come from :class:`FtaCosts` (defaults with sources in
``tariffs/data/fta_costs.yaml``, user overrides from a TOML ``[fta_costs]`` table).

NPV over years t = 1..H with discount rate r::

    NPV(V) = sum_t (V * m_t / 100 - c_t) / (1 + r)^t - F

where V is the annual export value, m_t the margin, c_t the yearly running cost (certificates,
supplier declarations, record keeping, expected verification cost) and F the one-off cost
(learning, registration, system, origin determination). Break-even V* solves NPV(V*) = 0:
``V* = (F + sum_t c_t d_t) / sum_t (m_t / 100) d_t`` with ``d_t = (1 + r)^-t``.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from kaigai.core.errors import InputError

if TYPE_CHECKING:
    from kaigai.tariffs.options import DutyOptions


@dataclass(frozen=True)
class FtaCosts:
    hourly_cost_jpy: float = 3000.0
    learning_hours: float = 40.0
    registration_fee_jpy: float = 0.0
    system_cost_jpy: float = 0.0
    origin_determination_hours: float = 16.0
    certificate_fee_jpy: float = 2500.0
    hours_per_certificate: float = 1.0
    certification: str = "third_party"
    supplier_declarations_per_year: float = 2.0
    hours_per_supplier_declaration: float = 4.0
    record_keeping_hours_per_year: float = 12.0
    verification_probability: float = 0.02
    verification_cost_jpy: float = 300000.0
    discount_rate: float = 0.05
    horizon_years: int = 5

    def fixed(self, products: int = 1) -> float:
        """One-off cost F."""
        return (
            self.learning_hours + self.origin_determination_hours * products
        ) * self.hourly_cost_jpy + (self.registration_fee_jpy + self.system_cost_jpy)

    def running(self, shipments_per_year: float) -> float:
        """Yearly running cost c (per shipment, supplier declarations, records, verification)."""
        fee = self.certificate_fee_jpy if self.certification == "third_party" else 0.0
        per_shipment = fee + self.hours_per_certificate * self.hourly_cost_jpy
        return (
            shipments_per_year * per_shipment
            + self.supplier_declarations_per_year
            * self.hours_per_supplier_declaration
            * self.hourly_cost_jpy
            + self.record_keeping_hours_per_year * self.hourly_cost_jpy
            + self.verification_probability * self.verification_cost_jpy
        )


def default_costs() -> tuple[FtaCosts, dict[str, str]]:
    """Defaults and their sources (from the bundled YAML)."""
    raw = yaml.safe_load(
        (resources.files("kaigai.tariffs") / "data" / "fta_costs.yaml").read_text(encoding="utf-8")
    )
    return costs_from_mapping({k: v["value"] for k, v in raw.items()}), {
        k: v["source"] for k, v in raw.items()
    }


def costs_from_mapping(data: dict[str, Any], base: FtaCosts | None = None) -> FtaCosts:
    """Override ``base`` (default :class:`FtaCosts`) with ``data``; unknown keys are an error."""
    base = base or FtaCosts()
    names = {f.name: f for f in fields(FtaCosts)}
    unknown = sorted(set(data) - set(names))
    if unknown:
        raise InputError(f"Unknown FTA cost keys {unknown}.", hint="Known: " + ", ".join(names))
    vals: dict[str, Any] = {}
    for k, v in data.items():
        if k == "certification":
            if v not in ("third_party", "self"):
                raise InputError("certification must be 'third_party' or 'self'.")
            vals[k] = v
        elif k == "horizon_years":
            vals[k] = int(v)
        else:
            try:
                vals[k] = float(v)
            except (TypeError, ValueError) as exc:
                raise InputError(f"FTA cost {k}={v!r} is not a number.") from exc
            if vals[k] < 0:
                raise InputError(f"FTA cost {k} must not be negative.")
    return replace(base, **vals)


def load_costs(path: Path | None) -> FtaCosts:
    """Defaults, overridden by the ``[fta_costs]`` table of a TOML file when given."""
    costs, _ = default_costs()
    if path is None:
        return costs
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"Cannot read cost file {path}: {exc}") from exc
    return costs_from_mapping(raw.get("fta_costs", raw), costs)


@dataclass(frozen=True)
class NetBenefit:
    annual_value: float
    shipments_per_year: float
    margins_pct: tuple[float, ...]
    savings: tuple[float, ...]
    running_costs: tuple[float, ...]
    fixed_cost: float
    npv: float
    break_even_annual_value: float | None
    worth_it: bool
    statement: str


def fta_net_benefit(
    margin_path: list[float] | tuple[float, ...],
    annual_value: float,
    shipments_per_year: float,
    costs: FtaCosts | None = None,
    products: int = 1,
    currency: str = "JPY",
) -> NetBenefit:
    """NPV of using an agreement over ``costs.horizon_years`` (margins beyond the path repeat the last).

    Parameters
    ----------
    margin_path : margins (percentage points) for years 1, 2, ...
    annual_value : export value per year (same currency as the costs, JPY by default)
    shipments_per_year : certificates / declarations per year
    """
    costs = costs or FtaCosts()
    if annual_value < 0 or shipments_per_year < 0:
        raise InputError("Annual value and shipments must not be negative.")
    if not margin_path:
        raise InputError("No margin path given.", hint="Compute duty options first.")
    h = costs.horizon_years
    m = [float(margin_path[min(t, len(margin_path) - 1)]) for t in range(h)]
    disc = [(1 + costs.discount_rate) ** -(t + 1) for t in range(h)]
    run = costs.running(shipments_per_year)
    savings = [annual_value * mt / 100.0 for mt in m]
    fixed = costs.fixed(products)
    npv = sum((s - run) * d for s, d in zip(savings, disc, strict=True)) - fixed
    denom = sum(mt / 100.0 * d for mt, d in zip(m, disc, strict=True))
    pv_costs = fixed + run * sum(disc)
    be = pv_costs / denom if denom > 0 else None
    if be is None:
        text = "No tariff margin over MFN on this path: using the agreement saves nothing."
    elif npv >= 0:
        text = (
            f"Worth it: NPV {npv:,.0f} {currency} over {h} years. Not worth it below "
            f"{be:,.0f} {currency} of exports per year."
        )
    else:
        text = (
            f"Not worth it at {annual_value:,.0f} {currency}/year (NPV {npv:,.0f} {currency}). "
            f"Not worth it below {be:,.0f} {currency} of exports per year."
        )
    return NetBenefit(
        annual_value,
        shipments_per_year,
        tuple(m),
        tuple(savings),
        tuple([run] * h),
        fixed,
        npv,
        be,
        npv >= 0 and be is not None,
        text,
    )


def margin_path(path: Sequence[Mapping[str, Any]], option: str, mfn: str = "MFN") -> list[float]:
    """Preference margin of ``option`` over MFN (percentage points) for each year of a staging path.

    ``path`` is :attr:`DutyOptions.path <kaigai.tariffs.options.DutyOptions.path>` (one dict per
    year with a ``rates`` mapping); a rate missing in a year counts as 0. An empty path gives [].
    """
    return [
        (p["rates"].get(mfn) or 0.0)
        - (p["rates"].get(option) if p["rates"].get(option) is not None else 0.0)
        for p in path
    ]


def require_one_line(res: DutyOptions) -> None:
    """Raise :class:`InputError` unless the duty result has exactly one national line."""
    if len(res.lines) != 1:
        raise InputError(
            f"HS {res.hs} has {len(res.lines)} national lines; the net benefit needs one.",
            hint="Pick one with --line, e.g. --line " + res.lines[0].national_code,
        )


def option_net_benefit(
    res: DutyOptions,
    option: str,
    annual_value: float,
    shipments_per_year: float,
    costs: FtaCosts | None = None,
    currency: str = "JPY",
) -> NetBenefit:
    """FTA net benefit of one option of a duty result (:func:`~kaigai.tariffs.options.duty_options`).

    The margin path is the option's margin over MFN along the result's staging path; without a
    path, the option's margin on the query date for every year.

    Raises
    ------
    InputError
        When the result has more than one national line (the margin would be ambiguous).
    """
    require_one_line(res)
    margins = margin_path(res.path, option)
    if not margins:
        row = next((r for r in res.lines[0].options if r.option == option), None)
        margins = [(row.margin_pct if row is not None else None) or 0.0]
    return fta_net_benefit(margins, annual_value, shipments_per_year, costs, currency=currency)


def annual_fixed_cost_equivalent(
    costs: FtaCosts, shipments_per_year: float, products: int = 1
) -> float:
    """Per-firm yearly cost of using an FTA (one-off cost annuitised + running cost), for the policy lab."""
    r, h = costs.discount_rate, costs.horizon_years
    annuity = costs.fixed(products) * (r / (1 - (1 + r) ** -h) if r > 0 else 1 / h)
    return annuity + costs.running(shipments_per_year)


__all__ = [
    "FtaCosts",
    "NetBenefit",
    "annual_fixed_cost_equivalent",
    "costs_from_mapping",
    "default_costs",
    "fta_net_benefit",
    "load_costs",
    "margin_path",
    "option_net_benefit",
    "require_one_line",
]
