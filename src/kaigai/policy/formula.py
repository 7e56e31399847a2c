"""fixest-style formulas: ``y ~ x1 + x2 + a:b + log(z) | fe1 + fe2 + fe3^fe4``.

Right-hand side terms: a column name, a product ``a:b`` (``a*b`` is ``a + b + a:b``, and
``a*b*c`` every product of a non-empty subset, as in R and pyfixest), ``log(x)``, factors ``C(g)`` (one dummy per level but the first,
named ``C(g)[T.level]`` as pyfixest) and ``i(g)`` / ``i(g, ref=r)`` (dummies ``g::level``;
the first level, or ``r``, is the reference), ``i(g, x)`` / ``i(g, x, ref=r)`` (``x`` times
each level's dummy, ``g::level:x``; without ``ref`` every level is kept). A factor times
numeric columns, ``x:i(g)`` / ``x:C(g)``, keeps every level too (``x:g::level``,
``x:C(g)[level]``) unless ``x`` is itself a term of the model, as in pyfixest. ``1`` / ``0`` /
``-1`` switch the intercept (it is only used without fixed effects). Fixed effects: column
names, and ``a^b`` for the interaction of two or more columns (one level per observed
combination).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from kaigai.core.errors import EstimationError, InputError
from kaigai.policy.columns import factorize, is_numeric

if TYPE_CHECKING:  # a Columns table is estimated without importing pandas
    import pandas as pd

    from kaigai.policy.columns import Columns

_NAME = r"[A-Za-z_][A-Za-z0-9_.]*"
_FACTOR = re.compile(rf"^(?:log\(\s*({_NAME})\s*\)|({_NAME}))$")
_CAT = re.compile(rf"^C\(({_NAME})\)$")
_I = re.compile(rf"^i\(({_NAME})(?:,({_NAME}))?(?:,ref=([^,()]+))?\)$")


@dataclass(frozen=True)
class Factor:
    """One factor of a regressor term: a numeric column (``kind`` "num" or "log"), or a
    categorical expansion (``kind`` "C" or "i", with ``var`` for ``i(g, x)`` and ``ref``)."""

    kind: str
    column: str
    var: str | None = None
    ref: str | None = None

    @property
    def columns(self) -> list[str]:
        return [self.column] + ([self.var] if self.var else [])


def parse_factor(text: str) -> Factor:
    """``x``, ``log(x)``, ``C(g)``, ``i(g)``, ``i(g, x)``, ``i(g, ref=1)``, ``i(g, x, ref=b)``."""
    t = re.sub(r"\s+", "", text)
    m = _FACTOR.match(t)
    if m is not None:
        return Factor("log" if m.group(1) else "num", m.group(1) or m.group(2))
    m = _CAT.match(t)
    if m is not None:
        return Factor("C", m.group(1))
    m = _I.match(t)
    if m is not None:
        ref = m.group(3).strip("'\"") if m.group(3) else None
        return Factor("i", m.group(1), m.group(2), ref)
    raise InputError(
        f"cannot read {text!r} in the formula",
        hint="use a column, log(x), C(g), i(g), i(g, x) or i(g, x, ref=level)",
    )


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

    def term_factors(self, term: str) -> list[Factor]:
        """The factors of one regressor term (``a:b`` has two)."""
        return [parse_factor(f) for f in _split_term(term)]

    def columns(self) -> list[str]:
        """Every data column the formula uses."""
        cols = [self.lhs]
        for t in self.terms:
            for fac in self.term_factors(t):
                cols += fac.columns
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
        # a*b = a + b + a:b (every product of a non-empty subset; ':' binds tighter)
        pieces = [_split_term(p) for p in _split_top(t, "*")]
        for f in (f for p in pieces for f in p):
            parse_factor(f)
        for r in range(1, len(pieces) + 1):
            for sub in itertools.combinations(pieces, r):
                term = ":".join(f for p in sub for f in p)
                if term not in terms:
                    terms.append(term)
    # main effects first, then two-way products, ... (stable): formulaic's (pyfixest's) and
    # R's order of the coefficients
    terms.sort(key=lambda t: len(_split_term(t)))
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


def check_columns(data: pd.DataFrame | Columns, f: Formula) -> None:
    """Raise :class:`EstimationError` naming every column the formula needs but the data lacks."""
    missing = [c for c in f.columns() if c not in data.columns]
    if missing:
        raise EstimationError(
            f"column(s) {', '.join(missing)} used in the formula are not in the data",
            hint=f"available columns: {', '.join(map(str, data.columns[:30]))}",
            missing=missing,
        )


def _split_term(term: str) -> list[str]:
    """Split ``a:b`` at the top level (not inside ``i(...)``)."""
    return _split_top(term, ":")


def _split_top(term: str, sep: str) -> list[str]:
    """Split at ``sep`` outside parentheses."""
    out, depth, cur = [], 0, ""
    for ch in term:
        depth += ch == "("
        depth -= ch == ")"
        if ch == sep and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    out.append(cur)
    return [re.sub(r"\s+", "", p) for p in out]


def _numeric(data: pd.DataFrame | Columns, c: str) -> np.ndarray:
    s = data[c]
    if not is_numeric(s):
        raise EstimationError(
            f"regressor column {c!r} is not numeric (dtype {s.dtype})",
            hint=f"use C({c}) or i({c}) for a categorical regressor, or a fixed effect after '|'",
        )
    return s.to_numpy(dtype=np.float64, na_value=np.nan)


def _label(v: object) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _expand(
    data: pd.DataFrame | Columns, fac: Factor, full: bool = False
) -> tuple[list[np.ndarray], list[str]]:
    """Columns and names of one factor. ``full``: a categorical without ``ref`` keeps every
    level (it multiplies a variable whose own term is not in the model: ``x:i(g)``)."""
    if fac.kind in ("num", "log"):
        x = _numeric(data, fac.column)
        if fac.kind == "log":
            with np.errstate(divide="ignore", invalid="ignore"):
                x = np.where(x > 0, np.log(np.where(x > 0, x, 1.0)), np.nan)
        return [x], [f"log({fac.column})" if fac.kind == "log" else fac.column]
    codes, levels = factorize(data[fac.column], sort=True)
    labels = [_label(v) for v in levels]
    miss = codes < 0
    if fac.kind == "C":
        keep = list(range(0 if full else 1, len(labels)))
        tag = "" if full else "T."  # pyfixest's (formulaic's) names of the two encodings
        names = [f"C({fac.column})[{tag}{labels[k]}]" for k in keep]
    else:
        if fac.ref is not None:
            if fac.ref not in labels:
                raise EstimationError(
                    f"reference level {fac.ref!r} of {fac.column!r} is not in the data",
                    hint=f"levels: {', '.join(labels[:20])}",
                )
            keep = [k for k, lab in enumerate(labels) if lab != fac.ref]
        else:
            keep = list(range(0 if fac.var or full else 1, len(labels)))
        names = [f"{fac.column}::{labels[k]}" + (f":{fac.var}" if fac.var else "") for k in keep]
    mult = _numeric(data, fac.var) if fac.var else np.ones(len(data))
    cols = []
    for k in keep:
        col = (codes == k) * mult
        col[miss] = np.nan
        cols.append(col.astype(np.float64))
    return cols, names


def model_matrix(data: pd.DataFrame | Columns, f: Formula) -> tuple[np.ndarray, list[str]]:
    """Dense float64 regressor matrix (n, k), Fortran-ordered (each column contiguous, as the
    demeaning wants them), and its column names (NaN where not computable)."""
    cols: list[np.ndarray] = []
    names: list[str] = []
    n = len(data)
    if f.intercept:
        cols.append(np.ones(n))
        names.append("Intercept")
    present = {frozenset(_split_term(t)) for t in f.terms}
    for t in f.terms:
        tc: list[np.ndarray] | None = None  # None: the empty product (no factor yet)
        tn: list[str] = [""]
        parts = _split_term(t)
        facs = f.term_factors(t)
        cats = [j for j, fac in enumerate(facs) if fac.kind in ("C", "i") and fac.var is None]
        if len(cats) > 1:  # reference coding on both sides would fit a restricted model
            raise InputError(
                f"the term {t!r} multiplies two factors, which is not supported",
                hint="make one column of the combinations and use C() of it, or absorb them"
                " as a fixed effect (| g^h)",
            )
        # x:i(g) keeps every level of g unless x's own term is in the model (then x:i(g)
        # would repeat it): formulaic's full-rank rule, as pyfixest and fixest
        full = (
            len(cats) == 1
            and len(parts) > 1
            and all(fac.kind in ("num", "log") for j, fac in enumerate(facs) if j != cats[0])
            and frozenset(p for j, p in enumerate(parts) if j != cats[0]) not in present
        )
        for fac in facs:
            fc, fn = _expand(data, fac, full=full and fac.kind in ("C", "i"))
            tc = fc if tc is None else [a * b for a in tc for b in fc]
            tn = [f"{a}:{b}" if a else b for a in tn for b in fn]
        cols += tc or []
        names += tn
    x = np.empty((n, len(cols)), order="F")
    for j, c in enumerate(cols):
        x[:, j] = c
    return x, names


def fe_codes(data: pd.DataFrame | Columns, f: Formula) -> tuple[list[np.ndarray], list[Any]]:
    """Integer codes (-1 where missing) and level labels of each fixed effect."""
    codes, levels = [], []
    for cols in f.fe_columns:
        if len(cols) == 1:
            c, lev = _factorize_sorted(data[cols[0]])
            codes.append(c)
            levels.append(lev)
        else:
            parts = [factorize(data[c], sort=True) for c in cols]
            miss = np.zeros(len(data), dtype=bool)
            key = np.zeros(len(data), dtype=np.int64)
            for c, lev in parts:
                miss |= c < 0
                key = key * (len(lev) + 1) + c
            c = np.full(len(data), -1, dtype=np.int64)
            sub, uniq = factorize(key[~miss], sort=True)
            c[~miss] = sub
            first = np.zeros(len(uniq), dtype=np.int64)
            first[sub] = np.flatnonzero(~miss)
            labels = ["^".join(str(lev[pc[i]]) for pc, lev in parts) for i in first]
            codes.append(np.asarray(c, dtype=np.int64))
            levels.append(np.array(labels, dtype=object))
    return codes, levels


def _factorize_sorted(s: Any) -> tuple[np.ndarray, Any]:
    """``pd.factorize(s, sort=True)`` (int64 codes); integer columns of a compact range by a
    table of the values present instead of hashing (several times faster, same result)."""
    v = s.to_numpy()
    if v.dtype.kind in "iu" and v.size:
        lo, hi = int(v.min()), int(v.max())
        if hi - lo <= 4 * v.size:
            off = (v - lo).astype(np.int64)
            present = np.zeros(hi - lo + 1, dtype=bool)
            present[off] = True
            if present.all():  # every value lo..hi present: the codes are the offsets
                return off, np.arange(lo, hi + 1).astype(v.dtype)
            lab = np.cumsum(present, dtype=np.int64) - 1
            return lab[off], (np.flatnonzero(present) + lo).astype(v.dtype)
    return factorize(s, sort=True)
