"""Readers for the EU-Japan EPA Annex 3-B table and the Japan-Viet Nam EPA positive list.

EU-JP (``eujp_psr``): one row per HS 2017 subheading; ``rule_text_clean`` is the Annex 3-B text
with the source's abbreviation expansions ("A change from any other heading - CTH") that are
undone here (the same substitution corrupted "ICCAT" in the 224 bluefin-tuna rows; repaired and
noted). Alternatives are separated by ";" / "; or"; one alternative may join requirements
with "and" ("CTH and MaxNOM 50% (EXW)"). Sentences the shift/value patterns do not cover go to
the UK prose reader (:mod:`kaigai.origin.prose`), which knows the same Annex 3-B wording.

JP-VN (``vjepa_psr``): Vietnamese text of Annex 2 (Circular 10/2009/TT-BCT). ``rule_en_auto``
holds the English notation for the simple rows; the others are read here from the Vietnamese
pattern words ("hoặc" = or, "ngoại trừ từ" = except from, "với điều kiện" = provided that,
"đối với"/"cho" = for). Conditions stay verbatim (Vietnamese) and need confirmation.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

from kaigai.core.errors import KaigaiError, RuleParseError
from kaigai.core.provenance import Provenance
from kaigai.origin.ast import RVC, And, CodeRange, Condition, ForProduct, MaxNOM, Node, Or, Shift
from kaigai.origin.parser import parse_rcep
from kaigai.origin.prose import clause, code_list, sentence
from kaigai.origin.provisions import Agreement
from kaigai.origin.store import RuleBook, RuleRow, code_bounds

if TYPE_CHECKING:
    import pandas as pd

_ABBR = (
    (r"A change from any other heading - CTH", "CTH"),
    (r"A change from any other subheading - CTSH", "CTSH"),
    (r"Change of chapter - CC", "CC"),
    (r"Regional Value Content - RVC", "RVC"),
)
_ICCAT = "(IChange of chapter - CCAT)"
ICCAT_NOTE = "source text repaired: '(IChange of chapter - CCAT)' read as '(ICCAT)' (README defect)"
_SHIFT = re.compile(
    r"^(?P<lvl>CC|CTH|CTSH)(?P<rest>(?:\s+except from\s.+?)?)(?:,?\s+provided that:?\s*(?P<cond>.+))?$"
)
_MAXNOM = re.compile(r"^MaxNOM\s*(?P<p>\d+(?:\.\d+)?)\s*%\s*\((?P<b>EXW|FOB)\)$")
_RVC = re.compile(r"^RVC\s*(?P<p>\d+(?:\.\d+)?)\s*%\s*\((?P<b>EXW|FOB)\)$")


def normalise_eujp(text: str) -> tuple[str, tuple[str, ...]]:
    """Undo the source's abbreviation expansion; returns the text and repair notes."""
    notes: list[str] = []
    t = text
    if _ICCAT in t:
        t = t.replace(_ICCAT, "(ICCAT)")
        notes.append(ICCAT_NOTE)
    for pat, rep in _ABBR:
        t = t.replace(pat, rep)
    t = re.sub(r"\s+", " ", t).strip()
    # Annex 3-B wording -> the UK ORD wording the prose reader knows (same legal text family)
    t = re.sub(
        r"of the EXW or (\d+(?:\.\d+)?)% of the FOB of the (product|set|good)",
        r"of the ex-works price (EXW) or \1% of the Free on Board (FOB) cost of the \2",
        t,
    )
    t = re.sub(
        r"of the EXW or (?:the )?FOB of the (product|set|good)",
        r"of the ex-works price (EXW) or Free on Board (FOB) cost of the \1",
        t,
    )
    t = re.sub(r"of the EXW of the (product|set|good)", r"of the ex-works price (EXW) of the \1", t)
    t = re.sub(
        r"may be (used|incorporated(?: into the set)?) provided that",
        r"may be \1, provided that",
        t,
    )
    t = re.sub(
        r"\b(Chapter|Heading|Subheading)(s?) (?=\d)",
        lambda m: m.group(1).lower() + m.group(2) + " ",
        t,
    )
    return t, tuple(notes)


_SPLIT_TOKENS = re.compile(r"[();]")


def _split_top(text: str, sep: str = ";") -> list[str]:
    """Split on ";" outside parentheses, not before a list item ("; - x", "; and - x")."""
    out: list[str] = []
    depth, start = 0, 0
    for m in _SPLIT_TOKENS.finditer(text):
        ch = m.group(0)
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif depth == 0 and not re.match(r"\s*(?:and\s+|or\s+)?-\s", text[m.end() :]):
            out.append(text[start : m.start()])
            start = m.end()
    out.append(text[start:])
    return [x.strip() for x in out if x.strip()]


def _element(s: str) -> Node:
    s = s.strip().rstrip(".").strip()
    if (m := _MAXNOM.match(s)) is not None:
        return MaxNOM(float(m.group("p")), m.group("b"))  # type: ignore[arg-type]
    if (m := _RVC.match(s)) is not None:
        return RVC(float(m.group("p")), None, m.group("b"))  # type: ignore[arg-type]
    if (m := _SHIFT.match(s)) is not None:
        rest = m.group("rest").strip()
        exc = code_list(re.sub(r"^except from\s+", "", rest)) if rest else ()
        node: Node = Shift(m.group("lvl"), exc)  # type: ignore[arg-type]
        cond = m.group("cond")
        if cond:
            items = [c for c in re.split(r"\s*(?:;\s*(?:and\s+)?)?-\s+", cond) if c.strip()]
            parts: list[Node] = [node]
            for c in items:
                c = re.sub(
                    r"^(?:and|the)\s+(?=\w)",
                    lambda x: "" if x.group(0).startswith("and") else x.group(0),
                    c.strip().rstrip(";"),
                )
                try:
                    parts.append(clause(c))
                except RuleParseError:
                    parts.append(Condition(c.replace('"', "'").strip(" ,.;")))
            node = And(tuple(parts))
        return node
    return sentence(s)


def _alternative(s: str) -> Node:
    """One alternative: requirements joined by ' and ' between value/shift elements."""
    pieces = re.split(r"\s+and\s+(?=(?:MaxNOM|RVC)\s*\d)", s)
    nodes = [_element(p) for p in pieces]
    return nodes[0] if len(nodes) == 1 else And(tuple(nodes))


@lru_cache(maxsize=4096)
def parse_eujp(text: str) -> tuple[Node, tuple[str, ...]]:
    """Parse one Annex 3-B rule (``rule_text_clean``). Raises :class:`RuleParseError`.

    Cached: the 5,811 rows hold 171 distinct texts (trees are immutable).
    """
    t, notes = normalise_eujp(text)
    t = re.sub(r"\.\s*$", "", t)
    alts = [re.sub(r"^or\s+", "", a) for a in _split_top(t)]
    nodes: list[Node] = []
    extra: list[str] = []
    for a in alts:
        if a.lower().startswith("however") and nodes:
            allow = _allowance(a)
            if allow is None:
                extra.append(f"allowance not applied (its materials are not named by HS code): {a}")
            else:
                prev = nodes[-1]
                nodes[-1] = (
                    And((*prev.parts, allow)) if isinstance(prev, And) else And((prev, allow))
                )
            continue
        nodes.append(_alternative(a))
    return (nodes[0] if len(nodes) == 1 else Or(tuple(nodes))), (*notes, *extra)


def _allowance(a: str) -> Node | None:
    """'however, non-originating materials of heading 70.13 may be used, provided that …'."""
    s = "However" + a[len("however") :]
    try:
        node = clause(s)
    except RuleParseError:
        if "provided" in s and not re.search(r"\d{2}\.\d{2}|\d{4}", s.split("provided")[0]):
            return Condition(s.replace('"', "'").strip(" ,.;"))
        if "provided" in s:
            raise
        return None
    return node


def build_eujp_rulebook(agreement: Agreement, frame: pd.DataFrame, dataset: str) -> RuleBook:
    """Rows of the EU-JP Annex 3-B table (one per HS 2017 subheading and product scope)."""
    spec = agreement.rules or {}
    rows: list[RuleRow] = []
    cols = ["hs_code", "rule_text_clean", "notes", "n_rule_rows_for_code", "key_first", "key_last", "source_row",
            "rule_group_code", "product_scope"]  # fmt: skip
    recs = [
        _Rec(*v)
        for v in zip(
            *(frame[c].tolist() if c in frame.columns else [""] * len(frame) for c in cols),
            strict=True,
        )
    ]
    for i, r in enumerate(recs):
        code = str(r.hs_code).zfill(6)
        text = str(r.rule_text_clean)
        try:
            node, notes = parse_eujp(text)
            err = None
        except KaigaiError as exc:
            node, notes, err = None, (), exc.message
        src_note = str(getattr(r, "notes", "") or "")
        if src_note and ICCAT_NOTE not in notes:
            notes = (*notes, f"source note: {src_note}")
        multi = int(getattr(r, "n_rule_rows_for_code", 1) or 1) > 1
        group = (str(r.key_first)[:6], str(r.key_last)[:6])
        prov = Provenance(
            dataset=dataset,
            edition=spec.get("hs_edition", ""),
            locator=f"source_row={r.source_row} hs_code={code} group={r.rule_group_code}",
            source=spec.get("note", dataset),
        )
        rows.append(
            RuleRow(
                agreement.id,
                code,
                code,
                0,
                f"row:{i}",
                str(r.product_scope) if multi else "",
                text,
                node,
                err,
                prov,
                notes,
                group,
            )  # fmt: skip
        )
    return RuleBook(
        agreement, tuple(rows), spec.get("hs_edition", ""), dataset, spec.get("note", "")
    )


class _Rec(NamedTuple):
    hs_code: str
    rule_text_clean: str
    notes: str
    n_rule_rows_for_code: int
    key_first: str
    key_last: str
    source_row: int
    rule_group_code: str
    product_scope: str


# --- Japan-Viet Nam EPA (Vietnamese) ---------------------------------------------------------
_VI_OR = re.compile(r";\s*hoặc\s+|\.\s+(?=(?:CC|CTH|CTSH|RVC|LVC)\b)")
_VI_SHIFT = re.compile(
    r"^(?P<lvl>CC|CTH|CTSH)(?:\s+ngoại trừ từ\s+(?:các\s+)?(?P<kind>chương|nhóm)\s+(?P<codes>[\d.,\s\-–a-zoặchươngnhóm]+?))?"
    r"(?:,?\s*với điều kiện\s+(?P<cond>.+))?$"
)
_VI_NOCHANGE = re.compile(
    r"^Không yêu cầu chuyển đổi mã số hàng hóa,?\s*với điều kiện\s+(?P<cond>.+)$"
)
_VI_FOR = re.compile(r"^(?P<rule>.+?)\s+(?:đối với|cho)\s+(?P<what>.+)$")


def _vi_codes(kind: str, codes: str) -> str:
    out = []
    for tok in re.split(r"\s*(?:,|\bhoặc\b)\s*", codes.strip(" ,.")):
        tok = tok.strip()
        if not tok:
            continue
        m = re.match(r"^(?:(chương|nhóm)\s+)?([\d.]+)(?:\s*[-–]\s*([\d.]+))?$", tok)
        if m is None:
            raise RuleParseError(f"cannot read code {tok!r} in {codes!r}")
        lvl = {"chương": "chapter", "nhóm": "heading"}.get(
            m.group(1) or "", "heading" if "." in m.group(2) else "chapter"
        )
        out.append(f"{lvl} {m.group(2)}" + (f" through {m.group(3)}" if m.group(3) else ""))
    return ", ".join(out)


def _vi_alt(s: str) -> Node:
    s = s.strip().rstrip(".").strip()
    if (m := _VI_NOCHANGE.match(s)) is not None:
        return Condition(_q(m.group("cond")))
    if (m := _VI_SHIFT.match(s)) is not None:
        exc: tuple[CodeRange, ...] = ()
        if m.group("codes"):
            exc = parse_rcep(
                f"CTH except from {_vi_codes(m.group('kind'), m.group('codes'))}"
            ).exceptions  # type: ignore[union-attr]
        node: Node = Shift(m.group("lvl"), exc)  # type: ignore[arg-type]
        if m.group("cond"):
            node = And((node, Condition(_q(m.group("cond")))))
        return node
    if (m := _VI_FOR.match(s)) is not None:
        what = m.group("what").strip()
        inner = _vi_rule(m.group("rule"))
        if re.match(r"^(?:hàng hóa|hàng hoá|các loại) khác$", what):
            return ForProduct("any other good (Vietnamese: " + _q(what) + ")", inner)
        return ForProduct(_q(what), inner)
    raise RuleParseError(f"no JP-VN pattern matches: {s!r}")


def _q(s: str) -> str:
    return s.replace('"', "'").replace("[", "(").replace("]", ")").strip(" ,.;")


def _vi_rule(s: str) -> Node:
    s = s.strip()
    parts = [p for p in re.split(r"\s+và\s+", s)]
    if len(parts) > 1:
        return And(tuple(_vi_rule(p) for p in parts))
    t = s.replace("LVC 40%", "RVC40").replace("RVC 40%", "RVC40").replace("LVC40", "RVC40")
    try:
        return parse_rcep(t)
    except RuleParseError:
        return _vi_alt(s)


@lru_cache(maxsize=4096)
def parse_vjepa(rule_vi: str, rule_en: str | None) -> Node:
    """One JP-VN row: the English notation when the source gives it, else the Vietnamese text."""
    if rule_en:
        return parse_rcep(rule_en.replace("LVC40", "RVC40").replace(" - ", " through "))
    alts = [a for a in _VI_OR.split(rule_vi.strip()) if a.strip()]
    nodes = [
        _vi_alt(a) if not re.match(r"^(?:LVC|RVC)", a) else _vi_rule(a.rstrip(".")) for a in alts
    ]
    return nodes[0] if len(nodes) == 1 else Or(tuple(nodes))


def build_vjepa_rulebook(agreement: Agreement, frame: pd.DataFrame, dataset: str) -> RuleBook:
    """Rows of the JP-VN positive list (HS 2007 chapter/heading/subheading codes)."""
    spec = agreement.rules or {}
    rows: list[RuleRow] = []
    for i, r in enumerate(frame.itertuples(index=False)):
        en = r.rule_en_auto if isinstance(r.rule_en_auto, str) and r.rule_en_auto else None
        try:
            node, err = parse_vjepa(str(r.rule_text), en), None
        except KaigaiError as exc:
            node, err = None, exc.message
        lo, hi, span = code_bounds(str(r.hs_code))
        notes: tuple[str, ...] = (
            ("rule read from the Vietnamese text (Circular 10/2009/TT-BCT)",) if en is None else ()
        )
        if bool(getattr(r, "needs_review", False)):
            notes = (*notes, "source row flagged needs_review")
        prov = Provenance(dataset=dataset, edition=spec.get("hs_edition", ""),
                          locator=f"source_row={r.source_row} hs_code={r.hs_code}", source=spec.get("note", dataset))  # fmt: skip
        rows.append(
            RuleRow(
                agreement.id, lo, hi, span, f"row:{i}", "", str(r.rule_text), node, err, prov, notes
            )
        )
    return RuleBook(
        agreement, tuple(rows), spec.get("hs_edition", ""), dataset, spec.get("note", "")
    )


__all__ = [
    "build_eujp_rulebook",
    "build_vjepa_rulebook",
    "normalise_eujp",
    "parse_eujp",
    "parse_vjepa",
]
