"""Inference on fitted models: Wald tests of linear restrictions and delta-method standard
errors of derived quantities.

* :func:`wald_test` - ``H0: R b = q``; statistic ``W = (Rb - q)' (R V R')^-1 (Rb - q)``,
  reported as chi-squared with ``m`` (rows of R) degrees of freedom and as ``F = W / m``
  with ``(m, G - 1)`` degrees of freedom when clustered (G: the smallest number of clusters)
  and ``(m, N - k - sum of the fixed effects' levels)`` otherwise, as pyfixest's
  ``wald_test``.
  ``wald_test(res, ["rta", "rta_lag4"])`` tests that both are zero; a string like
  ``"rta + rta_lag4 = 1"`` gives one linear restriction.
* :func:`delta_method` - ``g(b)`` given as an expression in the coefficient names
  (``"100 * (log_dist_2006 - log_dist_1986) / log_dist_1986"``; ``+ - * / **``, numbers,
  ``exp``, ``log``, ``sqrt``), or as a Python callable on a name -> value mapping;
  ``se = sqrt(G V G')`` with the gradient G by central differences (step 1e-6 relative),
  as R's ``msm::deltamethod`` (analytic there; equal to ~1e-8 relative here).

Any coefficient name of the result can be used as written (``year::1986:ln_dist``,
``C(year)[T.1990]``, ``ln_dist:cntg``; the longest name is matched first) or quoted in
backticks (`` `year::2006:ln_dist` ``).
"""

from __future__ import annotations

import ast
import math
import operator
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from kaigai.core.errors import InputError
from kaigai.policy.results import PPMLResult, normal_pvalue

_BIN = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
}
_FUN = {"exp": math.exp, "log": math.log, "sqrt": math.sqrt}


_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_WORD = "A-Za-z0-9_.:"  # a name next to one of these is part of a longer name


def _substitute(expr: str, names: Sequence[str]) -> tuple[str, dict[str, str]]:
    """Replace coefficient names Python cannot read (``year::1986:ln_dist``,
    ``C(year)[T.1990]``, ``log(dist)``) and backtick-quoted names (`` `any name` ``) by
    identifiers ``__b0__``...; returns the new text and identifier -> coefficient name."""
    alias: dict[str, str] = {}
    ids: dict[str, str] = {}  # coefficient name -> its identifier

    def ident(name: str) -> str:
        if name not in ids:
            ids[name] = f"__b{len(alias)}__"
            alias[ids[name]] = name
        return ids[name]

    def quoted(m: re.Match[str]) -> str:
        if m.group(1) not in names:
            raise InputError(
                f"`{m.group(1)}` is not a coefficient of the model",
                hint=f"coefficients: {', '.join(names)}",
            )
        return ident(m.group(1))

    out = re.sub(r"`([^`]*)`", quoted, expr)
    # longest first, so that ln_dist:cntg is not read as ln_dist, ':' and cntg
    for name in sorted((n for n in names if not _IDENT.fullmatch(n)), key=len, reverse=True):
        pat = rf"(?<![{_WORD}]){re.escape(name)}(?![{_WORD}])"
        if re.search(pat, out):
            out = re.sub(pat, lambda _m, n=name: ident(n), out)  # type: ignore[misc]
    return out, alias


def _compile(expr: str, names: Sequence[str]) -> Callable[[Mapping[str, float]], float]:
    """A safe evaluator of an arithmetic expression over coefficient names (any name of
    the model, as written or in backticks)."""
    text, alias = _substitute(expr.strip(), names)
    try:
        tree = ast.parse(text, mode="eval").body
    except SyntaxError as exc:
        raise InputError(
            f"cannot read the expression {expr!r}: {exc.msg}",
            hint="write coefficient names exactly as the model reports them"
            f" ({', '.join(names)}); quote one in backticks if needed: `C(year)[T.1990]`",
        ) from exc

    def ev(node: ast.AST, b: Mapping[str, float]) -> float:
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return float(node.value)
        if isinstance(node, ast.Name):
            name = alias.get(node.id, node.id)
            if name not in names:
                raise InputError(
                    f"{name!r} is not a coefficient of the model",
                    hint=f"coefficients: {', '.join(names)}",
                )
            return float(b[name])
        if isinstance(node, ast.BinOp) and type(node.op) in _BIN:
            return float(_BIN[type(node.op)](ev(node.left, b), ev(node.right, b)))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            v = ev(node.operand, b)
            return -v if isinstance(node.op, ast.USub) else v
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in _FUN
            and len(node.args) == 1
        ):
            return float(_FUN[node.func.id](ev(node.args[0], b)))
        raise InputError(
            f"unsupported element in {expr!r}",
            hint=f"use coefficient names ({', '.join(names)}; in backticks if need be),"
            " numbers, + - * / **, exp(), log(), sqrt()",
        )

    return lambda b: ev(tree, b)


@dataclass(frozen=True)
class DeltaResult:
    """A derived quantity ``g(b)`` with its delta-method standard error."""

    expression: str
    estimate: float
    se: float
    gradient: dict[str, float]

    @property
    def z(self) -> float:
        return self.estimate / self.se if self.se > 0 else float("nan")

    @property
    def p(self) -> float:
        return float(normal_pvalue(np.array([self.z]))[0])

    def to_dict(self) -> dict[str, Any]:
        return {
            "expression": self.expression,
            "estimate": self.estimate,
            "se": self.se,
            "z": self.z,
            "p": self.p,
        }


def delta_method(
    res: PPMLResult, g: str | Callable[[Mapping[str, float]], float], *, step: float = 1e-6
) -> DeltaResult:
    """Estimate and delta-method standard error of ``g(b)``."""
    names = list(res.coef.index)
    fn = _compile(g, names) if isinstance(g, str) else g
    b: dict[str, float] = {str(k): float(v) for k, v in res.coef.items()}
    est = float(fn(b))
    grad = np.zeros(len(names))
    for j, nm in enumerate(names):
        h = step * max(1.0, abs(b[nm]))
        up, dn = dict(b), dict(b)
        up[nm] += h
        dn[nm] -= h
        grad[j] = (fn(up) - fn(dn)) / (2 * h)
    v = res.vcov.to_numpy()
    se = float(np.sqrt(max(grad @ v @ grad, 0.0)))
    label = g if isinstance(g, str) else getattr(g, "__name__", "g(b)")
    return DeltaResult(label, est, se, dict(zip(names, grad.tolist(), strict=True)))


@dataclass(frozen=True)
class WaldResult:
    """``H0: R b = q``: chi-squared statistic, its F form and p-values."""

    restrictions: tuple[str, ...]
    statistic: float
    df: int
    p_chi2: float
    f: float
    df_denom: int
    p_f: float

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__, restrictions=list(self.restrictions))


def _linear(expr: str, names: list[str]) -> tuple[np.ndarray, float]:
    """``"a + 2*b - c = 1"`` -> (row of R, q), by evaluating the (linear) sides."""
    lhs, _, rhs = expr.partition("=")
    f_l = _compile(lhs, names)
    f_r = _compile(rhs or "0", names)

    def h(b: Mapping[str, float]) -> float:
        return f_l(b) - f_r(b)

    zero = dict.fromkeys(names, 0.0)
    c0 = h(zero)
    row = np.array([h({**zero, nm: 1.0}) - c0 for nm in names])
    # linear check: the value at a second point must match
    test = {nm: 0.5 + j for j, nm in enumerate(names)}
    if not math.isclose(h(test), c0 + float(row @ np.array(list(test.values()))), abs_tol=1e-9):
        raise InputError(f"restriction {expr!r} is not linear in the coefficients")
    return row, -c0


def wald_test(res: PPMLResult, restrictions: Sequence[str] | str) -> WaldResult:
    """Joint Wald test. ``restrictions``: coefficient names (each = 0) and/or linear
    equations like ``"rta + rta_lag4 = 0.5"``."""
    from scipy import stats  # only here: importing scipy.stats costs seconds

    if isinstance(restrictions, str):
        restrictions = [restrictions]
    names = list(res.coef.index)
    rows, qs = [], []
    for r in restrictions:
        row, q = _linear(r if ("=" in r or r not in names) else f"{r} = 0", names)
        rows.append(row)
        qs.append(q)
    rm, qv = np.array(rows), np.array(qs)
    d = rm @ res.coef.to_numpy() - qv
    mid = rm @ res.vcov.to_numpy() @ rm.T
    w = float(d @ np.linalg.solve(mid, d))
    m = len(rows)
    # denominator df as pyfixest's wald_test: G - 1 when clustered (the smallest G for
    # multi-way), else N - k - (levels of every fixed effect)
    if "G" in res.vcov_info:
        df2 = max(int(res.vcov_info["G"]) - 1, 1)
    else:
        df2 = max(res.n_obs - len(names) - sum(res.fe_sizes), 1)
    return WaldResult(
        restrictions=tuple(restrictions),
        statistic=w,
        df=m,
        p_chi2=float(stats.chi2.sf(w, m)),
        f=w / m,
        df_denom=df2,
        p_f=float(stats.f.sf(w / m, m, df2)),
    )
