"""Japanese wording of the market finder's explanations (English is the default in the code)."""

from __future__ import annotations

SUB_LABEL_JA = {
    "lpi": "物流パフォーマンス (LPI)",
    "wgi_rl": "法の支配 (WGI)",
    "db_enforce_days": "契約執行の所要日数",
    "wgi_pv": "政治的安定 (WGI)",
    "wgi_va": "発言力と説明責任 (WGI)",
    "db_enforce_cost": "契約執行の費用",
    "db_insolvency_recovery": "倒産時の回収率",
    "db_insolvency_years": "倒産処理の期間",
    "ilo_earnings": "平均月収 (ILO)",
    "cpi": "腐敗認識指数 (TI CPI)",
    "wgi_cc": "腐敗の抑制 (WGI)",
    "tariff_coverage": "関税・協定のカバー率",
}
UNIT_JA = {
    "days": "日",
    "years": "年",
    "% of claim": "%（請求額比）",
    "cents on the dollar": "セント/ドル",
    "score 1-5": "点（1〜5）",
    "score 0-100": "点（0〜100）",
    "estimate -2.5..2.5": "（推計値 -2.5〜2.5）",
    "2021 PPP $ / month": "2021年PPPドル/月",
}
COMPONENT_JA = {
    "logistics": "物流",
    "legal": "法制度・契約執行",
    "political": "政治リスク",
    "receivables": "債権回収",
    "labour": "人件費",
    "corruption": "汚職",
    "tariff": "関税・協定",
}
FLAG_JA = {
    "growth_missing": "輸出国のGDP見通しなし（成長は中立）",
    "demand_growth_missing": "市場のGDP・人口見通しなし（需要成長は中立）",
    "distance_missing": "距離データなし（距離係数は中立）",
    "ease_zero": "全品目で二国間貿易なし（貿易容易度 0）",
    "no_risk": "リスクデータなし",
}


def explanation_ja(
    potential: str, share: float | None, growth: float | None, target_year: int,
    risk: float | None, driver: str, missing: list[str],
) -> str:  # fmt: skip
    """e.g. "潜在輸出額 USD 3.3m、うち未開拓 92%; 市場の輸入 +30%（2028年まで）; リスク 58/100（主因: ...）"."""
    txt = f"潜在輸出額 {potential}"
    txt += f"、うち未開拓 {share:.0%}" if share is not None else "、算出不能"
    if growth is not None:
        txt += f"; 市場の輸入 {growth:+.0%}（{target_year}年まで）"
    if risk is not None:
        txt += f"; リスク {risk:.0f}/100（主因: {driver}）"
        if missing:
            txt += "（データなし: " + "、".join(COMPONENT_JA.get(m, m) for m in missing) + "）"
    else:
        txt += "; " + FLAG_JA["no_risk"]
    return txt


__all__ = ["COMPONENT_JA", "FLAG_JA", "SUB_LABEL_JA", "UNIT_JA", "explanation_ja"]
