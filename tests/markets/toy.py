"""Hand-made toy world: exporters AAA BBB CCC, markets XXX YYY ZZZ, products 010101 020202.

Bilateral flows (USD)            010101   020202
  AAA->XXX 60   BBB->XXX 40   |  BBB->XXX 20   CCC->XXX 20
  AAA->YYY 30   CCC->YYY 70   |  AAA->YYY 10
  BBB->ZZZ 50                 |  AAA->ZZZ 25   CCC->ZZZ 25
World exports X_ik: 010101 AAA 90 BBB 90 CCC 70; 020202 AAA 35 BBB 20 CCC 45.
ln distance: AAA-XXX 1, BBB-XXX 2, CCC-XXX 3, AAA-YYY 2, BBB-YYY 1, CCC-YYY 2,
             AAA-ZZZ 3, BBB-ZZZ 2, CCC-ZZZ 1.
WEO 2024->2025 real growth %: AAA 10, BBB 0, CCC 5, XXX 15.5, YYY 0, ZZZ 4; GDP USD bn 2024:
AAA 100, BBB 100, CCC 200, markets 100 each; population (mn) 2024->2025: XXX 10->10.5,
YYY 10->10, ZZZ 10->10.4; GDP per capita USD: ZZZ 50,000 (high income), others 5,000.
Income elasticities: chapter 01 developing 2.0 / high 0.5; chapter 02 developing 1.0 / high 1.0.
"""

from __future__ import annotations

import math

import pandas as pd

from kaigai.markets.potential import MarketFrames

K1, K2 = "010101", "020202"

TRADE = [
    ("AAA", "XXX", K1, 60), ("BBB", "XXX", K1, 40), ("AAA", "YYY", K1, 30),
    ("CCC", "YYY", K1, 70), ("BBB", "ZZZ", K1, 50), ("BBB", "XXX", K2, 20),
    ("CCC", "XXX", K2, 20), ("AAA", "YYY", K2, 10), ("AAA", "ZZZ", K2, 25),
    ("CCC", "ZZZ", K2, 25),
]  # fmt: skip
EXPORTS = {("AAA", K1): 90, ("BBB", K1): 90, ("CCC", K1): 70,
           ("AAA", K2): 35, ("BBB", K2): 20, ("CCC", K2): 45}  # fmt: skip
LN_DIST = {("AAA", "XXX"): 1, ("BBB", "XXX"): 2, ("CCC", "XXX"): 3,
           ("AAA", "YYY"): 2, ("BBB", "YYY"): 1, ("CCC", "YYY"): 2,
           ("AAA", "ZZZ"): 3, ("BBB", "ZZZ"): 2, ("CCC", "ZZZ"): 1}  # fmt: skip
GROWTH = {"AAA": 10.0, "BBB": 0.0, "CCC": 5.0, "XXX": 15.5, "YYY": 0.0, "ZZZ": 4.0}
GDP = {"AAA": 100.0, "BBB": 100.0, "CCC": 200.0, "XXX": 100.0, "YYY": 100.0, "ZZZ": 100.0}
POP = {"XXX": (10.0, 10.5), "YYY": (10.0, 10.0), "ZZZ": (10.0, 10.4)}


def frames(tariffs: pd.DataFrame | None = None) -> MarketFrames:
    trade = pd.DataFrame(TRADE, columns=["exporter", "importer", "hs6", "value_usd"])
    trade.insert(0, "year", 2024)
    imports = trade.groupby(["importer", "hs6"], as_index=False)["value_usd"].sum()
    imports = imports.rename(columns={"value_usd": "import_value_usd"})
    exports = pd.DataFrame(
        [(i, k, v) for (i, k), v in EXPORTS.items()],
        columns=["exporter", "hs6", "export_value_usd"],
    )
    geo = pd.DataFrame(
        [(i, j, math.exp(d)) for (i, j), d in LN_DIST.items()], columns=["iso_o", "iso_d", "dist"]
    )
    rows = []
    for c in GDP:
        p0, p1 = POP.get(c, (1.0, 1.0))
        pc = 50_000.0 if c == "ZZZ" else 5_000.0
        rows.append((c, 2024, 2.0, GDP[c], p0, pc))
        rows.append((c, 2025, GROWTH[c], GDP[c], p1, pc))
    weo = pd.DataFrame(
        rows,
        columns=[
            "iso3",
            "year",
            "gdp_real_growth_pct",
            "gdp_usd_bn",
            "population_mn",
            "gdp_pc_usd",
        ],
    )
    el = pd.DataFrame(
        [("01", "developing", 2.0), ("01", "high", 0.5), ("02", "developing", 1.0),
         ("02", "high", 1.0)],
        columns=["chapter", "dev_group", "elasticity"],
    )  # fmt: skip
    return MarketFrames(trade, imports, exports, weo, geo, elasticities=el, tariffs=tariffs)
