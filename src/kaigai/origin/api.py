"""Public Python API of the origin engine (pure functions on typed inputs)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from kaigai.core.errors import OriginRuleError
from kaigai.hs.codes import normalize_hs6
from kaigai.origin.hsmap import map_edition
from kaigai.origin.provisions import Agreement, applicable, resolve_agreement
from kaigai.origin.store import RuleBook, RuleMatch, lookup_rules

if TYPE_CHECKING:  # the BOM evaluator is imported by the checks only (a rule lookup needs none)
    import datetime as dt

    from kaigai.origin.bom import BOM, Product
    from kaigai.origin.evaluator import Verdict


def rule_for(
    agreement: str,
    hs6: str,
    books: Mapping[str, RuleBook],
    agreements: dict[str, Agreement],
    hs17: frozenset[str],
    official: Mapping[str, tuple[str, ...]] | None = None,
) -> RuleMatch:
    """Rule of ``agreement`` (id or alias) for HS 2022 code ``hs6``, with the HS-edition note.

    The code is mapped to the rule set's edition through the concordance (:mod:`kaigai.origin.hsmap`;
    ``official`` = HS 2022 -> HS 2017 pairs of the UNSD table when pulled); ambiguous splits are
    flagged and, where the table's rows differ, every candidate rule is kept.

    Raises
    ------
    OriginRuleError
        "no rule data for AJCEP 8471" when the agreement has no rule set.
    """
    a = resolve_agreement(agreement, agreements)
    code = normalize_hs6(hs6)
    book = books.get(a.id)
    if book is None:
        return lookup_rules(a.id, code, None)
    em = map_edition(code, book.hs_edition, hs17, official)
    return lookup_rules(a.id, code, book, (em.note, em.ambiguous), em.codes)


def no_data_verdict(a: Agreement, hs6: str, currency: str, msg: str = "") -> Verdict:
    """The verdict of an agreement without rule data for ``hs6`` (never a guess)."""
    from kaigai.origin.evaluator import Verdict

    msg = msg or f"no rule data for {a.id} {hs6[:4]}"
    return Verdict(
        a.id, hs6, "no rule data", "", "", "", (msg,), (), None, (), (msg,), (), (), currency
    )


def check(
    bom: BOM,
    product: Product,
    books: Mapping[str, RuleBook],
    agreements: dict[str, Agreement],
    hs17: frozenset[str],
    agreement_ids: list[str] | None = None,
    on: dt.date | None = None,
) -> list[Verdict]:
    """Evaluate the product against every rule of every applicable agreement (or the ones named).

    Agreements without rule data get a ``"no rule data"`` verdict, never a guess.
    """
    from kaigai.origin.evaluator import evaluate

    if agreement_ids:
        chosen = [resolve_agreement(x, agreements) for x in agreement_ids]
        for a in chosen:
            if product.exporter not in a.parties or product.importer not in a.parties:
                raise OriginRuleError(
                    f"{a.id} does not cover {product.exporter}->{product.importer}.",
                    hint="Parties: " + ", ".join(a.parties),
                )
    else:
        chosen = applicable(product.exporter, product.importer, agreements)
    out: list[Verdict] = []
    for a in chosen:
        if a.id not in books:
            out.append(no_data_verdict(a, product.hs6, bom.currency))
            continue

        def lk(code: str, _a: Agreement = a) -> RuleMatch:
            return rule_for(_a.id, code, books, agreements, hs17)

        try:
            match = lk(product.hs6)
        except OriginRuleError as exc:
            if not exc.message.startswith("no rule data"):
                raise
            out.append(no_data_verdict(a, product.hs6, bom.currency, exc.message))
            continue
        out.append(evaluate(bom, product, match, a, lookup=lk, on=on))
    return out


def check_rule(
    bom: BOM,
    product: Product,
    rule_text: str,
    agreement: str,
    agreements: dict[str, Agreement],
    books: Mapping[str, RuleBook] | None = None,
    hs17: frozenset[str] = frozenset(),
    on: dt.date | None = None,
) -> Verdict:
    """Evaluate against one rule written in canonical/RCEP notation, with ``agreement``'s provisions.

    Intermediates are rolled up with the agreement's own rule book when ``books`` is given.
    """
    from kaigai.core.provenance import Provenance
    from kaigai.origin.evaluator import evaluate
    from kaigai.origin.parser import parse_rcep
    from kaigai.origin.store import RuleRow

    a = resolve_agreement(agreement, agreements)
    node = parse_rcep(rule_text)
    row = RuleRow(a.id, product.hs6, product.hs6, 0, "user", "", rule_text, node, None,
                  Provenance("user rule", locator="--rule", note="rule text given by the user"))  # fmt: skip
    match = RuleMatch(
        a.id, product.hs6, node, (row,), (), "as given", "", False, ("rule given by the user",)
    )

    def lk(code: str) -> RuleMatch:
        return rule_for(a.id, code, books or {}, agreements, hs17)

    return evaluate(bom, product, match, a, lookup=lk if books else None, on=on)


__all__ = ["check", "check_rule", "no_data_verdict", "rule_for"]
