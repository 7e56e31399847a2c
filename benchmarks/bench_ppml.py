"""PPML with exporter-year, importer-year and pair fixed effects: kaigai fepois vs pyfixest.

Synthetic gravity panels (kaigai.policy.ppml_synthetic, 10 years, n countries -> n*n*10
rows) at 225k, 400k and ~1M rows. Both estimators get the same formula, cluster-robust
covariance by pair and the same separation rule (fixed-effect separation only, pyfixest's
default).

Four long-lived worker processes fit the models: kaigai and pyfixest, each in the default
environment and with BLAS limited to one thread (``OPENBLAS_NUM_THREADS=1`` etc. set for
that worker only: the benchmark's control, never something users need). For every size the
parent asks the four workers in turn, ``KAIGAI_BENCH_RUNS`` times (default 3), so the runs
of the tools are interleaved in time, after UNTIMED fits of each size per worker (the
first two fits at a new size in a process pay the page faults of fresh memory: at 1M rows
about 0.2 s of system time each for kaigai, then none) and a cool-down before every fit
(the parent waits until no worker's CPU time grows); it prints median and range (min-max)
of the wall-clock seconds, the ratio of the medians, the largest relative coefficient
difference, and then every run: wall and CPU seconds, page faults, involuntary context
switches, and the untimed fits. A timed run lasts at least ``KAIGAI_BENCH_MIN_RUN`` seconds
(default 1): a tool whose fit is shorter fits that many times in a row and the run's time is
their mean (timeit's loops per repeat); the range of the single fits is printed as well. Then the whole-process comparison: ``kaigai policy estimate --data F.parquet``
vs a Python script that reads the same file and calls pyfixest (each a fresh process),
interleaved, with the CLI's own split of its time (read / separation / fit / output).

Run: ``.venv/bin/python -m benchmarks bench_ppml`` (``KAIGAI_BENCH_QUICK=1``: small sizes;
``KAIGAI_BENCH_SIZES=150,200``: countries per panel; ``KAIGAI_BENCH_RUNS``: runs, default 3
(``KAIGAI_BENCH_PROCESS_RUNS``, default 7 or with ``KAIGAI_BENCH_QUICK`` the runs, for the
whole process);
``KAIGAI_BENCH_FITS_ONLY=1``: skip the whole-process part; ``KAIGAI_BENCH_PROCESS_ONLY=1``: only it).
"""

from __future__ import annotations

import json
import math
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FORMULA = "trade ~ rta + ln_tariff | exp_year + imp_year + pair"
UNTIMED = 2  # fits of each size per worker before the timed runs (first use of the memory)
# one timed run lasts at least this long: a tool whose fit is shorter fits several times in a
# row and the run's time is their mean (timeit's "loops per repeat"; a 0.1 s fit on a shared
# virtual machine otherwise measures the host's hiccups more than the fit)
MIN_RUN = float(os.environ.get("KAIGAI_BENCH_MIN_RUN", "1.0"))
VCOV = {"CRV1": "pair"}
ONE_THREAD = {
    k: "1"
    for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS")
}

WORKER = r"""
import json, resource, sys, time, warnings
warnings.simplefilter("ignore")
tool = sys.argv[1]
from kaigai.policy.ppml_synthetic import synthetic_gravity_panel
F = %(formula)r
V = %(vcov)r
if tool == "kaigai":
    from kaigai.policy.ppml import fepois
    fit = lambda d: fepois(d, F, V, separation=("fe",))
    coef = lambda m: dict(m.coef)
    nobs = lambda m: m.n_obs
else:
    import pyfixest as pf
    fit = lambda d: pf.fepois(F, data=d, vcov=V)
    coef = lambda m: dict(m.coef())
    nobs = lambda m: int(m._N)
fit(synthetic_gravity_panel(12, 3, seed=1))  # warm-up: compiled kernels loaded
panels = {}
print("ready", flush=True)
for line in sys.stdin:
    n, loops = (int(v) for v in line.split())
    if n not in panels:
        panels.clear()
        panels[n] = synthetic_gravity_panel(n, 10, seed=1)
    d = panels[n]
    r0 = resource.getrusage(resource.RUSAGE_SELF)
    ts = []
    for _ in range(loops):  # one run: `loops` consecutive fits (timeit's loops per repeat)
        t0 = time.perf_counter()
        m = fit(d)
        ts.append(time.perf_counter() - t0)
    t = sum(ts) / loops
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime) / loops
    print(json.dumps({"t": t, "ts": ts, "coef": coef(m), "n_obs": nobs(m), "cpu": cpu,
                      "sys": r1.ru_stime - r0.ru_stime, "faults": r1.ru_minflt - r0.ru_minflt,
                      "preempted": r1.ru_nivcsw - r0.ru_nivcsw}), flush=True)
"""


class Worker:
    def __init__(self, tool: str, env_name: str) -> None:
        env = dict(os.environ)
        if env_name == "1 BLAS thread":
            env.update(ONE_THREAD)
        code = WORKER % {"formula": FORMULA, "vcov": VCOV}
        self.proc = subprocess.Popen(
            [sys.executable, "-c", code, tool],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        self.tool, self.env = tool, env_name

    def wait_ready(self) -> None:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if line.strip() != "ready":
            raise RuntimeError(f"{self.tool} worker failed to start")

    def fit(self, n: int, loops: int = 1) -> dict:  # type: ignore[type-arg]
        """One run: ``loops`` consecutive fits of the size-``n`` panel; ``t`` is their mean."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(f"{n} {loops}\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"{self.tool} worker died")
        return json.loads(line)  # type: ignore[no-any-return]

    def cpu_seconds(self) -> float:
        """CPU time (all threads) the worker has used so far, from /proc (0 elsewhere)."""
        try:
            with open(f"/proc/{self.proc.pid}/stat") as fh:
                f = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc.wait(timeout=60)


def _stats(ts: list[float]) -> str:
    return f"{statistics.median(ts):7.3f} ({min(ts):.3f}-{max(ts):.3f})"


def _spread(ts: list[float]) -> str:
    m = statistics.median(ts)
    return f"{100 * (min(ts) / m - 1):+.0f}%/{100 * (max(ts) / m - 1):+.0f}%"


def cool_down(workers: list[Worker], quiet: float = 0.05, limit: float = 2.0) -> float:
    """Wait until no worker's CPU time grows over ``quiet`` seconds (at most ``limit``), so
    that threads of the previous tool still spinning after its fit (BLAS, OpenMP, numba) do
    not take a core from the next one; returns the CPU seconds the idle workers used while
    waiting (the evidence: 0 means nothing was spinning)."""
    t_end = time.perf_counter() + limit
    start = prev = sum(w.cpu_seconds() for w in workers)
    while time.perf_counter() < t_end:
        time.sleep(quiet)
        now = sum(w.cpu_seconds() for w in workers)
        if now == prev:
            break
        prev = now
    return prev - start


def fits(sizes: list[int], runs: int) -> None:
    envs = ["default", "1 BLAS thread"]
    workers = {(tool, e): Worker(tool, e) for e in envs for tool in ("kaigai", "pyfixest")}
    for w in workers.values():
        w.wait_ready()
    print(
        f"formula: {FORMULA}; vcov CRV1 by pair; separation: fe (both); {runs} interleaved runs."
        f"\nEach worker first fits each size {UNTIMED} times untimed (the first fits at a new size"
        " in a process pay page faults for fresh memory: printed, not counted). Before every timed fit the"
        " parent waits until no worker's CPU time grows for 50 ms (a cool-down, so that threads"
        " still spinning after the previous tool's fit cannot take a core from the next;"
        " 'cool-down CPU' prints what the idle workers used while waited for)."
        f"\nA run lasts at least {MIN_RUN:g} s: a tool whose untimed fit is shorter fits `loops`"
        " times in a row (loops = ceil(MIN_RUN / its slower untimed fit), timeit's loops per"
        " repeat) and the run's time is the mean of those fits; the single fits' range is printed too"
        " (KAIGAI_BENCH_MIN_RUN=0: one fit per run)."
    )
    print(
        f"{'env':>14} {'obs':>9} {'kaigai s median (range)':>26} {'spread':>10}"
        f" {'pyfixest s median (range)':>28} {'ratio':>6} {'max |coef diff|':>15}"
        f" {'max rel diff':>12}  target (>=10x, kaigai range within +-20%, diff <= 1e-7)"
    )
    try:
        for n in sizes:
            times: dict[tuple[str, str], list[float]] = {k: [] for k in workers}
            runs_out: dict[tuple[str, str], list[dict]] = {k: [] for k in workers}  # type: ignore[type-arg]
            # untimed: the first fits at a new size pay for fresh memory (page faults)
            first = {key: [w.fit(n) for _ in range(UNTIMED)] for key, w in workers.items()}
            loops = {
                key: max(1, math.ceil(MIN_RUN / max(f["t"] for f in fs))) if MIN_RUN > 0 else 1
                for key, fs in first.items()
            }
            spin = 0.0
            load = os.getloadavg()[0]
            for _ in range(runs):
                for key, w in workers.items():
                    spin += cool_down(list(workers.values()))
                    out = w.fit(n, loops[key])
                    times[key].append(out["t"])
                    runs_out[key].append(out)
            for e in envs:
                k, p = runs_out[("kaigai", e)][-1], runs_out[("pyfixest", e)][-1]
                assert k["n_obs"] == p["n_obs"], (k["n_obs"], p["n_obs"])
                diff = max(abs(k["coef"][c] - p["coef"][c]) for c in k["coef"])
                rel = max(abs(k["coef"][c] - p["coef"][c]) / abs(p["coef"][c]) for c in k["coef"])
                tk, tp = times[("kaigai", e)], times[("pyfixest", e)]
                ratio = statistics.median(tp) / statistics.median(tk)
                med = statistics.median(tk)
                steady = min(tk) >= 0.8 * med and max(tk) <= 1.2 * med
                ok = ratio >= 10 and steady and diff <= 1e-7
                print(
                    f"{e:>14} {k['n_obs']:9,d} {_stats(tk):>26} {_spread(tk):>10}"
                    f" {_stats(tp):>28} {ratio:6.1f} {diff:15.1e} {rel:12.1e}"
                    f"  {'met' if ok else 'NOT met'}",
                    flush=True,
                )
            print(
                f"{'':>14} every run at {n * n * 10:,d} rows (load average {load:.1f} before;"
                f" cool-down CPU used by idle workers {spin:.2f} s in all):"
            )
            for key in workers:
                rs = runs_out[key]
                print(
                    f"{'':>16}{key[0]:>8} {key[1]:>13}: s "
                    + " ".join(f"{r['t']:.3f}" for r in rs)
                    + f" (runs of {loops[key]} fit(s); single fits "
                    + f"{min(t for r in rs for t in r['ts']):.3f}-"
                    + f"{max(t for r in rs for t in r['ts']):.3f})"
                    + "; CPU s per fit "
                    + " ".join(f"{r['cpu']:.3f}" for r in rs)
                    + "; page faults per run "
                    + " ".join(str(r["faults"]) for r in rs)
                    + "; preempted per run "
                    + " ".join(str(r["preempted"]) for r in rs)
                    + " | untimed: s "
                    + " ".join(f"{f['t']:.3f}" for f in first[key])
                    + ", system CPU s "
                    + " ".join(f"{f['sys']:.3f}" for f in first[key])
                    + ", page faults "
                    + " ".join(str(f["faults"]) for f in first[key]),
                    flush=True,
                )
    finally:
        for w in workers.values():
            w.close()


PF_SCRIPT = r"""
import sys, warnings
warnings.simplefilter("ignore")
import pandas as pd
import pyfixest as pf
d = pd.read_parquet(sys.argv[1])
m = pf.fepois(%(formula)r, data=d, vcov=%(vcov)r)
print(m.coef().to_json())
print(m.se().to_json())
"""


def _run(cmd: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Wall and CPU seconds (user + system, all threads) of one process, and its stdout."""
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, env=env)
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime, out.stdout


def whole_process(sizes: list[int], runs: int) -> None:
    """``kaigai policy estimate`` and the pyfixest script, each a fresh process, interleaved.

    Both run as a user's shell would: without ``PYTHONDONTWRITEBYTECODE`` (set in some
    sandboxes; it makes every process recompile the modules it imports from source)."""
    from kaigai.policy.ppml_synthetic import synthetic_gravity_panel

    kaigai = Path(sys.executable).with_name("kaigai")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "pyfixest_fepois.py"
        script.write_text(PF_SCRIPT % {"formula": FORMULA, "vcov": VCOV})
        print(
            "\nwhole process: `kaigai policy estimate --data F --cluster pair --separation fe --json`"
            " vs `python pyfixest_fepois.py F` (read parquet, fepois, print coef/se)"
        )
        print(
            f"{'obs':>9} {'kaigai s median (range)':>26} {'pyfixest s median (range)':>28}"
            f" {'ratio':>6}   kaigai CLI split (median s): start-up+import / import file reader /"
            " load compiled kernels and estimator (the file is read meanwhile, on a thread) /"
            " wait for the file / estimate (of which separation) / output"
        )
        cmd = [str(kaigai), "policy", "estimate", "--formula", FORMULA, "--cluster", "pair",
               "--separation", "fe", "--json", "--data"]  # fmt: skip
        for i, n in enumerate(sizes):
            path = Path(tmp) / f"panel_{n}.parquet"
            synthetic_gravity_panel(n, 10, seed=1).to_parquet(path)
            if i == 0:  # warm (second call): compiled kernels built, caches and file pages warm
                subprocess.run([*cmd, str(path)], capture_output=True, check=True, env=env)
                subprocess.run(
                    [sys.executable, str(script), str(path)], capture_output=True, env=env
                )
            tk, tp, ck, cp, splits = [], [], [], [], []
            for _ in range(runs):
                wall, cpu, out = _run([*cmd, str(path)], env)
                tk.append(wall)
                ck.append(cpu)
                res = json.loads(out)
                splits.append(res["timings"])
                wall, cpu, ref = _run([sys.executable, str(script), str(path)], env)
                tp.append(wall)
                cp.append(cpu)
            pf_coef, pf_se = (json.loads(line) for line in ref.splitlines()[:2])
            diff = max(abs(c["estimate"] - pf_coef[c["name"]]) for c in res["coefficients"])
            se_rel = max(abs(c["se"] / pf_se[c["name"]] - 1) for c in res["coefficients"])
            med = {k: statistics.median(s[k] for s in splits) for k in splits[0]}
            load = med.get("load_kernels", 0.0) + med.get("load_reader", 0.0)
            start = statistics.median(tk) - med["total"] - load
            ratio = statistics.median(tp) / statistics.median(tk)
            share = med["overhead"] / med["fit"]
            shares = [sp["overhead"] / sp["fit"] for sp in splits]
            own = statistics.median(
                (sp["read"] + sp["separation"] + sp["output"]) / sp["fit"] for sp in splits
            )
            ok = ratio >= 8 and share < 0.15 and diff <= 1e-7
            print(
                f"{n * n * 10:9,d} {_stats(tk):>26} {_stats(tp):>28}"
                f" {ratio:6.1f}   {start:.2f}"
                f" / {med['load_reader']:.3f} / {med['load_kernels']:.3f}"
                f" (read {med['read']:.3f}) / {med['read_wait']:.4f}"
                f" / {med['estimate']:.3f} ({med['separation']:.3f}) / {med['output']:.4f};"
                f" wait for the file+separation+output = {100 * share:.1f}% of the fit"
                f" ({med['fit']:.3f} s; with the read's own time instead of the wait:"
                f" {100 * own:.0f}%);"
                f" vs pyfixest: max |coef diff| {diff:.1e}, max se rel diff {se_rel:.1e}"
                f" (targets: ratio >= 8, overhead < 15%, coef diff <= 1e-7) {'met' if ok else 'NOT met'}",
                flush=True,
            )
            print(
                f"{'':>9}   every run: kaigai s {' '.join(f'{t:.3f}' for t in tk)}"
                f" (CPU s {' '.join(f'{t:.3f}' for t in ck)};"
                f" wait for the file+separation+output % of fit"
                f" {' '.join(f'{100 * sh:.0f}' for sh in shares)});"
                f" pyfixest s {' '.join(f'{t:.3f}' for t in tp)}"
                f" (CPU s {' '.join(f'{t:.3f}' for t in cp)})",
                flush=True,
            )


def sweep_cost(sizes: list[int], repeat: int = 15) -> None:
    """Cost of one fixed-effect sweep (the compiled kernels) per row, at each size, in this
    process: wall-clock and CPU time of the thread (``time.thread_time``), interleaved. Two
    kernels: one column alone, and the fused two-column sweep the demeaning uses (its cost
    per row is for both columns)."""
    import numpy as np

    from kaigai.policy import hdfe_sweeps as hs
    from kaigai.policy import ppml_kernels as k
    from kaigai.policy import threads
    from kaigai.policy.demean import FixedEffects
    from kaigai.policy.ppml_synthetic import synthetic_gravity_panel
    from kaigai.policy.threads import row_chunks

    if not k.available():
        return
    data = {}
    rng = np.random.default_rng(0)
    for n in sizes:
        d = synthetic_gravity_panel(n, 10, seed=1)
        fe = FixedEffects.from_codes([d[c].to_numpy() for c in ("exp_year", "imp_year", "pair")])
        rows = len(d)
        inv = rng.random(int(fe.offsets[-1]))
        data[n] = (rows, fe, rng.random(rows) + 0.5, inv, np.asfortranarray(rng.random((rows, 2))))

    def single(fe, w, inv, v):  # type: ignore[no-untyped-def]
        k._wsweep_nb(v[:, 0], w, fe.codes2d, fe.offsets, inv, np.empty_like(inv))

    def pair(fe, w, inv, v):  # type: ignore[no-untyped-def]
        # the fit's row chunks (threads.row_chunks: the C twin runs them on as many threads)
        s, dm = np.empty((inv.size, 2)), np.empty(2)
        part = np.empty((row_chunks(v.shape[0]), inv.size, 2))
        hs._wsweep2_nb(v, w, fe.codes2d, fe.offsets, inv, s, dm, part, False)

    kernels = {"one column": single, "two columns fused": pair}
    first = data[sizes[0]]
    for f in kernels.values():  # compiled code loaded before timing
        f(first[1], first[2], first[3], first[4])
    wall = {(kn, n): [] for kn in kernels for n in sizes}  # type: ignore[var-annotated]
    cpu = {(kn, n): [] for kn in kernels for n in sizes}  # type: ignore[var-annotated]
    for _ in range(repeat):
        for n, (rows, fe, w, inv, v) in data.items():
            for kn, f in kernels.items():
                t0, c0 = time.perf_counter(), time.thread_time()
                f(fe, w, inv, v)
                wall[(kn, n)].append((time.perf_counter() - t0) / rows * 1e9)
                cpu[(kn, n)].append((time.thread_time() - c0) / rows * 1e9)
    print(
        "\none weighted sweep over 3 fixed effects (compiled), ns per row, median (min-max);"
        f" two columns: rows in threads.row_chunks() chunks (threads), {threads._pool_size()} CPUs:"
    )
    for kn in kernels:
        for n, (rows, *_) in data.items():
            ww, cc = wall[(kn, n)], cpu[(kn, n)]
            print(
                f"{kn:>18} {rows:>9,d} rows  wall {statistics.median(ww):5.1f}"
                f" ({min(ww):.1f}-{max(ww):.1f})  CPU {statistics.median(cc):5.1f}"
                f" ({min(cc):.1f}-{max(cc):.1f})",
                flush=True,
            )


def main() -> None:
    quick = os.environ.get("KAIGAI_BENCH_QUICK") == "1"
    runs = int(os.environ.get("KAIGAI_BENCH_RUNS", "3"))
    sizes = [50, 70] if quick else [150, 200, 316]
    if os.environ.get("KAIGAI_BENCH_SIZES"):  # countries per panel, e.g. "150,200"
        sizes = [int(v) for v in os.environ["KAIGAI_BENCH_SIZES"].split(",")]
    t_start = time.perf_counter()
    print(f"load average at start: {os.getloadavg()[0]:.1f} ({os.cpu_count()} CPUs)")
    if os.environ.get("KAIGAI_BENCH_PROCESS_ONLY") != "1":
        sweep_cost(sizes)
        fits(sizes, runs)
    if os.environ.get("KAIGAI_BENCH_FITS_ONLY") != "1":
        # one process is a 0.1-0.2 s fit: more runs than the fits' for a steady median split
        whole_process(
            sizes[:2], int(os.environ.get("KAIGAI_BENCH_PROCESS_RUNS", runs if quick else 7))
        )
    print(
        f"load average at end: {os.getloadavg()[0]:.1f}; benchmark took"
        f" {time.perf_counter() - t_start:.0f} s"
    )


if __name__ == "__main__":
    main()
