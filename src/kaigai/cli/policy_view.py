"""What ``kaigai policy firms`` and ``kaigai policy run`` print, in English or Japanese.

The engines' results and their trace lines are English; each line is translated here through the
message catalogue (:func:`kaigai.core.i18n.tr`), numbers formatted the same way in both languages.
"""

from __future__ import annotations

from typing import Any

from kaigai.cli.common import console, esc, table
from kaigai.core.i18n import join_list, t, tr
from kaigai.reports.scenario_charts import size_label

#: the policy levers of ``kaigai policy firms`` in the order they are described
LEVERS = {
    "export_cost_factor": "export fixed cost x",
    "fta_cost_factor": "FTA fixed cost x",
    "staff_share": "global staff share",
    "immigration_share": "skilled-immigrant hiring share",
    "fdi_cost_factor": "FDI fixed cost x",
}


def describe_policy(policy: dict[str, Any], lg: str = "en") -> str:
    """``{'staff_share': 0.4}`` -> ``global staff share 0.4`` (readable, in the order given)."""
    parts = [f"{t(LEVERS[k], lg)} {v:g}" for k, v in policy.items() if k in LEVERS]
    if policy.get("fdi_enabled"):
        parts.append(t("FDI (shared parks) enabled", lg))
    return join_list(parts, lg) or t("none (baseline)", lg)


def _change(a: Any, b: Any, pct: bool = False, digits: int = 0) -> str:
    if pct:
        return f"{100 * (a or 0):.{digits}f}% → {100 * (b or 0):.{digits}f}%"
    return f"{a:,.0f} → {b:,.0f}"


def firms_table(res: Any, title: str, lg: str, *, sales: bool) -> Any:
    """The simulator's table: every size class, baseline → scenario (``sales``: new
    exporters' export sales column)."""
    rows = []
    for r in [{"size_class": "all", **res.summary}, *res.by_size]:
        fta = (
            "–"
            if r["fta_utilisation_firms_base"] is None
            else _change(r["fta_utilisation_firms_base"], r["fta_utilisation_firms_new"], True, 1)
        )
        rows.append(
            [
                size_label(r["size_class"], lg),
                f"{r['firms']:,.0f}",
                _change(r["exporter_share_base"], r["exporter_share_new"], True, 2),
                f"{r['new_exporters']:,.0f}",
                *([f"{r['new_exporters_sales']:,.0f}"] if sales else []),
                fta,
                _change(r["jobs_in_exporters_base"], r["jobs_in_exporters_new"]),
                _change(r["fdi_firms_base"], r["fdi_firms_new"]),
            ]
        )
    cols = ["size", "firms", "exporter share", "new exporters",
            *(["their export sales"] if sales else []),
            "FTA utilisation", "jobs in exporters", "plants abroad"]  # fmt: skip
    return table(title, [t(c, lg) for c in cols], rows)


def calibration_line(cal: dict[str, Any], target: float, lg: str) -> str:
    """How the simulator was calibrated (fixed costs, exporter share, FTA use)."""
    measure = cal.get("fta_utilisation_measure")
    return t(
        "calibrated: medium-firm exporter share {share} (target {target}), f_x = {fx}, "
        "FTA cost = {fta} x f_x; FTA use {measure}-based {use}",
        lg,
        share=f"{100 * cal['achieved_share']:.2f}%",
        target=f"{100 * target:.1f}%",
        fx=f"{cal['export_fixed_cost']:.4g}",
        fta=f"{cal['fta_fixed_cost']:.4g}",
        measure=t(f"measure:{measure}", lg) if lg != "en" else measure,
        use=f"{100 * (cal.get('fta_utilisation_achieved') or float('nan')):.1f}%",
    )


def print_trace(lines: Any, lg: str, indent: str = "", dim: bool = False) -> None:
    """Engine trace lines, each translated."""
    for line in lines:
        text = esc(indent + tr(line, lg))
        console.print(f"[dim]{text}[/dim]" if dim else text)


def print_fta_use(block: dict[str, Any] | None, lg: str = "en") -> None:
    """Observed EPA use by agreement (selected years) and the simulator's target."""
    if not block:
        return
    years = [
        y for y in (2012, 2015, 2019, 2021) if any(r["year"] == y for r in block["by_agreement"])
    ]
    val = {(r["agreement"], r["year"]): r["value_bn_jpy"] for r in block["by_agreement"]}
    names = sorted({(r["agreement"], r["name"]) for r in block["by_agreement"]})
    rows = [
        [tr(n, lg), *("–" if (a, y) not in val else f"{val[a, y]:,.0f}" for y in years)]
        for a, n in names
    ]
    title = t("Japan's imports under EPAs (billion yen)", lg)
    console.print(table(title, [t("agreement", lg), *map(str, years)], rows))
    if block.get("calibration_label"):
        label = tr(block["calibration_label"], lg)
        console.print("  " + esc(t("FTA-use target: {label}", lg, label=label)))


__all__ = [
    "LEVERS",
    "calibration_line",
    "describe_policy",
    "firms_table",
    "print_fta_use",
    "print_trace",
]
