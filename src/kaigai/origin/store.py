"""Rule store: product-specific rules of one agreement as parsed rows, and lookup by HS6.

Rows come from frames (``uk_psr``, ``rcep_psr`` or a user CSV) handed in by the shell. Each row
is parsed once; rows that do not parse keep their text and the parse error for manual review.
Lookup picks the narrowest code range that holds the product (subheading beats heading beats
chapter; a heading rule set beats a range of headings). All rows of a UK rule set are
alternatives, whatever the source ``operator`` column says.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING

from kaigai.core.errors import KaigaiError, OriginRuleError, RuleParseError
from kaigai.core.provenance import Provenance
from kaigai.origin.ast import And, Condition, ForProduct, MaterialLimit, Node, Or
from kaigai.origin.provisions import Agreement

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class RuleRow:
    """One source row: its code range, text, parsed tree (or parse error) and provenance."""

    agreement: str
    lo: str  # first HS6 covered
    hi: str  # last HS6 covered
    span: int  # width of the 10-digit source range (smaller = more specific)
    set_key: str  # rows with the same key are alternatives of one rule set
    subdivision: str
    text: str
    node: Node | None
    error: str | None
    provenance: Provenance
    notes: tuple[str, ...] = ()
    group: tuple[str, str] | None = None  # HS6 range of the source rule group (EU-JP Annex 3-B row)

    @property
    def parsed(self) -> bool:
        return self.node is not None


@dataclass(frozen=True)
class RuleBook:
    """All rows of one agreement's rule set.

    ``chapters`` is a prepared lookup index (chapter -> rows touching it, in row order), e.g. a
    store that reads one chapter on first use; without it the index is built from ``rows``.
    ``row_groups`` says whether rows carry source rule groups (known without reading ``rows``).
    """

    agreement: Agreement
    rows: Sequence[RuleRow]
    hs_edition: str
    dataset: str
    note: str = ""
    fallback: RuleBook | None = None  # rows used where this table has none (labelled substitute)
    chapters: Mapping[str, tuple[RuleRow, ...]] | None = field(
        default=None, compare=False, repr=False
    )
    row_groups: bool | None = field(default=None, compare=False, repr=False)

    @cached_property
    def by_chapter(self) -> Mapping[str, tuple[RuleRow, ...]]:
        """Rows grouped by every chapter their range touches (lookup index)."""
        if self.chapters is not None:
            return self.chapters
        return chapter_index(self.rows)

    @property
    def grouped(self) -> bool:
        """Rows carry the source rule group of an Annex 3-B layout (EU-JP)."""
        if self.row_groups is not None:
            return self.row_groups
        return any(r.group for r in self.rows[:1])

    def coverage(self) -> dict[str, float | int]:
        n = len(self.rows)
        ok = sum(r.parsed for r in self.rows)
        return {
            "rows": n,
            "parsed": ok,
            "unparsed": n - ok,
            "share_parsed": round(ok / n, 4) if n else 0.0,
        }


def chapter_index(rows: Sequence[RuleRow]) -> dict[str, tuple[RuleRow, ...]]:
    """Rows grouped by every chapter their range touches, in row order."""
    out: dict[str, list[RuleRow]] = {}
    for r in rows:
        for ch in range(int(r.lo[:2]), int(r.hi[:2]) + 1):
            out.setdefault(f"{ch:02d}", []).append(r)
    return {k: tuple(v) for k, v in out.items()}


@dataclass(frozen=True)
class RuleMatch:
    """The rule that applies to one HS6 code, with the rows it came from."""

    agreement: str
    hs6: str
    rule: Node | None
    rows: tuple[RuleRow, ...]
    unparsed: tuple[RuleRow, ...]
    hs_edition: str
    edition_note: str
    edition_ambiguous: bool
    notes: tuple[str, ...] = field(default_factory=tuple)
    substitute: str = ""  # non-empty: the rule comes from another agreement's table (said in notes)

    @property
    def provenance(self) -> tuple[Provenance, ...]:
        return tuple(r.provenance for r in self.rows + self.unparsed)


_COUNTRY = "country-specific rule"


def _safe_text(s: str) -> str:
    """Verbatim text that fits the canonical notation's quoted condition."""
    return (
        s.replace('"', "'")
        .replace("[", "(")
        .replace("]", ")")
        .replace("{", "(")
        .replace("}", ")")
        .strip(" ,.;")
    )


_FOLDED = "allowance folded into the previous alternative"


def _fold_allowances(nodes: list[Node | None]) -> list[Node | None]:
    """'However, non-originating X may be used …' rows qualify the alternative before them."""
    out: list[Node | None] = []
    for n in nodes:
        if isinstance(n, MaterialLimit) and n.allowance and out and out[-1] is not None:
            prev = out[-1]
            out[-1] = And((*prev.parts, n)) if isinstance(prev, And) else And((prev, n))  # type: ignore[arg-type]
            out.append(None)  # keeps row alignment; the folded row is marked below
        else:
            out.append(n)
    return out


def build_uk_rulebook(
    agreement: Agreement, frame: pd.DataFrame, dataset: str = "uk_psr"
) -> RuleBook:
    """Parse the UK tariff rows of one scheme (``agreement.rules['scheme']``)."""
    from kaigai.origin.prose import parse_prose

    spec = agreement.rules or {}
    df = frame[frame["scheme_code"] == spec["scheme"]].sort_values(["rule_set_index", "rule_index"])
    cols = [
        "rule_set_index",
        "rule_index",
        "heading",
        "subdivision",
        "min_code",
        "max_code",
        "rule_text",
        "rule_text_plain",
    ]
    groups: dict[int, list[dict[str, object]]] = {}
    for rec in df[cols].to_dict("records"):
        groups.setdefault(int(rec["rule_set_index"]), []).append(rec)  # type: ignore[call-overload]
    rows: list[RuleRow] = []
    for set_idx, grp in groups.items():
        parsed: list[tuple[Node | None, str | None, tuple[str, ...]]] = []
        country: str | None = None
        for r in grp:
            try:
                pnode, notes = parse_prose(str(r["rule_text"]))
                if country is not None:
                    pnode = ForProduct(country, pnode)
                elif (
                    isinstance(pnode, Or)
                    and isinstance(pnode.parts[-1], ForProduct)
                    and _COUNTRY in pnode.parts[-1].description
                ):
                    country = pnode.parts[-1].description
                parsed.append((pnode, None, notes))
            except KaigaiError as exc:
                parsed.append((None, exc.message, ()))
        folded = _fold_allowances([p[0] for p in parsed])
        for r, (node, err, notes), folded_node in zip(grp, parsed, folded, strict=True):
            fnode: Node | None = folded_node
            lo, hi = str(r["min_code"]), str(r["max_code"])
            sub = r["subdivision"]
            prov = Provenance(
                dataset=dataset,
                edition=spec.get("hs_edition", ""),
                locator=f"scheme={spec['scheme']} rule_set_index={set_idx} rule_index={r['rule_index']} heading={r['heading']}",
                source="UK Online Trade Tariff rules of origin (OGL v3.0)",
            )
            if node is not None and fnode is None:
                notes = (*notes, _FOLDED)
                fnode = node
            rows.append(
                RuleRow(
                    agreement.id,
                    lo[:6],
                    hi[:6],
                    int(hi) - int(lo),
                    f"{spec['scheme']}:{set_idx}",
                    "" if sub is None or (isinstance(sub, float) and sub != sub) else str(sub),
                    str(r["rule_text_plain"]),
                    fnode if node is not None else None,
                    err,
                    prov,
                    notes,
                )  # fmt: skip
            )
    return RuleBook(
        agreement, tuple(rows), spec.get("hs_edition", ""), dataset, spec.get("note", "")
    )


def code_bounds(code: str) -> tuple[str, str, int]:
    d = code.replace(".", "").strip()
    pad = 6 - len(d)
    return d + "0" * pad, d + "9" * pad, 10**pad


def build_table_rulebook(agreement: Agreement, frame: pd.DataFrame, dataset: str) -> RuleBook:
    """Rows with ``hs_code`` (2/4/6 digits, dots allowed) and a rule in notation.

    Used for RCEP (column ``rule_en``, RCEP notation) and user CSVs (column ``rule``).
    """
    from kaigai.origin.parser import parse_notation, parse_rcep

    spec = agreement.rules or {}
    col = "rule_en" if "rule_en" in frame.columns else "rule"
    parse = parse_rcep if spec.get("dialect") == "rcep" else parse_notation
    rows: list[RuleRow] = []
    for i, r in enumerate(frame.itertuples(index=False)):
        text = str(getattr(r, col))
        lo, hi, span = code_bounds(str(r.hs_code))
        try:
            node, err = parse(text), None
        except RuleParseError as exc:
            node, err = None, exc.message
        review = bool(getattr(r, "needs_review", False))
        notes = ("source row flagged needs_review",) if review else ()
        prov = Provenance(dataset=dataset, edition=spec.get("hs_edition", ""), locator=f"row={i} hs_code={r.hs_code}",
                          source=spec.get("note", dataset))  # fmt: skip
        rows.append(
            RuleRow(agreement.id, lo, hi, span, f"row:{i}", "", text, node, err, prov, notes)
        )
    return RuleBook(
        agreement, tuple(rows), spec.get("hs_edition", ""), dataset, spec.get("note", "")
    )


def build_rulebook(agreement: Agreement, frame: pd.DataFrame, dataset: str) -> RuleBook:
    """Parse the rule frame of one agreement (UK layout, EU-JP/JP-VN tables or code/rule table)."""
    dialect = (agreement.rules or {}).get("dialect")
    if dialect in ("eujp", "vjepa"):
        from kaigai.origin.tables import build_eujp_rulebook, build_vjepa_rulebook

        build = build_eujp_rulebook if dialect == "eujp" else build_vjepa_rulebook
        return build(agreement, frame, dataset)
    if "scheme_code" in frame.columns:
        return build_uk_rulebook(agreement, frame, dataset)
    return build_table_rulebook(agreement, frame, dataset)


def _positive_list(book: RuleBook) -> dict[str, object] | None:
    spec = (book.agreement.rules or {}).get("positive_list")
    return spec if isinstance(spec, dict) else None


def _covered(hs6: str, spec: dict[str, object]) -> bool:
    for rng in spec.get("covered", []) or []:  # type: ignore[attr-defined]
        a, _, b = str(rng).partition("-")
        b = b or a
        n = len(a)
        if a <= hs6[:n] <= b:
            return True
    return False


def _no_row(agreement: str, hs6: str) -> OriginRuleError:
    return OriginRuleError(f"no rule data for {agreement} {hs6}", hint="The rule table has no row covering this code.",
                           agreement=agreement, hs6=hs6)  # fmt: skip


def _by_group(book: RuleBook, hs6: str) -> list[RuleRow]:
    """Rows whose source rule group (an Annex 3-B code range) holds ``hs6``: one per distinct rule."""
    seen: dict[tuple[str, str], RuleRow] = {}
    for r in book.by_chapter.get(hs6[:2], ()):
        if r.group and r.group[0] <= hs6 <= r.group[1]:
            seen.setdefault((r.text, r.subdivision), r)
    return list(seen.values())


def lookup_rules(
    agreement: str,
    hs6: str,
    book: RuleBook | None,
    edition_note: tuple[str, bool] = ("", False),
    edition_codes: tuple[str, ...] = (),
) -> RuleMatch:
    """The rule of ``agreement`` for product ``hs6`` (narrowest range wins), with the data's known
    defects for that code (``rules.code_notes`` in the agreement YAML) added to the notes.

    See :func:`_lookup` for the errors raised.
    """
    m = _lookup(agreement, hs6, book, edition_note, edition_codes)
    extra = [
        str(cn.get("note", ""))
        for cn in ((book.agreement.rules or {}).get("code_notes") or [] if book else [])
        if _covered(hs6, {"covered": cn.get("codes", [])})
    ]
    return replace(m, notes=(*m.notes, *extra)) if extra else m


def _lookup(
    agreement: str,
    hs6: str,
    book: RuleBook | None,
    edition_note: tuple[str, bool] = ("", False),
    edition_codes: tuple[str, ...] = (),
) -> RuleMatch:
    """The rule of ``agreement`` for product ``hs6`` (narrowest range wins).

    ``edition_codes`` are the product's codes in the rule set's edition (from the concordance);
    when several hold different rules the match is ambiguous and every candidate is kept.

    Raises
    ------
    OriginRuleError
        "no rule data for AJCEP 8471" when the agreement has no rule set, when the code is in a
        chapter the rule data does not cover, or when no row covers the code.
    """
    if book is None:
        raise OriginRuleError(
            f"no rule data for {agreement} {hs6[:4]}",
            hint=f"kaigai has no product-specific rules for {agreement}; add them as a CSV (docs/origin.md).",
            agreement=agreement,
            hs6=hs6,
        )
    pos = _positive_list(book)
    if pos is not None and not _covered(hs6, pos):
        raise OriginRuleError(
            f"no rule data for {agreement} {hs6[:4]}: no rule data for this chapter "
            f"(the {agreement} rule table covers {pos.get('covered_text', pos.get('covered'))} only)",
            hint="The product-specific rules for this chapter are not in kaigai's data; see the agreement's annex.",
            agreement=agreement,
            hs6=hs6,
        )
    codes = tuple(c for c in edition_codes if c != hs6) or (hs6,)
    cands = [r for c in codes for r in book.by_chapter.get(c[:2], ()) if r.lo <= c <= r.hi]
    extra_notes: list[str] = []
    ambiguous = edition_note[1]
    fb_spec = (book.agreement.rules or {}).get("fallback") or {}
    if not cands and book.fallback is not None and _covered(hs6, fb_spec):
        fb = lookup_rules(book.fallback.agreement.id, hs6, book.fallback, edition_note)
        note = str(fb_spec.get("note", "substitute rule"))
        return replace(fb, agreement=agreement, notes=(note, *fb.notes), substitute=note)
    if not cands and book.grouped:
        grp = _by_group(book, hs6)
        where = "rule group(s) " + ", ".join(
            sorted({f"{r.group[0]}-{r.group[1]}" for r in grp if r.group})
        )
        if not grp:
            seen: dict[tuple[str, str], RuleRow] = {}
            for r in book.by_chapter.get(hs6[:2], ()):
                if r.lo[:4] == hs6[:4]:
                    seen.setdefault((r.text, r.subdivision), r)
            grp, where = list(seen.values()), f"subheadings of heading {hs6[:4]}"
        if not grp:
            raise OriginRuleError(
                f"no rule data for {agreement} {hs6}: it is not an {book.hs_edition} subheading and the table has "
                f"no {book.hs_edition} row of its heading, so the rule depends on the {book.hs_edition} code the good "
                "had (ambiguous; not guessed)",
                hint="Pull the official correlation table (kaigai data pull hs_correlation_22_17) or look the code up in the annex.",
                agreement=agreement,
                hs6=hs6,
            )
        texts = {r.text for r in grp}
        extra_notes.append(
            f"{hs6} is not an {book.hs_edition} subheading of the table; the {book.hs_edition} {where} "
            + ("give the same rule" if len(texts) == 1 else
               f"carry {len(texts)} different rules: the rule depends on the {book.hs_edition} code of the good")
        )  # fmt: skip
        if len(texts) == 1:
            cands = [grp[0]]
            ambiguous = False
        else:
            parts_g = tuple(
                ForProduct(f"goods of {book.hs_edition} {r.lo}" + (f", {r.subdivision}" if r.subdivision else ""), r.node)
                for r in grp if r.node is not None
            )  # fmt: skip
            return RuleMatch(agreement, hs6, Or(parts_g) if len(parts_g) > 1 else (parts_g[0] if parts_g else None),
                             tuple(r for r in grp if r.parsed), tuple(r for r in grp if not r.parsed),
                             book.hs_edition, edition_note[0], True, tuple(extra_notes))  # fmt: skip
    if not cands and pos is not None:
        from kaigai.origin.parser import parse_notation

        general = str(pos.get("general_rule"))
        cite = str(pos.get("general_rule_cite", ""))
        gnode = parse_notation(general)
        sib = {
            r.text: r
            for r in book.by_chapter.get(hs6[:2], ())
            if r.lo == r.hi and r.lo[:4] == hs6[:4]
        }
        if not sib or book.hs_edition in ("", "HS2022"):
            return RuleMatch(agreement, hs6, gnode, (), (), book.hs_edition, edition_note[0], edition_note[1],
                             (f"{hs6} is not in the {agreement} positive list: the general rule applies ({general}; {cite})",))  # fmt: skip
        # other subheadings of the heading are listed: the good may have been one of them in the
        # older edition (e.g. HS2022 0801.12 was part of HS2007 0801.19), so both rules are candidates
        alts = tuple(
            ForProduct(f"goods that were {book.hs_edition} {r.lo}", r.node)
            for r in sib.values()
            if r.node
        )
        prule = Or(
            (*alts, ForProduct(f"goods not in a listed {book.hs_edition} subheading", gnode))
        )
        return RuleMatch(agreement, hs6, prule, tuple(sib.values()), (), book.hs_edition, edition_note[0], True,
                         (f"{hs6} is not in the {agreement} positive list, but other subheadings of heading {hs6[:4]} are: "
                          f"in {book.hs_edition} the good may have been one of them (ambiguous; the {book.hs_edition} "
                          f"code decides); otherwise the general rule applies ({general}; {cite})",))  # fmt: skip
    if not cands:
        raise _no_row(agreement, hs6)
    best = min(r.span for r in cands)
    chosen = [r for r in cands if r.span == best]
    sets: dict[str, list[RuleRow]] = {}
    for r in chosen:
        sets.setdefault(r.set_key, []).append(r)
    parts: list[Node] = []
    notes: list[str] = list(extra_notes)
    for rows in sets.values():
        nodes = [r.node for r in rows if r.node is not None and _FOLDED not in r.notes]
        lost = [r for r in rows if r.node is None]
        if lost and not any(r.text.lstrip().lower().startswith("however") for r in lost):
            # an alternative the parser cannot read is still an alternative: kept verbatim as a
            # condition the producer confirms (never dropped, never guessed)
            verb = " ".join(re.sub(r"\s+", " ", r.text).strip() for r in lost)
            nodes.append(Condition(_safe_text(verb)))
            notes.append(
                f"{len(lost)} row(s) kept verbatim as an alternative to confirm: {verb[:160]}"
            )
        elif lost:
            notes.append("allowance not applied (not machine-readable; conservative): "
                         + " ".join(r.text.strip()[:120] for r in lost))  # fmt: skip
        if not nodes:
            continue
        alt = nodes[0] if len(nodes) == 1 else Or(tuple(nodes))
        sub = rows[0].subdivision
        if len(sets) > 1 and sub:
            alt = ForProduct(sub, alt)
        parts.append(alt)
        for r in rows:
            notes += [n for n in r.notes if n not in notes]
    rule = None if not parts else (parts[0] if len(parts) == 1 else Or(tuple(parts)))
    if book.agreement.stand_in:
        notes.insert(0, book.agreement.stand_in)
    return RuleMatch(
        agreement=agreement,
        hs6=hs6,
        rule=rule,
        rows=tuple(r for r in chosen if r.parsed),
        unparsed=tuple(r for r in chosen if not r.parsed),
        hs_edition=book.hs_edition,
        edition_note=edition_note[0],
        edition_ambiguous=ambiguous,
        notes=tuple(notes),
    )


__all__ = [
    "RuleBook",
    "RuleMatch",
    "RuleRow",
    "build_rulebook",
    "chapter_index",
    "code_bounds",
    "lookup_rules",
]
