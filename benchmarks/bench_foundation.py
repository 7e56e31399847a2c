"""Foundation benchmarks: catalog import of the markets folder vs plain DuckDB, HS search latency.

Reference for the import: a bare DuckDB ``CREATE TABLE AS SELECT`` of the same files in one
transaction (no checksum, no column checks, no registry). The ratio is kaigai's overhead.
Needs the shared data (KAIGAI_SHARED_DATA, default ../shared/data) for the import part.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path


def _bench_import() -> None:
    import duckdb

    from kaigai.core.config import get_settings
    from kaigai.data.importer import import_path, plan

    markets = Path(os.environ.get("KAIGAI_SHARED_DATA", "../shared/data")) / "markets"
    if not markets.is_dir():
        print(f"import: skipped (no shared data at {markets})")
        return
    with tempfile.TemporaryDirectory() as tmp:
        s = get_settings(data_dir=Path(tmp) / "k", cache_dir=Path(tmp) / "c")
        t0 = time.perf_counter()
        res = import_path(markets, s)
        t_kaigai = time.perf_counter() - t0
        t0 = time.perf_counter()
        unchanged = {r.action for r in import_path(markets, s)}
        t_again = time.perf_counter() - t0
        rows = sum(r.rows or 0 for r in res)
        con = duckdb.connect(str(Path(tmp) / "ref.duckdb"))
        t0 = time.perf_counter()
        con.execute("BEGIN")
        for item in plan(markets):
            if item.spec is None:
                continue
            p = str(item.path)
            reader = "read_parquet" if p.endswith(".parquet") else "read_csv"
            con.execute(f"CREATE TABLE \"{item.spec.name}\" AS SELECT * FROM {reader}('{p}')")
        con.execute("COMMIT")
        t_ref = time.perf_counter() - t0
        con.close()
    n = sum(r.action == "imported" for r in res)
    print(
        f"import markets: {n} datasets, {rows:,} rows in {t_kaigai:.2f} s "
        f"(plain DuckDB {t_ref:.2f} s, ratio {t_kaigai / t_ref:.2f}); re-run {sorted(unchanged)} {t_again:.2f} s"
    )


def _bench_search() -> None:
    from kaigai.core.config import get_settings
    from kaigai.data.nomenclature import load_nomenclature
    from kaigai.hs.search import search

    with tempfile.TemporaryDirectory() as tmp:
        s = get_settings(data_dir=Path(tmp))
        t0 = time.perf_counter()
        nom = load_nomenclature(s)
        t_load = time.perf_counter() - t0
    queries = [
        "ball bearings",
        "green tea",
        "lip make-up",
        "cotton t-shirts",
        "microscope",
        "soy sauce",
        "玉軸受",
    ]
    search(nom, "warm up")
    t0 = time.perf_counter()
    for _ in range(20):
        for q in queries:
            search(nom, q)
    per = (time.perf_counter() - t0) / (20 * len(queries))
    # reference: a plain case-insensitive substring filter over the same descriptions
    import pandas as pd

    df = pd.DataFrame({"code": list(nom.hs22), "d": [v[1] for v in nom.hs22.values()]})
    t0 = time.perf_counter()
    for _ in range(20):
        for q in queries:
            df[df.d.str.contains(q, case=False, regex=False)]
    ref = (time.perf_counter() - t0) / (20 * len(queries))
    print(
        f"nomenclature load {t_load * 1000:.0f} ms; search {per * 1000:.2f} ms/query "
        f"(pandas substring filter {ref * 1000:.2f} ms, ratio {per / ref:.1f})"
    )


def main() -> None:
    _bench_search()
    _bench_import()


if __name__ == "__main__":
    main()
