"""Issue 14 item 12: inputs a Japanese office produces give a clear error or the right answer, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kaigai.cli.app import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_BOM = ROOT / "examples" / "bom_bearing.csv"
EXAMPLE_FIRM = ROOT / "examples" / "firm_tokyo_bearings.toml"
CHECK = [
    "origin",
    "check",
    "--hs",
    "848210",
    "--to",
    "VNM",
    "--fob",
    "1000",
    "--exw",
    "950",
    "--json",
]


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as ei:
        main(args)
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return int(ei.value.code or 0), out, err


def _japanese_bom(tmp_path: Path, encoding: str) -> Path:
    text = EXAMPLE_BOM.read_text(encoding="utf-8").replace(
        "Inner ring (turned and ground in-house)", "内輪（社内で旋削・研削）"
    )
    p = tmp_path / f"bom_{encoding}.csv"
    p.write_bytes(text.encode(encoding))
    return p


@pytest.mark.parametrize("encoding", ["cp932", "shift_jis", "euc_jp", "utf-8-sig"])
def test_origin_check_reads_japanese_encoded_bom(
    tmp_path: Path, encoding: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from kaigai.origin.bom import read_bom_records

    p = _japanese_bom(tmp_path, encoding)
    assert read_bom_records(p)[0]["part"] == "内輪（社内で旋削・研削）"
    rc, out, _ = _run([*CHECK, "--bom", str(p)], capsys)
    assert rc == 0
    verdicts = {v["agreement"]: v["status"] for v in json.loads(out)["verdicts"]}
    assert verdicts == {"CPTPP": "qualifies", "RCEP": "qualifies", "AJCEP": "no rule data",
                        "JP-VN": "no rule data"}  # fmt: skip


def test_api_upload_decodes_euc_jp_not_garbled() -> None:
    from kaigai.app.served.bom_io import parse_upload
    from kaigai.service.state import Limits

    text = (
        "part_id,part,hs_code,origin,value,currency\nIR,内輪（ベアリング用）,848299,JPN,180,JPY\n"
    )
    for enc in ("euc_jp", "cp932", "utf-8"):
        recs = parse_upload("bom.csv", text.encode(enc), Limits())
        assert recs[0]["part"] == "内輪（ベアリング用）", enc


def test_firm_profile_in_shift_jis_loads(tmp_path: Path) -> None:
    from kaigai.app.plan import load_profile

    p = tmp_path / "firm.toml"
    p.write_bytes(EXAMPLE_FIRM.read_text(encoding="utf-8").encode("cp932"))
    (tmp_path / "bom_bearing.csv").write_bytes(EXAMPLE_BOM.read_bytes())
    prof = load_profile(p)
    assert prof.name_ja == "大田精密ベアリング株式会社"
    assert prof.products[0].name_ja == "深溝玉軸受"


def test_binary_bom_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "bom.csv"
    p.write_bytes(bytes(range(128, 256)) * 4)
    rc, _, err = _run([*CHECK[:-1], "--bom", str(p)], capsys)
    assert rc == 2
    assert "Error: bom.csv is not UTF-8, Shift-JIS or EUC-JP text." in err


def test_unknown_currency_and_hs_999999_rejected_with_row_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = EXAMPLE_BOM.read_text(encoding="utf-8")
    text = text.replace(
        "CAGE,Pressed steel cage,7326.90,JPN,40,JPY", "CAGE,Pressed steel cage,7326.90,JPN,40,ZZZ"
    )  # noqa: E501
    text = text.replace("SEAL,Rubber seals,4016.93", "SEAL,Rubber seals,999999")
    p = tmp_path / "bom.csv"
    p.write_text(text, encoding="utf-8")
    rc, _, err = _run([*CHECK[:-1], "--bom", str(p)], capsys)
    assert rc == 2
    assert "bom.csv row 5, column 'currency': unknown currency 'ZZZ'" in err
    assert "bom.csv row 6, column 'hs_code': 999999 is not an HS 2022 subheading" in err


def test_bom_and_evaluation_all_in_unknown_currency_rejected(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = tmp_path / "bom.csv"
    p.write_text(
        EXAMPLE_BOM.read_text(encoding="utf-8").replace(",JPY,", ",ZZZ,"), encoding="utf-8"
    )
    rc, _, err = _run([*CHECK[:-1], "--bom", str(p), "--currency", "ZZZ"], capsys)
    assert rc == 2
    assert "Error: Unknown currency 'ZZZ'." in err


@pytest.mark.parametrize("below", ["", "sub"])
def test_data_dir_that_is_a_file_is_a_config_error(
    tmp_path: Path, below: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    afile = tmp_path / "afile"
    afile.write_text("x", encoding="utf-8")
    monkeypatch.setenv("KAIGAI_DATA_DIR", str(afile / below if below else afile))
    from kaigai.data.store import starter_path

    cpi = starter_path("cpi")
    assert cpi is not None
    rc, _, err = _run(["data", "import", str(cpi), "--as", "cpi"], capsys)
    assert rc == 78
    assert "is a file, not a folder" in err and f"{afile} is a file" in err
    assert "Hint: Set KAIGAI_DATA_DIR" in err


def test_unwritable_data_dir_is_a_config_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from kaigai.core.errors import ConfigError
    from kaigai.data.dirs import ensure_dir

    ro = tmp_path / "ro"
    ro.mkdir()
    real = os.access
    monkeypatch.setattr(
        os, "access", lambda p, m: False if Path(p) == ro else real(p, m)
    )  # root ignores modes
    with pytest.raises(ConfigError) as ei:
        ensure_dir(ro)
    assert ei.value.exit_code == 78
    assert ei.value.message == f"The data folder {ro} is not writable: Permission denied."


def test_cache_dir_that_is_a_file_is_an_io_error_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import typer

    from kaigai.cli import app as app_mod

    fresh = typer.Typer()

    @fresh.command()
    def write() -> None:
        (tmp_path / "afile").write_text("x", encoding="utf-8")
        (tmp_path / "afile" / "index.pkl").write_bytes(b"")

    @fresh.command()
    def other() -> None:
        pass

    monkeypatch.setattr(app_mod, "app", fresh)
    rc, _, err = _run(["write"], capsys)
    assert rc == 74
    assert f"Error: cannot access {tmp_path / 'afile' / 'index.pkl'}: Not a directory." in err


def test_second_serve_on_a_busy_port_exits_69(capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    with socket.socket() as busy:
        busy.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        rc, _, err = _run(["serve", "--port", str(port)], capsys)
    assert rc == 69
    assert f"Error: Port {port} on 127.0.0.1 is already in use" in err
    assert (
        f"Hint: Stop the other server, or choose a free port: kaigai serve --port {port + 1}" in err
    )


MARKUP = "Ota [/bold] [red]Precision[/red] Bearings"


def test_firm_name_with_rich_markup_prints_literally(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = EXAMPLE_FIRM.read_text(encoding="utf-8").replace(
        'name = "Ota Precision Bearings Co., Ltd."', f'name = "{MARKUP}"'
    )
    firm = tmp_path / "firm.toml"
    firm.write_text(text, encoding="utf-8")
    (tmp_path / "bom_bearing.csv").write_bytes(EXAMPLE_BOM.read_bytes())
    rc, out, _ = _run(
        ["plan", str(firm), "--markets", "1", "--out", str(tmp_path / "p.json")], capsys
    )
    assert rc == 0
    assert MARKUP in out.replace("\n", " ")


def test_bom_part_with_rich_markup_prints_literally(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = tmp_path / "bom.csv"
    p.write_text(
        EXAMPLE_BOM.read_text(encoding="utf-8").replace(
            "OR,Outer ring (bought-in)", "[/bold],[/red]"
        ),
        encoding="utf-8",
    )
    rc, out, _ = _run([*CHECK, "--bom", str(p)], capsys)
    assert rc == 0 and json.loads(out)["verdicts"]
    rc, out, _ = _run(
        ["origin", "whatif", "--bom", str(p), "--hs", "848210", "--to", "GBR", "--agreement", "UK-JP",
         "--fob", "520", "--exw", "500"], capsys)  # fmt: skip
    assert rc == 0
    assert "[/bold]" in out


def test_table_cells_and_titles_are_escaped() -> None:
    from rich.console import Console

    from kaigai.cli.common import table

    con = Console(width=200, record=True)
    con.print(table(f"Plan for {MARKUP}", ["[b]col[/b]"], [[MARKUP]]))
    text = con.export_text()
    assert (
        "Plan for Ota [/bold] [red]Precision[/red]" in text
        and f"│ {MARKUP} │" in text
        and "[b]col[/b]" in text
    )
