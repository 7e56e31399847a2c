"""Official-source connectors: download (cached, checksummed, resumable), convert, import.

``kaigai data pull baci|wits|uk-tariff|usitc-hts`` runs :func:`run`. Each connector downloads
the official files or API answers into ``<cache_dir>/downloads/<name>/`` (one file per URL,
recorded with its sha256 in the download manifest and reused while it verifies), converts them
with a pure parser of the source's published format (``baci``, ``wits``, ``uk_tariff``,
``usitc`` modules) and stores the result where the engines read it: the market finder's trade
tables in the catalog, or a national schedule in the duty engine's format
(:mod:`kaigai.tariffs.user_schedule`). Offline, each fails with :class:`OfflineError` naming the
files to fetch by hand and the command that imports them.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from kaigai.core.errors import InputError, OfflineError
from kaigai.data.download import Progress, download, sha256_of

if TYPE_CHECKING:
    from kaigai.core.config import Settings


@dataclass(frozen=True)
class Connector:
    name: str
    title: str
    licence: str
    produces: str
    manual: str


CONNECTORS: dict[str, Connector] = {
    c.name: c
    for c in [
        Connector(
            "baci",
            "CEPII BACI, HS6 bilateral trade (yearly files in one zip per HS revision)",
            "Etalab Open Licence 2.0 (CEPII); cite Gaulier & Zignago (2010)",
            "trade_hs6, imports_by_importer, exports_by_exporter (all importers; mean of the years)",
            "Download BACI_HS17_V<version>.zip from https://www.cepii.fr/CEPII/en/bdd_modele/"
            "bdd_modele_item.asp?id=37, then run: kaigai data pull baci --file BACI_HS17_V202501.zip",
        ),
        Connector(
            "wits",
            "WITS / UNCTAD TRAINS tariff API (HS6 MFN and reported preferential rates)",
            "World Bank WITS terms of use; TRAINS data (c) UNCTAD",
            "a national schedule (HS6 level, simple averages) for the reporter",
            "Open the WITS API URL shown in the error in a browser, save the JSON answers, then run: "
            "kaigai data pull wits --reporter ISO3 --file mfn.json [--file partner.json --agreement ID]",
        ),
        Connector(
            "uk-tariff",
            "UK Online Trade Tariff API (commodity measures incl. the UK-Japan CEPA preference)",
            "Open Government Licence v3.0 (HMRC)",
            "a GBR schedule (10-digit commodity codes, MFN and UK-JP) for the HS codes asked",
            "Save https://www.trade-tariff.service.gov.uk/api/v2/commodities/<10 digits> for each code, "
            "then run: kaigai data pull uk-tariff --file commodity.json [--file ...]",
        ),
        Connector(
            "usitc-hts",
            "USITC Harmonized Tariff Schedule, CSV export",
            "US Government work (public domain in the US)",
            "a USA schedule (8-digit lines, General = MFN and program JP = US-JP)",
            "Export the HTS as CSV at https://hts.usitc.gov (Export -> CSV), then run: "
            "kaigai data pull usitc-hts --file hts.csv --edition '2026 Rev. 4'",
        ),
    ]
}


@dataclass
class ConnectorResult:
    name: str
    downloads: list[dict[str, Any]] = field(default_factory=list)
    tables: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def landed(self) -> bool:
        """New data reached the catalog or the duty engine's schedules (indexes to prepare)."""
        return any(
            t.get("action") in ("imported", "replaced") or t.get("table") == "tariff_schedule"
            for t in self.tables
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "downloads": self.downloads,
            "tables": self.tables,
            "notes": self.notes,
        }


@dataclass
class Fetcher:
    """Cached, checksummed downloads for one connector run."""

    settings: Settings
    connector: Connector
    result: ConnectorResult
    transport: httpx.BaseTransport | None = None
    on_bytes: Progress | None = None
    force: bool = False

    def folder(self) -> Path:
        return Path(self.settings.cache_dir) / "downloads" / self.connector.name

    def _manifest(self) -> tuple[Path, dict[str, Any]]:
        p = Path(self.settings.cache_dir) / "downloads" / "manifest.json"
        try:
            data = json.loads(p.read_text(encoding="utf-8")) if p.is_file() else {}
        except json.JSONDecodeError:
            data = {}
        return p, data if isinstance(data, dict) else {}

    def get(self, url: str, filename: str) -> Path:
        """The file for ``url`` (from the cache when its checksum still verifies)."""
        target = self.folder() / filename
        mpath, manifest = self._manifest()
        key = f"{self.connector.name}:{filename}"
        rec = manifest.get(key) or {}
        cached = (
            not self.force
            and target.is_file()
            and rec.get("url") == url
            and sha256_of(target) == rec.get("sha256")
        )
        if cached:
            digest = str(rec["sha256"])
        else:
            if self.settings.offline:
                raise OfflineError(
                    f"Cannot download {url}: kaigai is set to offline.",
                    hint=self.connector.manual,
                    url=url,
                )
            digest = download(
                url,
                target,
                name=self.connector.name,
                manual=self.connector.manual,
                transport=self.transport,
                on_bytes=self.on_bytes,
            )
            manifest[key] = {
                "url": url,
                "file": str(target),
                "sha256": digest,
                "bytes": target.stat().st_size,
                "downloaded_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            }
            mpath.parent.mkdir(parents=True, exist_ok=True)
            tmp = mpath.with_suffix(".json.part")
            tmp.write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
            tmp.replace(mpath)
        self.result.downloads.append(
            {"url": url, "path": str(target), "sha256": digest, "cached": cached}
        )
        return target


def connector(name: str) -> Connector:
    """The connector ``name`` (InputError listing the known ones otherwise)."""
    c = CONNECTORS.get(name)
    if c is None:
        raise InputError(
            f"Unknown connector '{name}'.", hint="Connectors: " + ", ".join(sorted(CONNECTORS))
        )
    return c


def run(
    name: str,
    settings: Settings,
    *,
    transport: httpx.BaseTransport | None = None,
    on_bytes: Progress | None = None,
    force: bool = False,
    **params: Any,
) -> ConnectorResult:
    """Download, convert and import one official source (see :data:`CONNECTORS`)."""
    from kaigai.data.connectors import runners

    c = connector(name)
    result = ConnectorResult(name)
    fetcher = Fetcher(settings, c, result, transport, on_bytes, force)
    runners.RUNNERS[name](fetcher, **params)
    return result


__all__ = ["CONNECTORS", "Connector", "ConnectorResult", "Fetcher", "connector", "run"]
