"""Run a scenario: GE counterfactual of its agreements and the small-firm simulation.

Pure: the shell loads the gravity data frame (``kaigai.data.store.load``) and passes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, cast

import numpy as np
import pandas as pd

from kaigai.core.errors import ScenarioError
from kaigai.policy.firms import FirmScenarioResult, calibrate, compare
from kaigai.policy.firms_model import FirmParams, Market, draw_population
from kaigai.policy.ge import GEKind, GEResult, baseline_flows, solve
from kaigai.policy.ge_montecarlo import MonteCarloResult, monte_carlo
from kaigai.policy.scenarios import Agreement, FirmsSpec, GESpec, Scenario


@dataclass(frozen=True)
class ScenarioResult:
    scenario: Scenario
    ge: GEResult | None = None
    ge_mc: MonteCarloResult | None = None
    firms: FirmScenarioResult | None = None
    shocked_pairs: tuple[tuple[str, str, float], ...] = ()
    trace: tuple[str, ...] = field(default_factory=tuple)
    baseline: dict[str, Any] | None = None  # year, countries, imputed domestic flows
    sensitivity: dict[str, Any] | None = None  # headline without imputed-domestic countries
    fta_use: dict[str, Any] | None = None  # observed EPA use (given by the shell)

    def to_dict(self) -> dict[str, Any]:
        s = self.scenario
        return {
            "scenario": {
                "id": s.id,
                "title": s.title,
                "year": s.year,
                "home": s.home,
                "source": s.source,
            },
            "agreements": [
                {
                    "id": a.id,
                    "parties": list(a.parties),
                    "start_year": a.start_year,
                    "tariff_cut": a.tariff_cut,
                    "staging_years": a.staging_years,
                    "in_baseline": a.in_baseline,
                    "cut_in_year": a.cut_in(s.year),
                }
                for a in s.agreements
            ],
            "ge": self.ge.to_dict() if self.ge else None,
            "ge_monte_carlo": self.ge_mc.to_dict() if self.ge_mc else None,
            "ge_shocked_pairs": [
                {"exporter": i, "importer": j, "rta_change": v} for i, j, v in self.shocked_pairs
            ],
            "ge_baseline": self.baseline,
            "ge_imputed_sensitivity": self.sensitivity,
            "firms": self.firms.to_dict() if self.firms else None,
            "fta_use": self.fta_use,
            "trace": list(self.trace),
        }


def _matrices(
    df: pd.DataFrame, spec: GESpec, cols: list[str]
) -> tuple[list[str], dict[str, np.ndarray]]:
    missing = [c for c in [spec.exporter, spec.importer, *cols] if c not in df.columns]
    if missing:
        raise ScenarioError(
            f"GE data has no column(s) {', '.join(missing)}.",
            hint=f"Columns: {', '.join(map(str, df.columns))}.",
        )
    if df.duplicated([spec.exporter, spec.importer]).any():
        raise ScenarioError(
            "GE data has several rows per exporter-importer pair.", hint="Set ge.year."
        )
    countries = sorted(set(df[spec.exporter]) | set(df[spec.importer]))
    n = len(countries)
    if len(df) != n * n:
        raise ScenarioError(
            f"GE data must have every pair of its {n} countries ({n * n} rows, domestic included); got {len(df)}."
        )
    pos = {c: k for k, c in enumerate(countries)}
    i = df[spec.exporter].map(pos).to_numpy()
    j = df[spec.importer].map(pos).to_numpy()
    out = {}
    for c in cols:
        m = np.full((n, n), np.nan)
        m[i, j] = pd.to_numeric(df[c], errors="coerce").to_numpy(float)
        if np.isnan(m).any():
            raise ScenarioError(f"GE data column {c!r} has missing values.")
        out[c] = m
    return countries, out


def agreement_delta(
    countries: list[str], var: np.ndarray, agreements: tuple[Agreement, ...], year: int
) -> np.ndarray:
    """Change of the agreement dummy: the phased-in cut on pairs of new parties whose
    dummy is 0 in the baseline (existing agreements are left alone)."""
    n = len(countries)
    delta = np.zeros((n, n))
    for a in agreements:
        if a.in_baseline:
            continue
        members = np.array([c in a.parties for c in countries])
        pairs = members[:, None] & members[None, :] & ~np.eye(n, dtype=bool) & (var == 0)
        delta = np.where(pairs, np.maximum(delta, a.cut_in(year)), delta)
    return delta


def run_ge(
    scn: Scenario, data: pd.DataFrame
) -> tuple[GEResult, MonteCarloResult | None, tuple[tuple[str, str, float], ...], list[str]]:
    spec = scn.ge
    assert spec is not None
    df = data
    if spec.year is not None:
        if "year" not in df.columns:
            raise ScenarioError("ge.year given but the GE data has no 'year' column.")
        df = df[df["year"].astype(int) == int(spec.year)]
        if df.empty:
            raise ScenarioError(f"GE data has no rows for year {spec.year}.")
    fit_vcov = None
    if spec.estimate:
        from kaigai.policy.ppml import fepois

        fit = fepois(df, spec.estimate, vcov=spec.vcov, small_sample=spec.small_sample)
        if spec.variable not in fit.coef.index:
            raise ScenarioError(
                f"The estimated model has no coefficient for the agreement variable {spec.variable!r}.",
                hint=f"Add {spec.variable} to ge.estimate.",
            )
        spec = replace(
            spec,
            coefficients={str(k): float(v) for k, v in fit.coef.items()},
            standard_errors={
                **{str(k): float(v) for k, v in fit.se.items()},
                **spec.standard_errors,
            },
            coefficients_source=f"kaigai fepois: {spec.estimate} ({fit.n_obs} obs, vcov {spec.vcov}, "
            f"{spec.small_sample} small-sample)",
        )
        fit_vcov = fit.vcov
    if spec.parameters:
        spec = with_shipped_parameters(spec)
    cost_vars = sorted(spec.coefficients)
    cols = [spec.trade, *cost_vars]
    countries, mats = _matrices(df, spec, cols)
    trace = [f"GE data: {len(countries)} countries" + (f", year {spec.year}" if spec.year else "")]
    if spec.parameters:
        trace.append(f"coefficients shipped: {spec.coefficients_source}")
    if spec.estimate:
        trace.append(
            f"coefficients estimated: {spec.coefficients_source}; "
            + ", ".join(
                f"{k} {v:.4f} ({spec.standard_errors.get(k, float('nan')):.4f})"
                for k, v in spec.coefficients.items()
            )
        )
    if spec.baseline == "model":
        lin = spec.constant + sum(spec.coefficients[v] * mats[v] for v in cost_vars)
        y = _margin(df, spec.exporter, spec.output, countries, mats[spec.trade].sum(axis=1))
        e = _margin(df, spec.importer, spec.expenditure, countries, mats[spec.trade].sum(axis=0))
        flows, _ = baseline_flows(np.exp(lin), y, e)
        trace.append("baseline: model-implied flows from cost levels (gegravity convention)")
    else:
        flows = mats[spec.trade]
        trace.append("baseline: observed flows")
    delta = agreement_delta(countries, mats[spec.variable], scn.agreements, scn.year)
    absent = sorted(
        {c for a in scn.agreements if not a.in_baseline for c in a.parties} - set(countries)
    )
    if absent:
        trace.append(f"parties not in the GE data (not modelled): {', '.join(absent)}")
    for a in scn.agreements:
        if a.in_baseline:
            m = np.array([c in a.parties for c in countries])
            gap = int(
                (
                    m[:, None]
                    & m[None, :]
                    & ~np.eye(len(countries), dtype=bool)
                    & (mats[spec.variable] == 0)
                ).sum()
            )
            if gap:
                trace.append(
                    f"{a.id} is in the scenario's baseline, but {gap} pairs of its parties have "
                    f"{spec.variable} = 0 in the GE data (the agreement postdates it); new "
                    "agreements on those pairs get the full effect"
                )
    if not delta.any():
        trace.append(
            "no pair's trade costs change in the GE data (all pairs already in agreements?)"
        )
    # cost shocks: list of (name, coefficient, standard error, change of the covariate)
    shocks: list[tuple[str, float, float | None, np.ndarray]] = []
    if spec.shock in ("rta", "both"):
        beta = spec.coefficients[spec.variable]
        shocks.append((spec.variable, beta, spec.standard_errors.get(spec.variable), delta))
    if spec.shock in ("tariff", "both"):
        dlog = tariff_log_change(countries, delta, scn.agreements, scn.year, spec, df, mats)
        shocks.append(
            (
                "tariff_elasticity",
                float(spec.tariff_elasticity),  # type: ignore[arg-type]
                spec.standard_errors.get("tariff_elasticity"),
                dlog,
            )
        )
        trace.append(
            f"tariff shock: elasticity {spec.tariff_elasticity} on ln(1 + tariff), "
            f"{int((dlog != 0).sum())} pairs"
        )
    log_t = sum(b * dx for _, b, _, dx in shocks)
    res = solve(
        flows,
        np.exp(log_t),
        countries,
        sigma=spec.sigma,
        kind=cast(GEKind, spec.kind),
        reference=spec.reference,
    )
    shocked = tuple(
        (countries[i], countries[j], float(delta[i, j]))
        for i, j in zip(*np.nonzero(delta), strict=True)
    )
    mc = None
    if spec.mc_draws:
        missing = [name for name, _, se, _ in shocks if se is None]
        if missing:
            raise ScenarioError(
                f"ge.mc_draws > 0 needs standard errors for {', '.join(missing)}.",
                hint="Add them under ge.standard_errors.",
            )
        ses = np.array([se for _, _, se, _ in shocks], dtype=float)
        names = [name for name, *_ in shocks]
        cov = np.diag(ses**2)
        if fit_vcov is not None and all(n in fit_vcov.index for n in names):
            cov = fit_vcov.loc[names, names].to_numpy(float)  # estimated covariance
        mc = monte_carlo(
            flows,
            countries,
            np.stack([dx for *_, dx in shocks]),
            np.array([b for _, b, _, _ in shocks]),
            cov,
            sigma=spec.sigma,
            coef_names=tuple(name for name, *_ in shocks),
            kind=cast(GEKind, spec.kind),
            n_draws=spec.mc_draws,
            seed=spec.seed,
            reference=spec.reference,
        )
        trace.append(
            f"Monte Carlo: {spec.mc_draws} draws of "
            + ", ".join(f"{n} ~ N({b:.4g}, {se:.4g}^2)" for n, b, se, _ in shocks)
        )
    return res, mc, shocked, trace


def with_shipped_parameters(spec: GESpec) -> GESpec:
    """The spec with the coefficients, standard errors and source of ``spec.parameters``."""
    from kaigai.policy.gravity_modern import load_params, params_source

    shipped = load_params(str(spec.parameters))
    return replace(
        spec,
        coefficients={**spec.coefficients, **shipped["coefficients"]},
        standard_errors={**shipped.get("standard_errors", {}), **spec.standard_errors},
        coefficients_source=params_source(shipped),
    )


def tariff_log_change(
    countries: list[str],
    delta: np.ndarray,
    agreements: tuple[Agreement, ...],
    year: int,
    spec: GESpec,
    df: pd.DataFrame,
    mats: dict[str, np.ndarray],
) -> np.ndarray:
    """``ln(1 + t (1 - cut)) - ln(1 + t)`` on the pairs whose agreement dummy changes, with
    ``t`` the pair's MFN tariff (``ge.tariff_column``) or the uniform ``ge.tariff``."""
    if spec.tariff_elasticity is None:
        raise ScenarioError("ge.shock uses tariffs but ge.tariff_elasticity is not set.")
    n = len(countries)
    if spec.tariff_column:
        if spec.tariff_column not in mats:
            _, extra = _matrices(df, spec, [spec.tariff_column])
            mats.update(extra)
        t = mats[spec.tariff_column]
    elif spec.tariff is not None:
        t = np.full((n, n), float(spec.tariff))
    else:
        raise ScenarioError("ge.shock uses tariffs: set ge.tariff_column or ge.tariff.")
    if np.any(t < 0):
        raise ScenarioError("Tariffs must be >= 0 (fractions: 5% = 0.05).")
    cut = agreement_delta(countries, np.zeros((n, n)), agreements, year)
    cut = np.where(delta > 0, cut, 0.0)
    return np.log1p(t * (1.0 - cut)) - np.log1p(t)


def _margin(
    df: pd.DataFrame, key: str, col: str | None, countries: list[str], fallback: np.ndarray
) -> np.ndarray:
    if col and col in df.columns:
        return df.groupby(key)[col].mean().reindex(countries).to_numpy(float)
    return fallback


def market_pref(
    m: Market,
    countries: tuple[str, ...],
    home: str,
    agreements: tuple[Agreement, ...],
    year: int,
    *,
    baseline: bool,
) -> Market:
    """The market with the preference implied by the agreements (best of explicit and
    agreement-implied; a multi-country market gets the cut weighted by the share of its
    countries that are parties)."""
    cut = 0.0
    for a in agreements:
        if (baseline and not a.in_baseline) or home not in a.parties:
            continue
        covered = sum(c in a.parties for c in countries) / len(countries)
        cut = max(cut, a.cut_in(year) * covered)
    if cut <= 0:
        return m
    implied = m.mfn_tariff * (1.0 - cut)
    pref = implied if m.pref_tariff is None else min(m.pref_tariff, implied)
    return replace(m, pref_tariff=pref)


def _policy_params(p: FirmParams, policy: dict[str, Any]) -> FirmParams:
    ch: dict[str, Any] = {}
    if "export_cost_factor" in policy:
        ch["export_fixed_cost"] = p.export_fixed_cost * policy["export_cost_factor"]
    if "fta_cost_factor" in policy:
        ch["fta_fixed_cost"] = p.fta_fixed_cost * policy["fta_cost_factor"]
    if "fdi_cost_factor" in policy:
        ch["fdi_fixed_cost"] = p.fdi_fixed_cost * policy["fdi_cost_factor"]
    for key in ("staff_share", "immigration_share", "fdi_enabled"):
        if key in policy:
            ch[key] = policy[key]
    return p.with_(**ch)


def run_firms(scn: Scenario, spec: FirmsSpec) -> FirmScenarioResult:
    if spec.fta_utilisation_observed and spec.fta_utilisation_target is None:
        from kaigai.policy.fta_use import ASSUMED_LABEL, ASSUMED_TARGET

        spec = replace(
            spec,
            fta_utilisation_target=ASSUMED_TARGET,
            fta_utilisation_measure="firms",
            fta_utilisation_label=ASSUMED_LABEL + " (no observed utilisation was supplied)",
        )
    pop = draw_population(spec.n_firms, spec.params, spec.seed)
    base_m = tuple(
        market_pref(m, cs, scn.home, scn.agreements, scn.year, baseline=True)
        for m, cs in spec.markets
    )
    new_m = tuple(
        market_pref(m, cs, scn.home, scn.agreements, scn.year, baseline=False)
        for m, cs in spec.markets
    )
    pc, thr, rep = calibrate(
        pop,
        base_m,
        spec.params,
        spec.target_exporter_share,
        fta_utilisation_target=spec.fta_utilisation_target,
        fta_measure=spec.fta_utilisation_measure,
    )
    new_p = _policy_params(pc, spec.policy)
    rep = {
        **rep,
        "markets_base": [m.__dict__ for m in base_m],
        "markets_new": [m.__dict__ for m in new_m],
        "policy": dict(spec.policy),
        "fta_utilisation_source": spec.fta_utilisation_label,
    }
    return compare(pop, base_m, pc, new_m, new_p, thr, rep)


def run_scenario(
    scn: Scenario, ge_data: pd.DataFrame | None = None, fta_use: dict[str, Any] | None = None
) -> ScenarioResult:
    """Run every part the scenario defines (``fta_use``: observed EPA use, shown as given)."""
    trace = [f"scenario {scn.id}: {scn.title} (evaluated in {scn.year})"]
    for a in scn.agreements:
        trace.append(
            f"agreement {a.id}: {len(a.parties)} parties, from {a.start_year}, cut {a.tariff_cut:.0%} over "
            f"{a.staging_years} year(s) -> {a.cut_in(scn.year):.0%} in {scn.year}"
            + (" (in baseline)" if a.in_baseline else "")
        )
    ge = mc = None
    info = sens = None
    shocked: tuple[tuple[str, str, float], ...] = ()
    if scn.ge is not None:
        if ge_data is None:
            raise ScenarioError("The scenario has a [ge] section but no GE data was given.")
        from kaigai.policy.scenarios_sensitivity import baseline_info, imputed_sensitivity

        ge, mc, shocked, t = run_ge(scn, ge_data)
        trace.extend(t)
        info = baseline_info(scn, ge_data)
        sens = imputed_sensitivity(scn, ge_data, ge)
    firms = run_firms(scn, scn.firms) if scn.firms is not None else None
    return ScenarioResult(scn, ge, mc, firms, shocked, tuple(trace), info, sens, fta_use)


__all__ = [
    "ScenarioResult",
    "agreement_delta",
    "market_pref",
    "run_firms",
    "run_ge",
    "run_scenario",
]
