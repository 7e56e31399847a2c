from __future__ import annotations

import hashlib
from pathlib import Path

import httpx
import pandas as pd
import pytest

from kaigai.core.config import Settings, get_settings
from kaigai.core.errors import (
    ChecksumError,
    DataError,
    DatasetMissingError,
    InputError,
    OfflineError,
)
from kaigai.data import store
from kaigai.data.pull import pull, read_manifest
from kaigai.data.registry import DATASETS


def _hs_csv() -> bytes:
    """A real slice of the HS nomenclature in the upstream CSV layout (no hs_edition column)."""
    df = pd.read_parquet(store.starter_path("hs_nomenclature"))  # type: ignore[arg-type]
    df = df[df.hscode.str.startswith(("84", "TOTAL"))].drop(columns=["hs_edition"])
    return df.to_csv(index=False).encode()


def _transport(body: bytes, calls: list[str], status: int = 200) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(str(request.url))
        return httpx.Response(status, content=body)

    return httpx.MockTransport(handler)


def test_official_urls_for_required_sources() -> None:
    for name in [
        "trade_hs6",
        "wgi",
        "lpi",
        "weo",
        "geodist_dist",
        "ilo_earnings",
        "cpi",
        "hs_nomenclature",
    ]:
        assert DATASETS[name].url.startswith("https://"), name
    assert (
        "cepii.fr" in DATASETS["trade_hs6"].url
        and "unstats.un.org" in DATASETS["hs_correlation_22_17"].url
    )


def test_pull_downloads_checksums_imports_and_caches(settings: Settings) -> None:
    body, calls = _hs_csv(), []
    res = pull("hs_nomenclature", settings, transport=_transport(body, calls))
    assert calls == [DATASETS["hs_nomenclature"].url]
    assert res.sha256 == hashlib.sha256(body).hexdigest() and res.bytes == len(body)
    assert Path(res.path).is_relative_to(settings.cache_dir)
    assert read_manifest(settings)["hs_nomenclature"]["sha256"] == res.sha256
    assert res.imported is not None and res.imported.action == "imported"
    n84 = body.decode().count("\n") - 1
    assert res.imported.rows == n84
    # codes keep their leading zeros/text type and store.load now reads the catalog
    got = store.load("hs_nomenclature", settings, where_sql="hscode = '848210'")
    assert got.description.iloc[0] == "Ball bearings"
    again = pull("hs_nomenclature", settings, transport=_transport(body, calls))
    assert (
        again.cached and len(calls) == 1 and again.imported and again.imported.action == "unchanged"
    )


def test_corrupted_cache_is_downloaded_again(settings: Settings) -> None:
    body, calls = _hs_csv(), []
    res = pull("hs_nomenclature", settings, transport=_transport(body, calls), do_import=False)
    Path(res.path).write_bytes(b"garbage")
    res2 = pull("hs_nomenclature", settings, transport=_transport(body, calls), do_import=False)
    assert len(calls) == 2 and not res2.cached and res2.sha256 == res.sha256


def test_offline_setting_and_connection_error(tmp_path: Path) -> None:
    s = get_settings(offline=True)
    with pytest.raises(OfflineError) as ei:
        pull("wgi", s, transport=_transport(b"", []))
    assert DATASETS["wgi"].url in (ei.value.hint or "") and "kaigai data import" in (
        ei.value.hint or ""
    )

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("no route", request=request)

    with pytest.raises(OfflineError) as ei2:
        pull("hs_nomenclature", get_settings(), transport=httpx.MockTransport(refuse))
    assert "kaigai data import ./harmonized-system.csv --as hs_nomenclature" in (
        ei2.value.hint or ""
    )
    assert not list((get_settings().cache_dir / "downloads").rglob("*.part"))


def test_http_error_and_pinned_checksum(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(DataError, match="HTTP 404"):
        pull("lpi", settings, transport=_transport(b"", [], status=404))
    spec = DATASETS["lpi"]
    monkeypatch.setitem(spec.read_options, "sha256", "0" * 64)
    with pytest.raises(ChecksumError):
        pull("lpi", settings, transport=_transport(b"x", []))


def test_non_importable_download_is_kept_with_note(settings: Settings) -> None:
    res = pull("trade_hs6", settings, transport=_transport(b"PK\x03\x04fake-zip", []))
    assert res.imported is None and "not directly importable" in res.note
    assert Path(res.path).name == "BACI_HS17_V202501.zip"


def _workbook(path: Path) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    conv = wb.active
    conv.title = "HS2022-HS2017 Conversions"
    conv.append(["From HS2022", "To HS2017"])
    conv.append(["851713", "851712"])
    conv.append(["851714", "851712"])
    corr = wb.create_sheet("HS2022-HS2017 Correlations")
    corr.append(["Correlation between HS2022 and HS2017"])
    corr.append([])
    corr.append(["HS 2022", "HS 2017", "Relationship"])
    corr.append(["851713", "851712", "n:1"])
    corr.append(["851714", "851712", "n:1"])
    corr.append([10121.0, "010121", "1:1"])  # numeric cell without its leading zero
    wb.save(path)
    return path.read_bytes()


def test_pull_unsd_correlation_converts_and_feeds_concordance(
    settings: Settings, tmp_path: Path
) -> None:
    from kaigai.data.nomenclature import load_concordance

    body = _workbook(tmp_path / "w.xlsx")
    res = pull("hs_correlation_22_17", settings, transport=_transport(body, []))
    assert res.imported is not None and res.imported.rows == 3
    m = load_concordance(settings).map("851712")
    assert m.status == "official" and m.targets == ("851713", "851714")
    assert load_concordance(settings).map("010121").targets == ("010121",)


def test_bad_workbook_is_an_import_error(settings: Settings) -> None:
    from kaigai.core.errors import ImportFormatError

    with pytest.raises(ImportFormatError, match="not a readable Excel workbook"):
        pull("hs_correlation_22_17", settings, transport=_transport(b"PK\x03\x04fake-xlsx", []))


def test_unknown_or_unpullable(settings: Settings) -> None:
    with pytest.raises(InputError, match="Unknown dataset"):
        pull("nope", settings)
    with pytest.raises(DatasetMissingError, match="No official download"):
        pull("vn_tariff", settings)
