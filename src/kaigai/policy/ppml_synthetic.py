"""Synthetic gravity panels for tests and benchmarks (no I/O, seeded)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def synthetic_gravity_panel(
    n_countries: int = 150,
    n_years: int = 10,
    *,
    seed: int = 0,
    zero_share: float = 0.1,
    beta: tuple[float, float, float, float] = (-0.9, 0.4, 0.3, -2.0),
) -> pd.DataFrame:
    """A balanced exporter x importer x year panel with gravity structure.

    trade ~ Poisson-like draw of exp(exporter-year + importer-year + pair + x b), with
    regressors ``ln_dist`` (pair-constant), ``cntg`` (pair-constant) and ``rta`` (time-
    varying pair dummy) and ``ln_tariff`` (log of 1 + a time-varying pair tariff), FE identifiers ``exp_year``, ``imp_year``, ``pair``, and about
    ``zero_share`` of flows set to zero (so that some observations carry no weight).

    Parameters
    ----------
    n_countries, n_years : panel size; rows = n_countries**2 * n_years (domestic flows
        included).
    seed : random seed.
    zero_share : share of small flows forced to zero.
    beta : coefficients of (ln_dist, cntg, rta, ln_tariff) in the data-generating process.
    """
    rng = np.random.default_rng(seed)
    n, t = n_countries, n_years
    exp_ = np.repeat(np.arange(n), n * t)
    imp_ = np.tile(np.repeat(np.arange(n), t), n)
    year = np.tile(np.arange(t), n * n)
    xy = rng.uniform(0, 100, size=(n, 2))
    d = np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(-1)) + rng.uniform(1, 5, (n, n))
    d = (d + d.T) / 2
    ln_dist = np.log(d[exp_, imp_])
    cntg = (d[exp_, imp_] < np.quantile(d, 0.05)).astype(np.int8)
    start = rng.integers(0, 3 * t, size=(n, n))
    start = np.minimum(start, start.T)
    rta = (
        (year >= start[exp_, imp_]) & (exp_ != imp_) & (rng.uniform(size=(n, n)) < 0.4)[exp_, imp_]
    )
    rta = rta.astype(np.int8)
    tariff0 = rng.uniform(0.0, 0.3, size=(n, n))
    ln_tariff = np.log1p(
        tariff0[exp_, imp_]
        * np.exp(-0.05 * year)
        * rng.uniform(0.8, 1.2, size=exp_.size)
        * (1 - rta)
    )
    ln_tariff[exp_ == imp_] = 0.0
    a = rng.normal(0, 1.0, size=(n, t)).cumsum(axis=1) * 0.2 + rng.normal(0, 1.5, size=(n, 1))
    b = rng.normal(0, 1.0, size=(n, t)).cumsum(axis=1) * 0.2 + rng.normal(0, 1.5, size=(n, 1))
    p = rng.normal(0, 0.5, size=(n, n))
    eta = (
        a[exp_, year]
        + b[imp_, year]
        + p[exp_, imp_]
        + beta[0] * ln_dist
        + beta[1] * cntg
        + beta[2] * rta
        + beta[3] * ln_tariff
        + 5.0
    )
    mu = np.exp(eta)
    trade = mu * rng.gamma(2.0, 0.5, size=mu.size)
    cut = np.quantile(trade, zero_share)
    trade[trade < cut] = 0.0
    return pd.DataFrame(
        {
            "exporter": exp_.astype(np.int32),
            "importer": imp_.astype(np.int32),
            "year": year.astype(np.int32),
            "trade": trade,
            "ln_dist": ln_dist,
            "cntg": cntg,
            "rta": rta,
            "ln_tariff": ln_tariff,
            "exp_year": (exp_ * t + year).astype(np.int32),
            "imp_year": (imp_ * t + year).astype(np.int32),
            "pair": (exp_ * n + imp_).astype(np.int32),
        }
    )
