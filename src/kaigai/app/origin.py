"""Rules-of-origin questions: the rule for a product, a BOM check (loads via data/, calls origin/)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from kaigai.data.origin import cached_books, hs_sets
from kaigai.origin.provisions import load_agreements

if TYPE_CHECKING:
    from kaigai.core.config import Settings
    from kaigai.core.money import Rates
    from kaigai.origin.evaluator import Verdict


def check_file(
    bom_path: Path,
    hs6: str,
    exporter: str,
    importer: str,
    settings: Settings,
    *,
    fob: float | None = None,
    exw: float | None = None,
    currency: str = "JPY",
    rates: Rates | None = None,
    agreement_ids: list[str] | None = None,
    extra: Path | None = None,
) -> list[Verdict]:
    """One call for shells (plan, service): load the rules and the BOM file, then :func:`check` it.

    Raises the same errors as :func:`kaigai.origin.bom.load_bom` and :func:`kaigai.origin.api.check`.
    """
    from kaigai.core.countries import normalize_country
    from kaigai.hs.codes import normalize_hs6
    from kaigai.origin.api import check
    from kaigai.origin.bom import Product, load_bom

    hs22, hs17 = hs_sets(settings)
    bom = load_bom(bom_path, currency.upper(), rates=rates, hs_codes=hs22)
    product = Product(
        normalize_hs6(hs6),
        normalize_country(exporter),
        normalize_country(importer),
        currency.upper(),
        fob,
        exw,
    )
    return check(
        bom, product, cached_books(settings, extra), load_agreements(extra), hs17, agreement_ids
    )


__all__ = ["check_file"]
