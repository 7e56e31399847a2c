"""Duty options for one product, origin and destination: MFN and every agreement in force.

Pure: takes a :class:`TariffIndex` and a :class:`DutyQuery`, returns :class:`DutyOptions`
with the rate, duty, margin vs MFN, source cell (Provenance) and rules-of-origin reference of
each option per national line, the best option, the year-by-year path and the import tax.

Query and result types are in :mod:`kaigai.tariffs.duty_types`, the option rows of one line in
:mod:`kaigai.tariffs.option_rows`; both are re-exported here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from kaigai.core.provenance import Provenance
from kaigai.tariffs.duty_types import (
    MFN,
    DutyOptions,
    DutyQuery,
    LineOptions,
    OptionRow,
    RuleLookup,
)
from kaigai.tariffs.expr import Basis
from kaigai.tariffs.index import TariffIndex
from kaigai.tariffs.option_rows import option_row, origin_rule, preferential_rows
from kaigai.tariffs.schedule import Schedule, TariffLine
from kaigai.tariffs.staging import stages, year_start_date
from kaigai.tariffs.taxes import import_tax


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
        mfn_row = option_row(
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
        rows = [mfn_row, *preferential_rows(index, sched, line, q, agreements, mfn_row)]
        for r in rows:
            if r.status == "needs_input" and r.message:
                missing.add(r.message)
        best, why = _best(rows)
        out.append(LineOptions(line.national_code, line.description, tuple(rows), best, why))
    notes = list(sched.notes)
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
        Provenance(
            sched.dataset,
            sched.edition,
            f"importer={sched.importer}",
            sched.source,
            f"schedule valid from {sched.valid_from.isoformat()}; codes {sched.hs_edition}",
        ),
        tuple(out),
        tuple(_path(index, sched, lines, q, out[0].options if len(out) == 1 else ())),
        tax,
        tuple(sorted(missing)),
        tuple(notes),
        tuple(_surcharges(sched, q.origin, out)),
    )


def _surcharges(sched: Schedule, origin: str, out: list[LineOptions]) -> list[dict[str, Any]]:
    """Additional duties naming the origin, per national line (never added to the rates)."""
    if not sched.surcharges:
        return []
    from kaigai.tariffs.world_schedules import surcharges_for

    rows = []
    for ln in out:
        mfn = next((r for r in ln.options if r.option == MFN), None)
        pct = mfn.rate_pct if mfn is not None and not mfn.rate_is_ave else None
        for s in surcharges_for(sched, origin, pct):
            rows.append({"national_line": ln.national_code, **s})
    return rows


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
    mfn_row = option_row(MFN, "MFN", "mfn", line.mfn, "", q.basis, Provenance(sched.dataset), {})
    return [mfn_row, *preferential_rows(index, sched, line, q, agreements)]


__all__ = [
    "MFN",
    "DutyOptions",
    "DutyQuery",
    "LineOptions",
    "OptionRow",
    "RuleLookup",
    "duty_options",
    "duty_options_single",
    "origin_rule",
]
