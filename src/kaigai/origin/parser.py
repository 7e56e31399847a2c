"""Parser for rule notation: kaigai's canonical text and RCEP Annex 3A notation.

The canonical text is what :func:`kaigai.origin.render.to_text` writes, e.g.
``CTH except from heading 72.08 through 72.16 or RVC 40% (build-down, FOB)``. RCEP notation
(``CTH, RVC40 or CR``; ``CTSH except from subheading 8504.21 and 8504.22, or RVC40``;
``1. CTH for carp (...), 2. CC for any other good``) is read by the same grammar. Anything
else raises :class:`~kaigai.core.errors.RuleParseError` with the position of the problem.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from kaigai.core.errors import RuleParseError
from kaigai.origin.ast import (
    PE,
    RVC,
    WO,
    And,
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
from kaigai.origin.processes import operations_of

_TOKEN = re.compile(
    r'\s*(?:(?P<q>"[^"]*")|(?P<b>\[[^\]]*\])|(?P<c>\{[^}]*\})|(?P<rvc>RVC(?=\d))'
    r"|(?P<n>\d+(?:\.\d+)?%?)|(?P<w>[A-Za-z][A-Za-z\-]*)|(?P<p>[(),:;]))"
)
_LEVELS = {"chapter": "chapter", "chapters": "chapter", "heading": "heading", "headings": "heading",
           "subheading": "subheading", "subheadings": "subheading"}  # fmt: skip
_LEVEL_BY_DIGITS = {2: "chapter", 4: "heading", 6: "subheading"}


@dataclass(frozen=True)
class Tok:
    kind: str  # q b c n w p
    text: str
    pos: int


def tokenize(text: str) -> list[Tok]:
    out: list[Tok] = []
    i = 0
    n = len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        m = _TOKEN.match(text, i)
        if not m or m.end() == i:
            raise RuleParseError(
                f"unexpected character {text[i]!r} at position {i}", hint=_ctx(text, i), position=i
            )
        kind = m.lastgroup or "w"
        val = m.group(kind)
        out.append(Tok("w" if kind == "rvc" else kind, val, m.start(kind)))
        i = m.end()
    return out


def _ctx(text: str, pos: int) -> str:
    return f"…{text[max(0, pos - 25) : pos]}⟨here⟩{text[pos : pos + 25]}…"


class _P:
    def __init__(self, text: str) -> None:
        self.text = text
        self.toks = tokenize(text)
        self.i = 0

    # -- helpers -------------------------------------------------------------
    def peek(self, k: int = 0) -> Tok | None:
        j = self.i + k
        return self.toks[j] if j < len(self.toks) else None

    def word(self, k: int = 0) -> str:
        t = self.peek(k)
        return t.text.lower() if t and t.kind == "w" else ""

    def fail(self, what: str) -> RuleParseError:
        t = self.peek()
        pos = t.pos if t else len(self.text)
        got = repr(t.text) if t else "end of text"
        return RuleParseError(
            f"{what} at position {pos}, found {got}", hint=_ctx(self.text, pos), position=pos
        )

    def take(self, kind: str, text: str | None = None) -> Tok:
        t = self.peek()
        if t is None or t.kind != kind or (text is not None and t.text.lower() != text):
            raise self.fail(f"expected {text or kind!r}")
        self.i += 1
        return t

    def accept(self, kind: str, text: str | None = None) -> bool:
        t = self.peek()
        if t is not None and t.kind == kind and (text is None or t.text.lower() == text):
            self.i += 1
            return True
        return False

    # -- grammar -------------------------------------------------------------
    def parse(self) -> Node:
        node = self.expr()
        if self.peek() is not None:
            raise self.fail("unexpected text after the rule")
        return node

    def expr(self) -> Node:
        terms = [self.term()]
        seps: list[str] = []
        while True:
            t = self.peek()
            if t is None or (t.kind == "p" and t.text == ")"):
                break
            if t.kind == "p" and t.text == ",":
                self.i += 1
                if self.word() in ("or", "and"):
                    seps.append(self.word())
                    self.i += 1
                else:
                    seps.append(",")
            elif self.word() in ("or", "and"):
                seps.append(self.word())
                self.i += 1
            else:
                break
            terms.append(self.term())
        # a bare comma takes the meaning of the next explicit connector ("A, B or C")
        resolved = []
        for k, s in enumerate(seps):
            if s == ",":
                s = next((x for x in seps[k + 1 :] if x != ","), "or")
            resolved.append(s)
        groups: list[list[Node]] = [[terms[0]]]
        for s, t2 in zip(resolved, terms[1:], strict=True):
            if s == "and":
                groups[-1].append(t2)
            else:
                groups.append([t2])
        alts = [g[0] if len(g) == 1 else And(tuple(g)) for g in groups]
        return alts[0] if len(alts) == 1 else Or(tuple(alts))

    def term(self) -> Node:
        if self.accept("p", "("):
            node = self.expr()
            self.take("p", ")")
        elif self.word() == "for" and self.peek(1) is not None and self.peek(1).kind == "q":  # type: ignore[union-attr]
            self.i += 1
            desc = self.take("q").text[1:-1]
            self.take("p", ":")
            node = ForProduct(desc, self.term())
            return node
        else:
            node = self.leaf()
        t = self.peek()
        if t is not None and t.kind == "c":
            self.i += 1
            node = _dated(node, t)
        return node

    def leaf(self) -> Node:
        w = self.word()
        if w == "wo":
            self.i += 1
            return WO()
        if w == "pe":
            self.i += 1
            return PE()
        if w in ("cc", "cth", "ctsh"):
            self.i += 1
            exc: tuple[CodeRange, ...] = ()
            if self.word() == "except":
                self.i += 1
                self.take("w", "from")
                exc = self.ranges()
            return Shift(w.upper(), exc)  # type: ignore[arg-type]
        if w == "rvc":
            self.i += 1
            thr = self.pct()
            method = basis = None
            focus: tuple[CodeRange, ...] = ()
            if self.peek() and self.peek().text == "(" and self.word(1) in _OPT_START:  # type: ignore[union-attr]
                self.i += 1
                while True:
                    if self.word() == "focus":
                        self.i += 1
                        self.take("p", ":")
                        focus = self.ranges()
                    elif self.word() in ("fob", "exw"):
                        basis = self.basis()
                    else:
                        method = self.method()
                    if not self.accept("p", ","):
                        break
                self.take("p", ")")
            return RVC(thr, method, basis, focus)  # type: ignore[arg-type]
        if w == "maxnom":
            self.i += 1
            thr = self.pct()
            b, _ = self.paren_basis()
            return MaxNOM(thr, b)  # type: ignore[arg-type]
        if w in ("however", "value", "weight"):
            allowance = w == "however"
            if allowance:
                self.i += 1
            measure = self.word()
            if measure not in ("value", "weight"):
                raise self.fail("expected 'value' or 'weight'")
            self.i += 1
            for x in ("of", "non-originating", "materials"):
                self.take("w", x)
            mats: tuple[CodeRange, ...] = ()
            if self.accept("w", "of"):
                mats = self.ranges()
            self.take("w", "max")
            thr = self.pct()
            b, alt = self.paren_basis(allow_alt=True)
            return MaterialLimit(measure, thr, mats, b, allowance, alt)  # type: ignore[arg-type]
        if w == "wholly":
            for x in ("wholly", "obtained", "materials", "of"):
                self.take("w", x)
            return WOMaterials(self.ranges())
        if w == "process":
            self.i += 1
            d = self.take("q").text[1:-1]
            return Process(d, operations_of(d))
        if w == "cr":
            self.i += 1
            return Process("chemical reaction", operations_of("chemical reaction"))
        if w == "condition":
            self.i += 1
            return Condition(self.take("q").text[1:-1])
        raise self.fail(
            "expected a rule (WO, PE, CC, CTH, CTSH, RVC, MaxNOM, process, condition …)"
        )

    def pct(self) -> float:
        t = self.take("n")
        return float(t.text.rstrip("%"))

    def method(self) -> str:
        w = self.word()
        if w in ("build-down", "build-up"):
            self.i += 1
            return w
        if w == "net" and self.word(1) == "cost":
            self.i += 2
            return "net cost"
        if w == "focused" and self.word(1) == "value":
            self.i += 2
            return "focused value"
        raise self.fail("expected an RVC method (build-down, build-up, net cost, focused value)")

    def basis(self) -> str:
        w = self.word()
        if w not in ("fob", "exw"):
            raise self.fail("expected FOB or EXW")
        self.i += 1
        if w == "exw" and self.word() == "or" and self.word(1) == "fob":
            self.i += 2
            return "EXW or FOB"
        return w.upper()

    def paren_basis(self, allow_alt: bool = False) -> tuple[str | None, float | None]:
        if self.peek() and self.peek().text == "(" and self.word(1) in ("fob", "exw"):  # type: ignore[union-attr]
            self.i += 1
            b = self.basis()
            alt = None
            nxt = self.peek()
            if allow_alt and b == "EXW or FOB" and nxt is not None and nxt.kind == "n":
                alt = self.pct()
            self.take("p", ")")
            return b, alt
        return None, None

    def _code_ahead(self, k: int) -> bool:
        t = self.peek(k)
        if t is None:
            return False
        if t.kind == "n" and not t.text.endswith("%"):
            return True
        nxt = self.peek(k + 1)
        return t.kind == "w" and t.text.lower() in _LEVELS and nxt is not None and nxt.kind == "n"

    def ranges(self) -> tuple[CodeRange, ...]:
        out: list[CodeRange] = []
        level: str | None = None
        while True:
            lw = self.word()
            if lw in _LEVELS:
                level = _LEVELS[lw]
                self.i += 1
            start = self.code(level)
            lvl = level or _LEVEL_BY_DIGITS[len(start)]
            end = None
            if self.word() in ("through", "to"):
                self.i += 1
                if self.word() in _LEVELS:
                    self.i += 1
                end = self.code(lvl)
            q = None
            if self.peek() is not None and self.peek().kind == "b":  # type: ignore[union-attr]
                q = self.take("b").text[1:-1]
            out.append(CodeRange(lvl, start, end, q))  # type: ignore[arg-type]
            level = lvl
            t = self.peek()
            if (
                t is not None
                and (t.text == "," or self.word() in ("or", "and"))
                and self._code_ahead(1)
            ):
                self.i += 1
                continue
            break
        return tuple(out)

    def code(self, level: str | None) -> str:
        t = self.peek()
        if t is None or t.kind != "n" or t.text.endswith("%"):
            raise self.fail("expected an HS code")
        self.i += 1
        d = t.text.replace(".", "")
        want = {"chapter": 2, "heading": 4, "subheading": 6}.get(level or "", 0)
        if want == 2 and len(d) == 1:
            d = "0" + d
        if want and len(d) != want:
            raise RuleParseError(
                f"code {t.text} at position {t.pos} has {len(d)} digits; a {level} has {want}",
                hint=_ctx(self.text, t.pos),
                position=t.pos,
            )
        if len(d) not in (2, 4, 6):
            raise RuleParseError(
                f"code {t.text} at position {t.pos} is not an HS chapter, heading or subheading",
                hint=_ctx(self.text, t.pos),
                position=t.pos,
            )
        return d


_OPT_START = {"build-down", "build-up", "net", "focused", "fob", "exw", "focus"}
_DATE_RX = re.compile(r"^\{\s*(?:(from)\s+(\S+)|(until)\s+(\S+)|(\S+)\s+to\s+(\S+))\s*\}$")


def _dated(node: Node, t: Tok) -> Dated:
    m = _DATE_RX.match(t.text)
    if not m:
        raise RuleParseError(
            f"bad date range {t.text} at position {t.pos}", hint="{from 2026-01-01}", position=t.pos
        )
    try:
        if m.group(1):
            return Dated(node, dt.date.fromisoformat(m.group(2)), None)
        if m.group(3):
            return Dated(node, None, dt.date.fromisoformat(m.group(4)))
        return Dated(node, dt.date.fromisoformat(m.group(5)), dt.date.fromisoformat(m.group(6)))
    except ValueError as exc:
        raise RuleParseError(f"bad date in {t.text} at position {t.pos}", position=t.pos) from exc


def parse_notation(text: str) -> Node:
    """Parse canonical or RCEP Annex 3A notation into a rule tree.

    Raises
    ------
    RuleParseError
        with the position of the first token that does not fit the grammar.

    Examples
    --------
    >>> parse_notation("CTH except from heading 72.08 through 72.16, or RVC40")
    Or(parts=(Shift(level='CTH', exceptions=(CodeRange(level='heading', start='7208', end='7216', qualifier=None),)), RVC(threshold=40.0, method=None, basis=None, focus=())))
    """
    if not text or not text.strip():
        raise RuleParseError("empty rule text", position=0)
    return _P(text).parse()


_SPLIT = re.compile(
    r"^1\.\s+(?P<a>.+?)\s+for\s+(?P<da>.+?),\s+2\.\s+(?P<b>.+?)\s+for\s+(?P<db>any other goods?)\s*$"
)
_PROVIDED = re.compile(r"\s+provided that\s+(?P<c>[^,\"]+)(?=,|$)")


def parse_rcep(text: str) -> Node:
    """RCEP Annex 3A English notation, including two-part product splits and 'provided that'."""
    m = _SPLIT.match(text.strip())
    if m:
        return Or(
            (
                ForProduct(m.group("da"), parse_rcep(m.group("a"))),
                ForProduct(m.group("db"), parse_rcep(m.group("b"))),
            )
        )
    t = _PROVIDED.sub(lambda mm: f' and condition "{mm.group("c").strip()}"', text)
    return parse_notation(t)


__all__ = ["parse_notation", "parse_rcep", "tokenize"]
