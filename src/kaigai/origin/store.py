"""Rule store: product-specific rules of one agreement as parsed rows, and lookup by HS6.

Rows come from frames (``uk_psr``, ``rcep_psr`` or a user CSV) handed in by the shell. Each row
is parsed once; rows that do not parse keep their text and the parse error for manual review.
Lookup picks the narrowest code range that holds the product (subheading beats heading beats
chapter; a heading rule set beats a range of headings). All rows of a UK rule set are
alternatives, whatever the source ``operator`` column says.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import pandas as pd

from kaigai.core.errors import KaigaiError, OriginRuleError, RuleParseError
from kaigai.core.provenance import Provenance
from kaigai.origin.ast import And, ForProduct, MaterialLimit, Node, Or
from kaigai.origin.parser import parse_notation, parse_rcep
from kaigai.origin.prose import parse_prose
from kaigai.origin.provisions import Agreement


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

    @property
    def parsed(self) -> bool:
        return self.node is not None


@dataclass(frozen=True)
class RuleBook:
    """All rows of one agreement's rule set."""

    agreement: Agreement
    rows: tuple[RuleRow, ...]
    hs_edition: str
    dataset: str
    note: str = ""

    @cached_property
    def by_chapter(self) -> dict[str, tuple[RuleRow, ...]]:
        """Rows grouped by every chapter their range touches (lookup index)."""
        out: dict[str, list[RuleRow]] = {}
        for r in self.rows:
            for ch in range(int(r.lo[:2]), int(r.hi[:2]) + 1):
                out.setdefault(f"{ch:02d}", []).append(r)
        return {k: tuple(v) for k, v in out.items()}

    def coverage(self) -> dict[str, float | int]:
        n = len(self.rows)
        ok = sum(r.parsed for r in self.rows)
        return {
            "rows": n,
            "parsed": ok,
            "unparsed": n - ok,
            "share_parsed": round(ok / n, 4) if n else 0.0,
        }


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

    @property
    def provenance(self) -> tuple[Provenance, ...]:
        return tuple(r.provenance for r in self.rows + self.unparsed)


_COUNTRY = "country-specific rule"
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


def _code_bounds(code: str) -> tuple[str, str, int]:
    d = code.replace(".", "").strip()
    pad = 6 - len(d)
    return d + "0" * pad, d + "9" * pad, 10**pad


def build_table_rulebook(agreement: Agreement, frame: pd.DataFrame, dataset: str) -> RuleBook:
    """Rows with ``hs_code`` (2/4/6 digits, dots allowed) and a rule in notation.

    Used for RCEP (column ``rule_en``, RCEP notation) and user CSVs (column ``rule``).
    """
    spec = agreement.rules or {}
    col = "rule_en" if "rule_en" in frame.columns else "rule"
    parse = parse_rcep if spec.get("dialect") == "rcep" else parse_notation
    rows: list[RuleRow] = []
    for i, r in enumerate(frame.itertuples(index=False)):
        text = str(getattr(r, col))
        lo, hi, span = _code_bounds(str(r.hs_code))
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
    """Parse the rule frame of one agreement (UK layout or code/rule table)."""
    if "scheme_code" in frame.columns:
        return build_uk_rulebook(agreement, frame, dataset)
    return build_table_rulebook(agreement, frame, dataset)


def lookup_rules(
    agreement: str, hs6: str, book: RuleBook | None, edition_note: tuple[str, bool] = ("", False)
) -> RuleMatch:
    """The rule of ``agreement`` for product ``hs6`` (narrowest range wins).

    Raises
    ------
    OriginRuleError
        "no rule data for AJCEP 8471" when the agreement has no rule set, or when no row
        covers the code.
    """
    if book is None:
        raise OriginRuleError(
            f"no rule data for {agreement} {hs6[:4]}",
            hint=f"kaigai has no product-specific rules for {agreement}; add them as a CSV (docs/origin.md).",
            agreement=agreement,
            hs6=hs6,
        )
    cands = [r for r in book.by_chapter.get(hs6[:2], ()) if r.lo <= hs6 <= r.hi]
    if not cands:
        raise OriginRuleError(f"no rule data for {agreement} {hs6}", hint="The rule table has no row covering this code.",
                              agreement=agreement, hs6=hs6)  # fmt: skip
    best = min(r.span for r in cands)
    chosen = [r for r in cands if r.span == best]
    sets: dict[str, list[RuleRow]] = {}
    for r in chosen:
        sets.setdefault(r.set_key, []).append(r)
    parts: list[Node] = []
    notes: list[str] = []
    for rows in sets.values():
        nodes = [r.node for r in rows if r.node is not None and _FOLDED not in r.notes]
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
        edition_ambiguous=edition_note[1],
        notes=tuple(notes),
    )


__all__ = ["RuleBook", "RuleMatch", "RuleRow", "build_rulebook", "lookup_rules"]
