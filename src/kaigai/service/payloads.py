"""Checks on free-form JSON the service stores (firm profiles, plan documents).

Nothing is stored that cannot be read back: nesting depth, size and non-finite numbers are
refused with 4xx before the write. A profile's products refer to stored BOMs by ``bom_id``;
a file name or path (``bom``) is refused without looking at the server's disk.
"""

from __future__ import annotations

import json
import math
from typing import Any

from kaigai.core.errors import InputError, PayloadTooLargeError, ProfileError

MAX_DEPTH = 32
MAX_PROFILE_BYTES = 100_000
MAX_PLAN_BYTES = 1_000_000
MAX_PRODUCTS = 50
MAX_ID = 2**31 - 1
_BOM_HINT = (
    "Upload the BOM to the workspace (POST /api/v1/workspaces/{id}/boms or the dashboard) "
    "and put its id in products[].bom_id."
)


def check_json(value: Any, *, what: str, max_bytes: int, max_depth: int = MAX_DEPTH) -> None:
    """Refuse ``value`` if nested deeper than ``max_depth``, larger than ``max_bytes`` as JSON,
    or holding NaN/Infinity (iterative: no recursion however deep the input)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        x, depth = stack.pop()
        if isinstance(x, dict | list):
            if depth > max_depth:
                raise InputError(
                    f"The {what} is nested more than {max_depth} levels deep.",
                    hint="Flatten the document; deeper nesting is refused so that it can always be read back.",
                )
            stack.extend((y, depth + 1) for y in (x.values() if isinstance(x, dict) else x))
        elif isinstance(x, float) and not math.isfinite(x):
            raise InputError(f"The {what} holds a number that is not finite (NaN or Infinity).")
    size = len(json.dumps(value, ensure_ascii=False).encode("utf-8"))
    if size > max_bytes:
        raise PayloadTooLargeError(f"The {what} is larger than {max_bytes:,} bytes ({size:,}).")


def check_profile(data: Any, *, error: type[InputError] = InputError) -> None:
    """The profile's shape as far as the service relies on it: ``products`` is a list of objects
    whose BOM is a ``bom_id`` (integer id of a BOM stored in the workspace), never a path."""
    if not isinstance(data, dict):
        raise error("The firm profile must be a JSON object.")
    check_json(data, what="profile", max_bytes=MAX_PROFILE_BYTES)
    products = data.get("products")
    if products is None:
        return
    if not isinstance(products, list) or len(products) > MAX_PRODUCTS:
        raise error(
            f"profile products must be a list of at most {MAX_PRODUCTS} objects.",
            hint='e.g. "products": [{"name": "Desk fan", "hs": "841451", "bom_id": 3}]',
        )
    for i, prod in enumerate(products):
        if not isinstance(prod, dict):
            raise error(f"profile products[{i}] must be an object.")
        if "bom" in prod:  # never read as a path: the answer is the same whatever it names
            raise error(
                f"profile products[{i}].bom is not accepted: refer to a stored BOM with bom_id.",
                hint=_BOM_HINT,
            )
        bid = prod.get("bom_id")
        if bid is not None and (
            isinstance(bid, bool) or not isinstance(bid, int) or not 1 <= bid <= MAX_ID
        ):
            raise error(
                f"profile products[{i}].bom_id must be the id (an integer) of a stored BOM.",
                hint=_BOM_HINT,
            )


def check_stored_profile(data: Any) -> None:
    """Like :func:`check_profile` for a profile read back (saved before these checks)."""
    check_profile(data, error=ProfileError)


__all__ = ["MAX_DEPTH", "check_json", "check_profile", "check_stored_profile"]
