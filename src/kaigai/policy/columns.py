"""A table as named numpy columns, accepted by the estimators in place of a pandas DataFrame.

``kaigai policy estimate`` reads its file straight into :class:`Columns` (pyarrow ->
numpy), so a command-line estimation never imports pandas (a third of a second). The
helpers here give the estimators one way to ask either kind of table whether a column is
numeric, where it is missing and what its level codes are; on :class:`Columns` they
reproduce what pandas returns on the same values (``pd.factorize`` with and without
sorting), so both inputs give the same codes, hence the same numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from kaigai.core.errors import EstimationError


class Column:
    """One column: a 1-D numpy array (missing values as NaN or None)."""

    def __init__(self, values: np.ndarray) -> None:
        self.values = values

    @property
    def dtype(self) -> np.dtype:  # type: ignore[type-arg]
        return self.values.dtype

    def to_numpy(self, dtype: Any = None, na_value: Any = None) -> np.ndarray:
        v = self.values
        if dtype is None:
            return v
        if v.dtype.kind == "O":  # None for missing in an object column
            v = np.array([na_value if x is None else x for x in v], dtype=object)
        return np.asarray(v, dtype=dtype)

    def __len__(self) -> int:
        return int(self.values.shape[0])


class Columns:
    """Named 1-D arrays of equal length (row labels are the positions ``0..n-1``)."""

    def __init__(self, data: Mapping[str, np.ndarray]) -> None:
        self._data = {str(k): np.asarray(v) for k, v in data.items()}
        lengths = {v.shape[0] for v in self._data.values()}
        if len(lengths) > 1 or any(v.ndim != 1 for v in self._data.values()):
            raise EstimationError("columns must be 1-D and of equal length")
        self._n = lengths.pop() if lengths else 0

    @property
    def columns(self) -> list[str]:
        return list(self._data)

    @property
    def index(self) -> np.ndarray:
        """Row labels: positions."""
        return np.arange(self._n)

    def __getitem__(self, name: str) -> Column:
        return Column(self._data[name])

    def __contains__(self, name: object) -> bool:
        return name in self._data

    def __len__(self) -> int:
        return self._n


def is_numeric(s: Any) -> bool:
    """Numeric or boolean column (pandas' ``is_numeric_dtype`` on a Series)."""
    if isinstance(s, Column):
        return s.dtype.kind in "biuf"
    import pandas as pd

    return bool(pd.api.types.is_numeric_dtype(s))


def isna(s: Any) -> np.ndarray:
    """Boolean mask of missing values."""
    if isinstance(s, Column):
        v = s.values
        if v.dtype.kind == "f":
            return np.isnan(v)
        if v.dtype.kind == "O":
            return np.array([x is None or (isinstance(x, float) and x != x) for x in v], bool)
        return np.zeros(v.shape[0], dtype=bool)
    return np.asarray(s.isna().to_numpy())


def factorize(s: Any, sort: bool = False) -> tuple[np.ndarray, Any]:
    """``pd.factorize(s, sort=sort)``: int64 codes (-1 where missing) and the levels; on a
    :class:`Column` or a numpy array without pandas (numbers, booleans, strings)."""
    v = s.values if isinstance(s, Column) else s
    if isinstance(v, np.ndarray) and v.dtype.kind in "biuf" + ("O" if sort else ""):
        out = _factorize_array(v, sort)
        if out is not None:
            return out
    import pandas as pd

    c, lev = pd.factorize(s.to_numpy() if isinstance(s, Column) else s, sort=sort)
    return np.asarray(c, dtype=np.int64), lev


def _factorize_array(v: np.ndarray, sort: bool) -> tuple[np.ndarray, np.ndarray] | None:
    miss = isna(Column(v)) if v.dtype.kind in "fO" else None
    ok = v if miss is None else v[~miss]
    if v.dtype.kind == "O":
        if not all(isinstance(x, str) for x in ok):  # mixed objects: pandas' own rules
            return None
        ok = ok.astype(str)
    if v.dtype.kind == "b":
        ok = ok.astype(np.int8)
    uniq, first, inv = np.unique(ok, return_index=True, return_inverse=True)
    if not sort:  # levels in order of first appearance
        order = np.argsort(first, kind="stable")
        rank = np.empty(order.size, dtype=np.int64)
        rank[order] = np.arange(order.size)
        inv, uniq = rank[inv], uniq[order]
    if v.dtype.kind == "b":
        uniq = uniq.astype(bool)
    elif v.dtype.kind == "O":
        uniq = uniq.astype(object)
    codes = np.full(v.shape[0], -1, dtype=np.int64)
    if miss is None:
        codes[:] = inv
    else:
        codes[~miss] = inv
    return codes, uniq


__all__ = ["Column", "Columns", "factorize", "is_numeric", "isna"]
