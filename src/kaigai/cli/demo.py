"""``kaigai demo``: the export plan of the bundled example firm; ``kaigai overview``: market overview.

``kaigai demo`` runs ``kaigai plan`` on the example Tokyo ball-bearing maker
(``examples/firm_tokyo_bearings.toml``, packaged copy when not in a checkout), writes the
report and prints where, with a short summary. ``kaigai overview`` is the first demo:
product lookup plus the exporter's top markets for one HS6 (default 848210, JPN).
Both work offline from the bundled starter pack; with the full data imported they read the catalog.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer

from kaigai.cli.common import (
    console,
    emit_json,
    esc,
    output,
    table,
)
from kaigai.cli.options import shared
from kaigai.core.countries import country, normalize_country
from kaigai.core.i18n import t
from kaigai.data import store
from kaigai.data.nomenclature import load_nomenclature

# markets/README.md: these importers are absent from the trade files (partial upstream clone).
MISSING_IMPORTERS = ("USA", "DEU", "FRA", "GBR", "NLD", "ESP")


def destinations(
    flows: pd.DataFrame, imports: pd.DataFrame, exporter_total: float | None, top: int
) -> pd.DataFrame:
    """Top importers of one exporter's HS6 with shares (pure).

    ``flows``: rows of ``trade_hs6`` (importer, value_usd) for one exporter and HS6;
    ``imports``: ``imports_by_importer`` (importer, import_value_usd) for the HS6;
    ``exporter_total``: the exporter's total over covered importers (``None`` = missing).
    Shares are ``None`` where a denominator is missing (never 0).
    """
    df = flows[["importer", "value_usd"]].sort_values(
        ["value_usd", "importer"], ascending=[False, True]
    )
    df = df.head(top).merge(imports[["importer", "import_value_usd"]], on="importer", how="left")
    df["share_of_exports"] = df["value_usd"] / exporter_total if exporter_total else None
    df["market_share"] = df["value_usd"] / df["import_value_usd"]
    df.insert(0, "rank", range(1, len(df) + 1))
    return df.reset_index(drop=True)


def _num(v: Any) -> float | None:
    return None if v is None or pd.isna(v) else float(v)


def register(app: typer.Typer) -> None:
    @app.command("demo")
    def demo(
        firm: Annotated[
            Path | None,
            typer.Option("--firm", help="Firm profile (default: the bundled example firm)."),
        ] = None,
        markets: Annotated[
            int, typer.Option("--markets", min=1, help="Top-ranked markets to analyse.")
        ] = 5,
        out: Annotated[
            Path | None,
            typer.Option(
                "--out",
                help="Report file .html/.pdf/.json (default: <data dir>/reports/<firm>_plan_<lang>.html).",
            ),
        ] = None,
    ) -> None:
        """The main job in one command: the export plan of the example firm (markets, duty, origin, readiness, actions)."""
        opts = shared()
        from kaigai.cli.plan import print_summary, run_plan
        from kaigai.plan.examples import example_profile_path

        path = firm or example_profile_path()
        s, lg = opts.settings(), opts.lg
        target = out or Path(s.data_dir) / "reports" / f"{path.stem}_plan_{lg}.html"
        plan, written = run_plan(
            path, n_markets=markets, lang=lg, out=target, config=opts.config, quiet=opts.json
        )
        if opts.json:
            emit_json({"firm_file": str(path), "report_path": str(written), **plan.to_dict()})
        else:
            console.print(f"[dim]{esc(t('Example firm: {path}', lg, path=str(path)))}[/dim]")
            print_summary(plan, written)

    @app.command("overview")
    def overview(
        hs: Annotated[str, typer.Option("--hs", help="HS6 product code.")] = "848210",
        exporter: Annotated[str, typer.Option("--exporter", help="Exporting country.")] = "JPN",
        top: Annotated[int, typer.Option("--top", min=1, max=50, help="Number of markets.")] = 10,
    ) -> None:
        """Product lookup and market overview: what the product is and where the exporter sells it."""
        opts = shared()
        s, lg = opts.settings(), opts.lg
        nom = load_nomenclature(s)
        entry = nom.lookup(hs)  # either edition: the trade data is HS2017, the nomenclature HS2022
        hs6 = entry.code if entry.level == 6 else nom.validate_hs6(hs)
        exp = normalize_country(exporter)
        flows = store.load("trade_hs6", s, where_sql="exporter = ? AND hs6 = ?", params=[exp, hs6])
        imports = store.load("imports_by_importer", s, where_sql="hs6 = ?", params=[hs6])
        tot = store.load(
            "exports_by_exporter", s, where_sql="exporter = ? AND hs6 = ?", params=[exp, hs6]
        )
        total = _num(tot["export_value_usd"].iloc[0]) if len(tot) else None
        year = int(flows["year"].iloc[0]) if len(flows) else None
        df = destinations(flows, imports, total, top)
        rows: list[dict[str, Any]] = []
        for r in df.to_dict("records"):
            imp = str(r["importer"])
            rows.append(
                {
                    "rank": int(r["rank"]),
                    "importer": imp,
                    "name": country(imp).name(lg),
                    "value_usd": int(r["value_usd"]),
                    "share_of_exports": _num(r["share_of_exports"]),
                    "importer_total_imports_usd": _num(r["import_value_usd"]),
                    "market_share": _num(r["market_share"]),
                    "provenance": [
                        store.provenance(
                            "trade_hs6", s, f"exporter={exp} importer={imp} hs6={hs6}"
                        ).to_dict(),
                        store.provenance(
                            "imports_by_importer",
                            s,
                            f"importer={imp} hs6={hs6}",
                            note="market_share = value_usd / import_value_usd",
                        ).to_dict(),
                    ],
                }
            )
        covered = sorted(set(flows["importer"]))
        payload: dict[str, Any] = {
            "product": entry.to_dict(),
            "exporter": {"iso3": exp, "name": country(exp).name(lg)},
            "year": year,
            "exporter_total_usd": {
                "value": total,
                "missing": total is None,
                "provenance": store.provenance(
                    "exports_by_exporter",
                    s,
                    f"exporter={exp} hs6={hs6}",
                    note="total over the covered importers, not world exports",
                ).to_dict(),
            },
            "destinations": rows,
            "coverage": {
                "trade_edition": "HS2017",
                "edition_note": None
                if "HS2017" in entry.editions
                else "HS2022-only code: the HS2017 trade data has no flows under it (changed between editions)",
                "data_copy": store.where("trade_hs6", s),
                "importers_with_flows": len(covered),
                "importers_missing_in_data": list(MISSING_IMPORTERS),
            },
        }

        def human() -> None:
            console.print(f"[bold]{entry.code}[/bold] {esc(entry.description)}")
            console.print(esc(f"  {t('Heading', lg)} {entry.heading}: {entry.heading_description}"))
            console.print(esc(f"  {t('Chapter', lg)} {entry.chapter}: {entry.chapter_description}"))
            tot_s = f"{total:,.0f} USD" if total is not None else t("missing", lg)
            console.print(
                esc(
                    t(
                        "{exporter} exports of {hs6} in {year}: {total} (over covered importers)",
                        lg,
                        exporter=payload["exporter"]["name"],
                        hs6=hs6,
                        year=year or "-",
                        total=tot_s,
                    )
                )
            )
            if not rows:
                console.print(
                    esc(
                        t(
                            "No trade flows recorded for {hs6} from {exporter} (missing, not zero).",
                            lg,
                            hs6=hs6,
                            exporter=exp,
                        )
                    )
                )
            if payload["coverage"]["edition_note"]:
                console.print(esc(payload["coverage"]["edition_note"]))
            console.print(
                table(
                    t("Top markets", lg),
                    [
                        "#",
                        t("Market", lg),
                        t("Exports (USD)", lg),
                        t("Share of exports", lg),
                        t("Market imports (USD)", lg),
                        t("Market share", lg),
                    ],
                    [
                        (
                            r["rank"],
                            f"{r['importer']} {r['name']}",
                            f"{r['value_usd']:,}",
                            _pct(r["share_of_exports"]),
                            _usd(r["importer_total_imports_usd"]),
                            _pct(r["market_share"]),
                        )
                        for r in rows
                    ],
                )
            )
            console.print(
                esc(
                    t(
                        "Sources: {a}; {b}",
                        lg,
                        a=store.provenance("trade_hs6", s),
                        b=store.provenance("imports_by_importer", s),
                    )
                )
            )
            console.print(
                t(
                    "Not in the data (imports missing, not zero): {codes}",
                    lg,
                    codes=", ".join(MISSING_IMPORTERS),
                )
            )
            if payload["coverage"]["data_copy"] == "starter":
                console.print(
                    t(
                        "Starter pack: 22 core importers only. Full data: kaigai data import ../shared/data/markets",
                        lg,
                    )
                )

        output(payload, opts.json, human)


def _pct(v: float | None) -> str:
    return "-" if v is None else f"{100 * v:.1f}%"


def _usd(v: float | None) -> str:
    return "-" if v is None else f"{v:,.0f}"
