"""The datasets kaigai knows: logical name -> files under shared data, source, licence, edition.

A logical dataset has the same columns whether it comes from the full shared file (imported
into the DuckDB catalog) or from the bundled starter pack (a subset).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class DatasetSpec:
    name: str
    relpath: str  # path under the shared data folder
    edition: str
    source: str
    licence: str
    description: str
    url: str = ""  # official download location (for `kaigai data pull`)
    required_columns: tuple[str, ...] = ()
    read_options: dict[str, str] = field(default_factory=dict)


DATASETS: dict[str, DatasetSpec] = {
    d.name: d
    for d in [
        DatasetSpec(
            "trade_hs6",
            "markets/trade_hs6_2024_apac.parquet",
            "2024",
            "BACI-like HS17 bilateral trade (via matheusrosa-obs/export-potential)",
            "unstated upstream",
            "Bilateral HS6 trade 2024, USD; importers in the Asia-Pacific/major set, or exporter JPN",
            "https://www.cepii.fr/DATA_DOWNLOAD/baci/data/BACI_HS17_V202501.zip",
            ("year", "exporter", "importer", "hs6", "value_usd"),
        ),
        DatasetSpec(
            "imports_by_importer",
            "markets/trade_hs6_2024_imports_by_importer.parquet",
            "2024",
            "BACI-like HS17 trade, totals over all exporters",
            "unstated upstream",
            "Importer x HS6 total imports 2024, USD",
            required_columns=("year", "importer", "hs6", "import_value_usd", "n_exporters"),
        ),
        DatasetSpec(
            "exports_by_exporter",
            "markets/trade_hs6_2024_exports_by_exporter.parquet",
            "2024",
            "BACI-like HS17 trade, totals over 220 covered importers",
            "unstated upstream",
            "Exporter x HS6 exports 2024, USD (USA/DEU/FRA/GBR/NLD/ESP imports missing)",
            required_columns=("year", "exporter", "hs6", "export_value_usd", "n_importers"),
        ),
        DatasetSpec(
            "baci_country_codes",
            "markets/baci_country_codes_V202301.csv",
            "V202301",
            "CEPII BACI country table (raw)",
            "unstated upstream",
            "BACI country codes as published (numeric, names, ISO2, ISO3)",
            required_columns=("country_code", "iso_3digit_alpha"),
        ),
        DatasetSpec(
            "countries_baci",
            "markets/countries.csv",
            "V202301",
            "CEPII BACI country table",
            "unstated upstream",
            "BACI country codes with ISO2/ISO3 and names",
            required_columns=("baci_code", "iso3", "iso2", "name"),
        ),
        DatasetSpec(
            "hs17_products",
            "markets/baci_product_codes_HS17_V202301.csv.gz",
            "HS2017",
            "CEPII BACI product table",
            "unstated upstream",
            "HS 2017 six-digit codes with English descriptions",
            required_columns=("hs6", "description"),
            read_options={"dtype_hs6": "str"},
        ),
        DatasetSpec(
            "geodist_dist",
            "markets/cepii_geodist_dist.csv.gz",
            "GeoDist",
            "CEPII GeoDist (Mayer & Zignago 2011)",
            "unstated upstream (CEPII Etalab open licence)",
            "Bilateral distances and dummies, 224x224",
            "https://www.cepii.fr/distance/dist_cepii.zip",
            ("iso_o", "iso_d", "dist", "distw", "contig", "comlang_off"),
        ),
        DatasetSpec(
            "geodist_geo",
            "markets/cepii_geodist_geo.csv.gz",
            "GeoDist",
            "CEPII GeoDist",
            "unstated upstream (CEPII Etalab open licence)",
            "Country geography: area, internal distance, landlocked, main city coordinates",
            "https://www.cepii.fr/distance/geo_cepii.xls",
            ("iso3", "lat", "lon"),
        ),
        DatasetSpec(
            "wgi",
            "markets/wgi_1996_2023.parquet",
            "2024 update (1996-2023)",
            "World Bank Worldwide Governance Indicators",
            "CC BY 4.0 (World Bank); repository copy licence unstated",
            "Governance estimates va, pv, ge, rq, rl, cc",
            "https://www.worldbank.org/content/dam/sites/govindicators/doc/wgidataset.xlsx",
            ("iso3", "year", "indicator", "estimate"),
        ),
        DatasetSpec(
            "lpi",
            "markets/lpi_2007_2023.csv",
            "2007-2023",
            "World Bank Logistics Performance Index",
            "CC BY 4.0 (World Bank); repository copy licence unstated",
            "LPI overall and component scores 1-5",
            "https://lpi.worldbank.org/sites/default/files/International_LPI_from_2007_to_2023.xlsx",
            ("year", "iso3", "lpi_score"),
        ),
        DatasetSpec(
            "weo",
            "markets/imf_weo_oct2023.parquet",
            "October 2023",
            "IMF World Economic Outlook",
            "IMF terms of use",
            "GDP, growth, population with projections to 2028",
            "https://www.imf.org/-/media/Files/Publications/WEO/WEO-Database/2023/WEOOct2023all.ashx",
            ("iso3", "year", "gdp_real_growth_pct", "gdp_usd_bn", "population_mn"),
        ),
        DatasetSpec(
            "doing_business",
            "markets/wb_doing_business_2005_2016.parquet",
            "2005-2016",
            "World Bank Doing Business (via WDI)",
            "CC BY 4.0 (World Bank); repository copy licence unstated",
            "Contract enforcement, insolvency and trading-across-borders series",
            "https://databank.worldbank.org/data/download/DB_CSV.zip",
            ("iso3", "series", "year", "value"),
        ),
        DatasetSpec(
            "ilo_earnings",
            "markets/ilo_avg_monthly_earnings_ppp.csv.gz",
            "2014-2024",
            "ILOSTAT EAR_4MTH_SEX_GEO_CUR_NB",
            "CC BY 4.0",
            "Average monthly earnings of employees, 2021 PPP $",
            "https://rplumber.ilo.org/data/indicator/?id=EAR_4MTH_SEX_GEO_CUR_NB&format=.csv",
            ("iso3", "sex", "area_type", "year", "earnings_ppp"),
        ),
        DatasetSpec(
            "cpi",
            "markets/ti_cpi_2012_2023.csv",
            "2012-2023",
            "Transparency International Corruption Perceptions Index",
            "CC BY-ND 4.0 (TI); repository copy licence unstated",
            "CPI score 0-100",
            "https://images.transparencycdn.org/images/CPI2023_Global_Results__Trends.xlsx",
            ("iso3", "year", "cpi_score"),
        ),
        DatasetSpec(
            "hs_nomenclature",
            "trade_rules/hs_nomenclature/hs2022_nomenclature.parquet",
            "HS2022",
            "datasets/harmonized-system (UN Comtrade)",
            "ODC-PDDL-1.0",
            "HS 2022 chapters, headings and subheadings with descriptions",
            "https://raw.githubusercontent.com/datasets/harmonized-system/main/data/harmonized-system.csv",
            ("section", "hscode", "description", "parent", "level"),
        ),
        DatasetSpec(
            "hs_correlation_22_17",
            "",
            "HS2022-HS2017",
            "UNSD HS2022 to HS2017 conversion and correlation tables (WCO correlation)",
            "UN terms of use (attribution)",
            "Official correlation between HS2022 and HS2017 six-digit codes (Excel workbook)",
            "https://unstats.un.org/unsd/classifications/Econ/tables/HS2022toHS2017ConversionAndCorrelationTables.xlsx",
            ("hs2017", "hs2022"),
        ),
        DatasetSpec(
            "hs_sections",
            "trade_rules/hs_nomenclature/sections.csv",
            "HS2022",
            "datasets/harmonized-system",
            "ODC-PDDL-1.0",
            "HS sections",
        ),
        DatasetSpec(
            "jp_tariff",
            "trade_rules/japan_tariff/japan_applied_tariff_2026_07_09.parquet",
            "2026-07-09",
            "Japan Customs applied tariff schedule (via qlitre/japan-tariff-mcp)",
            "Government of Japan Standard Terms of Use v2.0 (attribute Japan Customs)",
            "Japan's applied tariff with general/temporary/WTO/GSP and all EPA columns",
            "https://www.customs.go.jp/english/tariff/index.htm",
        ),
        DatasetSpec(
            "vn_tariff",
            "tariffs_asia/vn_tariff_2026_long.parquet",
            "2026",
            "Viet Nam import tariff 2026 (via quyphong91/tariffvn)",
            "public legal documents; compilation licence unstated",
            "Viet Nam tariff lines x rate columns (MFN and 21 preferential columns)",
        ),
        DatasetSpec(
            "jp_cptpp_base_final",
            "tariffs_asia/jpn/jpn_cptpp_base_final_hs6_apfc.parquet",
            "2020",
            "APF Canada CPTPP Tariff Finder",
            "unstated",
            "Japan's CPTPP base and final rates by HS6 (simple averages)",
        ),
        DatasetSpec(
            "jp_tariff_snapshots",
            "tariffs_staging/japan_epa_rates_snapshots_long.parquet",
            "2025-04-01..2026-07-09",
            "Japan Customs applied tariff at four dates (via qlitre/japan-tariff-mcp)",
            "Government of Japan Standard Terms of Use v2.0 (attribute Japan Customs)",
            "Japan's rate cells (every EPA column) at 2025-04-01, 2026-01-01, 2026-04-01, 2026-07-09",
            required_columns=(
                "line_key",
                "rate_column",
                "hs6",
                "rate_2025_04_01",
                "rate_2026_07_09",
            ),
        ),
        DatasetSpec(
            "us_hts_lines",
            "tariffs_world/usa_hts_2026r4/usa_hts_2026r4_lines.parquet",
            "HTS 2026 Revision 4",
            "Harmonized Tariff Schedule of the United States 2026 Rev. 4, USITC "
            "(via jakefitzpatrick/Export-Import-SanctionsChatbot)",
            "US Government work (public domain in the US); repository MIT",
            "US rate lines: General (MFN), Special by programme (JP = US-Japan Trade Agreement), column 2",
            "https://hts.usitc.gov/",
            ("hts_number", "hts8", "hs6", "general_text", "special_text", "source_row"),
        ),
        DatasetSpec(
            "us_hts_rows",
            "tariffs_world/usa_hts_2026r4/usa_hts_2026r4_rows.parquet",
            "HTS 2026 Revision 4",
            "USITC HTS 2026 Rev. 4 CSV export, every record (Chapter 99 additional duties kept)",
            "US Government work (public domain in the US); repository MIT",
            "Every HTS record incl. Chapter 98/99 (additional duties are rows, not merged)",
            "https://hts.usitc.gov/",
            ("source_row", "hts_number", "general_text", "description", "is_ch98_99"),
        ),
        DatasetSpec(
            "us_hts_special",
            "tariffs_world/usa_hts_2026r4/usa_hts_2026r4_special_long.parquet",
            "HTS 2026 Revision 4",
            "USITC HTS 2026 Rev. 4, Special column split per programme code",
            "US Government work (public domain in the US); repository MIT",
            "One row per (HTS line, Special programme code) with its rate",
            required_columns=("hts_number", "hts8", "program_code", "rate_text"),
        ),
        DatasetSpec(
            "au_tariff_lines",
            "tariffs_world/aus_abf_2026/aus_schedule3_lines.parquet",
            "ABF Working Tariff 2026-04",
            "Customs Tariff Act 1995 Schedule 3, ABF Working Tariff scrape "
            "(via networkneedsau/australian-tariff-classification)",
            "Commonwealth of Australia (ABF) material; repository licence unstated",
            "Australia's tariff classifications and general rates (72 of 96 chapters)",
            "https://www.abf.gov.au/importing-exporting-and-manufacturing/tariff-classification/current-tariff",
            ("reference_number", "general_text", "is_tariff_line", "hs6", "chapter"),
        ),
        DatasetSpec(
            "au_fta_schedules",
            "tariffs_world/aus_abf_2026/aus_fta_schedules.parquet",
            "ABF Working Tariff 2026-04",
            "Customs Tariff Act 1995 Schedules 4-16 (FTA exclusion lists), ABF Working Tariff scrape",
            "Commonwealth of Australia (ABF) material; repository licence unstated",
            "Australia's FTA schedule entries that are not Free (JAEPA, RCEP, CPTPP and 15 more)",
            "https://www.abf.gov.au/importing-exporting-and-manufacturing/tariff-classification/current-tariff",
            ("schedule", "agreement", "hs8", "rate_text", "effective_from"),
        ),
        DatasetSpec(
            "uk_eu_tariff",
            "tariffs_world/uk_ukgt2021_eu_cet2020/ukgt2021_eu_cet2020.parquet",
            "UKGT 2021-01-01 / EU CET 2020",
            "UK Global Tariff (DIT, 2020-12) with the EU Common External Tariff as applied in 2020 "
            "(via GSS-Cogs/family-trade)",
            "UK Crown copyright (OGL v3.0 normally); repository licence unstated",
            "UK Global Tariff and EU CET MFN rates by commodity code (no preferences)",
            "https://www.gov.uk/guidance/uk-tariffs-from-1-january-2021",
            ("source_row", "commodity_code", "cn8", "hs6", "ukgt_duty_rate", "cet_duty_rate"),
        ),
        DatasetSpec(
            "importer_index",
            "markets/trade_hs6_2024_importer_index.csv",
            "2024",
            "Importer files of the upstream trade data (matheusrosa-obs/export-potential)",
            "unstated upstream",
            "Which importers the trade files hold (in_trade_files False = no import data)",
            required_columns=("importer", "in_trade_files"),
        ),
        DatasetSpec(
            "rcep_psr",
            "trade_rules/rcep/rcep_psr_hs2022.parquet",
            "HS2022",
            "RCEP Annex 3A via Viet Nam Circular 32/2022/TT-BCT",
            "public legal document",
            "RCEP product-specific rules of origin",
        ),
        DatasetSpec(
            "uk_psr",
            "trade_rules/uk_tariff_roo/uk_psr_asia_schemes.parquet",
            "2025-04",
            "UK Online Trade Tariff rules of origin (trade-tariff-backend)",
            "OGL v3.0",
            "Product-specific rules for UK-Japan CEPA, CPTPP and other UK schemes",
        ),
        DatasetSpec(
            "eujp_psr",
            "trade_rules/eu_japan_epa/eu_japan_psr_annex3b_hs2017.parquet",
            "HS2017",
            "EU-Japan EPA Annex 3-B via trade-tariff/ott-prototype (XI rules of origin)",
            "MIT (Crown Copyright, GDS); agreement text is a public legal text",
            "EU-Japan EPA product-specific rules of origin, one row per HS 2017 subheading",
            required_columns=(
                "hs_code",
                "rule_text_clean",
                "product_scope",
                "key_first",
                "key_last",
            ),
        ),
        DatasetSpec(
            "vjepa_psr",
            "trade_rules/japan_vietnam_epa/vjepa_psr_hs2007_vi_ch01-62.parquet",
            "HS2007",
            "Japan-Viet Nam EPA Annex 2 via Viet Nam Circular 10/2009/TT-BCT (TinsuAI/certo)",
            "public legal document (Viet Nam IP Law Art. 15)",
            "Japan-Viet Nam EPA product-specific rules (positive list), Chapters 1 to 62.12",
            required_columns=("hs_code", "rule_text", "rule_en_auto"),
        ),
        DatasetSpec(
            "uk_roo_schemes",
            "trade_rules/uk_tariff_roo/uk_roo_schemes.csv",
            "2026-08",
            "UK Online Trade Tariff rules of origin schemes",
            "OGL v3.0",
            "Scheme-level facts of UK preferential schemes",
        ),
        DatasetSpec(
            "gravity_agtpa",
            "gravity/agtpa_applications.parquet",
            "AGTPA 2016",
            "Yotov, Piermartini, Monteiro & Larch (2016), via pachadotdev/tradepolicy",
            "CC BY 4.0",
            "69-country manufacturing trade panel 1986-2006 with domestic flows",
        ),
        DatasetSpec(
            "gravity_gegravity_sample",
            "gravity/gegravity_sample_data_2006.parquet",
            "2006",
            "peter-herman/gegravity sample data",
            "MIT",
            "30-country 2006 gravity sample for GE examples",
        ),
        DatasetSpec(
            "gravity_modern_2016",
            "",  # derived: built by scripts/build_starter_pack.py (kaigai.policy.gravity_modern)
            "2016",
            "WTO Structural Gravity Database, manufacturing 2016 (Larch, Monteiro, Piermartini & "
            "Yotov 2019; via jamiubadmusng/afcfta_exante_analysis); international flows of BEL, "
            "LUX, ROU, TWN, COD, MNE, SDN, SSD (empty in that matrix) from USITC ITPD-E R02 2016",
            "WTO data, licence unstated; ITPD-E public domain",
            "160 x 160 manufacturing flows 2016 (USD) with domestic flows, 2016 RTA dummy "
            "(DGD 2.1) and the domestic_imputed flag (88 countries: 84 upstream, 4 implausible "
            "observed values replaced; domestic_implausible, domestic_reported)",
            required_columns=("exporter", "importer", "year", "trade", "rta", "domestic_imputed"),
        ),
        DatasetSpec(
            "gravity_sgd_2016",
            "gravity_modern/sgd_wto_manufacturing_2016.parquet",
            "2016",
            "WTO Structural Gravity Database, manufacturing (via jamiubadmusng/afcfta_exante_analysis)",
            "WTO data, licence unstated",
            "160 x 160 manufacturing flows 2016 (USD), domestic flows partly imputed (flagged)",
            required_columns=("exporter", "importer", "trade_usd", "domestic_imputed"),
        ),
        DatasetSpec(
            "itpde_sector",
            "gravity_modern/itpde_r02_sector_2000_2019.parquet",
            "R02 2000-2019",
            "USITC ITPD-E release 2, summed to 4 broad sectors",
            "public domain (USITC)",
            "Bilateral and domestic trade by broad sector 2000-2019, millions of USD",
            required_columns=("exporter", "importer", "year", "broad_sector", "trade_usd_mn"),
        ),
        DatasetSpec(
            "itpde_domestic_coverage",
            "gravity_modern/itpde_r02_domestic_coverage.parquet",
            "R02 2000-2019",
            "USITC ITPD-E release 2 (coverage summary)",
            "public domain (USITC)",
            "Domestic-flow coverage by country, year and broad sector",
        ),
        DatasetSpec(
            "dgd_gravity",
            "gravity_modern/dgd_2_1_gravity_2000_2019.parquet",
            "2.1 (2000-2019)",
            "USITC Dynamic Gravity Dataset 2.1 (Gurevich & Herman)",
            "public domain (USITC)",
            "Gravity covariates: distance, contiguity, language, colony, RTA/WTO dummies",
            required_columns=("year", "exporter", "importer", "rta"),
        ),
        DatasetSpec(
            "fta_use_hs9",
            "fta_use/japan_epa_imports_hs9_2012_2021.parquet",
            "2012-2021",
            "Japan Customs EPA-utilised import statistics (via HarunaYo/JP-FTA-UR)",
            "unstated upstream; Japan Customs statistics are public",
            "Japan's imports entered under an EPA rate by HS9 line, origin, agreement (thousand JPY)",
            required_columns=("year", "agreement", "country_code", "hs9", "value_kjpy"),
        ),
        DatasetSpec(
            "fta_use_by_partner",
            "fta_use/japan_epa_imports_by_partner_2012_2021.parquet",
            "2012-2021",
            "Japan Customs EPA-utilised import statistics (via HarunaYo/JP-FTA-UR)",
            "unstated upstream; Japan Customs statistics are public",
            "Japan's EPA-rate imports by year, agreement and origin country (thousand JPY)",
            required_columns=("year", "agreement", "country_code", "country_en", "value_kjpy"),
        ),
        DatasetSpec(
            "jpn_goods_imports",
            "",  # derived from itpde_sector by scripts/build_starter_pack.py
            "R02 2012-2019",
            "USITC ITPD-E release 2: Japan's imports by partner (agriculture + manufacturing + "
            "mining and energy)",
            "public domain (USITC)",
            "Japan's goods imports by partner and year, millions of USD (utilisation denominator)",
            required_columns=("year", "exporter", "imports_usd_mn"),
        ),
        DatasetSpec(
            "jpn_dutiable_share",
            "",  # derived by scripts/build_starter_pack.py
            "2024 trade, 2026-07-09 tariff",
            "Japan's 2024 imports by HS6 (BACI-like, markets/trade_hs6_2024_apac) and Japan's "
            "applied tariff 2026-07-09 (Japan Customs)",
            "see the two sources",
            "Per partner: share of Japan's imports in HS6 codes with a non-free applied MFN rate",
            required_columns=("exporter", "dutiable_share"),
        ),
    ]
}


# Columns always read as text from CSV (codes with leading zeros must survive).
TEXT_COLUMNS = frozenset(
    {
        "hs6", "hscode", "parent", "hs_code", "hs4", "hs2", "chapter", "heading", "subheading",
        "iso2", "iso3", "iso_o", "iso_d", "exporter", "importer", "section",
        "national_code_9", "stat_code", "hs_suffix", "iso_2digit_alpha", "iso_3digit_alpha",
    }
)  # fmt: skip

DOC_SUFFIXES = (".md", ".txt", ".py", ".json", ".pdf")


def match_file(path: Path) -> DatasetSpec | None:
    """The dataset a file is, by its path: the longest registered ``relpath`` that is a suffix
    of ``path`` (so ``markets/countries.csv`` matches ``/any/where/markets/countries.csv``), else
    a registered file name (``countries.csv``)."""
    posix = path.as_posix()
    best: DatasetSpec | None = None
    for spec in DATASETS.values():
        if (
            spec.relpath
            and (posix == spec.relpath or posix.endswith("/" + spec.relpath))
            and (best is None or len(spec.relpath) > len(best.relpath))
        ):
            best = spec
    if best is not None:
        return best
    by_name = [s for s in DATASETS.values() if s.relpath and Path(s.relpath).name == path.name]
    return by_name[0] if len(by_name) == 1 else None


__all__ = ["DATASETS", "DOC_SUFFIXES", "TEXT_COLUMNS", "DatasetSpec", "match_file"]
