"""``kaigai data pull NAME``: download a dataset from its official location into the cache.

The HTTP transport is injectable (tests pass ``httpx.MockTransport``; nothing here runs at
import time). Each download is written to ``<cache_dir>/downloads/<name>/<file>`` through a
``.part`` file, its sha256 recorded in ``<cache_dir>/downloads/manifest.json`` and, when the
registry pins a checksum, verified. A cached file whose checksum still matches is reused.
Offline (``settings.offline`` or no connection) raises :class:`OfflineError` naming the URL to
fetch by hand and the ``kaigai data import`` command to run afterwards.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

import httpx
import pandas as pd

from kaigai.core.errors import (
    ChecksumError,
    DatasetMissingError,
    InputError,
    OfflineError,
)
from kaigai.data.download import download
from kaigai.data.importer import READABLE, FileResult, import_path, sha256_file
from kaigai.data.registry import DATASETS, DatasetSpec

if TYPE_CHECKING:
    from kaigai.core.config import Settings


def _read_correlation(path: Path) -> pd.DataFrame:
    from kaigai.data.correlation import read_correlation_xlsx

    return read_correlation_xlsx(path)


# Upstream formats kaigai can convert to the registered table after download.
CONVERTERS: dict[str, Callable[[Path], pd.DataFrame]] = {"hs_correlation_22_17": _read_correlation}


@dataclass(frozen=True)
class PullResult:
    name: str
    url: str
    path: str
    sha256: str
    bytes: int
    cached: bool
    imported: FileResult | None
    note: str = ""

    @property
    def landed(self) -> bool:
        """The download changed the catalog (its indexes are then prepared again)."""
        return self.imported is not None and self.imported.action in ("imported", "replaced")

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "url": self.url,
            "path": self.path,
            "sha256": self.sha256,
            "bytes": self.bytes,
            "cached": self.cached,
            "import": self.imported.to_dict() if self.imported else None,
            "note": self.note or None,
        }


def downloads_dir(settings: Settings) -> Path:
    return Path(settings.cache_dir) / "downloads"


def _manifest_path(settings: Settings) -> Path:
    return downloads_dir(settings) / "manifest.json"


def read_manifest(settings: Settings) -> dict[str, dict[str, Any]]:
    p = _manifest_path(settings)
    if not p.is_file():
        return {}
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        return {}
    return data if isinstance(data, dict) else {}


def _write_manifest(settings: Settings, data: dict[str, dict[str, Any]]) -> None:
    p = _manifest_path(settings)
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_suffix(".json.part")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
    tmp.replace(p)


def spec_for_pull(name: str) -> DatasetSpec:
    """The registered dataset ``name`` with a download URL.

    Raises
    ------
    InputError
        for an unknown name; :class:`DatasetMissingError` when no official URL is known.
    """
    spec = DATASETS.get(name)
    if spec is None:
        pullable = sorted(n for n, s in DATASETS.items() if s.url)
        raise InputError(
            f"Unknown dataset '{name}'.", hint="Pullable: " + ", ".join(pullable), dataset=name
        )
    if not spec.url:
        raise DatasetMissingError(
            f"No official download location is registered for '{name}'.",
            hint=f"Import a local copy instead: kaigai data import PATH/{spec.relpath or name}",
            dataset=name,
        )
    return spec


def _manual(spec: DatasetSpec, target: Path) -> str:
    return (
        f"Download {spec.url} by hand (browser or curl), then run: kaigai data import ./{target.name} --as {spec.name}"
        if _importable(target)
        else f"Download {spec.url} by hand, convert it to Parquet/CSV with the registered columns, "
        f"then run: kaigai data import FILE --as {spec.name}"
    )


def _importable(path: Path) -> bool:
    return path.name.lower().endswith(READABLE)


def _filename(spec: DatasetSpec) -> str:
    name = Path(urlparse(spec.url).path).name or f"{spec.name}.bin"
    return name if "." in name else f"{name}.bin"


def pull(
    name: str,
    settings: Settings,
    *,
    transport: httpx.BaseTransport | None = None,
    do_import: bool = True,
    force: bool = False,
    on_bytes: Callable[[int, int | None], None] | None = None,
) -> PullResult:
    """Download dataset ``name`` (or reuse a verified cached copy) and import it if readable.

    Raises
    ------
    OfflineError
        when offline, with the manual alternative in the hint.
    ChecksumError
        when the download differs from a pinned checksum.
    DataError
        on an HTTP error status.
    """
    spec = spec_for_pull(name)
    folder = downloads_dir(settings) / name
    target = folder / _filename(spec)
    manifest = read_manifest(settings)
    pinned = spec.read_options.get("sha256")
    rec = manifest.get(name)
    cached = False
    if not force and target.is_file() and rec and rec.get("url") == spec.url:
        digest = sha256_file(target)
        if digest == rec.get("sha256") and (not pinned or digest == pinned):
            cached = True
    if not cached:
        if settings.offline:
            raise OfflineError(
                f"Cannot download {name}: kaigai is set to offline.",
                hint=_manual(spec, target),
                url=spec.url,
            )
        digest = _download(spec, target, transport, on_bytes)
        if pinned and digest != pinned:
            target.unlink(missing_ok=True)
            raise ChecksumError(
                f"Download of {name} has sha256 {digest[:12]}…, expected {pinned[:12]}….",
                hint="The upstream file changed or the download was corrupted; retry, or check the source page.",
                url=spec.url,
            )
        manifest[name] = {
            "url": spec.url,
            "file": str(target),
            "sha256": digest,
            "bytes": target.stat().st_size,
            "downloaded_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
        _write_manifest(settings, manifest)
    size = target.stat().st_size
    imported: FileResult | None = None
    note = ""
    if do_import and name in CONVERTERS:
        table = target.with_name(f"{name}.parquet")
        CONVERTERS[name](target).to_parquet(table, index=False)
        imported = import_path(table, settings, as_name=name)[0]
    elif do_import and _importable(target):
        imported = import_path(target, settings, as_name=name)[0]
    elif do_import:
        note = (
            f"Downloaded the upstream {Path(target).suffix or 'file'}; it is not directly importable. "
            f"Convert it to Parquet/CSV with columns {', '.join(spec.required_columns) or 'as documented'} "
            f"and run: kaigai data import FILE --as {name}"
        )
    return PullResult(name, spec.url, str(target), digest, size, cached, imported, note)


def _download(
    spec: DatasetSpec,
    target: Path,
    transport: httpx.BaseTransport | None,
    on_bytes: Callable[[int, int | None], None] | None,
) -> str:
    return download(
        spec.url,
        target,
        name=spec.name,
        manual=_manual(spec, target),
        transport=transport,
        on_bytes=on_bytes,
    )


__all__ = ["PullResult", "downloads_dir", "pull", "read_manifest", "spec_for_pull"]
