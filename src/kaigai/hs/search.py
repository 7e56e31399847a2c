"""Keyword search over HS descriptions, ranked (pure; works on a :class:`Nomenclature`).

Ranking: each query term found in an entry's own description scores its inverse document
frequency (rarer words weigh more) times 2; found only in the parent heading/chapter text it
scores 0.5x; a term that only prefixes a word ("soy" in "soya") scores 1x. Entries containing every term get x1.5, entries containing the query as a phrase
get +3 and short descriptions are preferred (score / (1 + 0.15 ln(tokens))). Ties: subheadings
before headings before chapters, then code order.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from kaigai.core.errors import InputError
from kaigai.hs.nomenclature import HS2017, HS2022, Nomenclature

STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "or",
        "of",
        "the",
        "for",
        "in",
        "on",
        "with",
        "without",
        "to",
        "by",
        "from",
        "not",
        "its",
        "their",
        "than",
        "other",
        "others",
        "nec",
        "n",
        "e",
        "c",
        "whether",
        "thereof",
        "including",
        "excluding",
        "such",
        "as",
        "be",
        "are",
        "is",
    ]
)
_WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def stem(word: str) -> str:
    """A light English stemmer: plurals only (bearings -> bearing, batteries -> battery)."""
    w = word.lower()
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 4 and w.endswith(("ches", "shes", "sses", "xes", "zes")):
        return w[:-2]
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    return w


def tokens(text: str) -> list[str]:
    """Lower-cased, stemmed words of ``text`` without stop words.

    A hyphenated word gives its parts and the joined form ("t-shirts" -> "shirt", "tshirt").
    """
    out: list[str] = []
    for word in _WORD.findall(text.lower()):
        parts = word.split("-")
        if len(parts) > 1:
            parts.append("".join(parts))
        out += [stem(w) for w in parts if w not in STOPWORDS and len(w) > 1]
    return out


@dataclass(frozen=True)
class SearchHit:
    code: str
    level: int
    description: str
    score: float
    edition: str
    matched: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "level": self.level,
            "description": self.description,
            "score": round(self.score, 4),
            "edition": self.edition,
            "matched": list(self.matched),
        }


@dataclass(frozen=True)
class _Entry:
    code: str
    level: int
    description: str
    tokens: frozenset[str]
    joined: str  # stemmed tokens joined by spaces, for phrase matching
    n_tokens: int


@dataclass(frozen=True)
class _Index:
    entries: dict[str, _Entry]
    idf: dict[str, float]
    postings: dict[str, frozenset[str]]  # token -> codes whose own description has it


_CACHE: dict[tuple[int, str], tuple[Nomenclature, _Index]] = {}


def _index(nom: Nomenclature, edition: str) -> _Index:
    hit = _CACHE.get((id(nom), edition))
    if hit is not None and hit[0] is nom:
        return hit[1]
    if len(_CACHE) > 8:
        _CACHE.clear()
    ix = _build(nom, edition)
    _CACHE[(id(nom), edition)] = (nom, ix)
    return ix


def _build(nom: Nomenclature, edition: str) -> _Index:
    if edition == HS2017:
        items = [(c, 6, d) for c, d in nom.hs17.items()]
    else:
        items = [(c, v[0], v[1]) for c, v in nom.hs22.items()]
    entries: dict[str, _Entry] = {}
    post: dict[str, set[str]] = {}
    for c, lvl, d in items:
        toks = tokens(d)
        entries[c] = _Entry(c, lvl, d, frozenset(toks), " ".join(toks), max(len(toks), 1))
        for t in set(toks):
            post.setdefault(t, set()).add(c)
    n = len(entries)
    idf = {t: math.log(1 + n / len(cs)) for t, cs in post.items()}
    return _Index(entries, idf, {t: frozenset(cs) for t, cs in post.items()})


def search(
    nom: Nomenclature,
    query: str,
    *,
    limit: int = 10,
    level: int | None = None,
    edition: str = HS2022,
) -> list[SearchHit]:
    """Rank HS entries by how well their descriptions match ``query``.

    A query of digits lists the codes under that prefix instead; a Japanese query searches the
    Japan Customs descriptions (``Nomenclature.ja``).

    Raises
    ------
    InputError
        for an empty query or a bad ``level``/``edition``.
    """
    if edition not in (HS2017, HS2022):
        raise InputError(f"Unknown HS edition '{edition}'.", hint="Use HS2017 or HS2022.")
    if level not in (None, 2, 4, 6):
        raise InputError(f"Level must be 2, 4 or 6, not {level}.")
    q = query.strip()
    compact = re.sub(r"[\s.]", "", q)
    if compact.isdigit():
        return _prefix(nom, compact, limit, level, edition)
    if not q.isascii():
        return _search_ja(nom, q, limit, level)
    qt = list(dict.fromkeys(tokens(q)))
    if not qt:
        raise InputError(
            f"Search text '{query}' has no searchable words.",
            hint='Try product words, e.g. "ball bearings" or "green tea".',
        )
    idx = _index(nom, edition)
    # exact and prefix vocabularies of each query word
    exact: dict[str, frozenset[str]] = {t: idx.postings.get(t, frozenset()) for t in qt}
    prefix: dict[str, frozenset[str]] = {}
    for t in qt:
        if len(t) >= 3:
            cs: set[str] = set()
            for word, codes in idx.postings.items():
                if word != t and word.startswith(t):
                    cs |= codes
            prefix[t] = frozenset(cs)
        else:
            prefix[t] = frozenset()
    candidates = set().union(*exact.values(), *prefix.values())
    phrase = " ".join(qt)
    n = len(idx.entries)
    hits: list[SearchHit] = []
    for code in candidates:
        e = idx.entries[code]
        if level is not None and e.level != level:
            continue
        parents = [idx.entries[p] for p in {code[:4], code[:2]} if p != code and p in idx.entries]
        score = 0.0
        matched = []
        full = True
        for t in qt:
            w = idx.idf.get(t, math.log(1 + n))
            if code in exact[t]:
                score += 2 * w
                matched.append(t)
            elif code in prefix[t]:  # "soy" ~ "soya"
                score += 1.0 * w
                matched.append(t)
                full = False
            elif any(t in p.tokens for p in parents):
                score += 0.5 * w
                matched.append(t)
                full = False
            else:
                full = False
        if full:
            score *= 1.5
        if len(qt) > 1 and phrase in e.joined:
            score += 3
        score /= 1 + 0.15 * math.log(e.n_tokens)
        hits.append(SearchHit(code, e.level, e.description, score, edition, tuple(matched)))
    hits.sort(key=lambda h: (-h.score, -h.level, h.code))
    return hits[:limit]


def _search_ja(nom: Nomenclature, query: str, limit: int, level: int | None) -> list[SearchHit]:
    """Japanese: substring match of each space-separated term in the Japan Customs text.

    Score per term: 2 if in the entry's own text, 0.5 if only in its heading's; x1.5 if all terms
    are in the entry's own text; divided by 1 + 0.15 ln(characters). Subheadings before headings.
    """
    terms = [x for x in re.split(r"[\s\u3000、,]+", query) if x]
    hits: list[SearchHit] = []
    for code, desc in nom.ja.items():
        lvl = len(code)
        if level is not None and lvl != level:
            continue
        parent = nom.ja.get(code[:4], "") if lvl == 6 else ""
        own = [x for x in terms if x in desc]
        if not own:
            continue
        score = 2.0 * len(own) + 0.5 * sum(1 for x in terms if x not in desc and x in parent)
        if len(own) == len(terms):
            score *= 1.5
        score /= 1 + 0.15 * math.log(max(len(desc), 1))
        en = nom.description(code) or ""
        hits.append(SearchHit(code, lvl, f"{desc} / {en}", score, "JP tariff (HS2022)", tuple(own)))
    hits.sort(key=lambda h: (-h.score, -h.level, h.code))
    return hits[:limit]


def _prefix(
    nom: Nomenclature, prefix: str, limit: int, level: int | None, edition: str
) -> list[SearchHit]:
    if edition == HS2017:
        items = [(c, 6, d) for c, d in sorted(nom.hs17.items())]
    else:
        items = [(c, v[0], v[1]) for c, v in sorted(nom.hs22.items())]
    out = [
        SearchHit(c, lvl, d, 1.0, edition, (prefix,))
        for c, lvl, d in items
        if c.startswith(prefix) and (level is None or lvl == level)
    ]
    return out[:limit]


__all__ = ["STOPWORDS", "SearchHit", "search", "stem", "tokens"]
