"""The result of a PPML estimation: coefficients, covariance, diagnostics, fixed effects."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pandas is imported on first use of a pandas-valued property
    import pandas as pd


def normal_pvalue(z: np.ndarray) -> np.ndarray:
    """Two-sided normal p-value ``2 * (1 - Phi(|z|)) = erfc(|z| / sqrt 2)`` (no scipy.stats
    import: it costs seconds at start-up)."""
    z = np.abs(np.asarray(z, dtype=np.float64))
    return np.array([math.erfc(v / math.sqrt(2.0)) for v in z.ravel()]).reshape(z.shape)


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction of the incomplete beta function (modified Lentz)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 100_000):
        m2 = 2 * m
        for aa in (
            m * (b - m) * x / ((qam + m2) * (a + m2)),
            -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)),
        ):
            d = 1.0 + aa * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + aa / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1.0) < 1e-16:
            break
    return h


def _t_sf2(t: float, df: float) -> float:
    """Two-sided p-value of Student's t, ``I_x(df/2, 1/2)`` with ``x = df / (df + t^2)``."""
    if not (math.isfinite(t) and df > 0):
        return float("nan") if math.isnan(t) or not df > 0 else 0.0
    t2 = t * t
    if t2 == 0.0:
        return 1.0
    a, b = df / 2.0, 0.5
    r = t2 / df
    lx = -math.log1p(r)  # log x, without cancelling for large df
    ly = math.log(r) + lx  # log (1 - x)
    x = math.exp(lx)
    if a >= 20.0:  # log G(a + 1/2) - log G(a) by its series: lgamma's difference would lose
        # ~1e-16 * a of absolute precision (1e-8 relative at a million observations)
        lg = 0.5 * math.log(a) - 1 / (8 * a) + 1 / (192 * a**3) - 1 / (640 * a**5)
    else:
        lg = math.lgamma(a + b) - math.lgamma(a)
    front = math.exp(lg - math.lgamma(b) + a * lx + b * ly)
    if x < (a + 1.0) / (a + b + 2.0):
        return min(front * _betacf(a, b, x) / a, 1.0)
    return max(1.0 - front * _betacf(b, a, math.exp(ly)) / b, 0.0)


def t_pvalue(t: np.ndarray, df: float) -> np.ndarray:
    """Two-sided p-value from Student's t with ``df`` degrees of freedom (scipy's
    ``2 * t.sf(|t|, df)`` to ~1e-10 relative; no scipy import)."""
    t = np.asarray(t, dtype=np.float64)
    return np.array([_t_sf2(float(v), float(df)) for v in t.ravel()]).reshape(t.shape)


@dataclass(frozen=True)
class PPMLResult:
    """A fitted PPML model (:func:`kaigai.policy.ppml.fepois`) or OLS model
    (:func:`kaigai.policy.ols.feols`, ``model == "ols"``).

    ``names``, ``beta`` and ``cov`` hold the coefficients and their covariance as arrays;
    ``coef``, ``vcov``, ``se``, ``tstat`` and ``pvalue`` give them as pandas objects.
    ``fitted`` and ``obs_index`` refer to the observations used (after dropping missing,
    singleton and separated rows); ``obs_index`` holds the input frame's index labels (row
    positions for a :class:`~kaigai.policy.columns.Columns` input), and ``dropped_rows`` the
    labels of the dropped rows by reason (``missing``, ``singleton``, ``separated_fe``,
    ``separated_ir``).
    """

    formula: str
    names: tuple[str, ...]
    beta: np.ndarray
    cov: np.ndarray
    vcov_type: str
    vcov_info: dict[str, Any]
    fitted: np.ndarray
    obs_index: Any
    n_obs: int
    n_input: int
    dropped: dict[str, int]
    collinear: tuple[str, ...]
    converged: bool
    iterations: int
    deviance: float
    null_deviance: float
    fe_names: tuple[str, ...]
    fe_sizes: tuple[int, ...]
    trace: tuple[str, ...] = ()
    # seconds: "separation" (singletons and separation checks), "fit" (solver + covariance)
    timings: dict[str, float] = field(default_factory=dict, repr=False)
    dropped_rows: dict[str, Any] = field(default_factory=dict, repr=False)
    # the fixed effects, or a function computing them (called once, on first use)
    _fixef: dict[str, pd.Series] | Callable[[], dict[str, pd.Series]] = field(
        default_factory=dict, repr=False
    )
    # "ppml" (fepois) or "ols" (feols: deviance = residual sum of squares, null deviance =
    # total sum of squares, and ``stats`` has r2, adj_r2, r2_within, rmse)
    model: str = "ppml"
    stats: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def coef(self) -> pd.Series:
        """Coefficients by name."""
        import pandas as pd

        return pd.Series(self.beta, index=list(self.names), name="coef", dtype=np.float64)

    @cached_property
    def vcov(self) -> pd.DataFrame:
        """Covariance matrix of the coefficients."""
        import pandas as pd

        names = list(self.names)
        return pd.DataFrame(self.cov, index=names, columns=names, dtype=np.float64)

    @property
    def se(self) -> pd.Series:
        """Standard errors (square roots of the covariance diagonal)."""
        import pandas as pd

        return pd.Series(self._se(), index=self.coef.index, name="se")

    @property
    def stat_name(self) -> str:
        """``t`` for OLS (Student's t p-values), ``z`` for PPML (normal)."""
        return "t" if self.model == "ols" else "z"

    @property
    def tstat(self) -> pd.Series:
        return (self.coef / self.se).rename(self.stat_name)

    @property
    def df_t(self) -> int | None:
        """Degrees of freedom of the OLS t statistics (as fixest and pyfixest): G - 1 when
        clustered (the smallest G for multi-way), else N - k - sum of the fixed effects'
        levels + (number of fixed effects - 1). None for PPML (normal distribution)."""
        if self.model != "ols":
            return None
        if "G" in self.vcov_info:
            return int(self.vcov_info["G"]) - 1
        n_fe = len(self.fe_sizes)
        k_fe = sum(self.fe_sizes) - (n_fe - 1) if n_fe > 1 else sum(self.fe_sizes)
        return self.n_obs - len(self.names) - k_fe

    @property
    def pvalue(self) -> pd.Series:
        """Two-sided p-values: Student's t with :attr:`df_t` degrees of freedom for OLS,
        the normal distribution for PPML (as pyfixest and fixest; ppmlhdfe uses the normal
        for both)."""
        import pandas as pd

        return pd.Series(self._p(self._z()), index=self.coef.index, name="p")

    def _p(self, z: np.ndarray) -> np.ndarray:
        df = self.df_t
        return normal_pvalue(z) if df is None else t_pvalue(z, df)

    def _se(self) -> np.ndarray:
        return np.sqrt(np.diag(np.asarray(self.cov, dtype=np.float64)).copy())

    def _z(self) -> np.ndarray:
        return np.asarray(self.beta, dtype=np.float64) / self._se()

    def coefficient_rows(self) -> list[tuple[str, float, float, float, float]]:
        """``(name, estimate, se, z, p)`` per coefficient, from the arrays (no pandas)."""
        z = self._z()
        rows = zip(self.names, self.beta, self._se(), z, self._p(z), strict=True)
        return [(n, float(b), float(s), float(zz), float(p)) for n, b, s, zz, p in rows]

    @property
    def pseudo_r2(self) -> float:
        """1 - deviance / null deviance (null model: a constant)."""
        return 1.0 - self.deviance / self.null_deviance if self.null_deviance > 0 else float("nan")

    def fixef(self) -> dict[str, pd.Series]:
        """Recovered fixed effects (log scale), one Series per fixed effect indexed by level.

        Normalisation (as fixest): the first level of every fixed effect but the first is 0;
        ``log(fitted) = X b + sum of the observation's fixed effects`` holds exactly.
        """
        fx = self._fixef
        if callable(fx):
            fx = fx()
            object.__setattr__(self, "_fixef", fx)
        return {k: v.copy() for k, v in fx.items()}

    def summary(self) -> str:
        """Plain-text coefficient table with sample and convergence information."""
        lines = [
            f"{self.model.upper()}: {self.formula}",
            f"Observations: {self.n_obs:,} (of {self.n_input:,})",
        ]
        d = self.dropped
        lines.append(
            "Dropped: "
            + ", ".join(f"{k} {d[k]:,}" for k in ("missing", "singletons", "separated") if k in d)
        )
        if self.fe_names:
            lines.append(
                "Fixed effects: "
                + ", ".join(
                    f"{n} ({s:,})" for n, s in zip(self.fe_names, self.fe_sizes, strict=True)
                )
            )
        if self.collinear:
            lines.append("Dropped as collinear: " + ", ".join(self.collinear))
        lines.append(f"Standard errors: {self.vcov_type} ({self.vcov_info.get('small_sample')})")
        lines.append(f"{'':24s}{'coef':>14s}{'se':>12s}{self.stat_name:>9s}{'p':>9s}")
        for name, b, s, z, p in self.coefficient_rows():
            lines.append(f"{name[:24]:24s}{b:14.6f}{s:12.6f}{z:9.2f}{p:9.4f}")
        if self.model == "ols":
            lines.append(", ".join(f"{k} {v:.6g}" for k, v in self.stats.items() if np.isfinite(v)))
        else:
            lines.append(
                f"Converged: {self.converged} after {self.iterations} iterations;"
                f" deviance {self.deviance:.6g}"
            )
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """Stable JSON-ready shape."""
        return {
            "model": self.model,
            "formula": self.formula,
            "coefficients": [
                {"name": n, "estimate": b, "se": s, "z": z, "p": p}
                for n, b, s, z, p in self.coefficient_rows()
            ],
            "vcov_type": self.vcov_type,
            "vcov_info": self.vcov_info,
            "n_obs": self.n_obs,
            "n_input": self.n_input,
            "dropped": dict(self.dropped),
            "collinear": list(self.collinear),
            "fixed_effects": dict(zip(self.fe_names, self.fe_sizes, strict=True)),
            "converged": self.converged,
            "iterations": self.iterations,
            "deviance": self.deviance,
            "pseudo_r2": self.pseudo_r2,
            "trace": list(self.trace),
            **({"stats": dict(self.stats)} if self.stats else {}),
        }
