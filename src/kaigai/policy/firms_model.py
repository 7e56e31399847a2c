"""Inputs of the small-firm export simulator: markets, parameters, the firm population.

Model (Melitz 2003 with Pareto productivity as in Chaney 2008; FDI option as in Helpman,
Melitz & Yeaple 2004). Firm ``i`` has productivity ``phi_i ~ Pareto(k)`` with minimum 1.
Revenue at home is ``phi^(sigma-1)`` (the unit: sales of the smallest, one-employee firm)
and employment is proportional to total revenue. Selling in market ``m`` by exporting
earns ``r_im = B_m (tau_m (1 + t))^(1-sigma) phi^(sigma-1)`` and operating profit
``r_im / sigma``; it costs the fixed export cost ``f_x * f_m`` (lower by
``staff_fx_cut`` for firms with global staff, and scattered across firms by a lognormal
factor ``exp(fx_dispersion * z_i)`` so that some small firms export and some large ones
do not, as in Eaton, Kortum & Kramarz 2011). Where a preference exists the firm may
pay ``fta_fixed_cost`` (the per-firm fixed cost of proving origin) to sell at the
preferential tariff: it does so only when the duty saved is worth more, so utilisation
is partial and lower for small firms. Serving ``m`` through a plant abroad (e.g. a
shared industrial park) earns ``B_m c_m^(1-sigma) phi^(sigma-1) / sigma`` and costs
``fdi_fixed_cost * f_x``. Each firm picks the most profitable mode per market.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from kaigai.core.errors import ScenarioError

# Size classes by employment (SME Basic Act, manufacturing: "small enterprise" <= 20
# employees, SME <= 300). Medium-sized = 21..300 employees.
SIZE_CLASSES: tuple[tuple[str, float, float], ...] = (
    ("small", 0.0, 21.0),
    ("medium", 21.0, 301.0),
    ("large", 301.0, np.inf),
)


@dataclass(frozen=True)
class Market:
    """A destination market.

    ``demand`` is the demand shifter ``B_m`` relative to home (1 = as large as home for a
    given firm), ``trade_cost`` the iceberg cost ``tau_m >= 1``, ``mfn_tariff`` and
    ``pref_tariff`` ad-valorem fractions (``pref_tariff`` None = no agreement in force),
    ``fixed_cost`` multiplies the export fixed cost, ``fdi_unit_cost`` is the unit cost
    of producing there relative to home (HMY).
    """

    name: str
    demand: float = 1.0
    trade_cost: float = 1.5
    mfn_tariff: float = 0.05
    pref_tariff: float | None = None
    fixed_cost: float = 1.0
    fdi_unit_cost: float = 1.0

    def validate(self) -> None:
        if not self.name:
            raise ScenarioError("A market has no name.")
        if not self.demand > 0:
            raise ScenarioError(f"Market {self.name}: demand must be > 0 (got {self.demand}).")
        if not self.trade_cost >= 1:
            raise ScenarioError(
                f"Market {self.name}: trade_cost is an iceberg factor and must be >= 1 "
                f"(got {self.trade_cost}).",
                hint="1.5 means 50% of the value melts on the way.",
            )
        for what, v in (("mfn_tariff", self.mfn_tariff), ("pref_tariff", self.pref_tariff)):
            if v is not None and not 0 <= v < 10:
                raise ScenarioError(
                    f"Market {self.name}: {what} must be a fraction >= 0 (got {v}).",
                    hint="Write 5% as 0.05.",
                )
        if self.pref_tariff is not None and self.pref_tariff > self.mfn_tariff:
            raise ScenarioError(
                f"Market {self.name}: preferential tariff {self.pref_tariff} is above MFN "
                f"{self.mfn_tariff}."
            )
        if not self.fixed_cost > 0 or not self.fdi_unit_cost > 0:
            raise ScenarioError(f"Market {self.name}: fixed_cost and fdi_unit_cost must be > 0.")


@dataclass(frozen=True)
class FirmParams:
    """Structural parameters (defaults documented in docs/policy_lab.md).

    ``staff_share`` is the share of firms with staff able to run overseas business among
    firms that are not internationalised in the baseline (about 25% for Japanese small
    firms per the issue; no primary figure was found, see sme_facts.md section 5).
    ``staff_share_base`` is the share the model is calibrated on; a scenario raising it
    gives global staff to more baseline non-internationalised firms (common random
    numbers). ``immigration_share`` is the share of the remaining firms without such
    staff that hire a skilled immigrant who can run overseas business.
    """

    sigma: float = 4.0
    pareto_k: float = 3.4
    export_fixed_cost: float = 1.0  # f_x, in units of home sales of the smallest firm
    fta_fixed_cost: float = 0.1  # per firm and market, relative to f_x
    staff_share: float = 0.25
    staff_share_base: float = 0.25
    staff_fx_cut: float = 0.3
    staff_fta_cut: float = 0.3
    immigration_share: float = 0.0
    fx_dispersion: float = 2.0  # sd of log firm-specific fixed export cost (0 = none)
    fdi_enabled: bool = False
    fdi_fixed_cost: float = 15.0  # relative to f_x
    population: float | None = None  # firms represented (scales counts), None = simulated

    def validate(self) -> None:
        if not self.sigma > 1:
            raise ScenarioError(f"sigma must be > 1 (got {self.sigma}).")
        if not self.pareto_k > self.sigma - 1:
            raise ScenarioError(
                f"pareto_k ({self.pareto_k}) must exceed sigma - 1 ({self.sigma - 1}) for "
                "finite average sales.",
                hint="Typical: sigma = 4, pareto_k = 3.4.",
            )
        for name in (
            "staff_share",
            "staff_share_base",
            "staff_fx_cut",
            "staff_fta_cut",
            "immigration_share",
        ):
            v = getattr(self, name)
            if not 0 <= v <= 1:
                raise ScenarioError(f"{name} must be between 0 and 1 (got {v}).")
        if self.staff_fx_cut >= 1:
            raise ScenarioError("staff_fx_cut must be < 1 (a cut of 100% makes exporting free).")
        for name in ("export_fixed_cost", "fdi_fixed_cost"):
            if not getattr(self, name) > 0:
                raise ScenarioError(f"{name} must be > 0 (got {getattr(self, name)}).")
        if not self.fx_dispersion >= 0:
            raise ScenarioError(f"fx_dispersion must be >= 0 (got {self.fx_dispersion}).")
        if not self.fta_fixed_cost >= 0:
            raise ScenarioError(f"fta_fixed_cost must be >= 0 (got {self.fta_fixed_cost}).")

    def with_(self, **changes: Any) -> FirmParams:
        try:
            return replace(self, **changes)
        except TypeError as exc:
            raise ScenarioError(f"Unknown firm parameter: {exc}.") from None


@dataclass(frozen=True)
class Population:
    """Simulated firms: productivity, uniform draws for the staff channel, size class."""

    phi_pow: np.ndarray  # phi^(sigma-1) = home revenue = baseline home employment
    u_staff: np.ndarray  # U(0,1): the firm has global staff when u_staff < threshold
    u_immig: np.ndarray  # U(0,1): a firm without staff hires an immigrant when < share
    z_fx: np.ndarray  # N(0,1): firm-specific log fixed-cost shock (scaled by fx_dispersion)
    size_class: np.ndarray  # int8 index into SIZE_CLASSES (by home employment)
    seed: int
    sigma: float
    pareto_k: float
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return int(self.phi_pow.size)

    def subset(self, mask: np.ndarray) -> Population:
        """The firms where ``mask`` is true (same seed and parameters)."""
        return Population(
            self.phi_pow[mask],
            self.u_staff[mask],
            self.u_immig[mask],
            self.z_fx[mask],
            self.size_class[mask],
            self.seed,
            self.sigma,
            self.pareto_k,
        )


def draw_population(n_firms: int, params: FirmParams, seed: int = 0) -> Population:
    """Draw ``n_firms`` firms with a seeded numpy Generator (PCG64)."""
    params.validate()
    if n_firms < 1:
        raise ScenarioError(f"n_firms must be >= 1 (got {n_firms}).")
    rng = np.random.default_rng(seed)
    u = rng.random(n_firms)
    # phi = U^(-1/k)  =>  phi^(sigma-1) = U^(-(sigma-1)/k)
    phi_pow = (1.0 - u) ** (-(params.sigma - 1.0) / params.pareto_k)
    size = np.zeros(n_firms, dtype=np.int8)
    for idx, (_, lo, _hi) in enumerate(SIZE_CLASSES):
        size[phi_pow >= lo] = idx
    return Population(
        phi_pow=phi_pow,
        u_staff=rng.random(n_firms),
        u_immig=rng.random(n_firms),
        z_fx=rng.standard_normal(n_firms),
        size_class=size,
        seed=seed,
        sigma=params.sigma,
        pareto_k=params.pareto_k,
    )


__all__ = ["SIZE_CLASSES", "FirmParams", "Market", "Population", "draw_population"]
