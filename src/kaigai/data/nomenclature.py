"""Load the HS nomenclature frames (data layer) and build a :class:`Nomenclature` from them."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from kaigai.core.errors import DatasetMissingError
from kaigai.data import store
from kaigai.hs.concordance import Concordance
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


def load_ja_descriptions(settings: Settings) -> pd.DataFrame:
    """Japanese descriptions (Japan Customs tariff ``jp_tariff``): columns ``code``, ``description_ja``.

    HS6: the tariff path of the first line of each ``dddd.dd`` statistical code below its heading
    ("玉軸受"; "部分品 > 玉、針状ころ及びころ"); HS4: the heading text. Only the chapters present in
    ``jp_tariff`` are covered (the starter pack: 21 22 33 61 62 84 85 90).
    """
    df = store.load(
        "jp_tariff",
        settings,
        columns=["row_order", "stat_code", "desc_path_ja"],
        where_sql="regexp_full_match(stat_code, '\\d{4}\\.\\d{2}')",
    ).sort_values("row_order")
    df = df.drop_duplicates("stat_code")
    rows: dict[str, str] = {}
    for code, path in zip(df["stat_code"], df["desc_path_ja"], strict=True):
        parts = [p.strip() for p in str(path).split(" > ")]
        hs6 = str(code).replace(".", "")
        rows.setdefault(hs6[:4], parts[0])
        rows[hs6] = " > ".join(parts[1:]) or parts[0]
    return pd.DataFrame({"code": list(rows), "description_ja": list(rows.values())})


_CACHE: dict[tuple[str, int | None, bool], Nomenclature] = {}


def load_nomenclature(settings: Settings) -> Nomenclature:
    """HS 2022 + HS 2017 (+ sections and Japanese descriptions when available).

    Cached per process for the same catalog file state (path, modification time) and
    ``use_starter``; an import into the catalog invalidates the cache.
    """
    cat = settings.catalog_path
    wal = cat.with_name(cat.name + ".wal")
    stamp = sum(p.stat().st_mtime_ns + p.stat().st_size for p in (cat, wal) if p.is_file())
    key = (str(cat), stamp if cat.is_file() else None, settings.use_starter)
    hit = _CACHE.get(key)
    if hit is None:
        if len(_CACHE) > 4:
            _CACHE.clear()
        hit = _CACHE[key] = _load_nomenclature(settings)
    return hit


def _load_nomenclature(settings: Settings) -> Nomenclature:
    try:
        sections: pd.DataFrame | None = store.load("hs_sections", settings)
    except DatasetMissingError:
        sections = None
    try:
        ja: pd.DataFrame | None = load_ja_descriptions(settings)
    except DatasetMissingError:
        ja = None
    return Nomenclature.from_frames(load_hs2022(settings), load_hs2017(settings), sections, ja)


def load_concordance(settings: Settings, nom: Nomenclature | None = None) -> Concordance:
    """HS2017<->HS2022 concordance, using the official UNSD table when it has been pulled."""
    nom = nom or load_nomenclature(settings)
    try:
        official: pd.DataFrame | None = store.load("hs_correlation_22_17", settings)
    except DatasetMissingError:
        official = None
    return Concordance.from_frames(nom, official)


__all__ = [
    "load_hs2017",
    "load_hs2022",
    "load_concordance",
    "load_ja_descriptions",
    "load_nomenclature",
]
