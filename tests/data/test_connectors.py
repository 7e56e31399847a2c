"""Official-source connectors: each converts a fixture in the source's published format into the
tables the engines read, then the engine answers from them. Transport is mocked: no network."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from kaigai.cli.app import app
from kaigai.core.config import Settings
from kaigai.core.errors import OfflineError
from kaigai.data.connectors import CONNECTORS, baci, run, uk_tariff, usitc, wits
from kaigai.data.connectors.runners import BACI_URL
from kaigai.data.download import download

FIX = Path(__file__).parent / "fixtures" / "connectors"
runner = CliRunner()


def _baci_zip(tmp: Path) -> Path:
    z = tmp / "BACI_HS17_V202501.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for f in sorted((FIX / "baci").iterdir()):
            zf.write(f, f"BACI_HS17_V202501/{f.name}")
    return z


def _serve(files: dict[str, bytes], calls: list[str]) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(str(request.url))
        body = files.get(str(request.url))
        return httpx.Response(200, content=body) if body is not None else httpx.Response(404)

    return httpx.MockTransport(handler)


def _wits_files(reporter: str) -> dict[str, bytes]:
    """The two TRAINS answers (MFN, partner Japan) of the fixture, served for ``reporter``."""
    return {
        wits.url(reporter, p, 2022): (FIX / f"wits_tha_{p}_2022.json").read_bytes()
        for p in ("000", "392")
    }


# --- BACI -------------------------------------------------------------------------------------


def test_baci_one_year_equals_the_source_flows(tmp_path: Path) -> None:
    t = baci.convert(_baci_zip(tmp_path), (2024,))
    tr = t.trade_hs6.set_index(["exporter", "importer", "hs6"])["value_usd"]
    # trade_hs6_2024_apac.parquet holds the same BACI flows in USD: JPN->VNM 847130 = 3,992,011
    assert tr[("JPN", "VNM", "847130")] == 3_992_011
    assert tr[("JPN", "THA", "848210")] == 82_668_688
    assert tr[("JPN", "USA", "010121")] == 1_500  # k written without its leading zero by BACI
    imp = t.imports_by_importer.set_index(["importer", "hs6"])
    assert imp.loc[("VNM", "847130"), "import_value_usd"] == 3_992_011 + 12_751_912 + 607_915_648
    assert imp.loc[("VNM", "847130"), "n_exporters"] == 3
    assert imp.loc[("USA", "848210"), "import_value_usd"] == 250_000_000
    exp = t.exports_by_exporter.set_index(["exporter", "hs6"])
    assert exp.loc[("JPN", "848210"), "n_importers"] == 3
    assert t.edition == "BACI HS17 V202501, 2024"
    assert len(t.trade_hs6) == 9


def test_baci_several_years_are_averaged(tmp_path: Path) -> None:
    t = baci.convert(_baci_zip(tmp_path))  # default: every year in the zip (<= 5)
    assert t.years == (2023, 2024) and t.edition == "BACI HS17 V202501, mean 2023-2024"
    tr = t.trade_hs6.set_index(["exporter", "importer", "hs6"])["value_usd"]
    assert tr[("JPN", "VNM", "847130")] == 3_000_006  # (3,992.011 + 2,008) / 2 thousand USD
    assert tr[("JPN", "VNM", "848210")] == 16_017_503
    assert tr[("KOR", "VNM", "847130")] == 6_375_956  # absent in 2023: counts as 0 that year
    assert set(t.trade_hs6["year"]) == {2024}


def test_baci_rejects_a_missing_year(tmp_path: Path) -> None:
    from kaigai.core.errors import ImportFormatError

    with pytest.raises(ImportFormatError, match=r"has no data for \[2019\]"):
        baci.convert(_baci_zip(tmp_path), (2019, 2024))


def test_pull_baci_imports_and_the_market_finder_answers(
    settings: Settings, tmp_path: Path
) -> None:
    body = _baci_zip(tmp_path).read_bytes()
    calls: list[str] = []
    res = run("baci", settings, transport=_serve({BACI_URL: body}, calls), years=(2024,))
    assert calls == [BACI_URL]
    assert res.downloads[0]["sha256"] == hashlib.sha256(body).hexdigest()
    assert {t["table"]: t["rows"] for t in res.tables} == {
        "trade_hs6": 9,
        "imports_by_importer": 5,  # VNM x2, THA, USA x2
        "exports_by_exporter": 7,  # JPN x3, KOR x2, CHN x2
    }
    again = run("baci", settings, transport=_serve({}, calls), years=(2024,))
    assert again.downloads[0]["cached"] is True and len(calls) == 1
    r = runner.invoke(app, ["markets", "--from", "JPN", "--hs", "848210", "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    ranked = {m["market"]: m for m in d["markets"]}
    # imports into the USA come from BACI (the bundled trade file has none): ranked, with the flow
    assert ranked["USA"]["actual_usd"] == 250_000_000 and ranked["VNM"]["actual_usd"] == 17_035_006


# --- WITS -------------------------------------------------------------------------------------


def test_wits_parse_reads_the_sdmx_structure() -> None:
    rows = wits.parse(json.loads((FIX / "wits_tha_000_2022.json").read_text()))
    by = {r.hs6: r for r in rows}
    assert set(by) == {"848210", "847130", "330499"}  # the 999999 total is not a line
    assert (by["330499"].rate_pct, by["330499"].min_pct, by["330499"].max_pct) == (20, 10, 30)
    assert by["330499"].n_lines == 3 and by["848210"].tariff_type == "MFN"
    assert by["848210"].reporter == "764" and by["848210"].year == 2022


def test_pull_wits_feeds_the_duty_engine(settings: Settings) -> None:
    files = _wits_files("764")
    res = run(
        "wits",
        settings,
        transport=_serve(files, []),
        reporter="THA",
        year=2022,
        agreement="RCEP",
    )
    assert res.tables[0]["importer"] == "THA" and res.tables[0]["lines"] == 3
    r = runner.invoke(
        app,
        [
            "duty",
            "--hs",
            "330499",
            "--from",
            "JPN",
            "--to",
            "THA",
            "--as-of",
            "2026-06-01",
            "--json",
        ],
    )
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    opts = {o["option"]: o for o in d["lines"][0]["options"]}
    assert opts["MFN"]["rate_pct"] == 20.0 and opts["RCEP"]["rate_pct"] == 5.0
    assert "range 10-30%" in d["lines"][0]["description"]


def test_wits_without_agreement_stores_mfn_and_says_why(settings: Settings) -> None:
    files = _wits_files("764")
    res = run("wits", settings, transport=_serve(files, []), reporter="THA", year=2022)
    assert res.tables[0]["columns"] == ["mfn"]
    assert "2 preferential HS6 rates" in res.notes[0] and "--agreement" in res.notes[0]


# --- UK Trade Tariff --------------------------------------------------------------------------


def test_uk_tariff_pull_by_heading_gives_mfn_and_uk_jp(settings: Settings) -> None:
    files = {
        uk_tariff.heading_url("8482"): (FIX / "uk_heading_8482.json").read_bytes(),
        uk_tariff.commodity_url("8482101010"): (FIX / "uk_commodity_8482101010.json").read_bytes(),
    }
    calls: list[str] = []
    res = run("uk-tariff", settings, transport=_serve(files, calls), hs=["848210"])
    assert calls == [uk_tariff.heading_url("8482"), uk_tariff.commodity_url("8482101010")]
    assert res.tables[0]["columns"] == ["UK-JP", "mfn"] and res.tables[0]["lines"] == 1
    r = runner.invoke(app, ["duty", "--hs", "848210", "--from", "JPN", "--to", "GBR", "--json"])
    assert r.exit_code == 0, r.output
    opts = {o["option"]: o for o in json.loads(r.stdout)["lines"][0]["options"]}
    assert opts["MFN"]["rate_pct"] == 8.0 and opts["UK-JP"]["rate_pct"] == 0.0


# --- USITC HTS --------------------------------------------------------------------------------


def test_usitc_conversion_counts_and_programs() -> None:
    conv = usitc.convert(
        FIX / "usitc_hts_excerpt.csv", edition="2026 Rev. 4", valid_from="2026-07-01"
    )
    assert (conv.rate_lines, conv.jp_lines, conv.ch98_99_rows) == (15, 5, 2)
    s = conv.schedule.set_index(["national_code", "column"])["rate_text"]
    assert s[("8482.10.10", "mfn")] == "2.4%" and s[("8482.10.50", "mfn")] == "9%"
    assert ("8482.10.10", "US-JP") not in s.index  # JP is not in the Special column
    assert s[("0602.30.00.00", "US-JP")] == "free" and s[("0602.30.00.00", "mfn")] == "1.9%"
    assert usitc.special_programs("Free (BH,CL) See 9822.04.01 (AU) 1.2% (JP)") == {
        "BH": "Free",
        "CL": "Free",
        "JP": "1.2%",
    }


def test_pull_usitc_feeds_the_duty_engine(settings: Settings) -> None:
    body = (FIX / "usitc_hts_excerpt.csv").read_bytes()
    res = run(
        "usitc-hts", settings, transport=_serve({usitc.EXPORT_URL: body}, []), edition="2026 Rev. 4"
    )
    assert "15 rate lines, 5 with a US-Japan (JP) rate; 2 Chapter 98/99 rows" in res.notes[0]
    r = runner.invoke(app, ["duty", "--hs", "848210", "--from", "JPN", "--to", "USA", "--json"])
    assert r.exit_code == 0, r.output
    lines = {ln["national_line"]: ln for ln in json.loads(r.stdout)["lines"]}
    mfn = {k: {o["option"]: o["rate_pct"] for o in v["options"]}["MFN"] for k, v in lines.items()}
    assert mfn == {"8482.10.10": 2.4, "8482.10.50": 9.0}


# --- offline, errors, resume ------------------------------------------------------------------


def test_every_connector_fails_offline_with_the_manual_alternative(settings: Settings) -> None:
    off = settings.model_copy(update={"offline": True})
    params = {"wits": {"reporter": "THA", "year": 2022}, "uk-tariff": {"hs": ["848210"]}}
    for name, c in CONNECTORS.items():
        with pytest.raises(OfflineError) as ei:
            run(name, off, **params.get(name, {}))
        assert ei.value.hint == c.manual and "--file" in c.manual, name


def test_unreachable_host_is_offline_error_and_keeps_the_partial_file(tmp_path: Path) -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("no route", request=request)

    with pytest.raises(OfflineError, match=r"Cannot reach www\.cepii\.fr"):
        download(
            BACI_URL,
            tmp_path / "b.zip",
            name="baci",
            manual="by hand",
            transport=httpx.MockTransport(fail),
        )


def test_download_resumes_a_partial_file_with_a_range_request(tmp_path: Path) -> None:
    body = bytes(range(256)) * 40
    part = tmp_path / "f.bin.part"
    part.write_bytes(body[:3000])
    seen: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        rng = request.headers.get("range")
        seen.append(rng)
        start = int(rng.split("=")[1].rstrip("-"))
        return httpx.Response(206, content=body[start:])

    digest = download(
        "https://x.test/f.bin",
        tmp_path / "f.bin",
        name="f",
        manual="",
        transport=httpx.MockTransport(handler),
    )
    assert seen == ["bytes=3000-"]
    assert (tmp_path / "f.bin").read_bytes() == body and not part.exists()
    assert digest == hashlib.sha256(body).hexdigest()


def test_download_restarts_when_the_server_ignores_the_range(tmp_path: Path) -> None:
    body = b"abcdef" * 100
    (tmp_path / "f.bin.part").write_bytes(b"zzz")
    t = httpx.MockTransport(lambda r: httpx.Response(200, content=body))
    digest = download("https://x.test/f.bin", tmp_path / "f.bin", name="f", manual="", transport=t)
    assert (tmp_path / "f.bin").read_bytes() == body and digest == hashlib.sha256(body).hexdigest()


def test_cli_pull_wits_from_saved_files(settings: Settings) -> None:
    r = runner.invoke(
        app,
        [
            "data", "pull", "wits", "--reporter", "THA", "--agreement", "RCEP",
            "--file", str(FIX / "wits_tha_000_2022.json"),
            "--file", str(FIX / "wits_tha_392_2022.json"), "--json",
        ],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["tables"][0]["columns"] == ["RCEP", "mfn"] and d["downloads"] == []


def test_wits_eu_member_requests_the_eu_reporter(settings: Settings) -> None:
    calls: list[str] = []
    files = _wits_files("918")
    res = run("wits", settings, transport=_serve(files, calls), reporter="DEU", year=2022)
    assert calls == [wits.url("918", "000", 2022), wits.url("918", "392", 2022)]
    assert res.tables[0]["importer"] == "DEU"
    assert "common external tariff: TRAINS reporter 918" in res.notes[0]
