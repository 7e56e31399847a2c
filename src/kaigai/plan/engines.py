"""Adapters from the plan to the engines (market finder, duty & FTA, rules of origin).

Each adapter calls the engine's public function and copies its figures verbatim into the
plan's views (:class:`~kaigai.plan.model.DutyView`, ...). When an engine is not part of
this build, or cannot answer, the adapter returns a view whose ``status`` says so and why;
it never substitutes a number of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kaigai.core.errors import KaigaiError
from kaigai.core.provenance import Figure, Provenance
from kaigai.plan.model import DutyView, OriginView, Status


@dataclass(frozen=True)
class MarketRow:
    """One market as ranked by the market finder (figures copied from its result)."""

    iso3: str
    rank: int
    figures: dict[str, Figure]
    explanation: str


@dataclass(frozen=True)
class MarketsOutcome:
    status: Status
    detail: str
    rows: tuple[MarketRow, ...] = ()
    engine: str = ""
    raw: Any = field(default=None, compare=False, repr=False)


def not_available(what: str, lang: str = "en") -> str:
    """ "<engine> is not available in this build." in ``lang``."""
    from kaigai.core.i18n import t

    return t("{engine} is not available in this build.", lang, engine=t(what, lang))


MARKETS = "The market finder (kaigai.markets)"
TARIFFS = "The duty & FTA optimiser (kaigai.tariffs)"
ORIGIN = "The rules-of-origin engine (kaigai.origin)"


def run_markets(
    settings: Any, exporter: str, hs6: str, top: int, exclude: tuple[str, ...], lang: str = "en"
) -> MarketsOutcome:
    """Rank markets for ``exporter`` and ``hs6`` with the market finder."""
    return MarketsOutcome("not_available", not_available(MARKETS, lang))


def run_duty(
    settings: Any,
    exporter: str,
    market: str,
    hs6: str,
    value: float | None,
    currency: str,
    year: int,
    lang: str = "en",
) -> DutyView:
    """Duty options and FTA net benefit for one market from the duty engine."""
    return DutyView("not_available", not_available(TARIFFS, lang))


def run_origin(
    settings: Any,
    bom_path: str | None,
    hs6: str,
    exporter: str,
    market: str,
    agreement: str | None,
    bom_problem: str | None = None,
    lang: str = "en",
) -> OriginView:
    """Origin check of the BOM against ``agreement`` (the best agreement for ``market``)."""
    from kaigai.core.i18n import t

    if bom_problem is not None:
        return OriginView("not_available", bom_problem, agreement)
    if bom_path is None:
        return OriginView(
            "not_available",
            t("No bill of materials given: origin cannot be checked.", lang),
            agreement,
        )
    if agreement is None:
        return OriginView(
            "not_available",
            t("No preferential agreement to check: no duty option better than MFN is known.", lang),
        )
    return OriginView("not_available", not_available(ORIGIN, lang), agreement)


def trade_figures(
    settings: Any, exporter: str, hs6: str, markets: list[str]
) -> dict[str, dict[str, Figure]]:
    """Raw data figures per market: exporter's exports of ``hs6`` and the market's total imports.

    Values are the dataset cells (no computation); a market without a row gets a missing
    figure, never 0.
    """
    from kaigai.data.store import load, provenance

    if not markets:
        return {}
    in_list = ", ".join(f"'{m}'" for m in markets)
    out: dict[str, dict[str, Figure]] = {m: {} for m in markets}
    try:
        tr = load(
            "trade_hs6",
            settings,
            columns=["year", "exporter", "importer", "value_usd"],
            where_sql=f"hs6 = '{hs6}' AND exporter = '{exporter}' AND importer IN ({in_list})",
        )
        imp = load(
            "imports_by_importer",
            settings,
            columns=["year", "importer", "import_value_usd"],
            where_sql=f"hs6 = '{hs6}' AND importer IN ({in_list})",
        )
    except KaigaiError as exc:
        for m in markets:
            out[m]["exports_usd"] = Figure(
                None, "USD", (Provenance("trade_hs6", note=f"missing: {exc.message}"),)
            )
        return out
    for m in markets:
        row = tr[tr["importer"] == m]
        loc = f"exporter={exporter} importer={m} hs6={hs6}"
        if len(row):
            yr = int(row["year"].iloc[0])
            out[m]["exports_usd"] = Figure(
                float(row["value_usd"].iloc[0]),
                "USD",
                (provenance("trade_hs6", settings, f"{loc} year={yr}", "dataset cell"),),
            )
        else:
            out[m]["exports_usd"] = Figure(
                None,
                "USD",
                (
                    provenance(
                        "trade_hs6", settings, loc, "no row: no recorded flow or not covered"
                    ),
                ),
            )
        irow = imp[imp["importer"] == m]
        iloc = f"importer={m} hs6={hs6}"
        if len(irow):
            yr = int(irow["year"].iloc[0])
            out[m]["imports_usd"] = Figure(
                float(irow["import_value_usd"].iloc[0]),
                "USD",
                (provenance("imports_by_importer", settings, f"{iloc} year={yr}", "dataset cell"),),
            )
        else:
            out[m]["imports_usd"] = Figure(
                None,
                "USD",
                (provenance("imports_by_importer", settings, iloc, "no row in the dataset"),),
            )
    return out


__all__ = ["MarketRow", "MarketsOutcome", "run_duty", "run_markets", "run_origin", "trade_figures"]
