"""Fixtures for the origin tests: rule books built once from the bundled starter pack."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd
import pytest

from kaigai.data.store import starter_path
from kaigai.origin.provisions import Agreement, load_agreements
from kaigai.origin.store import RuleBook, build_rulebook


@dataclass(frozen=True)
class Rules:
    agreements: dict[str, Agreement]
    books: dict[str, RuleBook]
    hs22: frozenset[str]
    hs17: frozenset[str]


def _read(name: str) -> pd.DataFrame:
    p = starter_path(name)
    assert p is not None, name
    return pd.read_parquet(p)


@pytest.fixture(scope="session")
def rules() -> Rules:
    ags = load_agreements()
    uk, rcep = _read("uk_psr"), _read("rcep_psr")
    books = {
        "CPTPP": build_rulebook(ags["CPTPP"], uk, "uk_psr"),
        "UK-JP": build_rulebook(ags["UK-JP"], uk, "uk_psr"),
        "RCEP": build_rulebook(ags["RCEP"], rcep, "rcep_psr"),
    }
    eujp = build_rulebook(ags["EU-JP"], _read("eujp_psr"), "eujp_psr")
    books["EU-JP"] = replace(eujp, fallback=books["UK-JP"])
    books["JP-VN"] = build_rulebook(ags["JP-VN"], _read("vjepa_psr"), "vjepa_psr")
    nom = _read("hs_nomenclature")
    hs22 = frozenset(nom.loc[nom["level"] == 6, "hscode"].astype(str))
    hs17 = frozenset(_read("hs17_products")["hs6"].astype(str).str.zfill(6))
    return Rules(ags, books, hs22, hs17)
