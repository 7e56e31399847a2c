"""The export-potential pipeline, written once as Ibis expressions (DuckDB or PySpark).

Notation (docs/markets.md has the derivations): i exporter, j market, k HS6 product,
X_ik exports of k by i (to all covered markets), M_jk imports of k by j, T_ijk the bilateral
flow, all 2024 USD.

* supply      s_ik = X_ik / sum_l X_lk;  projected  s^_ik = s_ik r_i / sum_l s_lk r_l
              with r_i = real GDP growth of i / world growth (WEO, base -> target year);
              global tariff disadvantage g_ik = ((1 + tbar_k) / (1 + t_ik))^sigma.
* demand      M^_jk = M_jk * (pc_j)^eps(c(k), grp(j)) * pop_j;
              market tariff advantage a_ijk = ((1 + tbar_jk) / (1 + t_ijk))^sigma;
              distance factor f_ijk = exp(-|dbar_jk - ln d_ij|),
              dbar_jk = sum_l T_ljk ln d_lj / sum_l T_ljk.
* ease        w0_ijk = s_ik g_ik a_ijk f_ijk;  H_ijk = M_jk w0_ijk / sum_l w0_ljk;
              e_ij = sum_k T_ijk / sum_k H_ijk  (over/under-trading of the pair).
* potential   v_ijk = s^_ik g_ik a_ijk f_ijk e_ij;  EPI_ijk = M^_jk v_ijk / sum_l v_ljk,
              so sum_i EPI_ijk = M^_jk;  untapped_ijk = EPI_ijk - min(T_ijk, EPI_ijk).

Missing inputs make their factor neutral (= 1) and set a flag column. Every function takes
and returns Ibis tables; nothing here executes a query.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
from ibis import _

from kaigai.markets.types import EPIParams

Stage = Callable[[str, ir.Table], ir.Table]


def _identity(name: str, t: ir.Table) -> ir.Table:
    return t


@dataclass(frozen=True)
class PipelineInputs:
    """Ibis tables the pipeline reads (columns as listed; values in USD as float64).

    trade: exporter, importer, hs6, value;  imports: importer, hs6, imports;
    exports: exporter, hs6, exports;  growth: code, rel_growth, pc_factor, pop_factor,
    dev_group;  elasticities: chapter, dev_group, elasticity;  distance: exporter, importer,
    ln_dist (keys are int32 ids, see :mod:`kaigai.markets.codes`; HS6 and chapter as integers);
    ln_dist;  tariffs (optional): exporter, importer, hs6, rate (ad valorem, 0.05 = 5%).
    """

    trade: ir.Table
    imports: ir.Table
    exports: ir.Table
    growth: ir.Table
    elasticities: ir.Table
    distance: ir.Table
    tariffs: ir.Table | None = None


def _ljoin(a: ir.Table, b: ir.Table, keys: list[str]) -> ir.Table:
    """Left join keeping the left keys only (Ibis suffixes the right ones ``_right``)."""
    return a.left_join(b, keys).drop(*[f"{k}_right" for k in keys])


def markets(inp: PipelineInputs, params: EPIParams) -> ir.Table:
    """Per market: total imports, imports present as bilateral rows, and completeness."""
    tot = inp.imports.group_by("importer").aggregate(total_imports=_.imports.sum())
    traded = inp.trade.group_by("importer").aggregate(bilateral=_.value.sum())
    out = _ljoin(tot, traded, ["importer"]).mutate(bilateral=_.bilateral.fill_null(0.0))
    out = out.mutate(coverage=_.bilateral / _.total_imports.nullif(0.0))
    return out.mutate(complete=_.coverage.fill_null(0.0) >= params.coverage_min)


def global_tariff(inp: PipelineInputs, params: EPIParams) -> ir.Table | None:
    """g_ik from export-weighted average tariffs faced by i vs all suppliers of k."""
    if inp.tariffs is None:
        return None
    tt = inp.trade.join(inp.tariffs, ["exporter", "importer", "hs6"])
    by_ik = tt.group_by(["exporter", "hs6"]).aggregate(tv=(_.value * _.rate).sum(), v=_.value.sum())
    by_k = tt.group_by("hs6").aggregate(wtv=(_.value * _.rate).sum(), wv=_.value.sum())
    g = by_ik.join(by_k, "hs6").mutate(
        gtd=((1.0 + _.wtv / _.wv) / (1.0 + _.tv / _.v)) ** params.sigma
    )
    return g.select("exporter", "hs6", "gtd")


def supply(inp: PipelineInputs, params: EPIParams) -> ir.Table:
    """Current and projected world market shares, with the global tariff factor."""
    x = inp.exports.filter(_.exports > 0)
    xk = x.group_by("hs6").aggregate(world_exports=_.exports.sum())
    gr = inp.growth.select(exporter=_.code, rel_growth=_.rel_growth)
    s = _ljoin(x.join(xk, "hs6"), gr, ["exporter"]).mutate(share=_.exports / _.world_exports)
    if params.variant == "static":
        s = s.mutate(growth_missing=ibis.literal(False), r=ibis.literal(1.0))
    else:
        s = s.mutate(growth_missing=_.rel_growth.isnull(), r=_.rel_growth.fill_null(1.0))
    sr = s.mutate(sr=_.share * _.r)
    norm = sr.group_by("hs6").aggregate(sr_total=_.sr.sum())
    out = sr.join(norm, "hs6").mutate(proj_share=_.sr / _.sr_total)
    g = global_tariff(inp, params)
    if g is None:
        out = out.mutate(gtd=ibis.literal(1.0))
    else:
        out = _ljoin(out, g, ["exporter", "hs6"]).mutate(gtd=_.gtd.fill_null(1.0))
    return out.select(
        "exporter", "hs6", "exports", "share", "growth_missing", "r", "proj_share", "gtd"
    )


def demand(inp: PipelineInputs, params: EPIParams, mk: ir.Table) -> ir.Table:
    """Current and projected imports of complete markets."""
    comp = mk.filter(_.complete).select("importer")
    m = inp.imports.filter(_.imports > 0).join(comp, "importer")
    m = m.mutate(chapter=(_.hs6 // 10000).cast("int32"))
    macro = inp.growth.select(
        importer=_.code, pc_factor=_.pc_factor, pop_factor=_.pop_factor, dev_group=_.dev_group
    )
    m = _ljoin(m, macro, ["importer"]).mutate(dev_group=_.dev_group.fill_null("developing"))
    m = _ljoin(m, inp.elasticities, ["chapter", "dev_group"])
    if params.variant == "static":
        m = m.mutate(demand_growth_missing=ibis.literal(False), demand_factor=ibis.literal(1.0))
    else:
        f = (_.pc_factor**_.elasticity) * _.pop_factor
        m = m.mutate(demand_factor=f).mutate(
            demand_growth_missing=_.demand_factor.isnull(),
            demand_factor=_.demand_factor.fill_null(1.0),
        )
    m = m.mutate(proj_imports=_.imports * _.demand_factor)
    return m.select(
        "importer",
        "hs6",
        "chapter",
        "imports",
        "elasticity",
        "demand_factor",
        "demand_growth_missing",
        "proj_imports",
    )


def supplier_distance(inp: PipelineInputs) -> ir.Table:
    """dbar_jk: import-weighted mean ln distance of market j's suppliers of k."""
    t = inp.trade.join(inp.distance, ["exporter", "importer"])
    return t.group_by(["importer", "hs6"]).aggregate(
        avg_ln_dist=(_.value * _.ln_dist).sum() / _.value.sum()
    )


def _tariff_advantage(inp: PipelineInputs, grid: ir.Table, params: EPIParams) -> ir.Table:
    if inp.tariffs is None:
        return grid.mutate(ta=ibis.literal(1.0), tariff_missing=ibis.literal(True))
    g = _ljoin(grid, inp.tariffs, ["exporter", "importer", "hs6"])
    avg = (
        g.filter(_.rate.notnull() & (_.actual > 0))
        .group_by(["importer", "hs6"])
        .aggregate(avg_rate=(_.actual * _.rate).sum() / _.actual.sum())
    )
    g = _ljoin(g, avg, ["importer", "hs6"])
    ta = ((1.0 + _.avg_rate) / (1.0 + _.rate)) ** params.sigma
    g = g.mutate(ta=ta).mutate(tariff_missing=_.ta.isnull(), ta=_.ta.fill_null(1.0))
    return g.drop("rate", "avg_rate")


GRID_COLUMNS = [
    "exporter", "importer", "hs6", "actual", "imports", "proj_imports", "share", "proj_share",
    "gtd", "ta", "dist_factor", "distance_missing", "tariff_missing", "w0",
]  # fmt: skip
CORE_COLUMNS = [
    "exporter", "importer", "hs6", "actual", "ta", "dist_factor", "distance_missing",
    "tariff_missing", "v", "epi", "untapped",
]  # fmt: skip


def grid(
    inp: PipelineInputs, params: EPIParams, sup: ir.Table, dem: ir.Table, sd: ir.Table
) -> ir.Table:
    """Every (exporter of k) x (complete market importing k) with its access factors.

    Only the columns later stages need are kept (the grid is the one large intermediate).
    """
    d = dem.select("importer", "hs6", "imports", "proj_imports")
    s = sup.select("exporter", "hs6", "share", "proj_share", "gtd")
    g = d.join(s, "hs6").filter(_.exporter != _.importer)
    act = inp.trade.select("exporter", "importer", "hs6", actual=_.value)
    g = _ljoin(g, act, ["exporter", "importer", "hs6"]).mutate(actual=_.actual.fill_null(0.0))
    g = _ljoin(g, inp.distance, ["exporter", "importer"])
    g = _ljoin(g, sd, ["importer", "hs6"])
    f = (-((_.avg_ln_dist - _.ln_dist).abs())).exp()
    g = g.mutate(dist_factor=f).mutate(
        distance_missing=_.dist_factor.isnull(), dist_factor=_.dist_factor.fill_null(1.0)
    )
    g = _tariff_advantage(inp, g, params)
    return g.mutate(w0=_.share * _.gtd * _.ta * _.dist_factor).select(*GRID_COLUMNS)


def ease(g: ir.Table) -> ir.Table:
    """e_ij = actual / hypothetical bilateral trade, summed over all products."""
    w0 = g.group_by(["importer", "hs6"]).aggregate(w0_total=_.w0.sum())
    h = g.join(w0, ["importer", "hs6"]).mutate(
        hypothetical=_.imports * _.w0 / _.w0_total.nullif(0.0)
    )
    e = h.group_by(["exporter", "importer"]).aggregate(
        actual_total=_.actual.sum(), hypothetical_total=_.hypothetical.sum()
    )
    e = e.mutate(ease=_.actual_total / _.hypothetical_total.nullif(0.0))
    return e.mutate(ease_missing=_.ease.isnull(), ease=_.ease.fill_null(1.0)).mutate(
        ease_zero=_.actual_total == 0.0
    )


def potential_core(g: ir.Table, e: ir.Table) -> ir.Table:
    """EPI_ijk normalised within each market-product, and untapped potential (narrow)."""
    p = g.join(e.select("exporter", "importer", "ease"), ["exporter", "importer"])
    p = p.mutate(v=_.proj_share * _.gtd * _.ta * _.dist_factor * _.ease)
    vt = p.group_by(["importer", "hs6"]).aggregate(v_total=_.v.sum())
    p = p.join(vt, ["importer", "hs6"]).mutate(epi=_.proj_imports * _.v / _.v_total.nullif(0.0))
    return p.mutate(untapped=_.epi - ibis.least(_.actual, _.epi)).select(*CORE_COLUMNS)


def market_side(dem: ir.Table, sd: ir.Table) -> ir.Table:
    """Per (market, product): imports, projection and the suppliers' mean ln distance."""
    return _ljoin(dem, sd, ["importer", "hs6"])


def pair_side(inp: PipelineInputs, e: ir.Table) -> ir.Table:
    """Per (exporter, market): ln distance and ease."""
    return _ljoin(e, inp.distance, ["exporter", "importer"])


OUTPUT_COLUMNS = [
    "exporter", "importer", "hs6", "chapter", "actual", "imports", "proj_imports",
    "demand_factor", "elasticity", "exports", "share", "proj_share", "gtd", "ta",
    "ln_dist", "avg_ln_dist", "dist_factor", "ease", "v", "epi", "untapped",
    "growth_missing", "demand_growth_missing", "distance_missing", "tariff_missing",
    "ease_missing", "ease_zero",
]  # fmt: skip


def assemble(core: ir.Table, sup: ir.Table, mkt: ir.Table, pairs: ir.Table) -> ir.Table:
    """Full output rows: the narrow core plus supply, market and pair columns."""
    p = core.join(sup, ["exporter", "hs6"])
    p = p.join(mkt, ["importer", "hs6"]).join(pairs, ["exporter", "importer"])
    return p.select(*OUTPUT_COLUMNS)


def build(inp: PipelineInputs, params: EPIParams, stage: Stage = _identity) -> dict[str, ir.Table]:
    """All stages as named Ibis tables.

    markets, supply, demand, supplier_distance, grid, ease, core (narrow potential),
    market_side, pair_side and potential (all OUTPUT_COLUMNS). ``stage(name, table)`` may
    materialise a table (e.g. ``Table.cache``) so it is computed once; the default is lazy.
    """
    mk = stage("markets", markets(inp, params))
    sup = stage("supply", supply(inp, params))
    dem = stage("demand", demand(inp, params, mk))
    sd = stage("supplier_distance", supplier_distance(inp))
    g = stage("grid", grid(inp, params, sup, dem, sd))
    e = stage("ease", ease(g))
    core = potential_core(g, e)
    ms = market_side(dem, sd)
    ps = pair_side(inp, e)
    return {
        "markets": mk, "supply": sup, "demand": dem, "supplier_distance": sd, "grid": g,
        "ease": e, "core": core, "market_side": ms, "pair_side": ps,
        "potential": assemble(core, sup, ms, ps),
    }  # fmt: skip


__all__ = [
    "CORE_COLUMNS",
    "GRID_COLUMNS",
    "OUTPUT_COLUMNS",
    "assemble",
    "market_side",
    "pair_side",
    "potential_core",
    "PipelineInputs",
    "build",
    "demand",
    "ease",
    "grid",
    "markets",
    "supplier_distance",
    "supply",
]
