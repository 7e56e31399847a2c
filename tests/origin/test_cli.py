"""CLI: `kaigai origin rule|check|whatif|docs|coverage` through the real Typer app."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kaigai.cli.app import app

EXAMPLE = str(Path(__file__).resolve().parents[2] / "examples" / "bom_bearing.csv")
runner = CliRunner()


def _json(args: list[str]) -> dict:  # type: ignore[type-arg]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)  # type: ignore[no-any-return]


def test_rule_json_has_text_and_ast() -> None:
    d = _json(["origin", "rule", "--agreement", "CPTPP", "--hs", "847130", "--json"])
    assert d["rule_text"] == "CTSH" and d["ast"] == {
        "type": "Shift",
        "level": "CTSH",
        "exceptions": [],
    }
    assert d["hs_edition"] == "HS2012" and d["source_rows"][0]["provenance"]["dataset"] == "uk_psr"


def test_rule_eu_jp_gives_the_annex_3b_text() -> None:
    """Issue 12 must-show: EU-JP answers from the EU-Japan EPA Annex 3-B table, not the UK-JP rows."""
    d = _json(["origin", "rule", "--agreement", "EU-JP", "--hs", "848210", "--json"])
    assert (
        d["rule_text"] == "CTH or MaxNOM 50% (EXW) or RVC 55% (FOB)" and d["hs_edition"] == "HS2017"
    )
    row = d["source_rows"][0]
    assert row["provenance"]["dataset"] == "eujp_psr"
    assert (
        row["text"]
        == "A change from any other heading - CTH; MaxNOM 50% (EXW); or Regional Value Content - RVC 55% (FOB)."
    )


def test_rule_jp_vn_from_its_own_table_and_uncovered_chapter(
    capsys: pytest.CaptureFixture[str],
) -> None:
    d = _json(["origin", "rule", "--agreement", "JP-VN", "--hs", "392690", "--json"])
    assert (
        d["rule_text"] == "RVC 40% or CTSH"
        and d["source_rows"][0]["provenance"]["dataset"] == "vjepa_psr"
    )
    from kaigai.cli.app import main

    with pytest.raises(SystemExit) as ex:
        main(["origin", "rule", "--agreement", "JP-VN", "--hs", "848210"])
    assert ex.value.code == 5  # OriginRuleError
    out = capsys.readouterr().err
    assert "Error: no rule data for JP-VN 8482: no rule data for this chapter" in out


def test_rule_no_data_exit_code() -> None:
    res = runner.invoke(app, ["origin", "rule", "--agreement", "AJCEP", "--hs", "847130"])
    assert res.exit_code != 0
    assert (
        "no rule data for AJCEP 8471" in str(res.exception)
        or "no rule data for AJCEP 8471" in res.output
    )


def test_check_json() -> None:
    d = _json(["origin", "check", "--bom", EXAMPLE, "--hs", "848210", "--from", "JPN", "--to", "VNM",
               "--fob", "1000", "--exw", "950", "--json"])  # fmt: skip
    st = {v["agreement"]: v["status"] for v in d["verdicts"]}
    assert st == {
        "CPTPP": "qualifies",
        "RCEP": "qualifies",
        "AJCEP": "no rule data",
        "JP-VN": "no rule data",
    }


def test_check_one_agreement_human() -> None:
    res = runner.invoke(app, ["origin", "check", "--bom", EXAMPLE, "--hs", "848210", "--to", "GBR", "--agreement",
                              "UK-JP", "--fob", "520", "--exw", "500"])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "does not qualify" in res.output


def test_check_requires_price() -> None:
    res = runner.invoke(app, ["origin", "check", "--bom", EXAMPLE, "--hs", "848210", "--to", "VNM"])
    assert res.exit_code != 0


def test_whatif_json() -> None:
    d = _json(["origin", "whatif", "--bom", EXAMPLE, "--hs", "848210", "--to", "GBR", "--agreement", "UK-JP",
               "--fob", "520", "--exw", "500", "--json"])  # fmt: skip
    assert d["status_before"] == "does not qualify"
    assert [c["parts"] for c in d["changes"][:2]] == [["BALL"], ["OR"]]
    assert d["changes"][0]["cost"] == 12.0  # 10% premium on JPY 120


def test_docs_writes_files(tmp_path: Path) -> None:
    d = _json(["origin", "docs", "--bom", EXAMPLE, "--hs", "848210", "--to", "VNM", "--agreement", "CPTPP",
               "--fob", "1000", "--exw", "950", "--out", str(tmp_path), "--format", "json,html", "--json"])  # fmt: skip
    assert len(d["written"]) == 2 and "5 years" in d["retention"]
    data = json.loads((tmp_path / "origin_CPTPP_848210_VNM.json").read_text(encoding="utf-8"))
    assert data["criterion"] == "product-specific rule met: RVC 50% (build-down)"


def test_coverage_json_and_table() -> None:
    from kaigai.origin.general import provisions_table
    from kaigai.origin.provisions import load_agreements

    d = _json(["origin", "coverage", "--json"])
    cov = d["parse_coverage"]
    assert {k: (v["rows"], v["parsed"]) for k, v in cov.items()} == {
        "CPTPP": (2561, 2554), "RCEP": (2189, 2189), "UK-JP": (960, 944), "EU-JP": (5811, 5779), "JP-VN": (544, 544)
    }  # fmt: skip
    ags = load_agreements()
    assert d["provisions"] == {
        k: provisions_table(ags[k]) for k in ("CPTPP", "RCEP", "UK-JP", "EU-JP", "JP-VN")
    }
    res = runner.invoke(app, ["origin", "coverage"])
    assert res.exit_code == 0, res.output
    assert "General provisions applied" in res.output and "Rule parse coverage" in res.output


def test_check_custom_rule() -> None:
    d = _json(["origin", "check", "--bom", EXAMPLE, "--hs", "848210", "--to", "VNM", "--agreement", "CPTPP",
               "--fob", "1000", "--rule", "CTH except from heading 84.82 or RVC 75%", "--json"])  # fmt: skip
    v = d["verdicts"][0]
    # CPTPP allows build-down/build-up/net cost (no net cost given): best is build-down 70.5% < 75%
    assert v["status"] == "does not qualify"
    assert any(
        "RVC 70.5% (build-down, FOB) vs 75% required; short by 4.5 points = JPY 45" in r
        for r in v["reasons"]
    )


def test_check_file_api(settings) -> None:  # type: ignore[no-untyped-def]
    from kaigai.app.origin import check_file

    vs = check_file(Path(EXAMPLE), "8482.10", "Japan", "Viet Nam", settings, fob=1000, exw=950)
    assert {v.agreement: v.status for v in vs}["CPTPP"] == "qualifies"


def test_check_japanese_labels() -> None:
    res = runner.invoke(app, ["origin", "check", "--bom", EXAMPLE, "--hs", "848210", "--to", "VNM", "--agreement",
                              "RCEP", "--fob", "1000", "--lang", "ja"])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "号変更（CTSH） 又は 域内原産割合（RVC）40%以上" in res.output.replace("\n", "")


def test_check_pullover_example_textile_tolerance() -> None:
    """docs/origin.md example: CPTPP ORD Art. 11(5) weight tolerance on the classifying component."""
    ex = str(Path(EXAMPLE).with_name("bom_pullover.csv"))
    d = _json(["origin", "check", "--bom", ex, "--hs", "611020", "--to", "VNM", "--fob", "1000", "--exw", "950",
               "--weight-kg", "0.345", "--confirm", "all", "--json"])  # fmt: skip
    by = {v["agreement"]: v for v in d["verdicts"]}
    assert by["CPTPP"]["status"] == "does not qualify" and by["RCEP"]["status"] == "qualifies"
    assert (
        "textile tolerance: failing materials 0.04 kg = 11.8% of the weight of the component"
        in " ".join(by["CPTPP"]["reasons"])
    )


def _tea_bom(folder: Path, wholly_obtained_column: bool) -> str:
    col, val = ("wholly_obtained", "yes") if wholly_obtained_column else ("originating", "yes")
    bom = folder / "bom_tea.csv"
    bom.write_text(
        f"part_id,part,hs_code,origin,value,currency,{col}\n"
        f"LEAF,Tea leaves from own farm,0902.10,JPN,1200,JPY,{val}\n",
        encoding="utf-8",
    )
    return str(bom)


def test_check_explains_the_wholly_obtained_criterion(tmp_path: Path) -> None:
    """Issue 15 item 2 on the CLI: WO named with its article and how to declare it, EN and JA."""
    args = ["origin", "check", "--hs", "090210", "--to", "CHN", "--fob", "2000"]
    res = runner.invoke(app, [*args, "--bom", _tea_bom(tmp_path, False)])
    assert res.exit_code == 0, res.output
    out = " ".join(res.stdout.split())  # Rich wraps at 80 columns
    assert (
        "RCEP: Wholly obtained (WO), RCEP Art. 3.3 (Goods Wholly Obtained or Produced), (a): "
        "the good must be wholly obtained in the exporting Party" in out
    )
    assert (
        "Not declared. If the product is made only from what is grown, harvested or "
        "extracted in Japan, add a column wholly_obtained = yes to every line of the BOM file "
        "or pass --wholly-obtained" in out
    )
    ja = runner.invoke(app, [*args, "--bom", _tea_bom(tmp_path, False), "--lang", "ja"])
    flat = "".join(ja.stdout.split())  # Japanese wraps between any two characters
    assert "RCEP:完全生産品（WO）、RCEP第3.3条（完全に得られ、又は生産された産品）(a)：" in flat
    assert (
        "部品表ファイルの全行に列`wholly_obtained=yes`を加えるか、--wholly-obtainedを指定" in flat
    )
    # the flag and the BOM column both declare it; the verdict then qualifies under WO
    d = _json([*args, "--bom", _tea_bom(tmp_path, False), "--wholly-obtained", "--json"])
    assert d["verdicts"][0]["status"] == "qualifies"
    assert d["wholly_obtained_criterion"]["RCEP"]["declared_by"] == "--wholly-obtained"
    d = _json([*args, "--bom", _tea_bom(tmp_path, True), "--json"])
    assert (d["product"]["wholly_obtained"], d["verdicts"][0]["status"]) == (True, "qualifies")
    wo = d["wholly_obtained_criterion"]["RCEP"]
    assert (wo["declared_by"], wo["article"]) == ("bom", "RCEP Art. 3.3 (Goods Wholly Obtained or Produced), (a)")  # fmt: skip
    # a rule that is not WO gets no such paragraph
    d = _json(["origin", "check", "--bom", EXAMPLE, "--hs", "848210", "--to", "VNM", "--fob", "1000",
               "--json"])  # fmt: skip
    assert "wholly_obtained_criterion" not in d
