"""Raw trade figures of the plan's markets (dataset cells, no computation)."""

from __future__ import annotations

from typing import Any

from kaigai.core.errors import KaigaiError
from kaigai.core.provenance import Figure, Provenance


def trade_figures(
    settings: Any, exporter: str, hs6: str, markets: list[str]
) -> dict[str, dict[str, Figure]]:
    """Raw data figures per market: exporter's exports of ``hs6`` and the market's total imports.

    Values are the dataset cells (no computation); a market without a row gets a missing
    figure, never 0.
    """
    from kaigai.data.store import load

    if not markets:
        return {}
    out: dict[str, dict[str, Figure]] = {m: {} for m in markets}
    try:
        tr = load(
            "trade_hs6",
            settings,
            columns=["year", "exporter", "importer", "value_usd"],
            where_sql="hs6 = ? AND exporter = ? AND list_contains(?, importer)",
            params=[hs6, exporter, list(markets)],
        )
        imp = load(
            "imports_by_importer",
            settings,
            columns=["year", "importer", "import_value_usd"],
            where_sql="hs6 = ? AND list_contains(?, importer)",
            params=[hs6, list(markets)],
        )
    except KaigaiError as exc:
        for m in markets:
            out[m]["exports_usd"] = Figure(
                None, "USD", (Provenance("trade_hs6", note=f"missing: {exc.message}"),)
            )
        return out
    for m in markets:
        out[m]["exports_usd"] = _cell(
            settings,
            "trade_hs6",
            tr,
            m,
            "value_usd",
            f"exporter={exporter} importer={m} hs6={hs6}",
            "no row: no recorded flow or not covered",
        )
        out[m]["imports_usd"] = _cell(
            settings,
            "imports_by_importer",
            imp,
            m,
            "import_value_usd",
            f"importer={m} hs6={hs6}",
            "no row in the dataset",
        )
    return out


def _cell(
    settings: Any, dataset: str, frame: Any, market: str, column: str, loc: str, no_row: str
) -> Figure:
    """The market's cell of ``column`` (first row) with its source row, or a missing figure."""
    from kaigai.data.store import provenance

    row = frame[frame["importer"] == market]
    if len(row):
        yr = int(row["year"].iloc[0])
        prov = provenance(dataset, settings, f"{loc} year={yr}", "dataset cell")
        return Figure(float(row[column].iloc[0]), "USD", (prov,))
    return Figure(None, "USD", (provenance(dataset, settings, loc, no_row),))


__all__ = ["trade_figures"]
