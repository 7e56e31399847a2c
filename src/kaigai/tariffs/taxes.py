"""Import consumption tax / VAT on the duty-paid value, only where kaigai knows the rate."""

from __future__ import annotations

from dataclasses import dataclass

from kaigai.core.provenance import Provenance


@dataclass(frozen=True)
class ImportTax:
    importer: str
    name: str
    rate_pct: float
    note: str
    provenance: Provenance


IMPORT_TAXES: dict[str, ImportTax] = {
    "JPN": ImportTax(
        "JPN",
        "consumption tax (消費税)",
        10.0,
        "Standard 10% (7.8% national + 2.2% local) on customs value + duty (+ excise). The 8% reduced "
        "rate for food and non-alcoholic beverages is not applied automatically.",
        Provenance(
            "consumption_tax",
            "2019-10-01",
            "JPN standard rate",
            "National Tax Agency / Japan Customs: import consumption tax",
            "Customs Answer 1111: 7.8% national + 2.2% local = 10% (reduced 8%), https://www.customs.go.jp/english/c-answer_e/imtsukan/1111_e.htm",
        ),
    ),
    "VNM": ImportTax(
        "VNM",
        "value added tax (VAT)",
        10.0,
        "Standard 10% on import value + import duty (+ special consumption tax). 0%/5% goods and "
        "temporary 8% reductions are not modelled.",
        Provenance(
            "vat",
            "Law on VAT 48/2024/QH15",
            "VNM standard rate",
            "Viet Nam Law on Value Added Tax No. 48/2024/QH15 (standard rate 10%)",
        ),
    ),
}


def import_tax(importer: str) -> ImportTax | None:
    """The importer's standard import consumption tax / VAT, or ``None`` when unknown."""
    return IMPORT_TAXES.get(importer)


__all__ = ["IMPORT_TAXES", "ImportTax", "import_tax"]
