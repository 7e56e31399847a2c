"""Data layer of the market finder: load frames via kaigai.data.store, prepare/read a catalog.

This is the only module of ``kaigai.markets`` that does I/O.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from kaigai.core.errors import DatasetMissingError
from kaigai.core.provenance import Provenance
from kaigai.data import store
from kaigai.markets.potential import MarketFrames, PotentialResult
from kaigai.markets.types import EPIParams

if TYPE_CHECKING:
    from kaigai.core.config import Settings

TRADE_SETS = ("trade_hs6", "imports_by_importer", "exports_by_exporter", "weo", "geodist_dist")
RISK_SETS = ("lpi", "wgi", "doing_business", "ilo_earnings", "cpi")
STARTER_NOTE = (
    "Starter-pack subset (22 countries as importers, HS chapters 21 22 33 61 62 84 85 90): "
    "ease of trade is computed over these chapters only; import the full data for all products."
)


def dataset_provenance(names: tuple[str, ...], settings: Settings) -> tuple[Provenance, ...]:
    return tuple(store.provenance(n, settings) for n in names)


def load_frames(settings: Settings) -> MarketFrames:
    """Load the frames the potential pipeline needs (catalog first, else the starter pack)."""
    trade = store.load("trade_hs6", settings, columns=["exporter", "importer", "hs6", "value_usd"])
    imports = store.load(
        "imports_by_importer", settings, columns=["importer", "hs6", "import_value_usd"]
    )
    exports = store.load(
        "exports_by_exporter", settings, columns=["exporter", "hs6", "export_value_usd"]
    )
    weo = store.load("weo", settings)
    geodist = store.load("geodist_dist", settings, columns=["iso_o", "iso_d", "dist"])
    starter = store.location("trade_hs6", settings) == "starter"
    return MarketFrames(
        trade=trade,
        imports=imports,
        exports=exports,
        weo=weo,
        geodist=geodist,
        provenance=dataset_provenance(TRADE_SETS, settings),
        scope_note=STARTER_NOTE if starter else "",
    )


ABSENT_FALLBACK = ("USA", "DEU", "FRA", "GBR", "NLD", "ESP")  # markets/README.md


def absent_importers(settings: Settings, present: set[str]) -> dict[str, str]:
    """Importers the trade source lacks -> why ("no import data", never zero demand).

    From ``importer_index`` (trade_hs6_2024_importer_index.csv: ``in_trade_files`` False) when
    imported, else the six importers named in markets/README.md. An importer that the loaded
    trade data does hold (e.g. after a BACI import) is not absent.
    """
    try:
        idx = store.load("importer_index", settings)
    except DatasetMissingError:
        return {
            c: "no import data: absent as importer in the 2024 trade source (markets/README.md)"
            for c in ABSENT_FALLBACK
            if c not in present
        }
    out: dict[str, str] = {}
    for r in idx.to_dict(orient="records"):
        iso = str(r["importer"])
        if str(r["in_trade_files"]).lower() in ("true", "1") or iso in present:
            continue
        rows = r.get("upstream_rows")
        extra = (
            f" ({int(rows):,} rows upstream)"
            if isinstance(rows, int | float) and rows == rows
            else ""
        )
        out[iso] = (
            f"no import data: its importer file {r.get('upstream_file', '')}{extra} is not in the "
            "2024 trade files (importer_index); not zero demand. `kaigai data pull baci` fills it"
        )
    return out


def load_risk_frames(settings: Settings) -> dict[str, pd.DataFrame]:
    """Indicator frames for the risk index; a missing dataset is simply absent (flagged later)."""
    out: dict[str, pd.DataFrame] = {}
    for name in RISK_SETS:
        try:
            out[name] = store.load(name, settings)
        except DatasetMissingError:
            continue
    return out


def risk_sources() -> dict[str, tuple[str, str]]:
    """(edition, source) of every registered dataset, for the risk index's provenance."""
    from kaigai.data.registry import DATASETS

    return {name: (spec.edition, spec.source) for name, spec in DATASETS.items()}


def prepared_dir(settings: Settings) -> Path:
    return Path(settings.data_dir) / "markets"


def _prepared_path(settings: Settings, params: EPIParams) -> Path:
    return prepared_dir(settings) / f"{params.variant}_{params.base_year}"


def _fingerprint(settings: Settings) -> str:
    """Which copy of the trade data a prepared run came from (to detect stale output)."""
    where = store.location("trade_hs6", settings)
    if where == "catalog":
        return f"catalog:{settings.catalog_path.stat().st_mtime_ns}"
    return where


# Bump when the prepared layout changes: older folders are then recomputed, never half-read.
PREPARED_LAYOUT = 2


def prepare(settings: Settings, params: EPIParams | None = None) -> Path:
    """Run the full pipeline once and store it for fast per-query reads.

    Layout under ``<data_dir>/markets/<variant>_<year>/``: ``core/exporter=XXX/*.parquet``
    (the narrow exporter x market x HS6 table, partitioned by exporter), ``supply.parquet``,
    ``market_side.parquet``, ``pair_side.parquet``, ``markets.parquet`` and ``meta.json``.
    The folder is written under a temporary name and renamed into place when complete, so an
    interrupted run never leaves a folder that looks prepared.
    """
    import os
    import shutil

    from kaigai.markets import pipeline
    from kaigai.markets.backends import connect
    from kaigai.markets.codes import decode, encode
    from kaigai.markets.potential import notes_for, prepare_inputs, register_inputs

    params = params or EPIParams()
    frames = load_frames(settings)
    final = _prepared_path(settings, params)
    path = final.with_name(f"{final.name}.tmp-{os.getpid()}")
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    eng = connect(settings.engine)
    try:
        enc, codes = encode(prepare_inputs(frames, params))
        stages = pipeline.build(register_inputs(eng, enc), params, stage=eng.cache)
        codes.to_parquet(path / "codes.parquet", index=False)
        core = str(path / "core")
        if eng.name == "duckdb":
            eng.con.to_parquet(stages["core"], core, partition_by="exporter")
        else:
            eng.con.to_parquet(stages["core"], core, partitionBy="exporter")
        for name in ("supply", "market_side", "pair_side", "markets"):
            df = eng.execute(stages[name])
            (decode(df, codes) if name == "markets" else df).to_parquet(
                path / f"{name}.parquet", index=False
            )
    finally:
        eng.close()
    meta = {
        "notes": list(notes_for(frames, params)),
        "provenance": [p.to_dict() for p in frames.provenance],
        "fingerprint": _fingerprint(settings),
        "engine": settings.engine,
        "layout": PREPARED_LAYOUT,
    }
    (path / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    if final.exists():
        shutil.rmtree(final)
    path.rename(final)
    return final


def read_prepared(
    settings: Settings, params: EPIParams, exporter: str, hs6: list[str]
) -> PotentialResult | None:
    """Rows of a prepared run for one exporter and products, or None if not prepared."""
    import duckdb

    from kaigai.markets import pipeline
    from kaigai.markets.codes import code_id, decode

    path = _prepared_path(settings, params)
    meta_file = path / "meta.json"
    if not meta_file.is_file():
        return None
    meta = json.loads(meta_file.read_text(encoding="utf-8"))
    if meta.get("fingerprint") != _fingerprint(settings) or meta.get("layout") != PREPARED_LAYOUT:
        return None
    mk = pd.read_parquet(path / "markets.parquet")
    codes = pd.read_parquet(path / "codes.parquet")
    eid, hs = code_id(codes, exporter), [int(h) for h in hs6]
    part = path / "core" / f"exporter={eid}"
    files = sorted(str(p) for p in part.glob("*.parquet")) if part.is_dir() else []
    if not files or not hs:
        pot = pd.DataFrame(columns=pipeline.OUTPUT_COLUMNS)
    else:
        cols = ", ".join(
            f"CAST({eid} AS INTEGER) AS exporter" if c == "exporter" else c
            for c in pipeline.OUTPUT_COLUMNS
        )
        hs_list = ", ".join(str(h) for h in hs)
        sql = f"""
            WITH core AS (SELECT * FROM read_parquet(?) WHERE hs6 IN ({hs_list})),
            sup AS (SELECT * EXCLUDE (exporter) FROM read_parquet(?)
                    WHERE exporter = {eid} AND hs6 IN ({hs_list})),
            ms AS (SELECT * FROM read_parquet(?) WHERE hs6 IN ({hs_list})),
            ps AS (SELECT * EXCLUDE (exporter) FROM read_parquet(?) WHERE exporter = {eid})
            SELECT {cols} FROM core JOIN sup USING (hs6) JOIN ms USING (importer, hs6)
            JOIN ps USING (importer)"""
        con = duckdb.connect(config={"threads": 2})
        try:
            pot = con.execute(
                sql,
                [
                    files,
                    str(path / "supply.parquet"),
                    str(path / "market_side.parquet"),
                    str(path / "pair_side.parquet"),
                ],
            ).df()
        finally:
            con.close()
        pot = decode(pot, codes).sort_values(["importer", "hs6"]).reset_index(drop=True)
    prov = tuple(Provenance(**p) for p in meta["provenance"])
    return PotentialResult(pot, mk, params, tuple(meta["notes"]), prov)


def potential_for(
    settings: Settings, params: EPIParams, exporter: str, hs6: list[str]
) -> PotentialResult:
    """Potential rows for one exporter and products from the prepared output.

    The first call (or a call after the data changed) runs :func:`prepare`, which computes
    every exporter x market x product once; later calls only read and filter.
    """
    got = read_prepared(settings, params, exporter, hs6)
    if got is None:
        prepare(settings, params)
        got = read_prepared(settings, params, exporter, hs6)
    assert got is not None
    return got


__all__ = [
    "ABSENT_FALLBACK",
    "RISK_SETS",
    "absent_importers",
    "TRADE_SETS",
    "dataset_provenance",
    "load_frames",
    "load_risk_frames",
    "potential_for",
    "prepare",
    "prepared_dir",
    "read_prepared",
    "risk_sources",
]
