"""Load the HS nomenclature frames (data layer) and build a :class:`Nomenclature` from them.

The nomenclature a lookup uses is *prepared*: built once per catalog state from the frames
(pandas, DuckDB) and stored as JSON under ``<cache_dir>/hs/nomenclature-<key>.json``, where the
key hashes the four datasets' checksums and this module's code (:mod:`kaigai.data.state`). Later
processes read that file with the standard library only. Written atomically (temporary file and
rename); an unwritable cache folder only costs the rebuild.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from kaigai.core.errors import DatasetMissingError
from kaigai.core.progress import report
from kaigai.data import store
from kaigai.data.state import code_token, drop_older, fingerprint, stamp, write_atomic
from kaigai.hs.nomenclature import Nomenclature

if TYPE_CHECKING:
    import pandas as pd

    from kaigai.core.config import Settings
    from kaigai.hs.concordance import Concordance

#: datasets the prepared nomenclature is built from
NOMENCLATURE_DATASETS = ("hs_nomenclature", "hs17_products", "hs_sections", "jp_tariff")
LAYOUT = 1


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
    import pandas as pd

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


_CACHE: dict[tuple[str, tuple[int, ...], bool, str], Prepared] = {}
_LOCK = threading.Lock()


class Prepared:
    """The prepared nomenclature and the HS subheading sets the origin engine validates with."""

    def __init__(self, nom: Nomenclature, hs22_subheadings: frozenset[str]) -> None:
        self.nomenclature = nom
        self.hs22_subheadings = hs22_subheadings


def prepared(settings: Settings) -> Prepared:
    """The prepared nomenclature of this catalog state (built and stored on first use).

    Cached per process for the same catalog file state and ``use_starter``; an import into the
    catalog changes the key.
    """
    cat = Path(settings.catalog_path)
    key = (str(cat), stamp(cat), settings.use_starter, str(settings.cache_dir))
    with _LOCK:
        hit = _CACHE.get(key)
    if hit is None:
        hit = _prepared(settings)
        with _LOCK:
            if len(_CACHE) > 4:
                _CACHE.clear()
            _CACHE[key] = hit
    return hit


def load_nomenclature(settings: Settings) -> Nomenclature:
    """HS 2022 + HS 2017 (+ sections and Japanese descriptions when available)."""
    return prepared(settings).nomenclature


def _to_json(p: Prepared) -> str:
    n = p.nomenclature
    return json.dumps(
        {
            "layout": LAYOUT,
            "hs22": n.hs22,
            "hs17": n.hs17,
            "sections": n.sections,
            "ja": n.ja,
            "hs22_subheadings": sorted(p.hs22_subheadings),
        },
        ensure_ascii=False,
    )


def _from_json(text: str) -> Prepared:
    d = json.loads(text)
    if d.get("layout") != LAYOUT:
        raise ValueError("layout")
    hs22 = {str(k): (int(v[0]), str(v[1]), str(v[2])) for k, v in d["hs22"].items()}
    nom = Nomenclature(hs22, d["hs17"], d["sections"], d["ja"])
    return Prepared(nom, frozenset(d["hs22_subheadings"]))


def _prepared(settings: Settings) -> Prepared:
    folder = Path(settings.cache_dir) / "hs"
    code = code_token(__file__, Path(__file__).parents[1] / "hs" / "nomenclature.py")
    key = fingerprint(settings, NOMENCLATURE_DATASETS, f"layout={LAYOUT}", code)
    path = folder / f"nomenclature-{key}.json"
    try:
        return _from_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        pass
    report("Preparing the HS nomenclature index (first use after a data change)…")
    p = Prepared(_load_nomenclature(settings), _hs22_subheadings(settings))
    if write_atomic(path, _to_json(p)):
        drop_older(path, "nomenclature-*.json")
    return p


_SETS: dict[str, tuple[frozenset[str], frozenset[str]]] = {}


def code_sets(settings: Settings) -> tuple[frozenset[str], frozenset[str]]:
    """(HS 2022 subheadings, HS 2017 subheadings) of this catalog state.

    Read from a small prepared file beside the nomenclature (``hs/codes-<key>.json``, same key):
    a rule lookup or a BOM check does not read the descriptions.
    """
    folder = Path(settings.cache_dir) / "hs"
    code = code_token(__file__, Path(__file__).parents[1] / "hs" / "nomenclature.py")
    key = fingerprint(settings, NOMENCLATURE_DATASETS, f"layout={LAYOUT}", code)
    with _LOCK:
        hit = _SETS.get(key)
    if hit is not None:
        return hit
    path = folder / f"codes-{key}.json"
    try:
        d = json.loads(path.read_text(encoding="utf-8"))
        if d["key"] != key:
            raise ValueError("key")
        hit = (frozenset(d["hs22"]), frozenset(d["hs17"]))
    except (OSError, ValueError, KeyError, TypeError):
        p = prepared(settings)
        hit = (p.hs22_subheadings, frozenset(p.nomenclature.hs17))
        doc = {"key": key, "hs22": sorted(hit[0]), "hs17": sorted(hit[1])}
        if write_atomic(path, json.dumps(doc)):
            drop_older(path, "codes-*.json")
    with _LOCK:
        if len(_SETS) > 4:
            _SETS.clear()
        _SETS[key] = hit
    return hit


def _hs22_subheadings(settings: Settings) -> frozenset[str]:
    """HS 2022 subheadings a BOM line or product may carry.

    Comtrade's reporting code 999999 ("commodities not specified", section TOTAL) and chapters
    98/99 (reserved for national use) are not HS subheadings.
    """
    nom = store.load("hs_nomenclature", settings, columns=["hscode", "level"])
    return frozenset(
        str(c)
        for c, lv in zip(nom["hscode"], nom["level"], strict=True)
        if str(lv) == "6" and str(c).isdigit() and str(c)[:2] not in ("98", "99")
    )


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
    from kaigai.hs.concordance import Concordance

    nom = nom or load_nomenclature(settings)
    try:
        official: pd.DataFrame | None = store.load("hs_correlation_22_17", settings)
    except DatasetMissingError:
        official = None
    return Concordance.from_frames(nom, official)


__all__ = [
    "code_sets",
    "load_hs2017",
    "load_hs2022",
    "load_concordance",
    "load_ja_descriptions",
    "load_nomenclature",
    "prepared",
]
