"""Option rows of one national line: MFN, each agreement's cell (with inferred staging) and
scenario agreements, each with its rate, duty, margin vs MFN, source cell and origin rule."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from kaigai.core.errors import TariffError
from kaigai.core.provenance import Provenance
from kaigai.tariffs.agreements import Agreement
from kaigai.tariffs.duty_types import DutyQuery, OptionRow, RuleLookup
from kaigai.tariffs.expr import (
    FREE,
    AdValorem,
    Basis,
    Branch,
    Conditional,
    Interval,
    RateExpr,
    describe,
    evaluate,
)
from kaigai.tariffs.index import TariffIndex
from kaigai.tariffs.schedule import Schedule, TariffLine
from kaigai.tariffs.staging import scale_expr, staged_factor, staged_rate, year_index


def origin_rule(agreement: Agreement, hs6: str, lookup: RuleLookup | None = None) -> dict[str, Any]:
    """The rules-of-origin reference to meet; ``lookup(rules_of_origin_id, hs6)`` is the
    origin-engine adapter the shell passes in (``None``: "origin engine not available")."""
    rid = agreement.rules_of_origin.get("id", agreement.id)
    ref = {"agreement": agreement.id, "rules_of_origin_id": rid, "hs6": hs6}
    if lookup is None:
        return {**ref, "status": "origin engine not available"}
    try:
        rule = lookup(rid, hs6)
    except Exception as exc:  # noqa: BLE001 - another package's error becomes a note
        return {**ref, "status": f"origin engine: {exc}"}
    return {**ref, "status": "ok", **rule}


def _with_fallback(expr: RateExpr, mfn: RateExpr | None) -> RateExpr:
    """A preference limited to a quota/product condition falls back to MFN otherwise."""
    if not isinstance(expr, Conditional) or mfn is None:
        return expr
    catch_all = any(
        b.condition in ("out_quota", "party") or b.text.startswith("その他のもの")
        for b in expr.branches
    )
    if catch_all:
        return expr
    return Conditional((*expr.branches, Branch("otherwise", "otherwise (no preference): MFN", mfn)))


def _evaluate(expr: RateExpr, basis: Basis) -> tuple[Interval | None, str | None]:
    try:
        return evaluate(expr, basis), None
    except TariffError as exc:
        return None, exc.message + (f" ({exc.hint})" if exc.hint else "")


def option_row(
    option: str,
    name: str,
    kind: str,
    expr: RateExpr | None,
    text: str,
    basis: Basis,
    prov: Provenance,
    rule: dict[str, Any],
    status: str = "ok",
    message: str | None = None,
    staging: dict[str, Any] | None = None,
    mfn: OptionRow | None = None,
) -> OptionRow:
    if expr is None:
        return OptionRow(
            option,
            name,
            kind,
            status,
            "",
            text,
            None,
            False,
            None,
            None,
            None,
            message,
            rule,
            prov,
            staging,
        )
    duty, err = _evaluate(expr, basis)
    pct: float | None = expr.pct if isinstance(expr, AdValorem) else None
    ave = False
    if pct is None and duty is not None and basis.value and duty.exact:
        pct, ave = 100.0 * duty.low / basis.value, True
    st = "ok" if err is None else "needs_input"
    mp = ma = None
    if mfn is not None and mfn.status == "ok":
        if mfn.rate_pct is not None and pct is not None:
            mp = mfn.rate_pct - pct
        if mfn.duty is not None and duty is not None and mfn.duty.exact and duty.exact:
            ma = mfn.duty.low - duty.low
    return OptionRow(
        option,
        name,
        kind,
        st,
        describe(expr),
        text,
        pct,
        ave,
        duty,
        mp,
        ma,
        err,
        rule,
        prov,
        staging,
    )


def preferential_rows(
    index: TariffIndex,
    sched: Schedule,
    line: TariffLine,
    q: DutyQuery,
    agreements: list[Agreement],
    mfn: OptionRow | None = None,
) -> list[OptionRow]:
    def row(*args: Any, **kw: Any) -> OptionRow:
        kw["mfn"] = mfn
        return option_row(*args, **kw)

    def no_rate(
        a: Agreement, prov: Provenance, rule: dict[str, Any], text: str, status: str, message: str
    ) -> OptionRow:
        """A preferential row without a rate (MFN applies), with its status and reason."""
        return row(
            a.id, a.name(q.lang), "preferential", None, text, q.basis, prov, rule, status, message
        )

    rows = []
    for a in agreements:
        ref = a.schedules.get(sched.importer)
        rule = origin_rule(a, line.hs6, q.rule_lookup)
        if a.scenario is not None:
            rows.append(scenario_row(a, sched, line, q, rule, mfn))
            continue
        col = (
            a.id if sched.agreement_columns else ((ref.column_for(q.origin) if ref else None) or "")
        )
        cell = line.cells.get(col)
        prov = sched.provenance(line, col)
        if cell is None:
            mode, why = sched.missing_mode(a.id)
            if mode == "free_unlisted":
                r = row(
                    a.id, a.name(q.lang), "preferential", FREE, "", q.basis, prov, rule,
                )  # fmt: skip
                rows.append(replace(r, message=why))
            else:
                rows.append(no_rate(a, prov, rule, "", mode, why))
        elif cell.excluded:
            rows.append(
                no_rate(
                    a,
                    prov,
                    rule,
                    cell.text,
                    "excluded",
                    "line excluded from the agreement (*): MFN applies",
                )
            )
        elif q.origin in cell.excluded_origins:
            rows.append(
                no_rate(
                    a,
                    prov,
                    rule,
                    cell.text,
                    "origin_excluded",
                    f"rate does not apply to goods from {q.origin}",
                )
            )
        elif cell.expr is None:
            rows.append(
                no_rate(
                    a, prov, rule, cell.text, "unparsed", f"rate text not understood: {cell.error}"
                )
            )
        else:
            info = index.staging.get((sched.importer, a.id, line.national_code))
            expr, stg = cell.expr, None
            if info is not None and ref is not None:
                start = a.start(q.origin, sched.importer)
                k = year_index(start, q.on, ref.year_start) if start else 0
                sr = staged_rate(info.base_pct, info.category, k, decimals=1, rounding="down")
                stg = {
                    "category": info.category,
                    "base_pct": info.base_pct,
                    "year_index": k,
                    "source": info.source,
                }
                if sr is not None and q.on > sched.valid_from:
                    expr = AdValorem(sr)
            obs = index.observed.get((sched.importer, col, line.national_code))
            if obs is not None:
                stg = {**(stg or {}), "observed_step": obs.to_dict()}
            r = row(
                a.id,
                a.name(q.lang),
                "preferential",
                _with_fallback(expr, line.mfn),
                cell.text,
                q.basis,
                prov,
                rule,
                staging=stg,
            )
            if cell.note and r.message is None:
                r = replace(r, message=cell.note)
            rows.append(r)
    return rows


def scenario_row(
    a: Agreement,
    sched: Schedule,
    line: TariffLine,
    q: DutyQuery,
    rule: dict[str, Any],
    mfn: OptionRow | None = None,
) -> OptionRow:
    assert a.scenario is not None
    cat = a.scenario.category_for(line.hs6)
    start = a.start(q.origin, sched.importer)
    k = year_index(start, q.on, a.schedules[sched.importer].year_start) if start else 0
    prov = Provenance(
        "scenario",
        a.id,
        f"national_line={line.national_code}",
        "user scenario file",
        f"MFN of {sched.dataset} x staging {cat}, year {k}",
    )
    stg = {"category": cat, "year_index": k, "source": "scenario"}
    f = staged_factor(cat, k)
    if f is None or line.mfn is None:
        return option_row(
            a.id,
            a.name(q.lang),
            "scenario",
            None,
            "",
            q.basis,
            prov,
            rule,
            "excluded",
            "excluded in the scenario: MFN applies" if f is None else "no MFN rate to stage",
            staging=stg,
            mfn=mfn,
        )
    return option_row(
        a.id,
        a.name(q.lang),
        "scenario",
        scale_expr(line.mfn, f),
        f"{cat} year {k}",
        q.basis,
        prov,
        rule,
        staging=stg,
        mfn=mfn,
    )


__all__ = ["option_row", "origin_rule", "preferential_rows", "scenario_row"]
