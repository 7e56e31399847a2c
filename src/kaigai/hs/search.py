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
_WORD = re.compile(r"[a-z0-9]+")


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
    """Lower-cased, stemmed words of ``text`` without stop words."""
    return [stem(w) for w in _WORD.findall(text.lower()) if w not in STOPWORDS and len(w) > 1]


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
class _Index:
    entries: tuple[tuple[str, int, str, tuple[str, ...]], ...]  # code, level, desc, tokens
    idf: dict[str, float]


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
    entries = tuple((c, lvl, d, tuple(tokens(d))) for c, lvl, d in items)
    df: dict[str, int] = {}
    for e in entries:
        for t in set(e[3]):
            df[t] = df.get(t, 0) + 1
    n = len(entries)
    idf = {t: math.log(1 + n / k) for t, k in df.items()}
    return _Index(entries, idf)


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
    own = {e[0]: e[3] for e in idx.entries}
    phrase = " ".join(qt)
    hits: list[SearchHit] = []
    for code, lvl, desc, toks in idx.entries:
        if level is not None and lvl != level:
            continue
        tset = set(toks)
        parent = set(own.get(code[:4], ())) | set(own.get(code[:2], ())) if lvl > 2 else set()
        score = 0.0
        matched = []
        for t in qt:
            w = idx.idf.get(t, math.log(1 + len(idx.entries)))
            if t in tset:
                score += 2 * w
                matched.append(t)
            elif len(t) >= 3 and any(x.startswith(t) for x in tset):  # "soy" ~ "soya"
                score += 1.0 * w
                matched.append(t)
            elif t in parent:
                score += 0.5 * w
                matched.append(t)
        if score == 0 or not any(t in tset or any(x.startswith(t) for x in tset) for t in qt):
            continue
        if all(t in tset for t in qt):
            score *= 1.5
        if len(qt) > 1 and phrase in " ".join(toks):
            score += 3
        score /= 1 + 0.15 * math.log(max(len(toks), 1))
        hits.append(SearchHit(code, lvl, desc, score, edition, tuple(matched)))
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
