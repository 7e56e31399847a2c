"""Load the HS nomenclature frames (data layer) and build a :class:`Nomenclature` from them."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from kaigai.core.errors import DatasetMissingError
from kaigai.data import store
from kaigai.hs.nomenclature import Nomenclature

if TYPE_CHECKING:
    from kaigai.core.config import Settings


def load_hs2022(settings: Settings) -> pd.DataFrame:
    """``hs_nomenclature`` without the TOTAL row (columns section, hscode, description, parent, level)."""
    return store.load("hs_nomenclature", settings, where_sql="hscode <> 'TOTAL'")


def load_hs2017(settings: Settings) -> pd.DataFrame:
    """``hs17_products`` with ``hs6`` as a zero-padded 6-character string."""
    df = store.load("hs17_products", settings)
    df["hs6"] = df["hs6"].astype(str).str.zfill(6)
    return df


def load_nomenclature(settings: Settings) -> Nomenclature:
    """HS 2022 + HS 2017 (+ sections when available) as a :class:`Nomenclature`."""
    try:
        sections: pd.DataFrame | None = store.load("hs_sections", settings)
    except DatasetMissingError:
        sections = None
    return Nomenclature.from_frames(load_hs2022(settings), load_hs2017(settings), sections)


__all__ = ["load_hs2017", "load_hs2022", "load_nomenclature"]
