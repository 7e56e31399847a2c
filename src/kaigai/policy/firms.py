"""Small-firm export simulator: per-firm choices, calibration and scenario comparison.

See :mod:`kaigai.policy.firms_model` for the model. Everything is vectorised over firms
(one pass per market); baseline and scenario use the same draws (common random
numbers), so "new exporters" are firms that export in the scenario and not in the
baseline.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from kaigai.core.errors import NonConvergenceError, ScenarioError
from kaigai.policy.firms_model import SIZE_CLASSES, FirmParams, Market, Population


@dataclass(frozen=True)
class FirmChoices:
    """Per-firm outcome of one policy state (arrays of length n_firms)."""

    exporter: np.ndarray  # bool: exports to at least one market
    fdi: np.ndarray  # bool: serves at least one market from a plant abroad
    export_sales: np.ndarray  # total export revenue
    pref_sales: np.ndarray  # export revenue entering under a preference
    eligible_sales: np.ndarray  # export revenue to markets where a preference exists
    fta_user: np.ndarray  # bool: uses at least one preference
    employment: np.ndarray  # home employment (home + export revenue)
    staff: np.ndarray  # bool: has global staff


def staff_mask(
    pop: Population, threshold: float, extra: tuple[np.ndarray, float] | None, immigration: float
) -> np.ndarray:
    """Firms with global staff: ``u < threshold``; ``extra = (mask, t2)`` also gives staff to
    firms in ``mask`` with ``u < t2``; then immigrants to a share of those without."""
    g = pop.u_staff < threshold
    if extra is not None:
        mask, t2 = extra
        g = g | (mask & (pop.u_staff < t2))
    if immigration > 0:
        g = g | (pop.u_immig < immigration)
    return g


def choose(
    pop: Population, markets: tuple[Market, ...], params: FirmParams, staff: np.ndarray
) -> FirmChoices:
    """Each firm's most profitable mode (none, export at MFN, export under the preference,
    FDI) in each market."""
    s = params.sigma
    fx_all = params.export_fixed_cost * np.where(staff, 1.0 - params.staff_fx_cut, 1.0)
    if params.fx_dispersion > 0:
        fx_all *= np.exp(params.fx_dispersion * pop.z_fx)
    # screen: only firms for which some mode can be profitable need the market loop
    best_export = max(
        m.demand
        * m.trade_cost ** (1.0 - s)
        * (1.0 + min(m.mfn_tariff, m.pref_tariff if m.pref_tariff is not None else m.mfn_tariff))
        ** (1.0 - s)
        / s
        / m.fixed_cost
        for m in markets
    )
    cand = pop.phi_pow * best_export > fx_all
    f_fdi = params.fdi_fixed_cost * params.export_fixed_cost
    if params.fdi_enabled:
        best_fdi = max(m.demand * m.fdi_unit_cost ** (1.0 - s) / s for m in markets)
        cand |= pop.phi_pow * best_fdi > f_fdi
    idx = np.flatnonzero(cand)
    phi = pop.phi_pow[idx]
    fx = fx_all[idx]
    ffta = (
        params.fta_fixed_cost
        * params.export_fixed_cost
        * np.where(staff[idx], 1.0 - params.staff_fta_cut, 1.0)
    )
    k = idx.size
    export_sales, pref_sales, eligible = np.zeros(k), np.zeros(k), np.zeros(k)
    exporter, fdi, user = (np.zeros(k, dtype=bool) for _ in range(3))
    for m in markets:
        a = m.demand * m.trade_cost ** (1.0 - s)
        r_mfn = a * (1.0 + m.mfn_tariff) ** (1.0 - s) * phi
        fixed = fx * m.fixed_cost
        best = r_mfn / s - fixed
        rev = np.where(best > 0, r_mfn, 0.0)
        use_pref = np.zeros(k, dtype=bool)
        if m.pref_tariff is not None:
            r_pref = a * (1.0 + m.pref_tariff) ** (1.0 - s) * phi
            pi_pref = r_pref / s - fixed - ffta
            use_pref = (pi_pref > best) & (pi_pref > 0)
            best = np.where(use_pref, pi_pref, best)
            rev = np.where(use_pref, r_pref, rev)
        exp_m = best > 0
        if params.fdi_enabled:
            pi_fdi = m.demand * m.fdi_unit_cost ** (1.0 - s) * phi / s - f_fdi
            go_fdi = (pi_fdi > best) & (pi_fdi > 0)
            fdi |= go_fdi
            exp_m &= ~go_fdi
            use_pref &= ~go_fdi
            rev = np.where(go_fdi, 0.0, rev)
        exporter |= exp_m
        user |= use_pref
        export_sales += rev
        pref_sales += np.where(use_pref, rev, 0.0)
        if m.pref_tariff is not None:
            eligible += rev

    def scatter(v: np.ndarray) -> np.ndarray:
        out = np.zeros(pop.n, dtype=v.dtype)
        out[idx] = v
        return out

    sales = scatter(export_sales)
    return FirmChoices(
        scatter(exporter),
        scatter(fdi),
        sales,
        scatter(pref_sales),
        scatter(eligible),
        scatter(user),
        pop.phi_pow + sales,
        staff,
    )


def _bisect_decreasing(
    f: Callable[[float], float], target: float, lo: float, hi: float, tol: float, max_iter: int
) -> float:
    """Midpoint of the bracket of f(x) = target after bisection, f decreasing, f(lo) > target > f(hi)."""
    for _ in range(max_iter):
        mid = 0.5 * (lo + hi)
        if f(mid) > target:
            lo = mid
        else:
            hi = mid
        if hi - lo < tol:
            break
    return 0.5 * (lo + hi)


def _share_in(mask: np.ndarray, of: np.ndarray) -> float:
    k = int(of.sum())
    return float(mask[of].mean()) if k else float("nan")


def calibrate(
    pop: Population,
    markets: tuple[Market, ...],
    params: FirmParams,
    target_share: float,
    *,
    size_class: str = "medium",
    fta_utilisation_target: float | None = None,
    fta_size_classes: tuple[str, ...] = ("small", "medium"),
    fta_measure: str = "firms",
    tol: float = 1e-6,
) -> tuple[FirmParams, float, dict[str, Any]]:
    """Export fixed cost ``f_x`` (and the staff threshold) such that the exporter share of
    ``size_class`` firms equals ``target_share`` and the global-staff share among
    non-internationalised firms equals ``params.staff_share_base``. With
    ``fta_utilisation_target`` the per-firm FTA fixed cost is calibrated too, so that
    the share of exporters to preference markets in ``fta_size_classes`` that use the
    preference equals the target (JETRO survey: 28.9% for SMEs, sme_facts.md s. 3).
    ``fta_measure = "value"`` instead targets the share of those firms' export value to
    preference markets that is shipped under the preference, the measure of customs
    utilisation statistics (:mod:`kaigai.policy.fta_use`).

    Returns the calibrated parameters, the staff threshold and a report.
    """
    if not 0 < target_share < 1:
        raise ScenarioError(f"Target exporter share must be in (0, 1) (got {target_share}).")
    names = [c[0] for c in SIZE_CLASSES]
    if size_class not in names:
        raise ScenarioError(
            f"Unknown size class {size_class!r}.", hint=f"One of {', '.join(names)}."
        )
    if not markets:
        raise ScenarioError("No export markets given.")
    cls = pop.size_class == names.index(size_class)
    if cls.sum() < 100:
        raise ScenarioError(f"Only {int(cls.sum())} simulated {size_class} firms; raise n_firms.")
    sub = pop.subset(cls)
    if fta_utilisation_target is not None:
        if not 0 < fta_utilisation_target < 1:
            raise ScenarioError(
                f"FTA utilisation target must be in (0, 1) (got {fta_utilisation_target})."
            )
        if not any(m.pref_tariff is not None for m in markets):
            raise ScenarioError(
                "FTA utilisation target given but no market has a preferential tariff."
            )
    if fta_measure not in ("firms", "value"):
        raise ScenarioError(
            f"FTA utilisation measure must be firms or value (got {fta_measure!r})."
        )
    sme = np.isin(pop.size_class, [names.index(c) for c in fta_size_classes])
    fta_util = float("nan")
    threshold = params.staff_share_base
    fx = params.export_fixed_cost
    share = float("nan")
    for _outer in range(8):
        staff_sub = staff_mask(sub, threshold, None, params.immigration_share)

        def exp_share(
            log_fx: float, staff_sub: np.ndarray = staff_sub, params: FirmParams = params
        ) -> float:
            p = params.with_(export_fixed_cost=float(np.exp(log_fx)))
            return float(choose(sub, markets, p, staff_sub).exporter.mean())

        # scan down from a prohibitive fixed cost to the first bracket (with the FDI
        # option the share is not monotone: tiny fixed costs make every firm invest)
        hi = 30.0
        lo = hi - 1.0
        while lo > -30.0 and not exp_share(lo) > target_share:
            hi, lo = lo, lo - 1.0
        if not exp_share(lo) > target_share > exp_share(hi):
            raise NonConvergenceError(
                f"No export fixed cost gives an exporter share of {target_share:.1%} for {size_class} firms.",
                hint="Check market demand and trade costs.",
            )
        log_fx = _bisect_decreasing(exp_share, target_share, lo, hi, tol, 200)
        fx = float(np.exp(log_fx))
        share = exp_share(log_fx)
        # staff share among non-internationalised firms (all sizes)
        p = params.with_(export_fixed_cost=fx)
        g = staff_mask(pop, threshold, None, params.immigration_share)
        fta_ok = True
        if fta_utilisation_target is not None:
            cost, fta_util = _calibrate_fta(
                pop, markets, p, g, sme, fta_utilisation_target, tol, fta_measure
            )
            fta_ok = abs(np.log(cost / params.fta_fixed_cost)) < 1e-4 if _outer else False
            params = params.with_(fta_fixed_cost=cost)
            p = params.with_(export_fixed_cost=fx)
        ch = choose(pop, markets, p, g)
        non_int = ~(ch.exporter | ch.fdi)
        got = _share_in(g, non_int)
        staff_ok = params.staff_share_base == 0 or abs(got - params.staff_share_base) < 1e-4
        if staff_ok and fta_ok:
            break
        if not staff_ok:
            threshold = float(np.clip(threshold * params.staff_share_base / got, 0.0, 1.0))
    report = {
        "target_share": target_share,
        "size_class": size_class,
        "achieved_share": share,
        "export_fixed_cost": fx,
        "staff_threshold": threshold,
        "n_calibration_firms": int(cls.sum()),
        "fta_fixed_cost": params.fta_fixed_cost,
        "fta_utilisation_target": fta_utilisation_target,
        "fta_utilisation_achieved": None if fta_utilisation_target is None else fta_util,
        "fta_utilisation_measure": fta_measure,
        # the population the FTA-use target applies to: exporters to preference markets of
        # these size classes (the result's ``sme`` row)
        "fta_size_classes": list(fta_size_classes),
    }
    return params.with_(export_fixed_cost=fx), threshold, report


def _fta_use(ch: FirmChoices, sel: np.ndarray) -> float:
    users = ch.exporter & sel & (ch.eligible_sales > 0)
    k = int(users.sum())
    return float((ch.fta_user & users).sum() / k) if k else float("nan")


def _calibrate_fta(
    pop: Population,
    markets: tuple[Market, ...],
    params: FirmParams,
    staff: np.ndarray,
    sel: np.ndarray,
    target: float,
    tol: float,
    measure: str = "firms",
) -> tuple[float, float]:
    """Per-firm FTA fixed cost (relative to f_x) giving firm-based utilisation ``target``.

    Works on the firms that export when using the FTA is free (a costlier FTA only
    removes exporters), which is a small subset."""
    free = choose(pop, markets, params.with_(fta_fixed_cost=0.0), staff).exporter & sel
    sub, sub_staff = pop.subset(free), staff[free]
    everyone = np.ones(sub.n, dtype=bool)

    def util(log_c: float) -> float:
        p = params.with_(fta_fixed_cost=float(np.exp(log_c)))
        ch = choose(sub, markets, p, sub_staff)
        if measure == "value":
            elig = float(ch.eligible_sales.sum())
            return float(ch.pref_sales.sum()) / elig if elig > 0 else float("nan")
        return _fta_use(ch, everyone)

    lo, hi = -20.0, 10.0
    if not util(lo) > target > util(hi):
        raise NonConvergenceError(
            f"No FTA fixed cost gives a utilisation of {target:.1%}.",
            hint="Check that preference margins (mfn_tariff - pref_tariff) are positive.",
        )
    c = float(np.exp(_bisect_decreasing(util, target, lo, hi, tol, 100)))
    return c, util(np.log(c))


@dataclass(frozen=True)
class FirmScenarioResult:
    """Baseline vs scenario: counts and shares overall and by size class."""

    summary: dict[str, Any]
    by_size: list[dict[str, Any]]
    calibration: dict[str, Any]
    trace: tuple[str, ...] = field(default_factory=tuple)
    # small and medium firms together: the population of the FTA-use target
    sme: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "summary": self.summary,
            "by_size": self.by_size,
            "sme": self.sme,
            "calibration": self.calibration,
            "trace": list(self.trace),
        }


def _sample_line(n: int, seed: int, scale: float) -> str:
    if abs(scale - 1.0) < 1e-12:
        return f"{n:,} simulated firms (seed {seed}); counts are of simulated firms (no --population scaling)"
    each = f"{scale:,.3g}"
    return f"{n:,} simulated firms (seed {seed}), each representing {each} firm" + (
        "" if each == "1" else "s"
    )


def noise_line(n: int, summary: dict[str, Any], scale: float = 1.0) -> str:
    """Sample size and Monte Carlo noise (1 standard error) of the headline numbers.

    New exporters are a binomial count among ``n`` simulated firms: s.e. = scale * sqrt(k (1 - k/n));
    the exporter share's s.e. is sqrt(p (1 - p) / n). Runs with different ``n`` (the dashboard's
    20,000 firms, the CLI's 1,000,000) or seeds differ by about this much, plus the recalibration
    of the fixed costs on each sample.
    """
    k = float(summary.get("new_exporters") or 0.0) / scale if scale > 0 else 0.0
    se_new = scale * math.sqrt(max(k * (1 - k / n), 0.0)) if n else float("nan")
    p = float(summary.get("exporter_share_new") or 0.0)
    se_share = 100 * math.sqrt(p * (1 - p) / n) if n else float("nan")
    return (
        f"sample size {n:,} simulated firms: simulation noise (1 s.e.) about ±{se_new:,.0f} new exporters "
        f"and ±{se_share:.3f} points of exporter share; runs with another number of firms (dashboard "
        "20,000 by default, CLI 1,000,000) or seed differ by about this much"
    )


def _agg(base: FirmChoices, new: FirmChoices, sel: np.ndarray, scale: float) -> dict[str, Any]:
    n = int(sel.sum())
    newly = new.exporter & ~base.exporter & sel
    stopped = base.exporter & ~new.exporter & sel

    def util(c: FirmChoices) -> float | None:
        elig = float(c.eligible_sales[sel].sum())
        return float(c.pref_sales[sel].sum() / elig) if elig > 0 else None

    def util_firms(c: FirmChoices) -> float | None:
        k = int((c.exporter & sel & (c.eligible_sales > 0)).sum())
        return float((c.fta_user & sel).sum() / k) if k else None

    return {
        "firms": n * scale,
        "exporters_base": float((base.exporter & sel).sum()) * scale,
        "exporters_new": float((new.exporter & sel).sum()) * scale,
        "exporter_share_base": float(base.exporter[sel].mean()) if n else None,
        "exporter_share_new": float(new.exporter[sel].mean()) if n else None,
        "new_exporters": float(newly.sum()) * scale,
        "new_exporter_share": float(newly.sum() / n) if n else None,
        "stopped_exporting": float(stopped.sum()) * scale,
        "new_exporters_sales": float(new.export_sales[newly].sum()) * scale,
        "export_sales_base": float(base.export_sales[sel].sum()) * scale,
        "export_sales_new": float(new.export_sales[sel].sum()) * scale,
        "fta_utilisation_value_base": util(base),
        "fta_utilisation_value_new": util(new),
        "fta_utilisation_firms_base": util_firms(base),
        "fta_utilisation_firms_new": util_firms(new),
        "jobs_in_exporters_base": float(base.employment[base.exporter & sel].sum()) * scale,
        "jobs_in_exporters_new": float(new.employment[new.exporter & sel].sum()) * scale,
        "fdi_firms_base": float((base.fdi & sel).sum()) * scale,
        "fdi_firms_new": float((new.fdi & sel).sum()) * scale,
        "staff_share_base": float(base.staff[sel].mean()) if n else None,
        "staff_share_new": float(new.staff[sel].mean()) if n else None,
    }


def compare(
    pop: Population,
    base_markets: tuple[Market, ...],
    base_params: FirmParams,
    new_markets: tuple[Market, ...],
    new_params: FirmParams,
    staff_threshold: float,
    calibration: dict[str, Any] | None = None,
) -> FirmScenarioResult:
    """Simulate the calibrated baseline and a scenario on the same firms."""
    for m in (*base_markets, *new_markets):
        m.validate()
    new_params.validate()
    g0 = staff_mask(pop, staff_threshold, None, base_params.immigration_share)
    base = choose(pop, base_markets, base_params, g0)
    extra = None
    if new_params.staff_share > base_params.staff_share_base:
        non_int = ~(base.exporter | base.fdi)
        u_non = pop.u_staff[non_int]
        t2 = float(np.quantile(u_non, new_params.staff_share)) if u_non.size else 0.0
        extra = (non_int, t2)
    elif new_params.staff_share < base_params.staff_share_base:
        raise ScenarioError(
            "Lowering the global-staff share below the baseline is not modelled.",
            hint=f"Use staff_share >= {base_params.staff_share_base}.",
        )
    g1 = staff_mask(pop, staff_threshold, extra, new_params.immigration_share)
    new = choose(pop, new_markets, new_params, g1)
    scale = (new_params.population or pop.n) / pop.n
    summary = _agg(base, new, np.ones(pop.n, dtype=bool), scale)
    by_size = []
    for idx, (name, lo, hi) in enumerate(SIZE_CLASSES):
        row = {
            "size_class": name,
            "employees_min": lo,
            "employees_max": None if np.isinf(hi) else hi - 1,
        }
        row.update(_agg(base, new, pop.size_class == idx, scale))
        by_size.append(row)
    cal = calibration or {}
    sme_classes = list(cal.get("fta_size_classes") or ["small", "medium"])
    names = [c[0] for c in SIZE_CLASSES]
    in_sme = np.isin(pop.size_class, [names.index(c) for c in sme_classes])
    sme = {"size_class": "+".join(sme_classes), **_agg(base, new, in_sme, scale)}
    trace = (
        _sample_line(pop.n, pop.seed, scale),
        noise_line(pop.n, summary, scale),
        f"sigma={base_params.sigma}, pareto_k={base_params.pareto_k}, f_x={base_params.export_fixed_cost:.4g}",
        "baseline and scenario use the same firms (common random numbers)",
    )
    return FirmScenarioResult(summary, by_size, cal, trace, sme)


__all__ = ["FirmChoices", "FirmScenarioResult", "calibrate", "choose", "compare", "staff_mask"]
