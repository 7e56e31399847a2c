"""``kaigai markets`` end to end through kaigai.cli.app.main (exit codes, JSON, charts)."""

from __future__ import annotations

import json

import pytest

from kaigai.cli.app import main


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("markets_cli")


def run(argv, capsys, monkeypatch, data_dir):
    monkeypatch.setenv("KAIGAI_DATA_DIR", str(data_dir))
    with pytest.raises(SystemExit) as exc:
        main(argv)
    out = capsys.readouterr()
    return exc.value.code, out.out, out.err


def test_rank_json_and_charts(capsys, monkeypatch, data_dir, tmp_path):
    html = tmp_path / "out.html"
    code, out, _ = run(
        ["markets", "--from", "JPN", "--hs", "847130", "--top", "3", "--json", "--chart", str(html)],
        capsys, monkeypatch, data_dir,
    )  # fmt: skip
    assert code == 0
    d = json.loads(out)
    assert [m["rank"] for m in d["markets"]] == [1, 2, 3]
    assert d["total_markets"] == 16 and d["partial"] is True
    assert {x["market"] for x in d["not_computed"]} >= {"USA", "DEU", "FRA", "GBR", "NLD", "ESP"}
    page = html.read_text(encoding="utf-8")
    assert "<svg" in page and "<script" not in page and "cdn" not in page.lower()
    png = tmp_path / "out.png"
    code, _, _ = run(["markets", "--from", "JPN", "--hs", "847130", "--chart", str(png)],
                     capsys, monkeypatch, data_dir)  # fmt: skip
    assert code == 0 and png.read_bytes()[:4] == b"\x89PNG"


def test_explain_json(capsys, monkeypatch, data_dir):
    code, out, _ = run(
        ["markets", "explain", "--from", "JPN", "--to", "VNM", "--hs", "847130", "--json"],
        capsys, monkeypatch, data_dir,
    )  # fmt: skip
    assert code == 0
    d = json.loads(out)
    assert d["factors"][0]["actual_usd"] == 3_992_011.0
    assert d["risk"]["index"] is not None


@pytest.mark.parametrize(
    ("argv", "want"),
    [
        (["markets", "--from", "Atlantis", "--hs", "847130"], 2),
        (["markets", "--from", "JPN", "--hs", "8471.3"], 2),
        (["markets", "--from", "JPN"], 2),
        (["markets", "--from", "JPN", "--hs", "847130", "--year", "2020"], 2),
        (["markets", "explain", "--from", "JPN", "--to", "USA", "--hs", "847130"], 6),
        (["markets", "--from", "BRN", "--hs", "220300"], 6),
        (["markets", "--from", "JPN", "--hs", "847130", "--chart", "x.gif"], 2),
    ],
)
def test_bad_input_exit_codes(argv, want, capsys, monkeypatch, data_dir):
    code, out, err = run([*argv, "--json"], capsys, monkeypatch, data_dir)
    assert code == want
    assert json.loads(out)["error"]["message"]
    assert "Traceback" not in err


@pytest.mark.parametrize(("lang", "name"), [("en", "Taiwan"), ("ja", "台湾")])
def test_taiwan_shows_by_name_in_the_table(capsys, monkeypatch, data_dir, lang, name):
    """Trade files key Taiwan as S19 (ranking maps it to TWN): the table shows its name, JSON
    keeps the code (issue 15.4)."""
    import kaigai.app.markets as app_markets

    real = app_markets.find_markets

    def with_taiwan(*args, **kwargs):
        res = real(*args, **kwargs)
        res.rows.loc[res.rows.index[1], ["importer", "market"]] = ["S19", "TWN"]  # as in BACI
        return res

    monkeypatch.setattr(app_markets, "find_markets", with_taiwan)
    argv = ["markets", "--from", "JPN", "--hs", "847130", "--top", "3", "--lang", lang]
    code, out, _ = run(argv, capsys, monkeypatch, data_dir)
    assert code == 0
    row2 = next(ln for ln in out.splitlines() if ln.startswith("│ 2 "))
    assert name in row2 and "S19" not in out and "TWN" not in out
    code, out, _ = run([*argv, "--json"], capsys, monkeypatch, data_dir)
    assert json.loads(out)["markets"][1]["market"] == "TWN"
