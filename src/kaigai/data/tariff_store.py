"""The prepared tariff index: one SQLite file per catalog state, read one product at a time.

Building the whole tariff index from the schedule tables takes seconds (pandas, DuckDB, every
rate text parsed); a duty question needs a few national lines of one destination. The index is
built once per *catalog state* (:func:`prepare`, run at the end of ``kaigai data import`` and on
first use after a data change) and written to ``<cache_dir>/tariffs/index-<key>.sqlite``, where
``key`` hashes the schedule datasets' sha256 (catalog or starter manifest), the user-imported
schedule files and the duty engine's code (:mod:`kaigai.data.state`). Tables:

* ``meta(name, body)``: the agreements and the importers with schedule data;
* ``schedules(importer, pos, lines_id, body)``: each schedule without its lines (EU members
  share one ``lines_id``: the CET is stored once);
* ``lines(lines_id, hs6, body)``: the national lines of one HS6 and the codes that point to them;
* ``staging(importer, hs6, body)``: inferred staging and observed steps of those lines.

:func:`read_index` reads only the rows of the asked HS6 codes and destinations, with
parameterised queries, and gives a :class:`TariffIndex` whose answers for them equal the whole
index's (tests/data/test_tariff_store.py). Bodies are JSON of :mod:`kaigai.tariffs.codec`
(never pickle). The file is written under a temporary name and renamed into place: readers see
a whole file or none, and two processes preparing at once both leave a complete file.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from contextlib import closing
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kaigai.core.errors import DataError
from kaigai.core.progress import report
from kaigai.data.state import code_token, drop_older, fingerprint, folder_token
from kaigai.hs.codes import digits
from kaigai.tariffs import codec
from kaigai.tariffs.index import TariffIndex

if TYPE_CHECKING:
    from kaigai.core.config import Settings
    from kaigai.tariffs.schedule import Schedule, TariffLine

LAYOUT = 1
#: schedules of other destinations (tariffs_world/)
WORLD_DATASETS = (
    "us_hts_lines", "us_hts_rows", "au_tariff_lines", "au_fta_schedules", "uk_eu_tariff",
)  # fmt: skip
#: catalog datasets the index is built from (:func:`kaigai.data.tariffs.build_index` reads
#: them; defined here so that the key of the prepared index needs no pandas)
STORE_DATASETS = (
    "jp_tariff", "vn_tariff", "jp_cptpp_base_final", "jp_tariff_snapshots", *WORLD_DATASETS,
)  # fmt: skip
_SCHEMA = """
CREATE TABLE meta (name TEXT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE schedules (importer TEXT, pos INTEGER, lines_id INTEGER, body TEXT NOT NULL,
                        PRIMARY KEY (importer, pos));
CREATE TABLE lines (lines_id INTEGER, hs6 TEXT, body TEXT NOT NULL, PRIMARY KEY (lines_id, hs6));
CREATE TABLE staging (importer TEXT, hs6 TEXT, body TEXT NOT NULL, PRIMARY KEY (importer, hs6));
"""


@lru_cache(maxsize=1)
def _code_key() -> str:
    """Hash of the code that builds the index (read once per process: code does not change
    under a running process, so a question does not re-read 29 files)."""
    here = Path(__file__).resolve()
    tariffs = here.parents[1] / "tariffs"
    files = sorted([*tariffs.glob("*.py"), *(tariffs / "data").glob("*")])
    return code_token(here, here.with_name("tariffs.py"), *files)


def store_path(settings: Settings) -> Path:
    """Where the prepared index of this catalog state lives (whether or not it exists yet)."""
    user = folder_token(Path(settings.data_dir) / "tariff_schedules")
    key = fingerprint(settings, STORE_DATASETS, f"layout={LAYOUT}",
                      _code_key(), f"user={user}")  # fmt: skip
    return Path(settings.cache_dir) / "tariffs" / f"index-{key}.sqlite"


# --------------------------------------------------------------------------- writing
def _buckets(s: Schedule) -> dict[str, dict[str, Any]]:
    """hs6 -> {"lines": the lines of that HS6, "codes": code -> index into them (or the line)}."""
    out: dict[str, dict[str, Any]] = {b: {"lines": v, "codes": {}} for b, v in s.lines.items()}
    for k, ln in s.by_code.items():
        b = out.setdefault(k[:6], {"lines": (), "codes": {}})
        pos = next((i for i, x in enumerate(b["lines"]) if x is ln), None)
        b["codes"][k] = ln if pos is None else pos
    return out


def _line_hs6(national_line: str) -> str:
    return digits(national_line)[:6]


def write_store(index: TariffIndex, path: Path) -> None:
    """Write ``index`` to ``path`` (a temporary file renamed into place)."""
    enc = codec.Encoder()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}-{threading.get_ident()}")
    tmp.unlink(missing_ok=True)
    try:
        with closing(sqlite3.connect(tmp)) as con:
            con.executescript(_SCHEMA)
            con.execute(
                "INSERT INTO meta VALUES (?, ?)", ("agreements", codec.dumps(index.agreements, enc))
            )
            con.execute(
                "INSERT INTO meta VALUES (?, ?)",
                ("importers", codec.dumps(tuple(index.importers()), enc)),
            )
            ids: dict[tuple[int, int], int] = {}
            for imp, scheds in index.schedules.items():
                for pos, s in enumerate(scheds):
                    ident = (id(s.lines), id(s.by_code))
                    new = ident not in ids
                    lid = ids.setdefault(ident, len(ids))
                    body = codec.dumps(replace(s, lines={}, by_code={}), enc)
                    con.execute("INSERT INTO schedules VALUES (?, ?, ?, ?)", (imp, pos, lid, body))
                    if new:
                        con.executemany(
                            "INSERT INTO lines VALUES (?, ?, ?)",
                            ((lid, b, codec.dumps(v, enc)) for b, v in _buckets(s).items()),
                        )
            extra: dict[tuple[str, str], dict[str, list[Any]]] = {}
            for (imp, ag, nl), info in index.staging.items():
                e = extra.setdefault((imp, _line_hs6(nl)), {"staging": [], "observed": []})
                e["staging"].append([ag, nl, info])
            for (imp, col, nl), step in index.observed.items():
                e = extra.setdefault((imp, _line_hs6(nl)), {"staging": [], "observed": []})
                e["observed"].append([col, nl, step])
            con.executemany(
                "INSERT INTO staging VALUES (?, ?, ?)",
                ((imp, b, codec.dumps(v, enc)) for (imp, b), v in extra.items()),
            )
            con.commit()
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


# --------------------------------------------------------------------------- reading
def _placeholders(n: int) -> str:
    return ",".join("?" * n)


def read_index(path: Path, hs6s: Iterable[str], destinations: Iterable[str]) -> TariffIndex:
    """The lines of ``hs6s`` (six-digit prefixes) into ``destinations`` from a prepared file.

    Raises ``sqlite3.Error``/``OSError``/``ValueError`` when the file is missing or unreadable.
    """
    hs = sorted({h[:6] for h in hs6s})
    dests = sorted(set(destinations))
    uri = f"{path.resolve().as_uri()}?mode=ro"
    with closing(sqlite3.connect(uri, uri=True)) as con:
        meta = dict(con.execute("SELECT name, body FROM meta").fetchall())
        rows = con.execute(
            f"SELECT importer, lines_id, body FROM schedules WHERE importer IN ({_placeholders(len(dests))}) "
            "ORDER BY importer, pos",
            dests,
        ).fetchall()
        lids = sorted({r[1] for r in rows})
        buckets: dict[int, list[tuple[str, Any]]] = {}
        if lids and hs:
            for lid, b, body in con.execute(
                f"SELECT lines_id, hs6, body FROM lines WHERE lines_id IN ({_placeholders(len(lids))}) "
                f"AND hs6 IN ({_placeholders(len(hs))}) ORDER BY lines_id, hs6",
                [*lids, *hs],
            ):
                buckets.setdefault(lid, []).append((b, codec.loads(body)))
        extra = con.execute(
            f"SELECT importer, body FROM staging WHERE importer IN ({_placeholders(len(dests))}) "
            f"AND hs6 IN ({_placeholders(len(hs))}) ORDER BY importer, hs6",
            [*dests, *hs],
        ).fetchall() if hs else []  # fmt: skip
    lines_of = {lid: _lines(parts) for lid, parts in buckets.items()}
    schedules: dict[str, list[Schedule]] = {}
    for imp, lid, body in rows:
        lines, by_code = lines_of.get(lid, ({}, {}))
        schedules.setdefault(imp, []).append(
            replace(codec.loads(body), lines=lines, by_code=by_code)
        )
    staging, observed = {}, {}
    for imp, body in extra:
        e = codec.loads(body)
        staging.update({(imp, ag, nl): info for ag, nl, info in e["staging"]})
        observed.update({(imp, col, nl): st for col, nl, st in e["observed"]})
    return TariffIndex(
        {k: tuple(v) for k, v in schedules.items()},
        codec.loads(meta["agreements"]),
        staging,
        observed,
        listed=codec.loads(meta["importers"]),
    )


def _lines(
    parts: Sequence[tuple[str, Any]],
) -> tuple[dict[str, tuple[TariffLine, ...]], dict[str, TariffLine]]:
    lines: dict[str, tuple[TariffLine, ...]] = {}
    by_code: dict[str, TariffLine] = {}
    for b, v in parts:
        got = v["lines"]
        if got:
            lines[b] = got
        for k, ref in v["codes"].items():
            by_code[k] = got[ref] if isinstance(ref, int) else ref
    return lines, by_code


# --------------------------------------------------------------------------- preparing
def _publish(index: TariffIndex, path: Path) -> bool:
    """Write ``index`` at ``path`` and remove older files of the folder; False if unwritable."""
    try:
        write_store(index, path)
    except (OSError, sqlite3.Error):
        return False
    drop_older(path, "index-*.sqlite")
    return True


def _build(settings: Settings) -> TariffIndex:
    from kaigai.data.tariffs import build_index

    report("Preparing the tariff index (first use after a data change)…")
    return build_index(settings)


def prepare(settings: Settings) -> str:
    """Build and store the index of this catalog state unless a readable one exists."""
    path = store_path(settings)
    try:
        read_index(path, (), ())
        return "up to date"
    except _UNREADABLE:
        pass
    return "ready" if _publish(_build(settings), path) else "not stored (cache folder not writable)"


_UNREADABLE = (OSError, sqlite3.Error, ValueError, KeyError, TypeError, DataError)  # a foreign file


def scoped_index(
    settings: Settings, hs6s: Sequence[str], destinations: Sequence[str]
) -> TariffIndex:
    """The rows of ``hs6s`` into ``destinations`` from the prepared index; a missing or
    unreadable file is (re)built first from the catalog (the whole index, once)."""
    path = store_path(settings)
    try:
        return read_index(path, hs6s, destinations)
    except _UNREADABLE:
        pass
    index = _build(settings)
    if not _publish(index, path):
        return index  # an unwritable cache folder only costs the rebuild next time
    return read_index(path, hs6s, destinations)


__all__ = [
    "LAYOUT",
    "STORE_DATASETS",
    "WORLD_DATASETS",
    "prepare",
    "read_index",
    "scoped_index",
    "store_path",
    "write_store",
]
