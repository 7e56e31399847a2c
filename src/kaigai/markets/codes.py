"""Integer keys for the engines: country codes and HS6 codes as int32, decoded at the edge.

Hash joins on 17 million rows run markedly faster on integers than on strings; the pipeline
is key-type agnostic, so the encoding lives here and in the shells' data layer only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

COUNTRY_COLUMNS = ("exporter", "importer", "code")


def encode(prepared: dict[str, pd.DataFrame]) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """Replace country codes by ids and HS codes by integers; return the frames and the id table."""
    codes = sorted(
        {
            str(c)
            for df in prepared.values()
            for col in COUNTRY_COLUMNS
            if col in df.columns
            for c in df[col].unique()
        }
    )
    value_set = pa.array(codes, type=pa.string())
    out = {}
    for name, df in prepared.items():
        df = df.copy(deep=False)
        for col in COUNTRY_COLUMNS:
            if col in df.columns:
                arr = pa.array(df[col].astype(str), type=pa.string())
                df[col] = (
                    pc.index_in(arr, value_set=value_set)
                    .to_numpy(zero_copy_only=False)
                    .astype("int32")
                )
        for col in ("hs6", "chapter"):
            if col in df.columns:
                arr = pa.array(df[col].astype(str), type=pa.string())
                df[col] = pc.cast(arr, pa.int32()).to_numpy(zero_copy_only=False)
        out[name] = df
    return out, pd.DataFrame({"id": np.arange(len(codes), dtype="int32"), "code": codes})


def code_id(codes: pd.DataFrame, code: str) -> int:
    """Id of a country code (-1 when absent, which matches no row)."""
    hit = codes.loc[codes["code"] == code, "id"]
    return int(hit.iloc[0]) if len(hit) else -1


def decode(df: pd.DataFrame, codes: pd.DataFrame) -> pd.DataFrame:
    """Ids back to country codes, integers back to zero-padded HS6 / chapter strings."""
    df = df.copy()
    lookup = codes["code"].to_numpy(dtype=object)
    for col in COUNTRY_COLUMNS:
        if col in df.columns:
            df[col] = pd.array(lookup[df[col].to_numpy(dtype="int64")], dtype="str")
    for col, width in (("hs6", 6), ("chapter", 2)):
        if col in df.columns:
            df[col] = df[col].astype("int64").astype(str).str.zfill(width)
    return df


__all__ = ["COUNTRY_COLUMNS", "code_id", "decode", "encode"]
