"""The dashboard's firm-profile form <-> the plan engine's profile (every product, one row each).

Each product is a row of fields whose names end in the row's suffix (``product_name``,
``product_name_1``, ``product_name_2`` ...; the first row has none, so older form posts still
read). A row carries ``product_key``: the index of the saved product it edits (``new`` for an
added row), so what the form does not show (a product's tariff line per market, shipments per
year ...) is kept for that product, and ``remove_product`` drops it. A saved product no row
refers to is kept: nothing saved is lost by a form that did not show it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kaigai.core.countries import normalize_country
from kaigai.core.errors import InputError
from kaigai.service.payloads import MAX_PRODUCTS

#: product keys the form shows: a blank field removes them; other saved keys are carried over
FORM_PRODUCT_KEYS = ("name", "hs", "unit_value", "unit_fob", "annual_export_value", "bom_id",
                     "wholly_obtained")  # fmt: skip
_NUMBERS = ("unit_value", "unit_fob", "annual_export_value", "shipments_per_year")
#: keys an older form posted (a blank posted field removes them, an absent one keeps them)
_OPTIONAL = (("shipments_per_year", "shipments_per_year"), ("name_ja", "product_name_ja"))


def suffix(j: int) -> str:
    """Field-name suffix of product row ``j`` (``""``, ``"_1"``, ``"_2"`` ...)."""
    return "" if j == 0 else f"_{j}"


@dataclass
class Row:
    """One product row of the form: its suffix, the saved product it edits, its values."""

    sfx: str
    key: int | None  # index of the saved product, None for a new one
    product: dict[str, Any] = field(default_factory=dict)
    removed: bool = False


def _num(v: str, name: str, *, integer: bool = False) -> float | int | None:
    v = v.replace(",", "").strip()
    if not v:
        return None
    try:
        x = float(v)
    except ValueError as exc:
        raise InputError(f"{name}: '{v}' is not a number.") from exc
    if x < 0:
        raise InputError(f"{name}: must not be negative.")
    return int(x) if integer else x


def _product(form: dict[str, str], sfx: str) -> dict[str, Any]:
    product: dict[str, Any] = {
        "name": form.get(f"product_name{sfx}", "").strip(),
        "hs": form.get(f"product_hs{sfx}", "").strip(),
    }
    for key in _NUMBERS:
        val = _num(form.get(key + sfx, ""), key)
        if val is not None:
            product[key] = val
    if form.get(f"bom_id{sfx}", "").isdigit():
        product["bom_id"] = int(form[f"bom_id{sfx}"])
    if form.get(f"wholly_obtained{sfx}") in ("yes", "on", "true"):
        product["wholly_obtained"] = True
    if form.get(f"product_name_ja{sfx}", "").strip():
        product["name_ja"] = form[f"product_name_ja{sfx}"].strip()
    return product


def form_rows(form: dict[str, str]) -> list[Row]:
    """The product rows posted, in order (a form without ``product_key`` edits product 0)."""
    keyed = any(k.startswith("product_key") for k in form)
    rows = []
    for j in range(MAX_PRODUCTS + 5):
        sfx = suffix(j)
        if f"product_name{sfx}" not in form and f"product_key{sfx}" not in form:
            continue
        raw = form.get(f"product_key{sfx}", "" if keyed else "0")
        key = int(raw) if raw.isdigit() else None
        removed = form.get(f"remove_product{sfx}") in ("yes", "on", "true")
        rows.append(Row(sfx, key, _product(form, sfx), removed))
    return rows


def _merged(row: Row, saved: dict[str, Any] | None, form: dict[str, str]) -> dict[str, Any]:
    """The row's product over the saved product's keys the form does not show."""
    if saved is None:
        return row.product
    kept = {k: v for k, v in saved.items() if k not in FORM_PRODUCT_KEYS}
    for key, name in _OPTIONAL:
        if name + row.sfx in form:
            kept.pop(key, None)
    return {**kept, **row.product}


def merge_products(
    rows: list[Row], stored: list[Any], form: dict[str, str]
) -> list[dict[str, Any]]:
    """The products to save: each row (unless removed; a blank new row is skipped) over the saved
    product it edits, then any saved product no row refers to."""
    saved = [p if isinstance(p, dict) else {} for p in stored]
    out, seen = [], set()
    for row in rows:
        ok = row.key is not None and 0 <= row.key < len(saved)
        if ok:
            seen.add(row.key)
        blank = row.key is None and not (row.product.get("name") or row.product.get("hs"))
        if row.removed or blank:
            continue
        out.append(_merged(row, saved[row.key] if ok and row.key is not None else None, form))
    out.extend(p for i, p in enumerate(saved) if i not in seen and p)
    return out


def profile_from_form(
    form: dict[str, str], markets: list[str] | None = None, stored: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The plan engine's profile shape from the dashboard form (readiness answers ``r_<id>``).

    ``markets``: the ticked boxes of the country picker (ISO3 values; order kept, duplicates
    dropped); each entry may also be a list of codes or names (``VNM、Thailand``).
    ``stored``: the saved profile; what the form does not show (a product's tariff line per
    market, excluded markets ...) is kept, nothing saved is lost.
    """
    stored = stored or {}
    if markets is None:
        markets = [form.get("target_markets", "")]
    names = [x for m in markets for x in m.replace("、", ",").split(",") if x.strip()]
    markets = list(dict.fromkeys(normalize_country(x) for x in names))
    size: dict[str, Any] = {
        **(stored.get("size") or {}),
        "employees": _num(form.get("employees", ""), "employees", integer=True) or 0,
        "currency": "JPY",
    }
    size.pop("annual_sales", None)  # a blank field removes its value
    sales = _num(form.get("annual_sales", ""), "annual_sales")
    if sales is not None:
        size["annual_sales"] = sales
    out = {k: v for k, v in stored.items() if k != "name_ja"}
    saved = stored.get("products") if isinstance(stored.get("products"), list) else []
    out.update({
        "name": form.get("name", "").strip(), "home_country": "JPN", "size": size,
        "products": merge_products(form_rows(form), saved or [], form),
        "preferences": {**(stored.get("preferences") or {}), "target_markets": markets},
        "readiness": {k[2:]: v for k, v in form.items() if k.startswith("r_") and v},
    })  # fmt: skip
    if form.get("name_ja", "").strip():
        out["name_ja"] = form["name_ja"].strip()
    return out


def page_rows(profile: dict[str, Any], form: dict[str, str] | None = None, add: bool = False
              ) -> list[Row]:  # fmt: skip
    """Rows to show: the saved products (or, re-showing a posted form, its rows: removed ones
    too, still ticked), one empty row when there is no product, and a new empty row when
    ``add``."""
    if form is not None:
        rows = form_rows(form)
    else:
        prods = profile.get("products") if isinstance(profile.get("products"), list) else []
        rows = [Row("", i, p) for i, p in enumerate(prods or []) if isinstance(p, dict)]
    if not rows or add:
        rows.append(Row("", None))
    for j, r in enumerate(rows):
        r.sfx = suffix(j)
    return rows


__all__ = [
    "FORM_PRODUCT_KEYS",
    "Row",
    "form_rows",
    "merge_products",
    "page_rows",
    "profile_from_form",
    "suffix",
]
