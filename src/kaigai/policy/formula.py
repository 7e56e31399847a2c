"""fixest-style formulas: ``y ~ x1 + x2 + a:b + log(z) | fe1 + fe2 + fe3^fe4``.

Right-hand side terms: a column name, a product of numeric columns ``a:b`` (``a*b`` is read
the same way, without main effects), ``log(x)``. ``1`` / ``0`` / ``-1`` switch the intercept
(it is only used without fixed effects). Fixed effects: column names, and ``a^b`` for the
interaction of two or more columns (one level per observed combination).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kaigai.core.errors import EstimationError, InputError

_NAME = r"[A-Za-z_][A-Za-z0-9_.]*"
_FACTOR = re.compile(rf"^(?:log\(\s*({_NAME})\s*\)|({_NAME}))$")


@dataclass(frozen=True)
class Formula:
    """A parsed formula."""

    lhs: str
    terms: tuple[str, ...]
    fixef: tuple[str, ...]
    intercept: bool

    @property
    def fe_columns(self) -> tuple[tuple[str, ...], ...]:
        """Columns combined into each fixed effect (``("exporter", "year")`` for ``exporter^year``)."""
        return tuple(tuple(p.strip() for p in fe.split("^")) for fe in self.fixef)

    def term_columns(self, term: str) -> list[tuple[str, bool]]:
        """(column, is_log) factors of one regressor term."""
        out = []
        for f in re.split(r"[:*]", term):
            m = _FACTOR.match(f.strip())
            if m is None:
                raise InputError(f"cannot read the term {term!r} of the formula")
            out.append((m.group(1) or m.group(2), m.group(1) is not None))
        return out

    def columns(self) -> list[str]:
        """Every data column the formula uses."""
        cols = [self.lhs]
        for t in self.terms:
            cols += [c for c, _ in self.term_columns(t)]
        for fe in self.fe_columns:
            cols += list(fe)
        return list(dict.fromkeys(cols))


def parse_formula(formula: str) -> Formula:
    """Parse ``y ~ x1 + x2 | fe1 + fe2``; raise :class:`InputError` with a hint when malformed."""
    hint = 'write it like "trade ~ ln_dist + cntg + rta | exp_year + imp_year + pair"'
    if formula.count("~") != 1:
        raise InputError(f"formula {formula!r} needs exactly one '~'", hint=hint)
    lhs, rhs = (s.strip() for s in formula.split("~"))
    if not re.fullmatch(_NAME, lhs):
        raise InputError(f"left-hand side {lhs!r} must be one column name", hint=hint)
    parts = rhs.split("|")
    if len(parts) > 2:
        raise InputError(f"formula {formula!r} has more than one '|'", hint=hint)
    intercept = True
    terms: list[str] = []
    for raw in parts[0].split("+"):
        t = re.sub(r"\s+", "", raw)
        if t in ("", "1"):
            if t == "" and parts[0].strip():
                raise InputError(f"empty term in {parts[0]!r}", hint=hint)
            continue
        if t in ("0", "-1"):
            intercept = False
            continue
        if t.endswith("-1"):
            intercept = False
            t = t[:-2]
        for f in re.split(r"[:*]", t):
            if not _FACTOR.match(f):
                raise InputError(f"cannot read the term {t!r}", hint=hint)
        if t not in terms:
            terms.append(t.replace("*", ":"))
    fixef: list[str] = []
    if len(parts) == 2:
        for raw in parts[1].split("+"):
            fe = re.sub(r"\s+", "", raw)
            if not fe or fe == "0":
                continue
            if not all(re.fullmatch(_NAME, p) for p in fe.split("^")):
                raise InputError(f"cannot read the fixed effect {fe!r}", hint=hint)
            fixef.append(fe)
    if not terms and not fixef:
        raise InputError(f"formula {formula!r} has no regressor and no fixed effect", hint=hint)
    return Formula(
        lhs=lhs, terms=tuple(terms), fixef=tuple(fixef), intercept=intercept and not fixef
    )


def check_columns(data: pd.DataFrame, f: Formula) -> None:
    """Raise :class:`EstimationError` naming every column the formula needs but the data lacks."""
    missing = [c for c in f.columns() if c not in data.columns]
    if missing:
        raise EstimationError(
            f"column(s) {', '.join(missing)} used in the formula are not in the data",
            hint=f"available columns: {', '.join(map(str, data.columns[:30]))}",
            missing=missing,
        )


def model_matrix(data: pd.DataFrame, f: Formula) -> tuple[np.ndarray, list[str]]:
    """Dense float64 regressor matrix (n, k) and its column names (NaN where not computable)."""
    cols: list[np.ndarray] = []
    names: list[str] = []
    if f.intercept:
        cols.append(np.ones(len(data)))
        names.append("Intercept")
    for t in f.terms:
        v = np.ones(len(data))
        for c, is_log in f.term_columns(t):
            s = data[c]
            if not (pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s)):
                raise EstimationError(
                    f"regressor column {c!r} is not numeric (dtype {s.dtype})",
                    hint="encode categories as fixed effects after '|', or as 0/1 dummies",
                )
            x = s.to_numpy(dtype=np.float64, na_value=np.nan)
            if is_log:
                with np.errstate(divide="ignore", invalid="ignore"):
                    x = np.where(x > 0, np.log(np.where(x > 0, x, 1.0)), np.nan)
            v = v * x
        cols.append(v)
        names.append(t)
    return (np.column_stack(cols) if cols else np.empty((len(data), 0))), names


def fe_codes(data: pd.DataFrame, f: Formula) -> tuple[list[np.ndarray], list[pd.Index]]:
    """Integer codes (-1 where missing) and level labels of each fixed effect."""
    codes, levels = [], []
    for cols in f.fe_columns:
        if len(cols) == 1:
            c, lev = pd.factorize(data[cols[0]], sort=True)
            codes.append(np.asarray(c, dtype=np.int64))
            levels.append(pd.Index(lev, name=cols[0]))
        else:
            parts = [pd.factorize(data[c], sort=True) for c in cols]
            miss = np.zeros(len(data), dtype=bool)
            key = np.zeros(len(data), dtype=np.int64)
            for c, lev in parts:
                miss |= c < 0
                key = key * (len(lev) + 1) + c
            c = np.full(len(data), -1, dtype=np.int64)
            sub, uniq = pd.factorize(key[~miss], sort=True)
            c[~miss] = sub
            first = np.zeros(len(uniq), dtype=np.int64)
            first[sub] = np.flatnonzero(~miss)
            labels = ["^".join(str(lev[pc[i]]) for pc, lev in parts) for i in first]
            codes.append(np.asarray(c, dtype=np.int64))
            levels.append(pd.Index(labels, name="^".join(cols)))
    return codes, levels
