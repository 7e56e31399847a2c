"""PPML with exporter-year, importer-year and pair fixed effects: kaigai fepois vs pyfixest.

Synthetic gravity panels (kaigai.policy.ppml_synthetic, 10 years, n countries -> n*n*10 rows)
at four sizes. Both estimators get the same formula, cluster-robust covariance by pair and
the same separation rule (fixed-effect separation only, pyfixest's default); kaigai with its
IR check as well is timed on the main size. Prints seconds, the speed ratio measured in the
same run, the largest relative coefficient difference and the peak RSS.

Run: ``.venv/bin/python -m benchmarks bench_ppml`` (``KAIGAI_BENCH_QUICK=1`` for small sizes).
"""

from __future__ import annotations

import os
import resource
import time
import warnings

import numpy as np

from kaigai.policy.ppml import fepois
from kaigai.policy.ppml_synthetic import synthetic_gravity_panel

FORMULA = "trade ~ rta + ln_tariff | exp_year + imp_year + pair"
VCOV = {"CRV1": "pair"}


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _time(fn, repeat: int = 1):  # type: ignore[no-untyped-def]
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main() -> None:
    quick = os.environ.get("KAIGAI_BENCH_QUICK") == "1"
    sizes = [30, 50, 70, 90] if quick else [60, 100, 150, 200]
    main_n = sizes[2]
    # warm-up (numba kernels are compiled and cached on first use)
    warm = synthetic_gravity_panel(12, 3, seed=1)
    fepois(warm, FORMULA, VCOV)
    print(f"formula: {FORMULA}; vcov CRV1 by pair; 10 years; separation: fe (both)")
    print(f"{'countries':>9} {'obs':>9} {'kaigai s':>9} {'RSS MB':>8}")
    ours = {}
    for n in sizes:
        df = synthetic_gravity_panel(n, 10, seed=1)
        t, res = _time(
            lambda df=df: fepois(df, FORMULA, VCOV, separation=("fe",)),
            repeat=2 if n <= main_n else 1,
        )
        ours[n] = (t, res, len(df))
        print(f"{n:9d} {len(df):9,d} {t:9.3f} {_rss_mb():8.0f}", flush=True)
    df = synthetic_gravity_panel(main_n, 10, seed=1)
    t_ir, res_ir = _time(lambda: fepois(df, FORMULA, VCOV))
    print(
        f"kaigai with IR separation check on {len(df):,} obs: {t_ir:.3f} s "
        f"({res_ir.dropped['separated_ir']} IR-separated rows dropped)"
    )
    try:
        import pyfixest as pf
    except ImportError:  # pragma: no cover
        print("pyfixest not installed: no reference timing")
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pf.fepois(FORMULA, data=warm, vcov=VCOV)
        print(
            f"\n{'countries':>9} {'obs':>9} {'kaigai s':>9} {'pyfixest s':>10} {'ratio':>7} {'max rel coef diff':>18}"
        )
        for n in sizes:
            t_k, res, nobs = ours[n]
            d = synthetic_gravity_panel(n, 10, seed=1)
            t_p, m = _time(
                lambda d=d: pf.fepois(FORMULA, data=d, vcov=VCOV), repeat=2 if n <= main_n else 1
            )
            ref = m.coef().reindex(res.coef.index).to_numpy()
            rel = float(np.max(np.abs(res.coef.to_numpy() - ref) / np.abs(ref)))
            assert res.n_obs == m._N
            print(
                f"{n:9d} {nobs:9,d} {t_k:9.3f} {t_p:10.3f} {t_p / t_k:7.2f} {rel:18.2e}", flush=True
            )
        _real_data(pf)
    print(
        f"peak RSS of this process (both tools, largest panel {sizes[-1] ** 2 * 10:,} obs): {_rss_mb():.0f} MB"
    )


def _real_data(pf) -> None:  # type: ignore[no-untyped-def]
    """AGTPA panel (69 countries, 1986-2006 every 4 years) when the shared data is present:
    the RTA model with domestic-pair fixed effects and the globalization model (exporter-year,
    importer-year and pair fixed effects, 9 regressors); pyfixest with its defaults."""
    from pathlib import Path

    import pandas as pd

    base = Path(os.environ.get("KAIGAI_SHARED_DATA", "../shared/data"))
    path = base / "gravity" / "agtpa_applications.parquet"
    if not path.exists():
        print(f"(AGTPA data not found at {path}: real-data comparison skipped)")
        return
    a = pd.read_parquet(path)
    a = a[a["year"].isin(range(1986, 2007, 4))].copy()
    dom = a["exporter"] == a["importer"]
    a["exp_year"] = a["exporter"] + a["year"].astype(str)
    a["imp_year"] = a["importer"] + a["year"].astype(str)
    a["log_dist"] = np.log(a["dist"])
    a["intl_brdr"] = np.where(dom, a["pair_id"].astype(str), "inter")
    a["pair_id_2"] = np.where(dom, "0-intra", a["pair_id"].astype(str))
    borders = []
    for y in range(1986, 2006, 4):
        a[f"brdr_{y}"] = ((a["year"] == y) & ~dom).astype(int)
        borders.append(f"brdr_{y}")
    a = a[a.groupby("pair_id")["trade"].transform("sum") > 0]
    models = {
        "RTA, domestic-pair FE": "trade ~ log_dist + cntg + lang + clny + rta"
        " | exp_year + imp_year + intl_brdr",
        "globalization, pair FE": "trade ~ rta + rta_lag4 + rta_lag8 + rta_lag12 + "
        + " + ".join(borders)
        + " | exp_year + imp_year + pair_id_2",
    }
    vc = {"CRV1": "pair_id"}
    print(f"\nAGTPA real data ({len(a):,} rows), cluster pair_id, pyfixest defaults:")
    print(
        f"{'model':>24} {'kaigai s':>9} {'pyfixest s':>10} {'ratio':>7} {'max rel coef diff':>18}"
    )
    for name, fml in models.items():
        t_k, res = _time(lambda fml=fml: fepois(a, fml, vc, separation=("fe",)))
        t_p, m = _time(lambda fml=fml: pf.fepois(fml, data=a, vcov=vc))
        ref = m.coef().reindex(res.coef.index).to_numpy()
        rel = float(np.max(np.abs(res.coef.to_numpy() - ref) / np.abs(ref)))
        print(f"{name:>24} {t_k:9.3f} {t_p:10.3f} {t_p / t_k:7.2f} {rel:18.2e}", flush=True)


if __name__ == "__main__":
    main()
