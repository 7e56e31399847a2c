"""CEPII BACI (HS6 bilateral trade) -> the market finder's trade tables.

Published format (BACI readme, every release since 2021): one zip per HS revision holding
``BACI_HS17_Y<year>_V<version>.csv`` files with columns ``t,i,j,k,v,q`` (year, exporter and
importer numeric codes, HS6 product, value in thousands of current USD, quantity in tonnes),
plus ``country_codes_V<version>.csv`` mapping the numeric codes to ISO3. Older releases name
the ISO3 column ``iso_3digit_alpha``; newer ones ``country_iso3``. Both are read.

The converter writes the three catalog tables the market finder reads, with the registered
columns: ``trade_hs6`` (year, exporter, importer, hs6, value_usd), ``imports_by_importer``
(year, importer, hs6, import_value_usd, n_exporters) and ``exports_by_exporter`` (year, exporter,
hs6, export_value_usd, n_importers). With several years, values are the mean over the years
(ITC's export potential uses 5-year averages; a flow absent in a year counts as 0 that year),
labelled with the last year and the span in the edition. Every importer is kept, USA and the
EU members included. BACI's ``S19`` ("Other Asia, nes", numeric 490) is kept as in the other
trade files (the country layer names it Taiwan).
"""

from __future__ import annotations

import re
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from kaigai.core.errors import ImportFormatError

_YEAR_FILE = re.compile(r"BACI_(HS\d\d)_Y(\d{4})_V(\w+)\.csv$", re.IGNORECASE)
_COUNTRY_FILE = re.compile(r"country_codes_V(\w+)\.csv$", re.IGNORECASE)


@dataclass(frozen=True)
class BaciTables:
    """The converted tables and what they hold."""

    trade_hs6: pd.DataFrame
    imports_by_importer: pd.DataFrame
    exports_by_exporter: pd.DataFrame
    years: tuple[int, ...]
    hs_revision: str
    version: str

    @property
    def edition(self) -> str:
        span = (
            str(self.years[0]) if len(self.years) == 1 else f"mean {self.years[0]}-{self.years[-1]}"
        )
        return f"BACI {self.hs_revision} V{self.version}, {span}"


def members(zf: zipfile.ZipFile) -> tuple[dict[int, str], str, str, str]:
    """Year files by year, the country-code member, the HS revision and the version."""
    years: dict[int, str] = {}
    rev = ver = country = ""
    for name in zf.namelist():
        base = Path(name).name
        m = _YEAR_FILE.search(base)
        if m:
            rev, years[int(m.group(2))], ver = m.group(1).upper(), name, m.group(3)
        elif _COUNTRY_FILE.search(base):
            country = name
    if not years or not country:
        raise ImportFormatError(
            "Not a BACI release: the zip has no BACI_HSxx_Yyyyy_Vxxx.csv or country_codes file.",
            hint="Download the BACI zip from CEPII (https://www.cepii.fr/CEPII/en/bdd_modele/bdd_modele_item.asp?id=37).",
        )
    return years, country, rev, ver


def _countries(zf: zipfile.ZipFile, member: str) -> pd.DataFrame:
    with zf.open(member) as fh:
        df = pd.read_csv(fh, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    iso = next((c for c in ("country_iso3", "iso_3digit_alpha") if c in df.columns), None)
    if iso is None or "country_code" not in df.columns:
        raise ImportFormatError(
            f"{member}: expected columns country_code and country_iso3 (or iso_3digit_alpha).",
            columns=list(df.columns),
        )
    out = pd.DataFrame({"code": df["country_code"].astype(int), "iso3": df[iso].str.strip()})
    return out[out.iso3 != ""]


def convert(path: Path, years: tuple[int, ...] | None = None, *, last: int = 5) -> BaciTables:
    """Convert a BACI zip into the three trade tables.

    ``years``: the years to use (default: the ``last`` most recent in the zip). Values are
    averaged over them. Raises :class:`ImportFormatError` for a zip that is not BACI or a year
    it does not hold.
    """
    with zipfile.ZipFile(path) as zf:
        by_year, country_member, rev, ver = members(zf)
        chosen = tuple(sorted(years)) if years else tuple(sorted(by_year)[-last:])
        absent = [y for y in chosen if y not in by_year]
        if absent:
            raise ImportFormatError(
                f"BACI {rev} V{ver} has no data for {absent}.",
                hint="Years in this zip: " + ", ".join(map(str, sorted(by_year))),
            )
        codes = _countries(zf, country_member)
        con = duckdb.connect()
        try:
            con.register("codes", codes)
            with tempfile.TemporaryDirectory() as tmp:
                for y in chosen:
                    csv = zf.extract(by_year[y], tmp)
                    con.execute(
                        "CREATE OR REPLACE TEMP TABLE y AS SELECT * FROM read_csv(?, header=true,"
                        " columns={'t':'INTEGER','i':'INTEGER','j':'INTEGER','k':'VARCHAR',"
                        "'v':'DOUBLE','q':'VARCHAR'})",
                        [csv],
                    )
                    con.execute(
                        "CREATE TABLE IF NOT EXISTS flows (t INTEGER, i INTEGER, j INTEGER,"
                        " k VARCHAR, v DOUBLE)"
                    )
                    con.execute("INSERT INTO flows SELECT t, i, j, k, v FROM y")
                    Path(csv).unlink()
            n = len(chosen)
            trade = con.execute(
                "SELECT CAST(? AS SMALLINT) AS year, e.iso3 AS exporter, m.iso3 AS importer,"
                " lpad(f.k, 6, '0') AS hs6,"
                " CAST(round(sum(f.v) * 1000 / ?) AS BIGINT) AS value_usd"
                " FROM flows f JOIN codes e ON f.i = e.code JOIN codes m ON f.j = m.code"
                " GROUP BY ALL HAVING sum(f.v) > 0 ORDER BY exporter, importer, hs6",
                [chosen[-1], n],
            ).df()
        finally:
            con.close()
    imports = (
        trade.groupby(["year", "importer", "hs6"], as_index=False)
        .agg(import_value_usd=("value_usd", "sum"), n_exporters=("exporter", "nunique"))
        .astype({"import_value_usd": "int64", "n_exporters": "int64"})
    )
    exports = (
        trade.groupby(["year", "exporter", "hs6"], as_index=False)
        .agg(export_value_usd=("value_usd", "sum"), n_importers=("importer", "nunique"))
        .astype({"export_value_usd": "int64", "n_importers": "int64"})
    )
    return BaciTables(trade, imports, exports, chosen, rev, ver)


__all__ = ["BaciTables", "convert", "members"]
