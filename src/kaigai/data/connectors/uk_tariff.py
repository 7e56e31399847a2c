"""UK Online Trade Tariff API (JSON:API) -> the duty engine's schedule format for GBR.

Published format (trade-tariff API docs, "Using the Commodities API")::

    GET https://www.trade-tariff.service.gov.uk/api/v2/headings/<4 digits>
    GET https://www.trade-tariff.service.gov.uk/api/v2/commodities/<10 digits>

A commodity answer has ``data`` (``attributes.goods_nomenclature_item_id``, ``description``,
``relationships.import_measures``) and ``included`` (``measure`` objects whose relationships
point at a ``measure_type``, a ``geographical_area`` and a ``duty_expression`` whose
``attributes.base`` is the duty text, e.g. ``"4.00 %"``). Measure type ``103`` is the third
country (MFN) duty, ``142`` a tariff preference; the UK-Japan CEPA preference is a 142 measure
for geographical area ``JP``. A heading answer lists its commodities in ``included`` with
``declarable`` and ``goods_nomenclature_item_id``.

Licence: Open Government Licence v3.0 (the API's catalogue entry); HMRC terms of use: the legal
texts prevail over the API.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from kaigai.core.errors import ImportFormatError

BASE = "https://www.trade-tariff.service.gov.uk/api/v2"
MFN_TYPES = {"103", "105"}  # third country duty; non-preferential duty under end-use
PREF_TYPES = {"142", "145"}  # tariff preference; preference under end-use


def heading_url(heading: str) -> str:
    return f"{BASE}/headings/{heading}"


def commodity_url(code: str) -> str:
    return f"{BASE}/commodities/{code}"


def declarable_codes(heading_payload: dict[str, Any], hs6: str | None = None) -> list[str]:
    """The declarable 10-digit commodity codes of a heading answer (under ``hs6`` if given)."""
    out = []
    for item in heading_payload.get("included") or []:
        a = item.get("attributes") or {}
        code = str(a.get("goods_nomenclature_item_id") or "")
        wanted = hs6 is None or code.startswith(hs6)
        if item.get("type") == "commodity" and a.get("declarable") and len(code) == 10 and wanted:
            out.append(code)
    data = heading_payload.get("data") or {}
    code = str((data.get("attributes") or {}).get("goods_nomenclature_item_id") or "")
    if (data.get("attributes") or {}).get("declarable") and len(code) == 10:
        out.append(code)  # a heading without subdivisions is itself declarable
    return sorted(set(out))


@dataclass(frozen=True)
class UkMeasure:
    code: str
    description: str
    measure_type: str
    area: str
    duty: str
    start: str


def parse_commodity(payload: dict[str, Any]) -> list[UkMeasure]:
    """Duty measures (MFN and preferences) of one commodity answer."""
    try:
        data = payload["data"]
        attrs = data["attributes"]
        code = str(attrs["goods_nomenclature_item_id"])
    except (KeyError, TypeError) as exc:
        raise ImportFormatError(
            "Not a UK Trade Tariff commodity answer (no data.attributes.goods_nomenclature_item_id)."
        ) from exc
    desc = str(attrs.get("description_plain") or attrs.get("description") or "")
    included = {(i.get("type"), str(i.get("id"))): i for i in payload.get("included") or []}
    wanted = {
        str(r.get("id"))
        for r in ((data.get("relationships") or {}).get("import_measures") or {}).get("data") or []
    }
    out = []
    for (kind, mid), m in included.items():
        if kind != "measure" or (wanted and mid not in wanted):
            continue
        rel = m.get("relationships") or {}

        def ref(name: str, rel: dict[str, Any] = rel) -> str:
            d = (rel.get(name) or {}).get("data") or {}
            return str(d.get("id", "")) if isinstance(d, dict) else ""

        mtype = ref("measure_type")
        if mtype not in MFN_TYPES | PREF_TYPES:
            continue
        duty = included.get(("duty_expression", ref("duty_expression")), {})
        base = str((duty.get("attributes") or {}).get("base") or "").strip()
        start = str((m.get("attributes") or {}).get("effective_start_date") or "")[:10]
        out.append(UkMeasure(code, desc, mtype, ref("geographical_area"), base, start))
    return out


def _rate_text(duty: str) -> str:
    t = duty.replace("\u00a0", " ").strip()
    if t.endswith("%"):
        num = t[:-1].strip()
        try:
            return f"{float(num):g}%"
        except ValueError:
            return t
    return t


def to_schedule(
    measures: list[UkMeasure], *, valid_from: str, retrieved: str = "", partner: str = "JP"
) -> pd.DataFrame:
    """Schedule rows for GBR: ``mfn`` from the erga-omnes third-country duty (area 1011), and
    ``UK-JP`` from the tariff preference for area ``partner`` (Japan)."""
    rows = []
    for m in measures:
        if m.measure_type in MFN_TYPES and m.area in ("1011", ""):
            column = "mfn"
        elif m.measure_type in PREF_TYPES and m.area == partner:
            column = "UK-JP"
        else:
            continue
        rows.append(
            {
                "importer": "GBR",
                "national_code": m.code,
                "hs6": m.code[:6],
                "description": m.description,
                "column": column,
                "rate_text": _rate_text(m.duty),
                "valid_from": valid_from,
                "source": f"UK Online Trade Tariff API, measure type {m.measure_type}"
                f" area {m.area or '1011'} from {m.start or '?'}"
                + (f", retrieved {retrieved}" if retrieved else ""),
            }
        )
    cols = ["importer", "national_code", "hs6", "description", "column", "rate_text"]
    df = pd.DataFrame(rows, columns=[*cols, "valid_from", "source"])
    return df.drop_duplicates(["national_code", "column"], keep="first")


__all__ = [
    "BASE",
    "UkMeasure",
    "commodity_url",
    "declarable_codes",
    "heading_url",
    "parse_commodity",
    "to_schedule",
]
