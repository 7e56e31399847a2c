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
    from kaigai.api.services.bom_io import parse_upload
    from kaigai.api.state import Limits

    text = (
        "part_id,part,hs_code,origin,value,currency\nIR,内輪（ベアリング用）,848299,JPN,180,JPY\n"
    )
    for enc in ("euc_jp", "cp932", "utf-8"):
        recs = parse_upload("bom.csv", text.encode(enc), Limits())
        assert recs[0]["part"] == "内輪（ベアリング用）", enc


def test_firm_profile_in_shift_jis_loads(tmp_path: Path) -> None:
    from kaigai.plan.profile import load_profile

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
