"""Estimate the RTA effect the modern GE scenarios use and write the shipped parameter file.

Usage: python scripts/estimate_gravity_modern.py [--shared ../shared/data]
                                                 [--out src/kaigai/policy/params/rta_itpde_dgd.json]

Data: ITPD-E R02 manufacturing (international flows, millions of USD) for 2003, 2007, 2011,
2015 and 2019, with the USITC Dynamic Gravity Dataset 2.1 ``rta`` dummy (both in
``gravity_modern/``). Model: PPML ``trade ~ rta | exporter-year + importer-year + pair`` with
kaigai's engine, standard errors clustered by pair. The test
``tests/policy/test_gravity_modern.py::test_shipped_rta_estimate_reproduces`` re-runs this
on the shared data and checks the shipped numbers.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from pathlib import Path

import pandas as pd

from kaigai.policy.gravity_modern import (
    RTA_FORMULA,
    RTA_SECTOR,
    RTA_YEARS,
    estimate_rta,
    rta_sample,
)

ITPDE = "gravity_modern/itpde_r02_sector_2000_2019.parquet"
DGD = "gravity_modern/dgd_2_1_gravity_2000_2019.parquet"


def read_inputs(shared: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    itpde = pd.read_parquet(
        shared / ITPDE,
        columns=["exporter", "importer", "year", "broad_sector", "trade_usd_mn"],
        filters=[("broad_sector", "==", RTA_SECTOR), ("year", "in", list(RTA_YEARS))],
    )
    dgd = pd.read_parquet(
        shared / DGD,
        columns=["exporter", "importer", "year", "rta"],
        filters=[("year", "in", list(RTA_YEARS))],
    )
    return itpde, dgd


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--shared", type=Path, default=Path("../shared/data"))
    ap.add_argument("--out", type=Path, default=Path("src/kaigai/policy/params/rta_itpde_dgd.json"))
    args = ap.parse_args()
    itpde, dgd = read_inputs(args.shared)
    sample = rta_sample(itpde, dgd)
    t0 = time.perf_counter()
    est = estimate_rta(sample)
    secs = time.perf_counter() - t0
    digests = {
        rel: hashlib.sha256((args.shared / rel).read_bytes()).hexdigest() for rel in (ITPDE, DGD)
    }
    doc = {
        "name": args.out.stem,
        "coefficients": {"rta": est.coef},
        "standard_errors": {"rta": est.se},
        "provenance": {
            "data": "ITPD-E release 2 (USITC), manufacturing, international flows, millions of "
            "current USD; RTA dummy from the USITC Dynamic Gravity Dataset 2.1",
            "files": digests,
            "sector": RTA_SECTOR,
            "years": list(RTA_YEARS),
            "formula": RTA_FORMULA,
            "estimator": "kaigai.policy.ppml.fepois (PPML, exporter-year, importer-year and pair "
            "fixed effects; separation: fe + ir; singletons dropped)",
            "vcov": "CRV1 by pair (fixest small-sample conventions)",
            "sample_rows": int(len(sample)),
            "n_obs": est.n_obs,
            "pairs": est.pairs,
            "dropped": est.dropped,
            "iterations": est.iterations,
            "missing_cells": "rows as recorded in ITPD-E; a missing cell is not a zero",
            "script": "scripts/estimate_gravity_modern.py",
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    print(
        f"rta = {est.coef:.7f} (SE {est.se:.7f}), N = {est.n_obs:,} of {len(sample):,}, "
        f"{est.pairs:,} pairs, fit {secs:.1f} s -> {args.out}"
    )


if __name__ == "__main__":
    main()
