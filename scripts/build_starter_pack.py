"""Build the bundled starter pack (<= 5 MB) from the shared datasets.

Usage: python scripts/build_starter_pack.py [--shared ../shared/data] [--out src/kaigai/data/starter]

The pack keeps the columns of each full dataset (so engines cannot tell the difference)
but only: a core set of countries (Japan, China, Korea, ASEAN, India, Australia, New
Zealand, the US and the EU big five), and the HS chapters small Japanese firms really sell
(21, 22, 33, 61, 62, 84, 85, 90). Bilateral flows are kept for all exporters into the
core importers (the upstream ``cagr_8y_pct`` column is dropped); importer totals for the core
importers; exporter totals for all exporters; distances for pairs touching a core country.
Country indicators are kept for all countries.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

import duckdb
import pandas as pd

CORE = [
    "JPN", "CHN", "KOR", "BRN", "KHM", "IDN", "LAO", "MYS", "MMR", "PHL", "SGP", "THA",
    "VNM", "IND", "AUS", "NZL", "USA", "DEU", "FRA", "ITA", "ESP", "NLD",
]  # fmt: skip
CHAPTERS = ["21", "22", "33", "61", "62", "84", "85", "90"]


def _in(values: list[str]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


def _modern_baseline(shared: Path) -> pd.DataFrame:
    from kaigai.policy.gravity_modern import build_baseline

    g = shared / "gravity_modern"
    sgd = pd.read_parquet(g / "sgd_wto_manufacturing_2016.parquet")
    itpde = pd.read_parquet(
        g / "itpde_r02_sector_2000_2019.parquet",
        columns=["exporter", "importer", "year", "broad_sector", "trade_usd_mn"],
        filters=[("year", "==", 2016), ("broad_sector", "==", "Manufacturing")],
    )
    return build_baseline(sgd, itpde)


def _jpn_dutiable_share(shared: Path) -> pd.DataFrame:
    """Per partner: Japan's 2024 imports (HS6) in codes where a national line has a non-free
    applied MFN in the 2026 tariff, over imports in codes the 2026 schedule has."""
    from kaigai.tariffs.expr import is_value_free
    from kaigai.tariffs.schedule import build_jp_schedule

    tariff = pd.read_parquet(
        shared / "trade_rules/japan_tariff/japan_applied_tariff_2026_07_09.parquet"
    )
    sched = build_jp_schedule(tariff)
    dut = {
        hs6: any(ln.mfn is None or not is_value_free(ln.mfn) for ln in lines)
        for hs6, lines in sched.lines.items()
    }
    tr = pd.read_parquet(
        shared / "markets/trade_hs6_2024_apac.parquet",
        columns=["exporter", "importer", "hs6", "value_usd"],
        filters=[("importer", "==", "JPN")],
    )
    tr = tr.assign(exporter=tr["exporter"].astype(str), hs6=tr["hs6"].astype(str))
    flag = tr["hs6"].map(dut)
    tr = tr.assign(
        known=tr["value_usd"].where(flag.notna(), 0.0),
        dutiable=tr["value_usd"].where(flag.fillna(False).astype(bool), 0.0),
        unknown=tr["value_usd"].where(flag.isna(), 0.0),
    )
    g = tr.groupby("exporter")[["value_usd", "known", "dutiable", "unknown"]].sum()
    g = g.rename(
        columns={
            "value_usd": "imports_usd",
            "known": "imports_in_schedule_usd",
            "dutiable": "dutiable_usd",
            "unknown": "not_in_schedule_usd",
        }
    ).reset_index()
    g["dutiable_share"] = g["dutiable_usd"] / g["imports_in_schedule_usd"]
    g.insert(0, "year", 2024)
    g["tariff_edition"] = "2026-07-09"
    return g.sort_values("exporter").reset_index(drop=True)


def build(shared: Path, out: Path) -> dict[str, dict[str, object]]:
    out.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    ch = f"substr(hs6, 1, 2) IN {_in(CHAPTERS)}"
    core = _in(CORE)
    m = shared / "markets"
    tr = shared / "trade_rules"
    queries = {
        # all exporters into core importers (market supplier structure), core chapters
        "trade_hs6": f"SELECT year, exporter, importer, hs6, value_usd FROM read_parquet('{m}/trade_hs6_2024_apac.parquet') "
        f"WHERE {ch} AND importer IN {core} ORDER BY importer, hs6, exporter",
        "imports_by_importer": f"SELECT * FROM read_parquet('{m}/trade_hs6_2024_imports_by_importer.parquet') "
        f"WHERE {ch} AND importer IN {core} ORDER BY importer, hs6",
        "exports_by_exporter": f"SELECT * FROM read_parquet('{m}/trade_hs6_2024_exports_by_exporter.parquet') "
        f"WHERE {ch} ORDER BY exporter, hs6",
        "countries_baci": f"SELECT * FROM read_csv('{m}/countries.csv', all_varchar=false)",
        "hs17_products": f"SELECT lpad(CAST(hs6 AS VARCHAR), 6, '0') AS hs6, description "
        f"FROM read_csv('{m}/baci_product_codes_HS17_V202301.csv.gz', types={{'hs6': 'VARCHAR'}})",
        "geodist_dist": f"SELECT * FROM read_csv('{m}/cepii_geodist_dist.csv.gz') "
        f"WHERE iso_o IN {core} OR iso_d IN {core}",
        "geodist_geo": f"SELECT * FROM read_csv('{m}/cepii_geodist_geo.csv.gz')",
        "wgi": f"SELECT * FROM read_parquet('{m}/wgi_1996_2023.parquet') WHERE year >= 2013",
        "lpi": f"SELECT * FROM read_csv('{m}/lpi_2007_2023.csv')",
        "weo": f"SELECT * FROM read_parquet('{m}/imf_weo_oct2023.parquet') WHERE year >= 2010",
        "doing_business": f"SELECT * FROM read_parquet('{m}/wb_doing_business_2005_2016.parquet') WHERE year >= 2010",
        "ilo_earnings": f"SELECT * FROM read_csv('{m}/ilo_avg_monthly_earnings_ppp.csv.gz')",
        "cpi": f"SELECT * FROM read_csv('{m}/ti_cpi_2012_2023.csv')",
        "hs_nomenclature": f"SELECT * FROM read_parquet('{tr}/hs_nomenclature/hs2022_nomenclature.parquet')",
        "hs_sections": f"SELECT * FROM read_csv('{tr}/hs_nomenclature/sections.csv')",
        "jp_tariff": f"SELECT * FROM read_parquet('{tr}/japan_tariff/japan_applied_tariff_2026_07_09.parquet') "
        f"WHERE substr(coalesce(hs6, ''), 1, 2) IN {_in(CHAPTERS)}",
        "vn_tariff": f"SELECT * FROM read_parquet('{shared}/tariffs_asia/vn_tariff_2026_long.parquet') "
        f"WHERE chapter IN {_in(CHAPTERS)}",
        "jp_cptpp_base_final": f"SELECT * FROM read_parquet('{shared}/tariffs_asia/jpn/jpn_cptpp_base_final_hs6_apfc.parquet') "
        f"WHERE substr(hs6, 1, 2) IN {_in(CHAPTERS)}",
        "rcep_psr": f"SELECT * FROM read_parquet('{tr}/rcep/rcep_psr_hs2022.parquet')",
        "uk_psr": f"SELECT * FROM read_parquet('{tr}/uk_tariff_roo/uk_psr_asia_schemes.parquet') "
        "WHERE scheme_code IN ('japan', 'cptpp')",
        "uk_roo_schemes": f"SELECT * FROM read_csv('{tr}/uk_tariff_roo/uk_roo_schemes.csv')",
        "eujp_psr": f"SELECT * FROM read_parquet('{tr}/eu_japan_epa/eu_japan_psr_annex3b_hs2017.parquet')",
        "vjepa_psr": f"SELECT * FROM read_parquet('{tr}/japan_vietnam_epa/vjepa_psr_hs2007_vi_ch01-62.parquet')",
        "gravity_gegravity_sample": f"SELECT * FROM read_parquet('{shared}/gravity/gegravity_sample_data_2006.parquet')",
        # observed EPA use (numerator of utilisation) by agreement, partner and year: 479 rows
        "fta_use_by_partner": f"SELECT * FROM read_parquet('{shared}/fta_use/japan_epa_imports_by_partner_2012_2021.parquet') "
        "ORDER BY year, agreement, country_code",
        # its denominator: Japan's goods imports by partner (ITPD-E R02), see kaigai.policy.fta_use
        "jpn_goods_imports": "SELECT CAST(year AS INTEGER) AS year, CAST(exporter AS VARCHAR) AS exporter, "
        "sum(trade_usd_mn) AS imports_usd_mn, count(*) AS n_sector_rows "
        f"FROM read_parquet('{shared}/gravity_modern/itpde_r02_sector_2000_2019.parquet') "
        "WHERE importer = 'JPN' AND exporter <> 'JPN' AND year >= 2012 AND broad_sector <> 'Services' "
        "GROUP BY ALL ORDER BY year, exporter",
    }
    # the GE baseline of the bundled scenarios: built in Python (kaigai.policy.gravity_modern)
    baseline = out / "gravity_modern_2016.parquet"
    _modern_baseline(shared).to_parquet(
        baseline, compression="zstd", compression_level=19, index=False
    )
    queries["gravity_modern_2016"] = ""
    dutiable = out / "jpn_dutiable_share.parquet"
    _jpn_dutiable_share(shared).to_parquet(
        dutiable, compression="zstd", compression_level=19, index=False
    )
    queries["jpn_dutiable_share"] = ""
    manifest: dict[str, dict[str, object]] = {}
    for name, sql in queries.items():
        if not sql:  # built in Python above
            target = out / f"{name}.parquet"
            rows = con.execute(f"SELECT count(*) FROM read_parquet('{target}')").fetchone()[0]  # type: ignore[index]
            digest = hashlib.sha256(target.read_bytes()).hexdigest()
            manifest[name] = {"rows": rows, "bytes": target.stat().st_size, "sha256": digest}
            continue
        target = out / f"{name}.parquet"
        con.execute(
            f"COPY ({sql}) TO '{target}' (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 19)"
        )
        rows = con.execute(f"SELECT count(*) FROM read_parquet('{target}')").fetchone()[0]  # type: ignore[index]
        digest = hashlib.sha256(target.read_bytes()).hexdigest()
        manifest[name] = {"rows": rows, "bytes": target.stat().st_size, "sha256": digest}
    (out / "manifest.json").write_text(
        json.dumps({"countries": CORE, "chapters": CHAPTERS, "datasets": manifest}, indent=1) + "\n"
    )
    return manifest


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--shared", type=Path, default=Path("../shared/data"))
    ap.add_argument("--out", type=Path, default=Path("src/kaigai/data/starter"))
    args = ap.parse_args()
    man = build(args.shared, args.out)
    total = sum(int(v["bytes"]) for v in man.values())  # type: ignore[call-overload]
    for k, v in man.items():
        print(f"{k:28s} {v['rows']:>9,} rows {int(v['bytes']) / 1e3:>9.1f} kB")  # type: ignore[call-overload]
    print(f"total {total / 1e6:.2f} MB")
    if total > 5_000_000:
        raise SystemExit(f"starter pack is {total / 1e6:.2f} MB > 5 MB")


if __name__ == "__main__":
    main()
