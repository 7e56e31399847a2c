"""HS nomenclature: descriptions of chapters (HS2), headings (HS4) and subheadings (HS6).

Built from frames (pure): the ``hs_nomenclature`` dataset (HS 2022, Comtrade descriptions)
and optionally ``hs17_products`` (HS 2017 six-digit codes). Load them with
:func:`kaigai.data.nomenclature.load_nomenclature`.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kaigai.core.errors import HSCodeError
from kaigai.hs.codes import digits

if TYPE_CHECKING:
    import pandas as pd

HS2022 = "HS2022"
HS2017 = "HS2017"
EDITIONS = (HS2017, HS2022)


@dataclass(frozen=True)
class HSEntry:
    """One code of the nomenclature with its ancestors' descriptions."""

    code: str
    level: int
    description: str
    edition: str
    chapter: str
    chapter_description: str
    heading: str = ""
    heading_description: str = ""
    section: str = ""
    section_name: str = ""
    editions: tuple[str, ...] = ()
    hs2017_description: str = ""
    note: str = ""
    description_ja: str = ""
    heading_description_ja: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "level": self.level,
            "description": self.description,
            "edition": self.edition,
            "editions": list(self.editions),
            "chapter": {"code": self.chapter, "description": self.chapter_description},
            "heading": {"code": self.heading, "description": self.heading_description}
            if self.heading
            else None,
            "section": {"code": self.section, "name": self.section_name} if self.section else None,
            "hs2017_description": self.hs2017_description or None,
            "description_ja": self.description_ja or None,
            "heading_description_ja": self.heading_description_ja or None,
            "note": self.note or None,
        }


@dataclass(frozen=True)
class Nomenclature:
    """HS 2022 codes (levels 2/4/6) and the HS 2017 six-digit code list.

    Use :meth:`from_frames`; the dictionaries are read-only by convention.
    """

    hs22: dict[str, tuple[int, str, str]]  # code -> (level, description, section)
    hs17: dict[str, str] = field(default_factory=dict)  # hs6 -> description
    sections: dict[str, str] = field(default_factory=dict)  # roman numeral -> name
    ja: dict[str, str] = field(default_factory=dict)  # code -> Japanese description (Japan Customs)

    @classmethod
    def from_frames(
        cls,
        hs2022: pd.DataFrame,
        hs2017: pd.DataFrame | None = None,
        sections: pd.DataFrame | None = None,
        ja: pd.DataFrame | None = None,
    ) -> Nomenclature:
        """Build from ``hs_nomenclature`` (+ ``hs17_products``, ``hs_sections``, Japanese
        descriptions with columns ``code``/``description_ja``) frames.

        The ``TOTAL`` row and anything that is not a 2/4/6-digit code are dropped.
        """
        df = hs2022[hs2022["hscode"].astype(str).str.fullmatch(r"\d{2}|\d{4}|\d{6}")]
        hs22 = {
            str(c): (len(str(c)), str(d), str(s))
            for c, d, s in zip(df["hscode"], df["description"], df["section"], strict=True)
        }
        hs17: dict[str, str] = {}
        if hs2017 is not None:
            hs17 = {
                str(c).zfill(6): str(d)
                for c, d in zip(hs2017["hs6"], hs2017["description"], strict=True)
            }
        secs: dict[str, str] = {}
        if sections is not None:
            secs = {
                str(s): str(n) for s, n in zip(sections["section"], sections["name"], strict=True)
            }
        jad: dict[str, str] = {}
        if ja is not None:
            jad = {str(c): str(d) for c, d in zip(ja["code"], ja["description_ja"], strict=True)}
        return cls(hs22, hs17, secs, jad)

    # -- queries -----------------------------------------------------------------------
    def parse(self, text: str | int) -> str:
        """:func:`parse_code` whose error for an odd-length code names real codes it may mean
        ("8471.3" -> 847130; "30722" -> 030722)."""
        try:
            return parse_code(text)
        except HSCodeError as exc:
            try:
                d = digits(text)
            except HSCodeError:
                raise exc from None
            if len(d) not in (1, 3, 5):
                raise
            cands = [c for c in self.codes(len(d) + 1) if c.startswith(d)]
            if ("0" + d) in self.hs22 and ("0" + d) not in cands:
                cands.insert(0, "0" + d)
            if not cands:
                raise
            raise HSCodeError(
                f"HS code {text} is not {len(d) + 1} digits.",
                hint="did you mean " + ", ".join(cands[:5]) + "?",
                hs=str(text),
                suggestions=cands[:5],
            ) from None

    def exists(self, code: str, edition: str = HS2022) -> bool:
        if edition == HS2017:
            return code in self.hs17
        return code in self.hs22

    def codes(self, level: int = 6, edition: str = HS2022) -> list[str]:
        if edition == HS2017:
            return sorted(self.hs17) if level == 6 else []
        return sorted(c for c, v in self.hs22.items() if v[0] == level)

    def children(self, prefix: str, edition: str = HS2022) -> list[str]:
        """Six-digit codes under a chapter/heading prefix."""
        return [c for c in self.codes(6, edition) if c.startswith(prefix) and c != prefix]

    def description(self, code: str) -> str | None:
        v = self.hs22.get(code)
        if v is not None:
            return v[1]
        return self.hs17.get(code)

    def editions_of(self, code: str) -> tuple[str, ...]:
        out = []
        if len(code) == 6 and code in self.hs17:
            out.append(HS2017)
        if code in self.hs22:
            out.append(HS2022)
        return tuple(out)

    def lookup(self, text: str | int, edition: str | None = None) -> HSEntry:
        """Describe a chapter, heading or subheading ("8471.30", "847130", "8471 30 00").

        National 8-10 digit lines map to their HS6. With ``edition=None`` an HS 2017-only
        subheading is returned with a note; with an explicit edition the code must exist there.

        Raises
        ------
        HSCodeError
            when the code does not exist, with suggestions in the hint.
        """
        code = self.parse(text)
        if edition is not None and edition not in EDITIONS:
            raise HSCodeError(f"Unknown HS edition '{edition}'.", hint="Use HS2017 or HS2022.")
        in22 = code in self.hs22 and edition in (None, HS2022)
        in17 = len(code) == 6 and code in self.hs17 and edition in (None, HS2017)
        if not (in22 or in17):
            raise self.not_found(code, text, edition or HS2022)
        ed = HS2022 if in22 else HS2017
        eds = self.editions_of(code)
        note = ""
        if len(code) == 6 and eds == (HS2017,):
            note = (
                "HS2017 subheading not present in HS2022: changed between editions; "
                "no official concordance in the data."
            )
        elif len(code) == 6 and eds == (HS2022,):
            note = (
                "HS2022 subheading not present in HS2017: changed between editions; "
                "no official concordance in the data."
            )
        desc = self.hs22[code][1] if in22 else self.hs17[code]
        ch = code[:2]
        hd = code[:4] if len(code) == 6 else ""
        sec = self.hs22.get(code, self.hs22.get(hd, self.hs22.get(ch, (0, "", ""))))[2]
        return HSEntry(
            code=code,
            level=len(code),
            description=desc,
            edition=ed,
            chapter=ch,
            chapter_description=self.hs22.get(ch, (0, "", ""))[1],
            heading=hd,
            heading_description=self.hs22.get(hd, (0, "", ""))[1] if hd else "",
            section=sec,
            section_name=self.sections.get(sec, ""),
            editions=eds,
            hs2017_description=self.hs17.get(code, "") if len(code) == 6 else "",
            note=note,
            description_ja=self.ja.get(code, ""),
            heading_description_ja=self.ja.get(hd, "") if hd else "",
        )

    def validate_hs6(self, text: str | int, edition: str = HS2022) -> str:
        """Normalise ``text`` to an HS6 code that exists in ``edition``.

        Raises
        ------
        HSCodeError
            if it is malformed or not a subheading of that edition, with near misses as hint.
        """
        code = self.parse(text)
        if len(code) != 6:
            kids = self.children(code, edition)[:5]
            raise HSCodeError(
                f"HS code {text} is a {'chapter' if len(code) == 2 else 'heading'}, not a six-digit subheading.",
                hint="did you mean " + ", ".join(kids) + "?" if kids else "Give a 6-digit code.",
                hs=str(text),
                suggestions=kids,
            )
        if not self.exists(code, edition):
            raise self.not_found(code, text, edition)
        return code

    def suggest(self, code: str, edition: str = HS2022, n: int = 6) -> list[str]:
        """Near misses for a code: siblings under the same heading (nearest first), then close codes."""
        pool = self.codes(len(code), edition) if len(code) in (2, 4, 6) else self.codes(6, edition)
        out: list[str] = []
        if len(code) == 6:
            sib = [c for c in pool if c[:4] == code[:4]]
            out += sorted(sib, key=lambda c: (abs(int(c) - int(code)), c))[: max(n - 2, 1)]
        for c in difflib.get_close_matches(code, pool, n=n, cutoff=0.6):
            if c not in out:
                out.append(c)
        if len(out) < n:  # numerically nearest in the same chapter
            same = [c for c in pool if c[:2] == code[:2] and c not in out]
            out += sorted(same, key=lambda c: abs(int(c) - int(code)))[: n - len(out)]
        return out[:n]

    def not_found(self, code: str, text: str | int, edition: str = HS2022) -> HSCodeError:
        """The error for a code that is well formed but not in ``edition``."""
        sugg = self.suggest(code, edition)
        other = HS2017 if edition == HS2022 else HS2022
        extra = ""
        if self.exists(code, other):
            extra = f" It exists in {other}: changed between editions; no official concordance in the data."
        parts = [f"{c} {_short(self.description(c) or '')}" for c in sugg]
        what = {2: "chapter", 4: "heading"}.get(len(code), "subheading")
        return HSCodeError(
            f"HS code {text} is not an {edition} {what}.{extra}",
            hint=("did you mean: " + "; ".join(parts) + "?") if parts else "Check the code.",
            hs=str(text),
            code=code,
            edition=edition,
            suggestions=sugg,
        )


def _short(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def parse_code(text: str | int) -> str:
    """2/4/6 digits kept; 8-10 digit national lines cut to HS6; anything else rejected."""
    d = digits(text)
    if isinstance(text, int) and len(d) in (1, 3, 5):
        d = "0" + d
    if len(d) in (2, 4, 6):
        return d
    if 7 <= len(d) <= 10:
        return d[:6]
    hint = "Write 2 (chapter), 4 (heading) or 6 (subheading) digits, e.g. 84, 8471 or 847130."
    if len(d) in (1, 3, 5):
        hint = f"did you mean 0{d} (leading zero)? " + hint
    raise HSCodeError(
        f"HS code {text} should have 2, 4, 6 or 8-10 digits.", hint=hint, hs=str(text)
    )


__all__ = ["EDITIONS", "HS2017", "HS2022", "HSEntry", "Nomenclature", "parse_code"]
