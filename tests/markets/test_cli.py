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


def _svg_texts(svg: str) -> list[str]:
    """The texts matplotlib drew: with text as paths, each text is preceded by an XML comment."""
    import html as h
    import re

    return [h.unescape(m) for m in re.findall(r"<!-- (.*?) -->", svg)]


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_chart_labels_in_the_reader_language(capsys, monkeypatch, data_dir, tmp_path, lang):
    """Issue 15.5: `markets --chart --lang ja` draws Japanese titles, axis labels and market
    names, in the Japanese font fontconfig found (no empty boxes); the bars are the JSON's."""
    from kaigai.reports.charts import cjk_font

    svg = tmp_path / "chart.svg"
    args = ["markets", "--from", "JPN", "--hs", "847130", "--top", "5", "--lang", lang]
    code, out, _ = run([*args, "--json", "--chart", str(svg)], capsys, monkeypatch, data_dir)
    assert code == 0
    markets = [m["market"] for m in json.loads(out)["markets"]]
    assert sorted(markets) == ["AUS", "CHN", "IDN", "IND", "KOR"]
    texts = _svg_texts(svg.read_text(encoding="utf-8"))
    want = {
        "en": ["untapped export potential (USD million)",
               "JPN -> markets, HS 847130: untapped potential by market (colour = risk)",
               "market risk (0 low - 100 high; grey = no data)",
               "South Korea", "India", "Indonesia", "China", "Australia"],
        "ja": ["未開拓の輸出ポテンシャル（百万ドル）",
               "市場ファインダー：日本発 HS 847130　市場別の未開拓輸出ポテンシャル（色＝リスク）",
               "市場リスク（0＝低 〜 100＝高、灰色＝データなし）",
               "韓国", "インド", "インドネシア", "中国", "オーストラリア"],
    }[lang]  # fmt: skip
    assert [x for x in want if x not in texts] == []
    font = cjk_font()
    if lang == "ja" and font is not None:  # glyphs drawn from the Japanese font, not DejaVu's boxes
        assert f'id="{font.replace(" ", "")}-' in svg.read_text(encoding="utf-8")
    page = tmp_path / "chart.html"
    code, _, _ = run([*args, "--chart", str(page)], capsys, monkeypatch, data_dir)
    assert code == 0
    text = page.read_text(encoding="utf-8")
    assert f"<html lang='{lang}'>" in text
    assert ("<th>市場</th><th>理由</th>" if lang == "ja" else "<th>market</th><th>why</th>") in text
