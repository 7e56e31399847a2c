"""Data layer of the market finder: load frames via kaigai.data.store, run the pipeline on a
backend (:mod:`kaigai.data.backends`: DuckDB or PySpark), prepare and read stored runs.

The engine (:mod:`kaigai.markets`) only builds Ibis expressions; connecting, uploading and
executing happen here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from kaigai.core.errors import DatasetMissingError
from kaigai.core.provenance import Provenance
from kaigai.data import store
from kaigai.markets.potential import MarketFrames, PotentialResult
from kaigai.markets.types import EPIParams

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from kaigai.core.config import Settings
    from kaigai.data.backends import Backend

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


def run_pipeline(
    backend: Backend, frames: MarketFrames, params: EPIParams
) -> tuple[dict[str, ir.Table], pd.DataFrame]:
    """Upload the pipeline's inputs to ``backend`` and build every stage (cached where useful).

    Returns the stages (Ibis tables on ``backend``) and the code table that decodes their
    integer keys (:mod:`kaigai.markets.codes`).
    """
    from kaigai.markets import pipeline
    from kaigai.markets.codes import encode
    from kaigai.markets.potential import prepare_inputs

    enc, codes = encode(prepare_inputs(frames, params))
    tables = {name: backend.register(f"mk_{name}", df) for name, df in enc.items()}
    inputs = pipeline.PipelineInputs(**tables)
    return pipeline.build(inputs, params, stage=backend.cache), codes


def compute_potential(
    frames: MarketFrames,
    params: EPIParams | None = None,
    *,
    engine: str | Backend = "duckdb",
    keep_stages: bool = False,
    exporter: str | None = None,
    hs6: list[str] | None = None,
) -> PotentialResult:
    """Run the full pipeline on ``engine`` (a name, or an open :class:`Backend` left open) and
    return EPI, untapped potential and coverage.

    ``exporter``/``hs6`` only filter the returned rows; the ease factor always uses all
    products, so the whole pipeline runs.

    Examples
    --------
    >>> res = compute_potential(frames, EPIParams(), engine="duckdb")  # doctest: +SKIP
    >>> res.potential.groupby(["importer", "hs6"]).epi.sum()           # == proj_imports
    """
    from kaigai.data.backends import connect
    from kaigai.markets.codes import decode
    from kaigai.markets.potential import notes_for, select_rows, sorted_rows

    params = params or EPIParams()
    backend = connect(engine) if isinstance(engine, str) else engine
    try:
        stages, codes = run_pipeline(backend, frames, params)
        pot = select_rows(stages["potential"], codes, exporter, hs6)
        pot_df = sorted_rows(decode(backend.execute(pot), codes))
        mk_df = decode(backend.execute(stages["markets"]), codes)
        mk_df = mk_df.sort_values("importer").reset_index(drop=True)
        kept: dict[str, pd.DataFrame] = {}
        if keep_stages:
            for name in ("supply", "demand", "grid", "ease"):
                kept[name] = sorted_rows(decode(backend.execute(stages[name]), codes))
    finally:
        if isinstance(engine, str):
            backend.close()
    return PotentialResult(
        potential=pot_df,
        markets=mk_df,
        params=params,
        notes=notes_for(frames, params),
        provenance=frames.provenance,
        stages=kept,
    )


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
    from kaigai.data.backends import connect
    from kaigai.data.state import atomic_folder
    from kaigai.markets.codes import decode
    from kaigai.markets.potential import notes_for

    params = params or EPIParams()
    frames = load_frames(settings)
    final = _prepared_path(settings, params)
    # one folder name per variant and year: a run on changed data replaces the stale one
    with atomic_folder(final, replace=True) as path, connect(settings.engine) as backend:
        stages, codes = run_pipeline(backend, frames, params)
        codes.to_parquet(path / "codes.parquet", index=False)
        backend.write_parquet(stages["core"], path / "core", partition_by="exporter")
        for name in ("supply", "market_side", "pair_side", "markets"):
            df = backend.execute(stages[name])
            (decode(df, codes) if name == "markets" else df).to_parquet(
                path / f"{name}.parquet", index=False
            )
        meta = {
            "notes": list(notes_for(frames, params)),
            "provenance": [p.to_dict() for p in frames.provenance],
            "fingerprint": _fingerprint(settings),
            "engine": settings.engine,
            "layout": PREPARED_LAYOUT,
        }
        (path / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    return final


def _current_meta(settings: Settings, params: EPIParams) -> dict[str, Any] | None:
    """meta.json of the prepared run of ``params`` if it matches the current data, else None."""
    meta_file = _prepared_path(settings, params) / "meta.json"
    if not meta_file.is_file():
        return None
    meta: dict[str, Any] = json.loads(meta_file.read_text(encoding="utf-8"))
    if meta.get("fingerprint") != _fingerprint(settings) or meta.get("layout") != PREPARED_LAYOUT:
        return None
    return meta


def is_prepared(settings: Settings, params: EPIParams) -> bool:
    """Whether a prepared run of ``params`` exists for the current trade data."""
    return _current_meta(settings, params) is not None


def read_prepared(
    settings: Settings, params: EPIParams, exporter: str, hs6: list[str]
) -> PotentialResult | None:
    """Rows of a prepared run for one exporter and products, or None if not prepared."""
    from kaigai.markets import pipeline
    from kaigai.markets.codes import code_id, decode

    path = _prepared_path(settings, params)
    meta = _current_meta(settings, params)
    if meta is None:
        return None
    mk = pd.read_parquet(path / "markets.parquet")
    codes = pd.read_parquet(path / "codes.parquet")
    eid, hs = code_id(codes, exporter), [int(h) for h in hs6]
    part = path / "core" / f"exporter={eid}"
    files = sorted(str(p) for p in part.glob("*.parquet")) if part.is_dir() else []
    if not files or not hs:
        pot = pd.DataFrame(columns=pipeline.OUTPUT_COLUMNS)
    else:
        pot = _read_rows(path, files, eid, hs)
        pot = decode(pot, codes).sort_values(["importer", "hs6"]).reset_index(drop=True)
    prov = tuple(Provenance(**p) for p in meta["provenance"])
    return PotentialResult(pot, mk, params, tuple(meta["notes"]), prov)


# identifiers only (pipeline.OUTPUT_COLUMNS, fixed here); every value is a bound parameter
_PREPARED_SQL = """
    WITH core AS (SELECT * FROM read_parquet($core) WHERE list_contains($hs, hs6)),
    sup AS (SELECT * EXCLUDE (exporter) FROM read_parquet($supply)
            WHERE exporter = $eid AND list_contains($hs, hs6)),
    ms AS (SELECT * FROM read_parquet($market_side) WHERE list_contains($hs, hs6)),
    ps AS (SELECT * EXCLUDE (exporter) FROM read_parquet($pair_side) WHERE exporter = $eid)
    SELECT {cols} FROM core JOIN sup USING (hs6) JOIN ms USING (importer, hs6)
    JOIN ps USING (importer)"""


def _read_rows(path: Path, files: list[str], eid: int, hs: list[int]) -> pd.DataFrame:
    """The prepared potential rows of exporter id ``eid`` and HS6 codes ``hs`` (bound SQL)."""
    import duckdb

    from kaigai.markets import pipeline

    cols = ", ".join(
        "CAST($eid AS INTEGER) AS exporter" if c == "exporter" else f'"{c}"'
        for c in pipeline.OUTPUT_COLUMNS
    )
    params = {
        "core": files,
        "supply": str(path / "supply.parquet"),
        "market_side": str(path / "market_side.parquet"),
        "pair_side": str(path / "pair_side.parquet"),
        "eid": int(eid),
        "hs": [int(h) for h in hs],
    }
    con = duckdb.connect(config={"threads": 2})
    try:
        return con.execute(_PREPARED_SQL.format(cols=cols), params).df()
    finally:
        con.close()


def potential_for(
    settings: Settings, params: EPIParams, exporter: str, hs6: list[str]
) -> PotentialResult:
    """Potential rows for one exporter and products from the prepared output.

    The first call (or a call after the data changed) runs :func:`prepare`, which computes
    every exporter x market x product once; later calls only read and filter.
    """
    got = read_prepared(settings, params, exporter, hs6)
    if got is None:
        from kaigai.core.progress import report

        report("Preparing the market finder's export potentials (first use after a data change)…")
        prepare(settings, params)
        got = read_prepared(settings, params, exporter, hs6)
    assert got is not None
    return got


__all__ = [
    "ABSENT_FALLBACK",
    "RISK_SETS",
    "absent_importers",
    "TRADE_SETS",
    "compute_potential",
    "is_prepared",
    "dataset_provenance",
    "load_frames",
    "load_risk_frames",
    "potential_for",
    "prepare",
    "prepared_dir",
    "read_prepared",
    "risk_sources",
    "run_pipeline",
]
