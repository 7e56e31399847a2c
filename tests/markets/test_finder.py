"""Ranking, explanation and bad input through the service layer (starter pack)."""

from __future__ import annotations

import pytest

from kaigai.app.markets import explain_market, find_markets
from kaigai.core.config import get_settings
from kaigai.core.errors import CountryError, HSCodeError, InputError, MarketError
from kaigai.markets.ranking import money
from kaigai.markets.weights import load_weights


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    """One data dir for the module, so the prepared potential is computed once."""
    return get_settings(data_dir=tmp_path_factory.mktemp("markets_data"), use_starter=True)


def test_rank_jpn_847130(settings):
    r = find_markets(settings, "JPN", "847130")
    rows = r.rows
    assert len(rows) == 16  # 17 complete starter markets minus JPN itself
    assert list(rows["rank"]) == list(range(1, 17))
    assert rows["score"].is_monotonic_decreasing
    vnm = rows[rows.market == "VNM"].iloc[0]
    assert vnm["actual_usd"] == 3_992_011.0
    assert "risk" in vnm["explanation"] and "untapped" in vnm["explanation"]
    reasons = {d["market"]: d["reason"] for d in r.not_computed}
    assert reasons["USA"].startswith("no import data")
    assert "JPN" not in reasons
    assert r.partial
    d = r.to_dict()
    assert d["markets"][0]["rank"] == 1 and "tariff" in d["markets"][0]["risk_missing"]


def test_floor_and_sort(settings):
    r = find_markets(settings, "JPN", "847130", floor=1_000_000, sort="untapped")
    assert (r.rows["untapped_usd"] >= 1_000_000).all()
    assert r.rows["untapped_usd"].is_monotonic_decreasing


def test_chapter_group(settings):
    r = find_markets(settings, "Japan", "8471")
    assert len(r.products) > 5
    assert all(p.startswith("8471") for p in r.products)


def test_explain(settings):
    e = explain_market(settings, "JPN", "VNM", "847130")
    f = e["factors"][0]
    assert f["actual_usd"] == 3_992_011.0
    assert f["potential_usd"] == pytest.approx(e["potential_usd"])
    assert "tariff_missing" in f["flags"]
    ind = {i["key"]: i for i in e["risk"]["indicators"]}
    assert ind["db_enforce_days"]["value"] == 400.0 and ind["db_enforce_days"]["year"] == 2016
    assert "tariff" in e["risk"]["missing"]


def test_bad_inputs(settings):
    with pytest.raises(CountryError):
        find_markets(settings, "Atlantis", "847130")
    with pytest.raises(HSCodeError):
        find_markets(settings, "JPN", "8471.3")
    with pytest.raises(HSCodeError):
        find_markets(settings, "JPN", "7701")
    with pytest.raises(MarketError, match="no import data for USA|No import data for USA"):
        explain_market(settings, "JPN", "USA", "847130")
    # Brunei records no exports of beer (HS 220300) in 2024: nothing computable
    with pytest.raises(MarketError, match="no recorded exports"):
        find_markets(settings, "BRN", "220300")


def test_weights_file(tmp_path):
    p = tmp_path / "w.toml"
    p.write_text("[risk]\nlogistics = 0.5\ntariff = 0\n[ranking]\nuntapped = 1\n")
    w = load_weights(p)
    assert w.risk["logistics"] == 0.5 and w.risk["tariff"] == 0.0 and w.ranking["untapped"] == 1.0
    p.write_text("[risk]\nweather = 1\n")
    with pytest.raises(InputError, match="Unknown risk weight"):
        load_weights(p)
    p.write_text("[risk]\nlogistics = -1\n")
    with pytest.raises(InputError):
        load_weights(p)


def test_money():
    assert money(4_100_000) == "USD 4.1m"
    assert money(850_000) == "USD 850.0k"
    assert money(12.0) == "USD 12"


def test_dicts_are_strict_json(settings):
    import json

    d = find_markets(settings, "JPN", "847130").to_dict()
    json.dumps(d, allow_nan=False)
    e = explain_market(settings, "JPN", "VNM", "847130")
    json.dumps(e, allow_nan=False)


def test_japanese_explanations(tmp_path):
    st = get_settings(data_dir=tmp_path, use_starter=True, lang="ja")
    r = find_markets(st, "JPN", "847130")
    ind = r.rows[r.rows.market == "IND"].iloc[0]
    assert ind["explanation"].startswith("潜在輸出額 3.3百万ドル、うち未開拓 92%")
    assert "契約執行の所要日数 1,420日" in ind["explanation"]
    assert "関税・協定" in ind["explanation"]  # missing component, in Japanese
