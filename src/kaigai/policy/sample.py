"""The estimation sample shared by fepois and feols: formula -> arrays, missing rows,
weights, offsets, cluster columns; collinearity and the recovery of fixed effects.

Estimator-specific row dropping (singletons, separation) happens in the estimators.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from kaigai.core.errors import EstimationError
from kaigai.policy.columns import factorize, is_numeric, isna
from kaigai.policy.demean import FixedEffects, demean
from kaigai.policy.formula import Formula, check_columns, fe_codes, model_matrix, parse_formula
from kaigai.policy.separation import MISSING, DropCounts

if TYPE_CHECKING:  # a Columns table is estimated without importing pandas
    import pandas as pd

    from kaigai.policy.columns import Columns

COLLIN_TOL = 1e-9


def parse_vcov(vcov: str | dict[str, str]) -> tuple[str, list[str]]:
    """``"iid"``, ``"hetero"`` / ``"HC1"`` / ``"robust"`` or ``{"CRV1": "a"}`` /
    ``{"CRV1": "a+b+c"}`` (multi-way) / ``"cluster:a+b"`` -> (label, cluster columns)."""
    if isinstance(vcov, dict):
        if len(vcov) != 1:
            raise EstimationError(f"vcov {vcov!r} must have one entry like {{'CRV1': 'pair'}}")
        ((kind, spec),) = vcov.items()
        if kind.upper() not in ("CRV1", "CLUSTER"):
            raise EstimationError(
                f"vcov type {kind!r} is not supported", hint="use 'hetero' or {'CRV1': 'col'}"
            )
        cols = [c.strip() for c in str(spec).replace("^", "+").split("+") if c.strip()]
        if not cols:
            raise EstimationError(f"cluster specification {spec!r} names no column")
        if len(set(cols)) != len(cols):
            raise EstimationError(f"cluster specification {spec!r} repeats a column")
        return "CRV1", cols
    v = vcov.strip()
    if v.lower() in ("hetero", "hc1", "robust"):
        return "hetero", []
    if v.lower() == "iid":
        return "iid", []
    if v.lower().startswith("cluster:"):
        return parse_vcov({"CRV1": v.split(":", 1)[1]})
    raise EstimationError(
        f"vcov {vcov!r} is not supported",
        hint="use 'iid', 'hetero', {'CRV1': 'pair'} or 'cluster:exporter+importer'",
    )


@dataclass
class ModelData:
    """Arrays of the whole input (row-aligned with ``data``) and the running drop state."""

    f: Formula
    y: np.ndarray
    x: np.ndarray
    names: list[str]
    codes: list[np.ndarray]
    levels: list[Any]
    weights: np.ndarray | None
    offset: np.ndarray | None
    cluster_cols: list[str]
    vcov_type: str
    keep: np.ndarray
    reason: np.ndarray
    counts: DropCounts
    n_input: int
    trace: list[str] = field(default_factory=list)

    def clusters(
        self, data: pd.DataFrame | Columns, idx: np.ndarray, fe: FixedEffects | None = None
    ) -> list[np.ndarray]:
        """Integer codes of each cluster variable on the rows ``idx`` (a cluster variable that
        is also a one-column fixed effect reuses that fixed effect's codes, ``fe``)."""
        fe_cols = [cols[0] if len(cols) == 1 else None for cols in self.f.fe_columns]
        out = []
        for c in self.cluster_cols:
            if fe is not None and c in fe_cols:
                out.append(fe.codes[fe_cols.index(c)])
            else:
                out.append(factorize(data[c].to_numpy()[idx])[0])
        return out


def _column(data: pd.DataFrame | Columns, name: str, what: str) -> np.ndarray:
    if name not in data.columns:
        raise EstimationError(f"{what} column {name!r} is not in the data")
    s = data[name]
    if not is_numeric(s):
        raise EstimationError(f"{what} column {name!r} is not numeric (dtype {s.dtype})")
    return s.to_numpy(dtype=np.float64, na_value=np.nan)


def model_data(
    data: pd.DataFrame | Columns,
    formula: str,
    vcov: str | dict[str, str],
    *,
    weights: str | None = None,
    offset: str | None = None,
    nonnegative: bool = False,
) -> ModelData:
    """Parse, build the arrays and drop rows with a missing value (or zero weight)."""
    f = parse_formula(formula)
    vcov_type, cluster_cols = parse_vcov(vcov)
    check_columns(data, f)
    absent = [c for c in cluster_cols if c not in data.columns]
    if absent:
        raise EstimationError(f"cluster column(s) {', '.join(absent)} are not in the data")
    ys = data[f.lhs]
    if not is_numeric(ys):
        raise EstimationError(f"outcome {f.lhs!r} is not numeric (dtype {ys.dtype})")
    y = ys.to_numpy(dtype=np.float64, na_value=np.nan)
    x, names = model_matrix(data, f)
    codes, levels = fe_codes(data, f)
    missing = ~np.isfinite(y)
    for j in range(x.shape[1]):  # contiguous columns; a row-wise reduction is ~20x slower
        if not np.isfinite(x[:, j]).all():
            missing |= ~np.isfinite(x[:, j])
    for c in codes:
        if c.size and c.min() < 0:
            missing |= c < 0
    for col in cluster_cols:
        missing |= isna(data[col])
    w = _column(data, weights, "weights") if weights else None
    off = _column(data, offset, "offset") if offset else None
    trace: list[str] = []
    if w is not None:
        missing |= ~np.isfinite(w)
        bad = (~missing) & (w < 0)
        if bad.any():
            raise EstimationError(
                f"{int(bad.sum())} weight(s) in {weights!r} are negative",
                hint="weights must be >= 0",
            )
        zero = (~missing) & (w == 0)
        if zero.any():
            trace.append(f"dropped {int(zero.sum())} observation(s) with zero weight")
        missing |= zero
    if off is not None:
        missing |= ~np.isfinite(off)
    if nonnegative:
        neg = (~missing) & (y < 0)
        if neg.any():
            raise EstimationError(
                f"{int(neg.sum())} observation(s) of {f.lhs!r} are negative; PPML needs y >= 0",
                hint="trade values cannot be negative: check the data (zeros are fine)",
                negative=int(neg.sum()),
            )
    counts = DropCounts(missing=int(missing.sum()))
    if counts.missing:
        trace.insert(0, f"dropped {counts.missing} observation(s) with missing values")
    return ModelData(
        f=f,
        y=y,
        x=x,
        names=names,
        codes=codes,
        levels=levels,
        weights=w,
        offset=off,
        cluster_cols=cluster_cols,
        vcov_type=vcov_type,
        keep=~missing,
        reason=missing.astype(np.int8) * np.int8(MISSING),
        counts=counts,
        n_input=len(data),
        trace=trace,
    )


def take_rows(x: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """``x[idx]`` (2-D) as a Fortran-ordered array, gathered column by column (a row gather
    of the whole array is about twice as slow and gives C order, which the demeaning copies)."""
    out = np.empty((idx.size, x.shape[1]), order="F")
    for j in range(x.shape[1]):
        np.take(x[:, j], idx, out=out[:, j])
    return out


def vcov_label(md: ModelData) -> str:
    return f"CRV1 by {'+'.join(md.cluster_cols)}" if md.cluster_cols else md.vcov_type


def _dot(a: np.ndarray, b: np.ndarray) -> float:
    """1-D dot product without BLAS: multi-threaded ``ddot`` on long vectors stalls for
    milliseconds on a busy machine."""
    return float(np.einsum("i,i->", a, b))


def collinear(
    x: np.ndarray,
    fe: FixedEffects,
    names: list[str],
    w: np.ndarray | None = None,
    *,
    xmax: np.ndarray | None = None,
) -> tuple[list[int], list[str], np.ndarray]:
    """Sequentially keep regressors whose demeaned residual on earlier kept ones is not ~0
    (weights ``w``, default 1; ``xmax``: largest |x| per column when known). Also returns
    the demeaned ``x`` (a warm start)."""
    wt = np.ones(x.shape[0]) if w is None else w
    xt, _, _ = demean(x, wt, fe, tol=1e-7, xmax=xmax)
    if fe.fast and x.shape[1]:
        return (*_collinear_gram(x, xt, wt, names, centre=fe.k > 0), xt)
    sw = np.sqrt(wt)
    kept: list[int] = []
    dropped: list[str] = []
    basis: list[np.ndarray] = []  # orthonormal basis of the kept demeaned columns
    xf = np.asfortranarray(x)  # contiguous columns
    for j in range(x.shape[1]):
        col = xf[:, j] * sw
        raw = col - (sw * (_dot(col, sw) / _dot(sw, sw)) if fe.k else 0.0)
        base = _dot(raw, raw)
        v = xt[:, j] * sw
        for _ in range(2):  # Gram-Schmidt twice: the least-squares residual on kept columns
            for q in basis:
                v -= _dot(q, v) * q
        vv = _dot(v, v)
        if base <= 0 or vv <= COLLIN_TOL * base:
            dropped.append(names[j])
        else:
            kept.append(j)
            basis.append(v / np.sqrt(vv))
    return kept, dropped, xt


def _collinear_gram(
    x: np.ndarray, xt: np.ndarray, w: np.ndarray, names: list[str], *, centre: bool
) -> tuple[list[int], list[str]]:
    """The sequential rule of :func:`collinear` from one compiled pass: the squared residual
    of column j on the kept columns is the Schur complement ``G_jj - g' G_KK^-1 g`` of the
    weighted Gram matrix of the demeaned columns."""
    from kaigai.policy import hdfe_kernels as hk

    base, g = hk.gram(np.asarray(x, dtype=np.float64), xt, np.asarray(w, dtype=np.float64))
    if not centre:  # no fixed effects: the raw (uncentred) sum of squares, as the loop
        base = np.diag(g).copy()
    kept: list[int] = []
    dropped: list[str] = []
    for j in range(x.shape[1]):
        vv = float(g[j, j])
        if kept:
            gk = g[np.ix_(kept, [j])][:, 0]
            vv -= float(gk @ np.linalg.solve(g[np.ix_(kept, kept)], gk))
        if base[j] <= 0 or vv <= COLLIN_TOL * base[j]:
            dropped.append(names[j])
        else:
            kept.append(j)
    return kept, dropped


def recover_fixef(
    alpha: list[np.ndarray],
    codes: list[np.ndarray],
    idx: np.ndarray,
    levels: list[Any],
    fe_names: Sequence[str],
) -> dict[str, pd.Series]:
    """Per-level fixed effects with fixest's normalisation (first level of every fixed
    effect but the first set to 0), indexed by the original level labels."""
    al = [a.copy() for a in alpha]
    for k in range(1, len(al)):
        shift = al[k][0]
        al[k] -= shift
        al[0] += shift
    import pandas as pd

    out: dict[str, Any] = {}
    for k, name in enumerate(fe_names):
        present = np.zeros(len(levels[k]), dtype=bool)
        present[codes[k][idx]] = True
        orig = np.flatnonzero(present)
        out[name] = pd.Series(al[k], index=pd.Index(levels[k][orig], name=name), name=name)
    return out
