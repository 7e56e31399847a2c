"""``kaigai data import``: load Parquet/CSV/CSV.gz files into the DuckDB catalog.

One import (a file or a whole folder) is one transaction: every file is read, checked and
written, and only then committed. Any failure rolls everything back, so the catalog is exactly
as before, and the error names the file and what was wrong. A file whose sha256 equals the
registered one is reported ``unchanged`` and not rewritten.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import duckdb

from kaigai.core.errors import ImportFormatError, InputError
from kaigai.data.catalog import Catalog
from kaigai.data.registry import DATASETS, DOC_SUFFIXES, TEXT_COLUMNS, DatasetSpec, match_file

if TYPE_CHECKING:
    from kaigai.core.config import Settings

Action = Literal["imported", "replaced", "unchanged", "skipped"]
READABLE = (".parquet", ".csv", ".csv.gz", ".tsv", ".tsv.gz")


@dataclass(frozen=True)
class FileResult:
    """What happened to one file."""

    path: str
    action: Action
    dataset: str | None = None
    rows: int | None = None
    sha256: str | None = None
    reason: str = ""
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "action": self.action,
            "dataset": self.dataset,
            "rows": self.rows,
            "sha256": self.sha256,
            "reason": self.reason or None,
            "seconds": round(self.seconds, 3),
        }


@dataclass(frozen=True)
class Planned:
    path: Path
    spec: DatasetSpec | None
    reason: str = ""


Progress = Callable[[str, Planned, FileResult | None], None]
"""Callback ``(event, planned, result)`` with event ``"start"`` or ``"done"``."""


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def plan(
    path: Path, as_name: str | None = None, *, edition: str | None = None, source: str | None = None
) -> list[Planned]:
    """Which files under ``path`` would be imported as which dataset (``spec=None`` = skipped).

    Raises
    ------
    InputError
        when ``path`` does not exist, ``as_name`` is unknown or used with a folder.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(
            f"Nothing to import: {path} does not exist.",
            hint="Give a file or a folder, e.g. ../shared/data/markets",
        )
    if as_name is not None:
        if as_name not in DATASETS:
            raise InputError(
                f"Unknown dataset '{as_name}'.", hint="Known: " + ", ".join(sorted(DATASETS))
            )
        if path.is_dir():
            raise InputError("--as needs a single file, not a folder.")
        named = DATASETS[as_name]
        if edition or source:  # a connector's conversion records its own edition and source
            named = replace(named, edition=edition or named.edition, source=source or named.source)
        return [Planned(path, named)]
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    out: list[Planned] = []
    seen: dict[str, Path] = {}
    for f in files:
        spec = match_file(f.resolve())
        if spec is None:
            why = (
                "documentation/script"
                if f.name.lower().endswith(DOC_SUFFIXES)
                else "not a registered dataset file"
            )
            out.append(Planned(f, None, why))
        elif spec.name in seen:
            out.append(
                Planned(f, None, f"dataset {spec.name} already comes from {seen[spec.name]}")
            )
        else:
            seen[spec.name] = f
            out.append(Planned(f, spec))
    if path.is_file() and out[0].spec is None:
        raise InputError(
            f"{path.name} is not a file kaigai knows.",
            hint="Name the dataset with --as NAME (see `kaigai data status`), or import its folder.",
            path=str(path),
        )
    return out


def _reader(path: Path, con: duckdb.DuckDBPyConnection) -> tuple[str, dict[str, Any]]:
    """A DuckDB table expression reading ``path`` and its bound parameters (the path and the
    column types are values, never SQL text); CSV code columns are kept as text."""
    name = path.name.lower()
    params: dict[str, Any] = {"path": str(path)}
    if name.endswith(".parquet"):
        return "read_parquet($path)", params
    if name.endswith(READABLE):
        header = [
            r[0] for r in con.execute("DESCRIBE SELECT * FROM read_csv($path)", params).fetchall()
        ]
        text = {c: "VARCHAR" for c in header if c in TEXT_COLUMNS}
        if not text:
            return "read_csv($path)", params
        return "read_csv($path, types=$types)", {**params, "types": text}
    raise ImportFormatError(
        f"{path.name}: format not supported for import.",
        hint="kaigai imports Parquet, CSV and CSV.gz files.",
        path=str(path),
    )


# Schedule datasets: a re-import with other content keeps the previous table as a version
# (``kaigai duty changes`` compares them) instead of replacing it.
VERSIONED = frozenset(
    {"jp_tariff", "vn_tariff", "jp_tariff_snapshots", "us_hts_lines", "au_tariff_lines",
     "au_fta_schedules", "uk_eu_tariff"}
)  # fmt: skip


def _archive(cat: Catalog, name: str, prev: dict[str, Any], now: dt.datetime) -> None:
    """Copy the current table of ``name`` to ``name@<sha12>`` and record it."""
    sha = str(prev["sha256"])
    table = f"{name}@{sha[:12]}"
    if not cat.has_table(table):
        cat.con.execute(f'CREATE TABLE "{table}" AS SELECT * FROM "{name}"')
        cat.con.execute(
            "INSERT INTO _dataset_versions VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                name,
                prev.get("edition"),
                sha,
                prev.get("row_count"),
                prev.get("imported_at"),
                now,
                table,
            ],
        )


def _load_one(
    cat: Catalog,
    item: Planned,
    digest: str,
    now: dt.datetime,
    prev: dict[str, Any] | None = None,
) -> tuple[int, bool]:
    """Create/replace the dataset table from the file inside the open transaction."""
    spec = item.spec
    assert spec is not None
    con = cat.con
    try:
        src, src_params = _reader(item.path, con)
        cols = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {src}", src_params).fetchall()]
    except duckdb.Error as exc:
        raise ImportFormatError(
            f"{item.path.name}: cannot be read as {spec.name} ({_first_line(exc)}).",
            hint="The file may be truncated or corrupt; download it again (kaigai data pull) and retry.",
            path=str(item.path),
            dataset=spec.name,
        ) from exc
    missing = [c for c in spec.required_columns if c not in cols]
    if missing:
        raise ImportFormatError(
            f"{item.path.name}: missing required column(s) {', '.join(missing)} for dataset {spec.name}.",
            hint="Expected at least: " + ", ".join(spec.required_columns),
            path=str(item.path),
            dataset=spec.name,
            missing=missing,
        )
    existed = cat.has_table(spec.name)
    if existed and spec.name in VERSIONED and prev is not None and prev.get("sha256"):
        _archive(cat, spec.name, prev, now)
    try:
        con.execute(f'CREATE OR REPLACE TABLE "{spec.name}" AS SELECT * FROM {src}', src_params)
    except duckdb.Error as exc:
        raise ImportFormatError(
            f"{item.path.name}: reading failed while loading {spec.name} ({_first_line(exc)}).",
            hint="The file may be truncated or corrupt; download it again and retry.",
            path=str(item.path),
            dataset=spec.name,
        ) from exc
    row = con.execute(f'SELECT count(*) FROM "{spec.name}"').fetchone()
    rows = int(row[0]) if row else 0
    con.execute("DELETE FROM _datasets WHERE name = ?", [spec.name])
    con.execute(
        "INSERT INTO _datasets VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            spec.name,
            spec.edition,
            spec.source,
            spec.url,
            spec.licence,
            str(item.path.resolve()),
            digest,
            rows,
            now,
        ],
    )
    return rows, existed


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__


def import_path(
    path: Path,
    settings: Settings,
    *,
    as_name: str | None = None,
    force: bool = False,
    progress: Progress | None = None,
    edition: str | None = None,
    source: str | None = None,
) -> list[FileResult]:
    """Import a file or a folder into the catalog, atomically.

    Raises
    ------
    ImportFormatError
        naming the file and the problem; the catalog is left unchanged.
    """
    import time

    items = plan(Path(path), as_name, edition=edition, source=source)
    results: list[FileResult] = []
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    with Catalog.open(settings.catalog_path) as cat:
        known = {str(d["name"]): d for d in cat.datasets()}
        cat.con.execute("BEGIN TRANSACTION")
        try:
            for item in items:
                if progress:
                    progress("start", item, None)
                t0 = time.perf_counter()
                if item.spec is None:
                    res = FileResult(str(item.path), "skipped", reason=item.reason)
                else:
                    digest = sha256_file(item.path)
                    prev = known.get(item.spec.name)
                    if (
                        not force
                        and prev is not None
                        and prev.get("sha256") == digest
                        and cat.has_table(item.spec.name)
                    ):
                        res = FileResult(
                            str(item.path),
                            "unchanged",
                            item.spec.name,
                            _int(prev.get("row_count")),
                            digest,
                        )
                    else:
                        rows, existed = _load_one(cat, item, digest, now, prev)
                        action: Action = "replaced" if existed else "imported"
                        res = FileResult(str(item.path), action, item.spec.name, rows, digest)
                res = FileResult(**{**res.__dict__, "seconds": time.perf_counter() - t0})
                results.append(res)
                if progress:
                    progress("done", item, res)
            cat.con.execute("COMMIT")
        except BaseException:
            cat.con.execute("ROLLBACK")
            raise
    return results


def _int(v: object) -> int | None:
    return int(v) if isinstance(v, int | float) else None


__all__ = ["Action", "FileResult", "Planned", "Progress", "import_path", "plan", "sha256_file"]
