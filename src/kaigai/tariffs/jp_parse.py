"""Parser for the rate text of Japan's applied tariff schedule (実行関税率表).

Handles 無税, ``3%``, ``10.9円/kg``, bracketed WTO bound rates ``(5%)``, compound
``3%＋10円/kg``, ``A又はBのうちいずれか高い/低い税率`` with ``ただし…`` floors/caps,
ranges ``無税〜(5%)``, 非譲許, gate-price formulas in 課税価格, reference-price differences,
condition lines (関税割当数量以内/以外, 毎年M月D日から…, （…に対する待遇）, product
conditions) and the markers ``*``, ``●``, ``◎``, ``※``, ``◆N``. Anything else raises
:class:`RateParseError`; callers record the text, they never drop it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from kaigai.core.errors import RateParseError
from kaigai.tariffs.expr import (
    FREE,
    AdValorem,
    Branch,
    Choice,
    Compound,
    Conditional,
    Formula,
    Range,
    RateExpr,
    ReferencePrice,
    Specific,
    Unbound,
)

_TRANS = str.maketrans({"（": "(", "）": ")", "％": "%", "＋": "+", "−": "-", "－": "-", "×": "*",
                        "～": "〜", "，": ",", "．": ".", "／": "/", "ｋ": "k", "ｇ": "g"})  # fmt: skip
_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_UNIT = r"kg|kl|l|㎡|頭|足|本|個|枚"
_PARTLY = re.compile(r"^一部(.+)$")
_PCT = re.compile(rf"^({_NUM})%$")
_SPEC = re.compile(rf"^({_NUM})(万)?円/({_NUM})?({_UNIT}|MT)$")
_MARK_LEAD = re.compile(r"^(\*\*|\*|●|◎|※)+")
_MARK_TAIL = re.compile(r"\s*◆\s*\d+$")
_CHOICE = re.compile(r"^(.*)のうちいずれか(高|低)い税率(.*)$", re.S)
_PROVISO = re.compile(r"^\s*\(?ただしその税率が(.+?)を(下回|上回)る場合は(.+?)(?:とする)?\)?$")
_SEASON = re.compile(r"毎年(\d+)月(\d+)日から(?:同年|翌年)(\d+)月(\d+|末)日まで")


def season_of(text: str) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """``毎年4月1日から同年9月30日まで`` -> ((4, 1), (9, 30)); ``2月末日`` -> day 29."""
    m = _SEASON.search(text)
    if not m:
        return None
    a, b, c = (int(x) for x in m.groups()[:3])
    d = 29 if m.group(4) == "末" else int(m.group(4))
    return (a, b), (c, d)


_PARTY = re.compile(r"^\((.+?)に対する待遇\)")
_PARTY_NAMES = {
    "マレーシア": "MYS", "ベトナム": "VNM", "オーストラリア": "AUS", "カナダ": "CAN",
    "ニュージーランド": "NZL", "メキシコ": "MEX", "チリ": "CHL", "ペルー": "PER",
    "シンガポール": "SGP", "ブルネイ": "BRN", "英国": "GBR", "中国": "CHN", "韓国": "KOR",
}  # fmt: skip


@dataclass(frozen=True)
class ParsedCell:
    """A parsed cell: the expression, whether it was bracketed (WTO bound) and its markers."""

    text: str
    expr: RateExpr
    bracketed: bool
    markers: tuple[str, ...]


def _num(s: str) -> float:
    return float(s.replace(",", ""))


def _norm(text: str) -> str:
    t = text.translate(_TRANS).replace("\r\n", "\n").replace("\r", "\n")
    return t.strip()


def _split_top(s: str, sep: str) -> list[str]:
    """Split on ``sep`` outside brackets."""
    out, depth, cur, i = [], 0, "", 0
    while i < len(s):
        if s[i] == "(":
            depth += 1
        elif s[i] == ")":
            depth -= 1
        if depth == 0 and s.startswith(sep, i):
            out.append(cur)
            cur, i = "", i + len(sep)
            continue
        cur += s[i]
        i += 1
    out.append(cur)
    return out


def _strip_outer(s: str) -> tuple[str, bool]:
    """Remove one pair of brackets enclosing the whole string."""
    s = s.strip()
    if s.startswith("(") and s.endswith(")"):
        depth = 0
        for i, ch in enumerate(s):
            depth += ch == "("
            depth -= ch == ")"
            if depth == 0 and i < len(s) - 1:
                return s, False
        return s[1:-1].strip(), True
    return s, False


def _formula(s: str) -> Formula:
    unit_m = re.search(rf"/({_UNIT})", s)
    unit = unit_m.group(1) if unit_m else "kg"
    src = re.sub(rf"/({_UNIT})", "", s).replace("円", "").replace("課税価格", "P").replace(",", "")
    src = src.replace("〜", "")
    if not re.fullmatch(r"[\d.P+\-*/() ]+", src):
        raise RateParseError(f"unsupported formula '{s}'")
    from kaigai.tariffs.expr import eval_formula

    eval_formula(src, 100.0)  # validates syntax
    return Formula(src, "l" if unit == "kl" else unit)


def _atom(s: str) -> RateExpr:
    s = _MARK_LEAD.sub("", s.strip()).strip()
    inner, br = _strip_outer(s)
    if br:
        return _term(inner)
    if s in ("無税", "免税"):
        return FREE
    if m := _PARTLY.match(s):
        return Range((Unbound(), _term(m.group(1))))
    if s == "非譲許":
        return Unbound()
    if m := _PCT.match(s):
        return AdValorem(_num(m.group(1)))
    if m := _SPEC.match(s):
        amount = (
            _num(m.group(1))
            * (10000.0 if m.group(2) else 1.0)
            / (_num(m.group(3)) if m.group(3) else 1.0)
        )
        unit = {"MT": "t"}.get(m.group(4), m.group(4))
        if unit == "kl":
            return Specific(amount / 1000.0, "l")
        return Specific(amount, unit)
    if "課税価格" in s and ("円" in s):
        if "基準輸入価格" in s or "につき" in s:
            return ReferencePrice(s)
        return _formula(s)
    if "基準輸入価格" in s or "分岐点価格" in s or ("キログラムにつき" in s and "円" in s):
        return ReferencePrice(s)
    raise RateParseError(f"unrecognised rate '{s}'")


def _term(s: str) -> RateExpr:
    """A rate without condition text: choice, range, alternatives, compound or atom."""
    s = _MARK_TAIL.sub("", _MARK_LEAD.sub("", s.strip())).strip()
    if not s:
        raise RateParseError("empty rate")
    inner, br = _strip_outer(s)
    if br:
        return _term(inner)
    if m := _PARTLY.match(s):
        return Range((Unbound(), _term(m.group(1))))
    m = _CHOICE.match(s)
    if m:
        head, word, rest = m.group(1), m.group(2), m.group(3).strip()
        opts = tuple(_term(p) for p in _split_top(head, "又は"))
        floor = cap = None
        if rest:
            pm = _PROVISO.match(rest.replace("\n", ""))
            if not pm:
                raise RateParseError(f"unrecognised proviso '{rest}'")
            bound = _term(pm.group(3))
            floor, cap = (bound, None) if pm.group(2) == "下回" else (None, bound)
        return Choice(opts, "max" if word == "高" else "min", floor, cap)
    if "〜" in s and "課税価格" not in s:
        parts = [p for p in re.split(r"〜|、|又は", s) if p.strip()]
        return Range(tuple(_term(p) for p in parts))
    alts = [a for x in _split_top(s, "又は") for a in _split_top(x, "、")]
    if len(alts) > 1 and "課税価格" not in s:
        return Range(tuple(_term(p) for p in alts))
    if "課税価格" in s:
        return _atom(s)
    parts = _split_top(s, "+")
    if len(parts) > 1:
        return Compound(tuple(_atom(p) for p in parts))
    return _atom(s)


def _condition(text: str) -> Branch:
    """One ``condition<space>rate`` line."""
    line = text.strip()
    m = re.match(r"^(.*\S)[\u3000 ]+(\S.*)$", line)
    if not m:
        raise RateParseError(f"condition line without a rate '{line}'")
    # the rate is the last space-separated chunk(s) that parse; conditions may contain spaces
    words = re.split(r"([\u3000 ]+)", line)
    for k in range(1, len(words), 2):
        cond, rate = "".join(words[:k]).strip(), "".join(words[k + 1 :]).strip()
        try:
            expr = _term(rate)
        except RateParseError:
            continue
        return _branch(cond, expr)
    raise RateParseError(f"no rate found in condition line '{line}'")


def _branch(cond: str, expr: RateExpr) -> Branch:
    if pm := _PARTY.match(cond):
        names = pm.group(1)
        if names.startswith("他の"):
            return Branch("party", cond, expr, ())
        codes = tuple(code for name, code in _PARTY_NAMES.items() if name in names)
        if not codes:
            raise RateParseError(f"unknown party in '{cond}'")
        return Branch("party", cond, expr, codes)
    if season := season_of(cond):
        return Branch("seasonal", cond, expr, season=season)
    if "関税割当数量以内" in cond:
        return Branch("in_quota", cond, expr)
    if "関税割当数量以外" in cond:
        return Branch("out_quota", cond, expr)
    if "関税割当て以外" in cond or "関税割当て" in cond:
        return Branch("other", cond, expr)
    return Branch("product", cond, expr)


@lru_cache(maxsize=65536)
def parse_jp_rate(text: str) -> ParsedCell:
    """Parse one cell of Japan's schedule.

    Raises
    ------
    RateParseError
        with the reason, for text outside the supported grammar.

    Examples
    --------
    >>> parse_jp_rate("3%又は10.9円/kgのうちいずれか高い税率").expr.mode
    'max'
    """
    raw = text
    t = _norm(text)
    if not t:
        raise RateParseError("empty cell")
    markers = tuple(re.findall(r"\*\*|\*|●|◎|※|◆\s*\d+", t))
    lines = [ln for ln in t.split("\n") if ln.strip()]
    # rates broken over lines: "(無税)〜" + "(12%)", "29.8%+" + "915円/kg", "(500円" + "/kg)"
    joined: list[str] = []
    for ln in lines:
        if joined and (
            re.search(r"[〜+]$|\($|円$", joined[-1].strip()) or ln.strip().startswith("/")
        ):
            joined[-1] = joined[-1].strip() + ln.strip()
        else:
            joined.append(ln)
    lines = joined
    # a proviso on its own line belongs to the rate above it
    merged: list[str] = []
    for ln in lines:
        if ln.strip().startswith("ただし") and merged:
            merged[-1] += ln.strip()
        else:
            merged.append(ln)
    bracketed = (
        _strip_outer(_MARK_LEAD.sub("", merged[0]).strip())[1] if len(merged) == 1 else False
    )
    if len(merged) == 1:
        try:
            return ParsedCell(raw, _term(merged[0]), bracketed, markers)
        except RateParseError:
            if not re.search(r"[\u3000 ]", merged[0].strip()):
                raise
    branches = tuple(_condition(ln) for ln in merged)
    # "within quota" + "other" pairs: the other line is the out-of-quota rate
    if any(b.condition == "in_quota" for b in branches):
        branches = tuple(
            Branch("out_quota", b.text, b.expr)
            if b.condition == "product" and b.text == "その他のもの"
            else b
            for b in branches
        )
    return ParsedCell(raw, Conditional(branches), False, markers)


__all__ = ["ParsedCell", "parse_jp_rate", "season_of"]
