"""PPML with fixed effects on a PySpark DataFrame (panels larger than one machine's memory).

``fepois_spark(sdf, "trade ~ rta + ln_dist | exp_year + imp_year", vcov={"CRV1": "pair"})``
gives the estimates of :func:`kaigai.policy.ppml.fepois` (same formula, same conventions)
while the rows never leave Spark. Design (IRLS, as fixest/pyfixest):

* rows with a missing value are dropped; singletons and fixed-effect levels whose outcomes
  are all zero are dropped until stable (one GROUPING SETS count per round; the IR check is
  not run on Spark);
* every iteration is ONE Spark aggregation (``GROUPING SETS``) of the working weights
  ``w = mu`` and response ``z = eta - offset + (y - mu) / mu``: per fixed-effect level the
  sums of ``w``, ``w x`` and ``w z``; per pair of fixed effects the sums of ``w`` over the
  observed level pairs (the off-diagonal blocks of ``D'WD``); and ``X'WX``, ``X'Wz``;
* on the driver: the fixed-effect normal equations ``(D'WD) [A_x, a_z] = D'W [X, z]`` (sparse
  LU, one level of every fixed effect but the first fixed at 0), then
  ``H = X'WX - (D'WX)' A_x``, ``b = H^-1 (X'Wz - (D'WX)' a_z)``, ``a = a_z - A_x b``; the next
  ``eta = offset + X b + D a`` is formed row-wise in Spark from the per-level ``a`` (broadcast
  joins);
* converged when the relative deviance change is below ``tol``; the covariance (hetero or
  one-way cluster, fixest / ppmlhdfe / none conventions) uses the scores
  ``(X - D A_x)_i (y_i - mu_i)`` summed per cluster in Spark.

Driver memory grows with the number of fixed-effect levels and of observed level pairs
(small for exporter-year x importer-year; as large as the panel's pairs with a pair fixed
effect), not with the number of rows. Formulas: numeric columns and ``log(x)`` (no ``C()``,
``i()`` or products), at least one fixed effect.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from kaigai.core.errors import EstimationError, NonConvergenceError
from kaigai.policy.formula import parse_formula
from kaigai.policy.results import PPMLResult
from kaigai.policy.sample import parse_vcov
from kaigai.policy.separation import DropCounts
from kaigai.policy.vcov import SMALL_SAMPLE


def _q(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def fepois_spark(
    sdf: Any,
    formula: str,
    vcov: str | dict[str, str] = "hetero",
    *,
    tol: float = 1e-10,
    maxiter: int = 50,
    small_sample: str = "fixest",
    singletons: bool = True,
    offset: str | None = None,
) -> PPMLResult:
    """Estimate PPML with fixed effects on a Spark DataFrame ``sdf`` (see the module doc)."""
    from pyspark.sql import functions as F

    if small_sample not in SMALL_SAMPLE:
        raise EstimationError(f"unknown small_sample {small_sample!r}")
    f = parse_formula(formula)
    vtype, cl = parse_vcov(vcov)
    if len(cl) > 1 or vtype == "iid":
        raise EstimationError("the Spark path supports vcov 'hetero' or one cluster variable")
    if not f.fixef:
        raise EstimationError("the Spark path needs at least one fixed effect")
    spark = sdf.sparkSession
    cols: list[Any] = [F.col(f.lhs).cast("double").alias("y")]
    names: list[str] = []
    for j, t in enumerate(f.terms):
        facs = f.term_factors(t)
        if len(facs) != 1 or facs[0].kind not in ("num", "log"):
            raise EstimationError(f"term {t!r} is not supported on Spark (plain columns, log(x))")
        c = F.col(facs[0].column).cast("double")
        cols.append((F.when(c > 0, F.log(c)) if facs[0].kind == "log" else c).alias(f"x{j}"))
        names.append(t)
    fe_names = [f"f{k}" for k in range(len(f.fixef))]
    for k, parts in enumerate(f.fe_columns):
        # concat (not concat_ws, which skips nulls): a row missing any part of a fixed effect
        # gets a null key and is dropped with the other missing values, as in memory
        pieces = [F.col(p).cast("string") for p in parts]
        key = F.concat(
            *[x for j, c in enumerate(pieces) for x in ([F.lit("^")] if j else []) + [c]]
        )
        cols.append(key.alias(fe_names[k]))
    cols.append((F.col(offset).cast("double") if offset else F.lit(0.0)).alias("off"))
    if cl:
        cols.append(F.col(cl[0]).cast("string").alias("cl"))
    missing_cols = [
        c for c in [*f.columns(), *cl, *([offset] if offset else [])] if c not in sdf.columns
    ]
    if missing_cols:
        raise EstimationError(f"column(s) {', '.join(missing_cols)} are not in the data")
    import time

    t_sep = time.perf_counter()
    n_input = sdf.count()
    base = sdf.select(*cols).dropna()
    counts = DropCounts()
    n_now = base.count()
    counts.missing = n_input - n_now
    if base.filter(F.col("y") < 0).limit(1).count():
        raise EstimationError(f"{f.lhs!r} has negative values; PPML needs y >= 0")
    while True:  # singletons and all-zero levels, until stable
        bad = []
        for fe in fe_names:
            g = base.groupBy(fe).agg(
                F.count("*").alias("n"), F.sum((F.col("y") > 0).cast("int")).alias("npos")
            )
            cond = (F.col("npos") == 0) | ((F.col("n") == 1) if singletons else F.lit(False))
            bad.append((fe, g.filter(cond).select(fe)))
        for fe, b in bad:
            base = base.join(F.broadcast(b), on=fe, how="left_anti")
        base = base.localCheckpoint()
        n_new = base.count()
        if n_new == n_now:
            break
        counts.separated_fe += n_now - n_new  # (singletons and separated: see docs)
        n_now = n_new
    base = base.cache()
    n = n_now
    t_fit = time.perf_counter()
    t_sep = t_fit - t_sep
    p = len(names)
    xs = [f"x{j}" for j in range(p)]
    ybar = base.agg(F.mean("y")).first()[0]
    # level codes (driver side): one small table per fixed effect
    levels = [base.select(fe).distinct().toPandas()[fe].sort_values().to_numpy() for fe in fe_names]
    sizes = [len(lv) for lv in levels]
    offs = np.cumsum([0, *sizes])
    state = base.withColumn("eta", F.log((F.col("y") + F.lit(ybar)) / 2.0))
    dev_old = np.inf
    a_levels: list[np.ndarray] = []
    beta = np.zeros(p)
    converged = False
    it = 0
    stats: dict[str, Any] = {}
    while it < maxiter:
        it += 1
        stats = _aggregate(spark, state, fe_names, xs, levels, offs)
        dev = stats["dev"]
        if it > 1 and abs(dev - dev_old) / (0.1 + abs(dev)) < tol:
            converged = True
            break
        dev_old = dev
        beta, a_levels, _, _ = _solve(stats, p, sizes, offs)
        state = _eta(spark, base, fe_names, levels, a_levels, xs, beta)
    if not converged:
        raise NonConvergenceError(f"Spark PPML did not converge in {maxiter} iterations")
    # covariance at the converged mu (stats of the last pass)
    _, _, ax, h = _solve(stats, p, sizes, offs)
    bread = np.linalg.inv(h)
    ax_k = [ax[offs[k] : offs[k + 1]] for k in range(len(fe_names))]
    sc = _join_levels(spark, state, fe_names, levels, ax_k, "t")
    resid = F.col("y") - F.exp(F.col("eta"))
    s_exprs = [
        ((F.col(x) - sum(F.col(f"t{k}_{j}") for k in range(len(fe_names)))) * resid).alias(f"s{j}")
        for j, x in enumerate(xs)
    ]
    sc = sc.select(*(["cl"] if cl else []), *s_exprs)
    k_fe = sum(sizes) - (len(sizes) - 1)
    info: dict[str, Any] = {"small_sample": small_sample}
    if cl:
        g = sc.groupBy("cl").agg(*[F.sum(f"s{j}").alias(f"s{j}") for j in range(p)]).toPandas()
        sg = g[[f"s{j}" for j in range(p)]].to_numpy()
        meat, n_g = sg.T @ sg, len(g)
        big_k = p + k_fe
        if small_sample == "fixest":
            nested = [
                k for k, fe in enumerate(fe_names)
                if base.groupBy(fe).agg(F.countDistinct("cl").alias("c")).agg(F.max("c")).first()[0] == 1
            ]  # fmt: skip
            big_k = p + k_fe - sum(sizes[k] for k in nested) + len(nested)
            q = (n - 1) / (n - big_k) * n_g / (n_g - 1)
            info["K"] = big_k
        else:
            q = n_g / (n_g - 1) if small_sample == "ppmlhdfe" else 1.0
        info.update(G=n_g, q=q, cluster=cl[0])
    else:
        prods = [F.sum(F.col(f"s{i}") * F.col(f"s{j}")) for i in range(p) for j in range(p)]
        meat = np.array(sc.agg(*prods).first(), dtype=float).reshape(p, p)
        q = {"fixest": n / (n - p - k_fe), "ppmlhdfe": n / (n - 1), "none": 1.0}[small_sample]
        info["q"] = q
    v = q * bread @ meat @ bread
    base.unpersist()
    return PPMLResult(
        formula=formula,
        names=tuple(names),
        beta=np.asarray(beta, dtype=np.float64),
        cov=np.asarray(v, dtype=np.float64),
        vcov_type=f"CRV1 by {cl[0]}" if cl else "hetero",
        vcov_info=info,
        fitted=np.empty(0),
        obs_index=pd.RangeIndex(0),
        n_obs=int(n),
        n_input=int(n_input),
        dropped=counts.to_dict(),
        collinear=(),
        converged=converged,
        iterations=it,
        deviance=float(stats["dev"]),
        null_deviance=float("nan"),
        fe_names=tuple(f.fixef),
        fe_sizes=tuple(sizes),
        trace=("estimated on Spark (IRLS, one GROUPING SETS aggregation per iteration)",),
        timings={"separation": t_sep, "fit": time.perf_counter() - t_fit},
    )


def _aggregate(
    spark: Any,
    state: Any,
    fes: list[str],
    xs: list[str],
    levels: list[np.ndarray],
    offs: np.ndarray,
) -> dict[str, Any]:
    """One GROUPING SETS pass: per-level and per-level-pair sums, X'WX, X'Wz, deviance."""
    view = f"kaigai_ppml_{id(state)}"
    state.createOrReplaceTempView(view)
    p = len(xs)
    w = "exp(eta)"
    z = f"(eta - off + (y - {w}) / {w})"
    aggs = [f"sum({w}) AS sw", f"sum({w} * {z}) AS swz"]
    aggs += [f"sum({w} * {x}) AS swx{j}" for j, x in enumerate(xs)]
    aggs += [f"sum({w} * {xs[i]} * {xs[j]}) AS sxx{i}_{j}" for i in range(p) for j in range(i, p)]
    aggs += [f"sum({w} * {x} * {z}) AS sxz{j}" for j, x in enumerate(xs)]
    aggs += [f"sum(CASE WHEN y > 0 THEN y * ln(y / {w}) ELSE 0 END - (y - {w})) AS dv"]
    sets = [f"({fe})" for fe in fes]
    sets += [f"({fes[k]}, {fes[m]})" for k in range(len(fes)) for m in range(k + 1, len(fes))]
    sets.append("()")
    fe_cols = ", ".join(fes)
    gid = ", ".join(f"grouping({fe}) AS g_{fe}" for fe in fes)
    sql = f"SELECT {fe_cols}, {gid}, {', '.join(aggs)} FROM {view} GROUP BY GROUPING SETS ({', '.join(sets)})"
    r = spark.sql(sql).toPandas()
    spark.catalog.dropTempView(view)
    gmask = r[[f"g_{fe}" for fe in fes]].to_numpy() == 0  # True where grouped by that fe
    out: dict[str, Any] = {"per": [], "pairs": {}}
    codes = [pd.Index(lv) for lv in levels]
    for k, fe in enumerate(fes):
        sel = r[gmask[:, k] & (gmask.sum(axis=1) == 1)]
        idx = codes[k].get_indexer(sel[fe].to_numpy())
        blk = np.zeros((len(levels[k]), p + 2))
        blk[idx, 0] = sel["sw"].to_numpy()
        blk[idx, 1] = sel["swz"].to_numpy()
        for j in range(p):
            blk[idx, 2 + j] = sel[f"swx{j}"].to_numpy()
        out["per"].append(blk)
    for k in range(len(fes)):
        for m in range(k + 1, len(fes)):
            sel = r[gmask[:, k] & gmask[:, m] & (gmask.sum(axis=1) == 2)]
            out["pairs"][(k, m)] = (
                codes[k].get_indexer(sel[fes[k]].to_numpy()),
                codes[m].get_indexer(sel[fes[m]].to_numpy()),
                sel["sw"].to_numpy(),
            )
    tot = r[gmask.sum(axis=1) == 0].iloc[0]
    sxx = np.zeros((p, p))
    for i in range(p):
        for j in range(i, p):
            sxx[i, j] = sxx[j, i] = tot[f"sxx{i}_{j}"]
    out["sxx"] = sxx
    out["sxz"] = np.array([tot[f"sxz{j}"] for j in range(p)], dtype=float)
    out["dev"] = 2.0 * float(tot["dv"])
    return out


def _solve(
    stats: dict[str, Any], p: int, sizes: list[int], offs: np.ndarray
) -> tuple[np.ndarray, list[np.ndarray], np.ndarray, np.ndarray]:
    """Fixed-effect normal equations (sparse LU with one level of every fixed effect but the
    first pinned at 0), then the concentrated WLS for b. Returns b, per-FE a, A_x, H."""
    import scipy.sparse as sp
    from scipy.sparse.linalg import splu

    total = int(offs[-1])
    rows, cols, vals = [], [], []
    rhs = np.zeros((total, p + 1))
    for k, blk in enumerate(stats["per"]):
        ix = np.arange(sizes[k]) + offs[k]
        rows.append(ix)
        cols.append(ix)
        vals.append(blk[:, 0])
        rhs[ix, 0] = blk[:, 1]
        rhs[ix, 1:] = blk[:, 2:]
    for (k, m), (ik, im, sw) in stats["pairs"].items():
        rows += [ik + offs[k], im + offs[m]]
        cols += [im + offs[m], ik + offs[k]]
        vals += [sw, sw]
    a_mat = sp.csc_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(total, total)
    )
    free = np.ones(total, dtype=bool)
    free[offs[1:-1]] = False  # first level of every fixed effect after the first
    sol = np.zeros((total, p + 1))
    sol[free] = splu(a_mat[free][:, free].tocsc()).solve(rhs[free])
    a_z, a_x = sol[:, 0], sol[:, 1:]
    b_mat = rhs[:, 1:]
    h = stats["sxx"] - b_mat.T @ a_x
    g = stats["sxz"] - b_mat.T @ a_z
    beta = np.linalg.solve(h, g) if p else np.zeros(0)
    a = a_z - a_x @ beta
    return beta, [a[offs[k] : offs[k + 1]] for k in range(len(sizes))], a_x, h


def _join_levels(
    spark: Any,
    df: Any,
    fes: list[str],
    levels: list[np.ndarray],
    mats: list[np.ndarray],
    prefix: str,
) -> Any:
    """Attach per-level values (``mats[k]``: levels x m) as columns ``{prefix}{k}_{j}``."""
    from pyspark.sql import functions as F

    for k, fe in enumerate(fes):
        mk = mats[k][:, None] if mats[k].ndim == 1 else mats[k]
        pdf = pd.DataFrame({fe: levels[k]})
        for j in range(mk.shape[1]):
            pdf[f"{prefix}{k}_{j}"] = mk[:, j]
        df = df.join(F.broadcast(spark.createDataFrame(pdf)), on=fe, how="left")
    return df


def _eta(
    spark: Any,
    base: Any,
    fes: list[str],
    levels: list[np.ndarray],
    a: list[np.ndarray],
    xs: list[str],
    beta: np.ndarray,
) -> Any:
    """``base`` with ``eta = offset + X b + D a``."""
    from pyspark.sql import functions as F

    out = _join_levels(spark, base, fes, levels, a, "a")
    lin = F.col("off") + sum(F.col(f"a{k}_0") for k in range(len(fes)))
    for x, b in zip(xs, beta, strict=True):
        lin = lin + F.col(x) * float(b)
    return out.select(*base.columns, lin.alias("eta"))
