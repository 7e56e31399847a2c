"""A prepared in-memory tariff index: schedules per importer, agreements, inferred staging."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kaigai.core.errors import DataError, HSCodeError, TariffError
from kaigai.hs.codes import digits
from kaigai.tariffs.agreements import Agreement
from kaigai.tariffs.schedule import Schedule, TariffLine


@dataclass(frozen=True)
class StagingInfo:
    """Staging of one (importer, agreement, national line): category and base rate (%)."""

    category: str
    base_pct: float
    source: str


@dataclass(frozen=True)
class TariffIndex:
    schedules: Mapping[str, tuple[Schedule, ...]]  # importer -> schedules sorted by valid_from
    agreements: tuple[Agreement, ...]
    staging: Mapping[tuple[str, str, str], StagingInfo] = field(default_factory=dict)
    # (importer, schedule column, national line) -> observed yearly step (staging_observed)
    observed: Mapping[tuple[str, str, str], Any] = field(default_factory=dict)
    # importers with schedule data when ``schedules`` holds only some of them (a scoped read of
    # the prepared index): named in the "no schedule" error like the whole index would
    listed: tuple[str, ...] = ()
    _pairs: dict[tuple[str, str, dt.date, int], list[Agreement]] = field(
        default_factory=dict, repr=False, compare=False
    )  # memo of agreements_between (not part of the index's value)

    def importers(self) -> list[str]:
        return sorted({*self.schedules, *self.listed})

    def schedule_for(self, importer: str, on: dt.date) -> Schedule:
        """The schedule in force on ``on`` (latest ``valid_from <= on``)."""
        scheds = self.schedules.get(importer)
        if not scheds:
            from kaigai.tariffs.coverage import pull_command

            raise DataError(
                f"No tariff schedule for importer {importer}.",
                hint=f"Online, `{pull_command(importer)}` fills it; or load a schedule file with "
                "`kaigai duty-import FILE` (docs/tariffs.md). Importers with schedule data: "
                + ", ".join(self.importers())
                + ".",
                importer=importer,
                pull=pull_command(importer),
            )
        ok = [s for s in scheds if s.valid_from <= on]
        if not ok:
            first = scheds[0].valid_from
            raise TariffError(
                f"No {importer} schedule data for {on.isoformat()}: the earliest schedule is dated {first.isoformat()}.",
                hint=f"Use --year {first.year} or later (or --as-of {first.isoformat()}).",
                importer=importer,
            )
        return ok[-1]

    def lines(self, schedule: Schedule, hs: str, line: str | None = None) -> tuple[TariffLine, ...]:
        """National lines of an HS6 (or one national line)."""
        d = digits(hs)
        if line is not None:
            ld = digits(line)
            hit = schedule.by_code.get(ld)
            if hit is None:
                cands = [ln.national_code for ln in schedule.lines.get(ld[:6], ())]
                raise HSCodeError(
                    f"National line {line} is not in the {schedule.importer} schedule ({schedule.edition}).",
                    hint=("Lines of " + ld[:6] + ": " + ", ".join(cands))
                    if cands
                    else "Check the code.",
                    hs=line,
                )
            return (hit,)
        if len(d) > 6:
            hit = schedule.by_code.get(d)
            if hit is not None:
                return (hit,)
        if len(d) < 6:
            raise HSCodeError(f"HS code {hs} is not 6 digits.", hint="e.g. 847130", hs=hs)
        found = schedule.lines.get(d[:6])
        if not found and d[:2] in schedule.missing_chapters:
            raise HSCodeError(
                f"No {schedule.importer} rate for {d[:6]}: chapter {d[:2]} is not in the data "
                f"({schedule.missing_chapters[d[:2]]}, {schedule.edition}). This is missing data, not a zero duty.",
                hint="Check the destination's official tariff for this chapter.",
                hs=hs,
            )
        if not found:
            raise HSCodeError(
                f"HS code {d[:6]} has no line in the {schedule.importer} schedule ({schedule.edition}).",
                hint="Check the code (HS 2022); kaigai hs search can help.",
                hs=hs,
            )
        return found

    def agreements_between(
        self, origin: str, importer: str, on: dt.date, schedule: Schedule | None = None
    ) -> list[Agreement]:
        key = (origin, importer, on, id(schedule))
        hit = self._pairs.get(key)
        if hit is None:
            hit = self._agreements_between(origin, importer, on, schedule)
            if len(self._pairs) > 100_000:
                self._pairs.clear()
            self._pairs[key] = hit
        return list(hit)

    def _agreements_between(
        self, origin: str, importer: str, on: dt.date, schedule: Schedule | None = None
    ) -> list[Agreement]:
        """Agreements in force between ``origin`` and ``importer`` on ``on`` that the importer's
        schedule (or a scenario rule) covers for that origin."""
        out = []
        for a in self.agreements:
            if not a.in_force(origin, importer, on):
                continue
            ref = a.schedules.get(importer)
            if schedule is not None and schedule.agreement_columns and a.scenario is None:
                out.append(a)  # user file: the cell is looked up by agreement id
                continue
            if ref is None or (a.scenario is None and ref.column_for(origin) is None):
                continue
            out.append(a)
        return out


__all__ = ["StagingInfo", "TariffIndex"]
