"""Duty options for one product, origin and destination: MFN and every agreement in force.

Pure: takes a :class:`TariffIndex` and a :class:`DutyQuery`, returns :class:`DutyOptions`
with the rate, duty, margin vs MFN, source cell (Provenance) and rules-of-origin reference of
each option per national line, the best option, the year-by-year path and the import tax.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from kaigai.core.errors import TariffError
from kaigai.core.provenance import Provenance
from kaigai.tariffs.agreements import Agreement
from kaigai.tariffs.expr import (
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
from kaigai.tariffs.staging import (
    scale_expr,
    staged_factor,
    staged_rate,
    stages,
    year_index,
    year_start_date,
)
from kaigai.tariffs.taxes import import_tax

MFN = "MFN"
RuleLookup = Callable[[str, str], dict[str, Any]]


@dataclass(frozen=True)
class DutyQuery:
    hs: str
    origin: str
    destination: str
    on: dt.date
    basis: Basis = field(default_factory=Basis)
    line: str | None = None
    path_years: int | None = None  # None: until every option is at its final rate
    rule_lookup: RuleLookup | None = None  # origin-engine adapter (shell supplies it)
    lang: str = "en"  # agreement names: "en" or "ja"


@dataclass(frozen=True)
class OptionRow:
    option: str
    name: str
    kind: str  # "mfn" | "preferential" | "scenario"
    status: (
        str  # "ok" | "needs_input" | "no_preference" | "excluded" | "unparsed" | "origin_excluded"
    )
    rate: str
    rate_text: str
    rate_pct: float | None
    rate_is_ave: bool
    duty: Interval | None
    margin_pct: float | None
    margin_amount: float | None
    message: str | None
    origin_rule: dict[str, Any]
    provenance: Provenance
    staging: dict[str, Any] | None = None


@dataclass(frozen=True)
class LineOptions:
    national_code: str
    description: str
    options: tuple[OptionRow, ...]
    best: str | None
    best_reason: str


@dataclass(frozen=True)
class DutyOptions:
    hs: str
    origin: str
    destination: str
    on: dt.date
    schedule: Provenance
    lines: tuple[LineOptions, ...]
    path: tuple[dict[str, Any], ...]
    tax: dict[str, Any] | None
    missing: tuple[str, ...]
    notes: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        from kaigai.tariffs.render import options_to_dict

        return options_to_dict(self)


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


def _row(
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


def _pref_rows(
    index: TariffIndex,
    sched: Schedule,
    line: TariffLine,
    q: DutyQuery,
    agreements: list[Agreement],
    mfn: OptionRow | None = None,
) -> list[OptionRow]:
    def row(*args: Any, **kw: Any) -> OptionRow:
        kw["mfn"] = mfn
        return _row(*args, **kw)

    rows = []
    for a in agreements:
        ref = a.schedules.get(sched.importer)
        rule = origin_rule(a, line.hs6, q.rule_lookup)
        if a.scenario is not None:
            rows.append(_scenario_row(a, sched, line, q, rule, mfn))
            continue
        col = (
            a.id if sched.agreement_columns else ((ref.column_for(q.origin) if ref else None) or "")
        )
        cell = line.cells.get(col)
        prov = sched.provenance(line, col)
        if cell is None:
            rows.append(
                row(
                    a.id,
                    a.name(q.lang),
                    "preferential",
                    None,
                    "",
                    q.basis,
                    prov,
                    rule,
                    "no_preference",
                    "empty cell: no preferential rate, MFN applies",
                )
            )
        elif cell.excluded:
            rows.append(
                row(
                    a.id,
                    a.name(q.lang),
                    "preferential",
                    None,
                    cell.text,
                    q.basis,
                    prov,
                    rule,
                    "excluded",
                    "line excluded from the agreement (*): MFN applies",
                )
            )
        elif q.origin in cell.excluded_origins:
            rows.append(
                row(
                    a.id,
                    a.name(q.lang),
                    "preferential",
                    None,
                    cell.text,
                    q.basis,
                    prov,
                    rule,
                    "origin_excluded",
                    f"rate does not apply to goods from {q.origin}",
                )
            )
        elif cell.expr is None:
            rows.append(
                row(
                    a.id,
                    a.name(q.lang),
                    "preferential",
                    None,
                    cell.text,
                    q.basis,
                    prov,
                    rule,
                    "unparsed",
                    f"rate text not understood: {cell.error}",
                )
            )
        else:
            info = index.staging.get((sched.importer, a.id, line.national_code))
            expr, stg = cell.expr, None
            if info is not None and ref is not None:
                start = a.start(q.origin, sched.importer)
                k = year_index(start, q.on, ref.year_start) if start else 0
                r = staged_rate(info.base_pct, info.category, k, decimals=1, rounding="down")
                stg = {
                    "category": info.category,
                    "base_pct": info.base_pct,
                    "year_index": k,
                    "source": info.source,
                }
                if r is not None and q.on > sched.valid_from:
                    expr = AdValorem(r)
            rows.append(
                row(
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
            )
    return rows


def _scenario_row(
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
        return _row(
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
    return _row(
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


def _best(rows: list[OptionRow]) -> tuple[str | None, str]:
    """Lowest duty (or rate); MFN wins ties (no paperwork); equal agreements are named."""
    ok = [r for r in rows if r.status == "ok"]
    if not ok:
        return None, "no option could be computed"
    by_duty = all(r.duty is not None and r.duty.exact for r in ok) and any(
        r.duty is not None and r.duty.high > 0 for r in ok
    )
    if by_duty:
        keyed = [(r.duty.low, r) for r in ok if r.duty is not None]
        why = "lowest duty amount"
    elif all(r.rate_pct is not None for r in ok):
        keyed = [(r.rate_pct, r) for r in ok if r.rate_pct is not None]
        why = "lowest rate"
    else:
        return None, "rates not comparable without value/quantity"
    low = min(k for k, _ in keyed)
    tied = [r.option for k, r in keyed if abs(k - low) < 1e-9]
    if MFN in tied:
        return MFN, "no agreement rate is below MFN"
    if len(tied) > 1:
        why += " (equal: " + ", ".join(tied) + ")"
    return tied[0], why


def duty_options(index: TariffIndex, q: DutyQuery, lang: str = "en") -> DutyOptions:
    """Every duty option for ``q`` on ``q.on``.

    Raises
    ------
    DataError
        no schedule for the destination. TariffError: date before the schedule data.
    HSCodeError
        the code has no line in the schedule.
    """
    sched = index.schedule_for(q.destination, q.on)
    lines = index.lines(sched, q.hs, q.line)
    agreements = (
        index.agreements_between(q.origin, q.destination, q.on, sched)
        if q.origin != q.destination
        else []
    )
    b = q.basis
    basis = Basis(b.value, b.currency, b.quantity, b.unit, q.origin, b.quota, q.on, b.fx_to)
    q = DutyQuery(
        q.hs, q.origin, q.destination, q.on, basis, q.line, q.path_years, q.rule_lookup, lang
    )
    out, missing = [], set()
    for line in lines:
        prov = sched.provenance(line, "+".join(line.mfn_columns) or "mfn", "applied MFN")
        mfn_row = _row(
            MFN,
            "最恵国税率（実行）" if lang == "ja" else "Most-favoured-nation (applied)",
            "mfn",
            line.mfn,
            " | ".join(line.cells[c].text for c in line.mfn_columns),
            basis,
            prov,
            {},
            "ok" if line.mfn is not None else "unparsed",
            None if line.mfn is not None else _mfn_problem(line),
        )
        if mfn_row.status == "ok":
            mfn_row = replace(
                mfn_row,
                margin_pct=0.0 if mfn_row.rate_pct is not None else None,
                margin_amount=0.0 if mfn_row.duty is not None and mfn_row.duty.exact else None,
            )
        rows = [mfn_row, *_pref_rows(index, sched, line, q, agreements, mfn_row)]
        for r in rows:
            if r.status == "needs_input" and r.message:
                missing.add(r.message)
        best, why = _best(rows)
        out.append(LineOptions(line.national_code, line.description, tuple(rows), best, why))
    notes = []
    if q.on > sched.valid_from and q.on.year > sched.valid_from.year:
        notes.append(
            f"Rates are those printed in the {sched.importer} schedule of {sched.valid_from.isoformat()}; "
            "later staging cuts are applied only where a staging category is known."
        )
    tax = _tax(q.destination, out, basis)
    return DutyOptions(
        lines[0].hs6,
        q.origin,
        q.destination,
        q.on,
        Provenance(sched.dataset, sched.edition, f"importer={sched.importer}", sched.source),
        tuple(out),
        tuple(_path(index, sched, lines, q, out[0].options if len(out) == 1 else ())),
        tax,
        tuple(sorted(missing)),
        tuple(notes),
    )


def _mfn_problem(line: TariffLine) -> str:
    bad = [
        f"{c.column}: '{c.text}' ({c.error})"
        for c in line.cells.values()
        if c.error and c.column in ("mfn", "general_rate", "temporary_rate", "wto_rate")
    ]
    return "MFN rate text not understood: " + "; ".join(bad) if bad else "no MFN cell for this line"


def _tax(importer: str, lines: list[LineOptions], basis: Basis) -> dict[str, Any] | None:
    t = import_tax(importer)
    if t is None:
        return None
    res: dict[str, Any] = {
        "name": t.name,
        "rate_pct": t.rate_pct,
        "note": t.note,
        "provenance": t.provenance,
        "by_option": {},
    }
    if basis.value is None or len(lines) != 1:
        return res
    for r in lines[0].options:
        if r.duty is not None and r.duty.exact:
            res["by_option"][r.option] = round((basis.value + r.duty.low) * t.rate_pct / 100.0, 2)
    return res


def _path(
    index: TariffIndex,
    sched: Schedule,
    lines: tuple[TariffLine, ...],
    q: DutyQuery,
    first: tuple[OptionRow, ...],
) -> list[dict[str, Any]]:
    """Year-by-year ad valorem rate of each option (only when one national line is selected).

    Runs until every staged option (inferred category or scenario) reaches its final rate,
    including agreements that enter into force later (e.g. a scenario FTA)."""
    if len(lines) != 1:
        return []
    line = lines[0]
    last = q.on.year
    for a in index.agreements_between(q.origin, sched.importer, dt.date.max, sched):
        ref = a.schedules.get(sched.importer)
        start = a.start(q.origin, sched.importer)
        if ref is None or start is None:
            continue
        info = index.staging.get((sched.importer, a.id, line.national_code))
        cat = a.scenario.category_for(line.hs6) if a.scenario else (info.category if info else None)
        if cat and stages(cat):
            last = max(last, year_start_date(start, stages(cat), ref.year_start).year)
        elif cat and start.year > last:
            last = start.year
    years = q.path_years if q.path_years is not None else min(last - q.on.year, 30)
    out = []
    for i in range(years + 1):
        y = q.on.year + i
        on = q.on if i == 0 else dt.date(y, 12, 31)
        res = (
            first
            if i == 0
            else duty_options_single(index, sched, line, replace(q, on=on, rule_lookup=None))
        )
        out.append(
            {
                "year": y,
                "date": on.isoformat(),
                "rates": {r.option: r.rate_pct for r in res if r.status == "ok"},
            }
        )
    return out


def duty_options_single(
    index: TariffIndex, sched: Schedule, line: TariffLine, q: DutyQuery
) -> list[OptionRow]:
    """Option rows for one line on ``q.on`` (used for the path)."""
    agreements = (
        index.agreements_between(q.origin, q.destination, q.on, sched)
        if q.origin != q.destination
        else []
    )
    mfn_row = _row(MFN, "MFN", "mfn", line.mfn, "", q.basis, Provenance(sched.dataset), {})
    return [mfn_row, *_pref_rows(index, sched, line, q, agreements)]


__all__ = [
    "MFN",
    "DutyOptions",
    "DutyQuery",
    "LineOptions",
    "OptionRow",
    "duty_options",
    "origin_rule",
]
