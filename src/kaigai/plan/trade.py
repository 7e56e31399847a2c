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


__all__ = ["trade_figures"]
