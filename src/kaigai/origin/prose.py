"""Parser for rules written as English prose (UK Online Trade Tariff: UK-Japan CEPA, CPTPP ORD).

Sentences are matched against a closed list of patterns; every pattern builds typed nodes.
Text that matches no pattern raises :class:`~kaigai.core.errors.RuleParseError` naming the
sentence that failed; nothing is guessed.
"""

from __future__ import annotations

import datetime as dt
import re

from kaigai.core.errors import RuleParseError
from kaigai.origin.ast import (
    RVC,
    WO,
    And,
    Basis,
    CodeRange,
    Condition,
    Dated,
    ForProduct,
    MaterialLimit,
    MaxNOM,
    Node,
    Or,
    Process,
    Shift,
    WOMaterials,
)
from kaigai.origin.processes import operations_of, starts_with_operation

_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}  # fmt: skip
_DAY = r"(\d{1,2})(?:st|nd|rd|th)\s+([A-Za-z]{3})[a-z]*\s+(\d{4})"
_DATED = re.compile(rf"\(\s*{_DAY}\s+(?:to\s+{_DAY}|onwards)\s*\)")
_SEE_ALSO = re.compile(r"See also Appendix \d+ \([^)]*\)\.?", re.IGNORECASE)


def clean(text: str) -> str:
    """Flatten markdown/HTML of the UK source into one line of plain text."""
    t = re.sub(r"<abbr[^>]*>(.*?)</abbr>", r"\1", text)
    t = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", t)
    t = t.replace("&nbsp;", " ").replace("**", "").replace("*and*", "and")
    t = re.sub(r"(?m)^\s*-\s+", " ", t)
    t = re.sub(r"\s+", " ", t).strip()
    t = re.sub(r"(heading|subheading|chapter)\s+(\d{2})\.(\d{2})\b(?!\.\d)", r"\1 \2\3", t)
    return t


def _date(d: str, mon: str, y: str) -> dt.date:
    return dt.date(int(y), _MONTHS[mon.lower()[:3]], int(d))


_CODE = re.compile(
    r"(?:(?P<l1>chapter|heading|subheading)s?\s+)?(?P<a>\d{4}\.\d{2}|\d{2}\.\d{2}|\d{1,6})(?![\d.]*\s*%)(?!\s*per cent)"
    r"(?:\s+(?:to|through)\s+(?:(?:chapter|heading|subheading)\s+)?(?P<b>\d{4}\.\d{2}|\d{2}\.\d{2}|\d{1,6}))?"
)
_SEP = re.compile(r"^\s*(?:,|or|and|,\s*or|,\s*and|and from|or from|, from)?\s*$", re.IGNORECASE)
_LVL = {2: "chapter", 4: "heading", 6: "subheading", 1: "chapter"}


def _safe(s: str) -> str:
    return s.replace('"', "'").replace("[", "(").replace("]", ")").strip(" ,.")


def code_list(text: str) -> tuple[CodeRange, ...]:
    """``heading 7208 to heading 7216, inner or outer rings of subheading 848299`` -> ranges."""
    out: list[CodeRange] = []
    pos = 0
    level: str | None = None
    matches = list(_CODE.finditer(text))
    if not matches:
        raise RuleParseError(f"no HS code in {text!r}")
    for m in matches:
        gap = text[pos : m.start()]
        qual = None
        if not _SEP.match(gap):
            g = re.sub(r"^\s*(?:,\s*)?(?:or|and)?\s*(?:from\s+)?", "", gap) if out else gap
            if not re.search(r"\s(of|in)\s*$", g + " "):
                raise RuleParseError(f"cannot read {gap.strip()!r} in code list {text!r}")
            qual = _safe(re.sub(r"\s(of|in)\s*$", "", g + " "))
        a = m.group("a").replace(".", "")
        b = (m.group("b") or "").replace(".", "") or None
        lvl = m.group("l1") or (
            level
            if level and len(a) == {"chapter": 2, "heading": 4, "subheading": 6}[level]
            else None
        )
        lvl = lvl or _LVL.get(len(a))
        if lvl is None or len(a) not in (1, 2, 4, 6):
            raise RuleParseError(
                f"code {m.group('a')} in {text!r} is not a chapter, heading or subheading"
            )
        if lvl == "chapter":
            a = a.zfill(2)
            b = b.zfill(2) if b else None
        want = {"chapter": 2, "heading": 4, "subheading": 6}[lvl]
        if len(a) != want or (b is not None and len(b) != want):
            raise RuleParseError(f"code {m.group(0)!r} does not fit level {lvl}")
        out.append(CodeRange(lvl, a, b, qual or None))  # type: ignore[arg-type]
        level = lvl
        pos = m.end()
    tail = text[pos:].strip(" .")
    if tail:
        last = out[-1]
        out[-1] = CodeRange(
            last.level, last.start, last.end, _safe(((last.qualifier or "") + " " + tail).strip())
        )
    return tuple(out)


_BASIS_TAIL = (
    r"(?:the )?ex-works price \(EXW\)(?: or (?:(?P<p2>\d+(?:\.\d+)?)% of )?(?:the )?Free on Board \(FOB\) (?:cost|price))?"
    r" of the (?:product|set|good)"
)
_VALUE_LIM = re.compile(
    r"^(?:the )?(?:total )?value of (?:all )?(?:the )?non-originating (?P<what>.+?) used does not exceed "
    rf"(?P<p>\d+(?:\.\d+)?)% of {_BASIS_TAIL}$"
)
_WEIGHT_LIM = re.compile(
    r"^(?:the )?(?:total )?weight of non-originating materials of (?P<what>.+?) used does not exceed "
    r"(?P<p>\d+(?:\.\d+)?)% of the weight of the product$",
    re.IGNORECASE,
)
_WO_MAT = re.compile(
    r"^(?:Production in which )?all the materials of (?P<what>.+?) used are wholly obtained$", re.I
)
_HOWEVER = re.compile(
    r"^However,? non-originating (?P<what>.+?) may be (?:used|incorporated(?: into the set)?), provided that their "
    rf"(?:total )?value does not exceed (?P<p>\d+(?:\.\d+)?)% of {_BASIS_TAIL}$"
)
_SHIFT_JP = re.compile(
    r"^(?P<lvl>CC|CTH|CTSH): All non-originating materials used in the production of the good have undergone a "
    r"change in tariff classification at the \d-digit level \([^)]*\)(?P<rest>.*)$"
)
_MAXNOM_JP = re.compile(
    r"^A maximum of (?P<p>\d+(?:\.\d+)?)% of the ex-works price \(EXW\) is made up of non-originating parts \(MAXNOM\)$"
)
_RVC_JP = re.compile(
    r"^Your goods contain a Regional Value Content \(RVC\) of at least (?P<p>\d+(?:\.\d+)?)% of the Free on Board "
    r"\(FOB\) cost of the goods$"
)
_CHANGE = re.compile(
    r"^A change to (?P<what>.+?),? from any other (?P<from>chapter|heading|subheading)(?P<rest>.*)$"
)
_NOCHANGE = re.compile(
    r"^No change in tariff classification required for (?P<what>.+?),? provided (?P<rest>.*)$"
)
_PLAIN_GOOD = re.compile(
    r"^(?:a good|any other good) of (?:heading|subheading|chapter)s? [\d.]+(?: (?:through|to) (?:heading |subheading )?[\d.]+)?$"
)
_NOT_USED = re.compile(
    r"^(?:provided that )?non-originating materials of (?P<what>.+?) (?:are not|shall not be) used$"
)
_CONDITION_SENT = re.compile(
    r"^(?:Each item in the set (?:must|shall) satisfy .+|All non-originating .+ shall be .+|.+ (?:are|is) produced from .+"
    r"|all non-originating .+ shall be .+)$"
)
_RVC_ITEM = re.compile(
    r"^(?:[a-d]\) )?(?P<p>\d+(?:\.\d+)?)% under the (?P<m>build-up|build-down|net cost|focused value) method"
    r"(?: taking into account only the non-originating materials of (?P<focus>.+))?$"
)
_WO_ALL = re.compile(r"^All (?P<what>.+?) (?:are|is) wholly obtained$")
_FROM = {"chapter": "CC", "heading": "CTH", "subheading": "CTSH"}


def _limit_basis(m: re.Match[str]) -> Basis:
    return "EXW or FOB" if "Free on Board" in m.group(0) else "EXW"


def _alt(m: re.Match[str]) -> float | None:
    p2 = m.group("p2")
    return float(p2) if p2 and float(p2) != float(m.group("p")) else None


def clause(c: str) -> Node:
    """One condition clause (after 'provided that' or a whole sentence)."""
    c = c.strip().rstrip(".").strip()
    c = re.sub(r"^provided that:?\s*", "", c)
    if (m := _VALUE_LIM.match(c)) is not None:
        what = m.group("what")
        if what == "materials":
            mats: tuple[CodeRange, ...] = ()
        elif re.search(r"\d", what):
            mats = code_list(re.sub(r"^materials of\s+", "", what))
        else:
            return Condition(_safe(c))
        return MaterialLimit("value", float(m.group("p")), mats, _limit_basis(m), False, _alt(m))  # type: ignore[arg-type]
    if (m := _WEIGHT_LIM.match(c)) is not None:
        return MaterialLimit("weight", float(m.group("p")), code_list(m.group("what")))
    if (m := _WO_MAT.match(c)) is not None and re.search(r"\d", m.group("what")):
        return WOMaterials(code_list(m.group("what")))
    if (m := _HOWEVER.match(c)) is not None and re.search(r"\d", m.group("what")):
        what = re.sub(r"^materials of\s+", "", m.group("what"))
        return MaterialLimit(
            "value", float(m.group("p")), code_list(what), _limit_basis(m), True, _alt(m)
        )
    if (m := _MAXNOM_JP.match(c)) is not None:
        return MaxNOM(float(m.group("p")), "EXW")
    if (m := _RVC_JP.match(c)) is not None:
        return RVC(float(m.group("p")), None, "FOB")
    if (m := _RVC_ITEM.match(c)) is not None:
        focus = code_list(m.group("focus")) if m.group("focus") else ()
        return RVC(float(m.group("p")), m.group("m"), None, focus)  # type: ignore[arg-type]
    if (m := _WO_ALL.match(c)) is not None:
        return WO()
    if (m := _NOT_USED.match(c)) is not None:
        return MaterialLimit("value", 0.0, code_list(m.group("what")))
    if (m := re.match(r"^Non-originating materials used undergo (?:a )?(?P<p>.+)$", c)) is not None:
        return Process(_safe(c), operations_of(m.group("p")))
    if _CONDITION_SENT.match(c):
        return Condition(_safe(c))
    raise RuleParseError(f"no rule pattern matches: {c!r}")


def _conj(parts: list[Node]) -> Node:
    return parts[0] if len(parts) == 1 else And(tuple(parts))


def _provisos(text: str) -> list[Node]:
    """'a, and b, and c' after 'provided that'; a clause that matches nothing becomes an error."""
    items = re.split(
        r",? and (?=(?:the |all |non-originating |total )?(?:total |value|weight|materials|the materials))",
        text,
    )
    return [clause(i) for i in items if i.strip()]


def _shift_rest(level: str, rest: str) -> Node:
    rest = rest.strip().rstrip(".")
    tail: list[Node] = []
    m = re.search(r"(?:^|\s)and (?=A maximum of|Your goods contain)", rest)
    if m:
        tail.append(clause(rest[m.end() :]))
        rest = rest[: m.start()]
    m = re.search(r",? provided(?: that| there is)?:?\s*", rest)
    cond = None
    if m:
        cond = rest[m.end() :]
        rest = rest[: m.start()]
    exc: tuple[CodeRange, ...] = ()
    rest = rest.strip(" ,")
    if rest.startswith("except from"):
        exc = code_list(rest[len("except from") :])
    elif rest:
        raise RuleParseError(f"cannot read {rest!r} after {level}")
    parts: list[Node] = [Shift(level, exc)]  # type: ignore[arg-type]
    if cond is not None:
        if cond.startswith("a regional value content"):
            parts.append(_rvc_lead(cond))
        else:
            try:
                parts += _provisos(cond)
            except RuleParseError:
                parts.append(Condition(_safe(cond)))
    return _conj(parts + tail)


def _rvc_lead(rest: str) -> Node:
    m = re.match(r"^(?:there is )?a regional value content of not less than:?\s*(?P<r>.*)$", rest)
    if not m:
        raise RuleParseError(f"cannot read {rest!r}")
    return clause(m.group("r"))


def _product(what: str, node: Node) -> Node:
    w = what.strip(" ,")
    if _PLAIN_GOOD.match(w):
        return node if w.startswith("a good") else ForProduct(_safe(w), node)
    return ForProduct(_safe(w), node)


def sentence(s: str) -> Node:
    """Parse one sentence of UK rule prose."""
    s = s.strip().rstrip(".").strip()
    alts = re.split(r"\s+\*?or\*?\s+(?=No change in|A change to)", s)
    if len(alts) > 1:
        return Or(tuple(sentence(a) for a in alts))
    m = re.search(r" and (?P<n>non-originating materials of [^,]+? shall not be used)$", s)
    if m:
        return And((sentence(s[: m.start()]), clause(m.group("n"))))
    if (m := _SHIFT_JP.match(s)) is not None:
        return _shift_rest(m.group("lvl"), m.group("rest"))
    if (m := _CHANGE.match(s)) is not None:
        node = _shift_rest(_FROM[m.group("from")], m.group("rest"))
        return _product(m.group("what"), node)
    if (m := _NOCHANGE.match(s)) is not None:
        rest = m.group("rest")
        node = (
            _rvc_lead(rest)
            if "regional value content" in rest
            else Condition(_safe(re.sub(r"^that\s+", "", rest)))
        )
        return _product(m.group("what"), node)
    try:
        return clause(s)
    except RuleParseError:
        pass
    if (starts_with_operation(s) or s.startswith("Electrolytic")) and not s.lower().startswith(
        "however"
    ):
        m = re.search(r",? provided that (?P<c>.*)$", s)
        if m:
            desc = s[: m.start()]
            return And((Process(_safe(desc), operations_of(desc)), *_provisos(m.group("c"))))
        return Process(_safe(s), operations_of(s))
    raise RuleParseError(f"no rule pattern matches: {s!r}")


def parse_prose(text: str) -> tuple[Node, tuple[str, ...]]:
    """Parse one UK rule row. Returns the tree and notes (e.g. 'See also Appendix 1 …').

    Raises
    ------
    RuleParseError
        when a sentence matches no pattern, or the row folds a country-specific rule.
    """
    t = clean(text)
    notes: list[str] = []
    for m in _SEE_ALSO.finditer(t):
        notes.append(m.group(0).strip())
    t = _SEE_ALSO.sub(" ", t).strip()
    cm = re.search(
        r"For originating goods of .*? imported from (?P<c>[A-Z][a-z]+(?: [A-Z][a-z]+)*), the product specific rule is:?",
        t,
    )
    if cm:
        head, _ = parse_prose(t[: cm.start()])
        tail, _ = parse_prose(t[cm.end() :])
        desc = f"goods imported from {cm.group('c')} (country-specific rule)"
        return Or((head, ForProduct(desc, tail))), tuple(notes)
    start = end = None
    if (dm := _DATED.search(t)) is not None:
        start = _date(dm.group(1), dm.group(2), dm.group(3))
        end = _date(dm.group(4), dm.group(5), dm.group(6)) if dm.group(4) else None
        t = (t[: dm.start()] + t[dm.end() :]).strip()
    sents = [x for x in re.split(r"(?<=[a-z0-9)])\.\s+(?=[A-Z])", t) if x.strip()]
    nodes = [sentence(x) for x in sents]
    node: Node = (
        nodes[0]
        if len(nodes) == 1
        else (
            Or(tuple(nodes)) if all(isinstance(n, ForProduct) for n in nodes) else And(tuple(nodes))
        )
    )
    if start or end:
        node = Dated(node, start, end)
    return node, tuple(notes)


__all__ = ["clause", "clean", "code_list", "parse_prose", "sentence"]
