"""Origin engine speed: parse every shared rule set (goal <= 2 s) and evaluate a 200-line BOM against
every rule of every applicable agreement (goal <= 50 ms). Prints figures and ratios to the goals."""

from __future__ import annotations

import random
import statistics
import time
from dataclasses import replace

import pandas as pd

from kaigai.core.config import get_settings
from kaigai.data.origin import hs_sets
from kaigai.data.store import load
from kaigai.origin.api import check
from kaigai.origin.bom import Product, parse_bom
from kaigai.origin.provisions import load_agreements
from kaigai.origin.store import RuleBook, build_rulebook
from kaigai.origin.tables import parse_eujp, parse_vjepa


def _books(frames: dict[str, pd.DataFrame]) -> dict[str, RuleBook]:
    ags = load_agreements()
    books = {
        "CPTPP": build_rulebook(ags["CPTPP"], frames["uk_psr"], "uk_psr"),
        "UK-JP": build_rulebook(ags["UK-JP"], frames["uk_psr"], "uk_psr"),
        "RCEP": build_rulebook(ags["RCEP"], frames["rcep_psr"], "rcep_psr"),
    }
    books["EU-JP"] = replace(
        build_rulebook(ags["EU-JP"], frames["eujp_psr"], "eujp_psr"), fallback=books["UK-JP"]
    )
    books["JP-VN"] = build_rulebook(ags["JP-VN"], frames["vjepa_psr"], "vjepa_psr")
    return books


def synthetic_bom(hs22: frozenset[str], n: int = 200, seed: int = 7) -> list[dict[str, object]]:
    rng = random.Random(seed)
    codes = sorted(c for c in hs22 if c[:2] in {"39", "40", "72", "73", "84", "85"})
    origins = ["JPN", "CHN", "THA", "DEU", "VNM", "USA", "KOR", "MYS"]
    recs: list[dict[str, object]] = []
    for i in range(n):
        parent = f"S{i % 10}" if 10 <= i < 60 else ""
        o = rng.choice(origins)
        orig = rng.random() < 0.4
        recs.append({
            "part_id": f"S{i}" if i < 10 else f"P{i}", "part": f"part {i}", "hs_code": rng.choice(codes), "origin": o,
            "value": round(rng.uniform(1, 50), 2), "currency": "JPY", "quantity": 1,
            "originating": "yes" if orig else "no", "supplier_declaration": "all" if orig else "", "parent": parent,
        })  # fmt: skip
    return recs


def main() -> None:
    s = get_settings()
    frames = {n: load(n, s) for n in ("uk_psr", "rcep_psr", "eujp_psr", "vjepa_psr")}
    times = []
    for _ in range(3):
        parse_eujp.cache_clear()  # each run parses from scratch (the cache only dedupes repeated texts)
        parse_vjepa.cache_clear()
        t0 = time.perf_counter()
        books = _books(frames)
        times.append(time.perf_counter() - t0)
    rows = sum(len(b.rows) for b in books.values())
    best = min(times)
    print(
        f"parse all shared rule sets ({rows} rows): best {best:.3f} s of 3 (goal 2 s; ratio {best / 2:.2f})"
    )
    ags0 = load_agreements()
    old = []
    for _ in range(3):
        t0 = time.perf_counter()
        build_rulebook(ags0["CPTPP"], frames["uk_psr"], "uk_psr")
        build_rulebook(ags0["UK-JP"], frames["uk_psr"], "uk_psr")
        build_rulebook(ags0["RCEP"], frames["rcep_psr"], "rcep_psr")
        old.append(time.perf_counter() - t0)
    print(
        f"  of which CPTPP+UK-JP+RCEP (the 5,710 rows of the earlier goal): best {min(old):.3f} s; "
        f"EU-JP+JP-VN add {best - min(old):.3f} s (same run)"
    )
    hs22, hs17 = hs_sets(s)
    ags = load_agreements()
    bom = parse_bom(synthetic_bom(hs22), "JPY", hs_codes=hs22)
    for to in ("VNM", "GBR"):
        p = Product("848210", "JPN", to, "JPY", fob=8000, exw=7600)
        check(bom, p, books, ags, hs17)  # warm-up
        ts = []
        for _ in range(30):
            t0 = time.perf_counter()
            vs = check(bom, p, books, ags, hs17)
            ts.append(time.perf_counter() - t0)
        med = statistics.median(ts) * 1000
        print(f"200-line BOM, JPN->{to}, {len(vs)} agreements ({', '.join(v.agreement + ':' + v.status for v in vs)}): "
              f"median {med:.1f} ms of 30 (goal 50 ms; ratio {med / 50:.2f})")  # fmt: skip


if __name__ == "__main__":
    main()
