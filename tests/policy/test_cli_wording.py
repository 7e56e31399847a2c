"""Issue 15.11: the policy lab's CLI says what it simulated, how noisy it is, and every code it reinterpreted."""

from __future__ import annotations

import json
import math

from typer.testing import CliRunner

from kaigai.cli.app import app
from kaigai.core.countries import renamed_codes

runner = CliRunner()
FIRMS = ["policy", "firms", "--staff-share", "0.4", "--n-firms", "20000"]


def test_policy_firms_speaks_plainly_and_states_sample_noise() -> None:
    human = runner.invoke(app, FIRMS)
    assert human.exit_code == 0, human.output
    text = " ".join(human.stdout.split())
    assert "each representing 1 firms" not in text and "{'staff_share'" not in text
    assert "policy: global staff share 0.4" in text
    assert "counts are of simulated firms (no --population scaling)" in text
    res = runner.invoke(app, [*FIRMS, "--json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert d["policy"] == {"staff_share": 0.4}  # JSON keeps the machine keys
    k, n, p = d["summary"]["new_exporters"], 20_000, d["summary"]["exporter_share_new"]
    se_new = math.sqrt(k * (1 - k / n))  # binomial count, 1 s.e.
    se_share_pts = 100 * math.sqrt(p * (1 - p) / n)
    line = (
        f"sample size 20,000 simulated firms: simulation noise (1 s.e.) about ±{se_new:,.0f} new exporters "
        f"and ±{se_share_pts:.3f} points of exporter share; runs with another number of firms (dashboard "
        "20,000 by default, CLI 1,000,000) or seed differ by about this much"
    )
    assert d["trace"][1] == line
    assert " ".join(line.split()) in text


def test_population_scaling_is_said_when_used() -> None:
    res = runner.invoke(app, [*FIRMS, "--population", "3580000", "--json"])
    assert res.exit_code == 0, res.output
    assert (
        json.loads(res.stdout)["trace"][0]
        == "20,000 simulated firms (seed 0), each representing 179 firms"
    )


def test_ge_says_when_a_code_is_read_as_another() -> None:
    assert renamed_codes(["CAN", "ROM", "ASEAN", "jpn"]) == ["ROM read as ROU (Romania)"]
    res = runner.invoke(app, ["policy", "ge", "--agreement", "CAN,ROM", "--coef", "pta=0.47", "--reference",
                              "DEU", "--json"])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["trace"][0] == "--agreement: ROM read as ROU (Romania)"
    human = runner.invoke(
        app, ["policy", "ge", "--agreement", "CAN,ROM", "--coef", "pta=0.47", "--reference", "DEU"]
    )
    assert "--agreement: ROM read as ROU (Romania)" in " ".join(human.stdout.split())


def test_one_simulated_firm_per_firm_is_singular() -> None:
    from kaigai.policy.firms import _sample_line

    assert _sample_line(20_000, 0, 20_001 / 20_000) == (
        "20,000 simulated firms (seed 0), each representing 1 firm"
    )
    assert (
        _sample_line(20_000, 0, 0.5)
        == "20,000 simulated firms (seed 0), each representing 0.5 firms"
    )


def _wide(args: list[str]) -> str:
    from kaigai.cli.common import console

    before, console.width = console.width, 1000
    try:
        res = runner.invoke(app, args)
    finally:
        console.width = before
    assert res.exit_code == 0, res.output
    return res.stdout


def _cells(text: str, label: str) -> list[str]:
    line = next(ln for ln in text.splitlines() if ln.startswith(f"│ {label} "))
    return [c.strip() for c in line.strip("│").split("│")]


def test_policy_firms_in_japanese_shows_the_english_json_numbers() -> None:
    """Issue 15.5: the same figures in both languages, labels in Japanese (size classes with the
    employee bands of Japan's SME definitions for manufacturing)."""
    d = json.loads(_wide([*FIRMS, "--json"]))
    ja = _wide([*FIRMS, "--lang", "ja"])
    en = _wide(FIRMS)
    labels = {"all": "全体", "small": "小規模（20人以下）", "medium": "中規模（21〜300人）",
              "large": "大規模（301人以上）"}  # fmt: skip
    for r in [{"size_class": "all", **d["summary"]}, *d["by_size"]]:
        want = [
            f"{r['firms']:,.0f}",
            f"{100 * r['exporter_share_base']:.2f}% → {100 * r['exporter_share_new']:.2f}%",
            f"{r['new_exporters']:,.0f}",
            f"{r['new_exporters_sales']:,.0f}",
            f"{100 * r['fta_utilisation_firms_base']:.1f}% → {100 * r['fta_utilisation_firms_new']:.1f}%",
            f"{r['jobs_in_exporters_base']:,.0f} → {r['jobs_in_exporters_new']:,.0f}",
            f"{r['fdi_firms_base']:,.0f} → {r['fdi_firms_new']:,.0f}",
        ]
        assert _cells(ja, labels[r["size_class"]])[1:] == want
        assert _cells(en, r["size_class"])[1:] == want
    assert "政策：グローバル人材のいる企業の割合 0.4" in ja
    assert "┃ 企業規模 " in ja and "新規輸出企業" in ja and "海外工場" in ja
    cal = d["calibration"]
    assert (
        f"較正：中規模企業の輸出企業割合 {100 * cal['achieved_share']:.2f}%（目標 10.0%）、"
        f"輸出固定費 f_x = {cal['export_fixed_cost']:.4g}" in ja
    )
    assert (
        "模擬企業20,000社（乱数シード0）。件数は模擬企業の数です（--population による拡大なし）"
        in ja
    )
    epa = {(r["name"], r["year"]): r["value_bn_jpy"] for r in d["fta_use"]["by_agreement"]}
    assert _cells(ja, "日EU・EPA")[1:] == ["–", "–", f"{epa['Japan-EU', 2019]:,.0f}",
                                          f"{epa['Japan-EU', 2021]:,.0f}"]  # fmt: skip
    target = d["fta_use"]["target"]
    assert f"うち{100 * target['value']:.1f}%がEPA税率で輸入されました" in ja


def _report_rows(page: str) -> list[list[str]]:
    import re

    return [re.findall(r"<td>(.*?)</td>", tr) for tr in re.findall(r"<tr>(<td>.*?)</tr>", page)]


def test_policy_run_report_in_japanese_has_the_english_numbers(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Issue 15.5: the Japanese report and terminal output of `policy run` show the JSON's figures;
    every table cell but the row labels is the same in both languages."""
    import re

    args = ["policy", "run", "jpn-rcep", "--firms", "20000", "--draws", "5"]
    d = json.loads(_wide([*args, "--json"]))
    en, ja = tmp_path / "en.html", tmp_path / "ja.html"
    _wide([*args, "--report", str(en)])
    text = _wide([*args, "--report", str(ja), "--lang", "ja"])
    rows_en, rows_ja = _report_rows(en.read_text("utf-8")), _report_rows(ja.read_text("utf-8"))
    assert len(rows_en) == len(rows_ja) > 200
    assert [r[1:] for r in rows_en if r[-1] in ("yes", "no")] == [["AUS BRN KHM CHN IDN JPN KOR LAO MYS MMR NZL PHL SGP THA VNM", "2022", "90.0%", "78.8%", "no"]]  # fmt: skip

    def numbers(rows: list[list[str]]) -> list[list[str]]:  # the figures of each cell
        return [[" ".join(re.findall(r"[+-]?\d[\d,.]*%?", c)) for c in r[1:]] for r in rows]

    assert numbers(rows_en) == numbers(rows_ja)
    jpn = next(c for c in d["ge"]["countries"] if c["country"] == "JPN")
    row = next(r for r in rows_ja if r[0] == "JPN" and len(r) == 8)
    assert row[1:4] == [f"{jpn[k]:,.3f}" for k in ("real_gdp_pct", "exports_pct", "imports_pct")]
    s = d["firms"]["summary"]
    assert next(r for r in rows_ja if r[0] == "新規輸出企業")[1] == f"{s['new_exporters']:,.0f}"
    assert _cells(text, "JPN")[1:4] == [
        f"{jpn['real_gdp_pct']:+.3f}", f"{jpn['exports_pct']:+.2f}", f"{jpn['imports_pct']:+.2f}"
    ]  # fmt: skip
    assert "一般均衡（完全均衡）：実質GDPの変化が大きい国" in text
    sv = d["ge_imputed_sensitivity"]["headline"]
    assert f"感応度：JPNの実質GDP {sv['full']:+.3f}% → " in text


def _rows(text: str) -> dict[str, list[str]]:
    """A terminal table's body rows by their first cell."""
    rows = [[c.strip() for c in ln.strip().strip("│").split("│")] for ln in text.splitlines()
            if ln.startswith("│")]  # fmt: skip
    return {r[0]: r[1:] for r in rows}


def test_policy_ge_in_japanese_shows_the_english_json_numbers() -> None:
    """Issue 15.5: `policy ge --lang ja` (headers, title, trace, the ROM -> ROU note in
    Japanese) prints the figures of the English --json, in the same order as English."""
    from tests.i18n.surfaces import GE

    d = json.loads(_wide([*GE, "--json"]))
    ja, en = _wide([*GE, "--lang", "ja"]), _wide(GE)
    band = {r["country"]: r for r in d["monte_carlo"]["countries"]}
    want = {
        r["country"]: [
            f"{r['real_gdp_pct']:+.4f}", f"{r['exports_pct']:+.3f}", f"{r['imports_pct']:+.3f}",
            f"{r['factory_price_pct']:+.4f}", f"{r['imr_pct']:+.4f}", f"{r['omr_pct']:+.4f}",
            f"{band[r['country']]['real_gdp_pct_lower']:+.4f} … "
            f"{band[r['country']]['real_gdp_pct_upper']:+.4f}",
        ]
        for r in d["countries"]
    }  # fmt: skip
    assert _rows(ja) == want and _rows(en) == want
    assert list(_rows(ja)) == list(_rows(en))  # same order: largest real GDP change first
    assert "┃ 国 " in ja and "実質GDP（%）" in ja and "95%区間" in ja
    assert "一般均衡（完全均衡、σ=5）：CAN、JPN、ROMの間で `pta` = 1" in ja
    assert "--agreement：ROM は ROU（ルーマニア）として読みました" in ja
    assert "--agreement: ROM read as ROU (Romania)" in en and "ROU（ルーマニア）" not in en
    conv = d["convergence"]
    assert f"反復{conv['iterations']}回" in ja and "完全均衡、σ=5.0、基準財 P[DEU]=1" in ja
    assert "GE (full, sigma=5): pta = 1 for CAN, JPN, ROM" in en
    assert "full GE, sigma=5.0, numeraire P[DEU]=1" in en and "source: " in en


def test_policy_estimate_in_japanese_shows_the_english_json_numbers(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Issue 15.5: `policy estimate --lang ja`: coefficients, sample, fixed effects, standard
    errors, convergence, delta method and Wald test with the English --json's figures."""
    from tests.i18n.surfaces import ESTIMATE_PPML, gravity_panel

    args = ["policy", "estimate", "--data", gravity_panel(tmp_path), "--formula", ESTIMATE_PPML,
            "--delta", "100*(exp(rta)-1)", "--wald", "rta"]  # fmt: skip
    d = json.loads(_wide([*args, "--json"]))
    ja, en = _wide([*args, "--lang", "ja"]), _wide(args)
    coefs = {c["name"]: c for c in d["coefficients"]}
    for name, c in coefs.items():
        want = [f"{c['estimate']:.6f}", f"{c['se']:.6f}", f"{c['z']:.2f}", f"{c['p']:.4f}"]
        assert _rows(ja)[f"`{name}`"] == want and _rows(en)[name] == want
    assert "┃ 説明変数 " in ja and "標準誤差" in ja
    assert f"観測数：{d['n_input']:,}件中{d['n_obs']:,}件を使用" in ja
    assert f"Observations: {d['n_obs']:,} used of {d['n_input']:,}" in en
    fe = "、".join(f"`{k}`（{v:,}水準）" for k, v in d["fixed_effects"].items())
    assert f"固定効果：{fe}" in ja
    assert f"収束：はい（反復{d['iterations']}回、逸脱度 {d['deviance']:.6g}）" in ja
    assert f"Converged: True after {d['iterations']} iterations" in en
    dm, w = d["delta"][0], d["wald"]
    assert f"デルタ法：`100*(exp(rta)-1)` = {dm['estimate']:.6g}（標準誤差 {dm['se']:.6g}" in ja
    assert f"Delta method: 100*(exp(rta)-1) = {dm['estimate']:.6g} (se {dm['se']:.6g}" in en
    assert f"ワルド検定（`rta`）：χ²({w['df']}) = {w['statistic']:.4f}、p {w['p_chi2']:.4g}" in ja
    assert f"Wald test (rta): chi2({w['df']}) = {w['statistic']:.4f}, p {w['p_chi2']:.4g}" in en


def test_policy_estimate_table_in_japanese_has_the_english_cells(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """`--table md --lang ja`: row labels, S.E. type and note in Japanese, terms as code, every
    figure as in the English table."""
    from tests.i18n.surfaces import CLI_SURFACES

    args = CLI_SURFACES["policy-estimate-table"](tmp_path)
    ja, en = _wide([*args, "--lang", "ja"]), _wide(args)

    def cells(text: str) -> list[list[str]]:
        return [[c.strip() for c in ln.split("|")[2:-1]] for ln in text.splitlines()
                if ln.startswith("| ") and "|---" not in ln]  # fmt: skip

    en_rows, ja_rows = cells(en), cells(ja)
    se = len(en_rows) - 1  # rows: column titles, dependent variable, ..., S.E. type
    assert ja_rows[0] == en_rows[0] and ja_rows[2:se] == en_rows[2:se]
    assert len(ja_rows) == len(en_rows) and en_rows[1] == ["trade", "trade"]
    assert en_rows[se] == ["CRV1 by pair"] * 2
    assert ja_rows[se] == ["クラスター頑健（CRV1、クラスター `pair`）"] * 2
    assert (
        "| 被説明変数 | `trade` | `trade` |" in ja and "| `rta` |" in ja and "| *固定効果* |" in ja
    )
    assert "括弧内は標準誤差。" in ja and "| Dependent variable |" in en and "| rta |" in en
