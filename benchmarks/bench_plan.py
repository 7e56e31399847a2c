"""Benchmark: `kaigai plan` on a full catalog (shared data imported), one product, 5 markets.

Goal: < 10 s for the command (cold process, as a user runs it). Steps:

1. import the shared folders (markets, trade_rules, tariffs_asia) into a temporary catalog
   (timed, not part of the goal);
2. run ``kaigai plan examples/firm_tokyo_bearings.toml --markets 5 --out plan.html`` (and
   ``.pdf``, ``--lang ja``) as subprocesses, 3 runs each, median wall time;
3. reference measured in the same run: one cold ``kaigai duty --hs 848210 --from JPN --to VNM``
   (the duty engine's own CLI, which builds the full tariff index), and the in-process
   ``build_plan`` time once the process is warm.

Needs the shared data (KAIGAI_SHARED_DATA, default ../shared/data); skips otherwise.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNS = 3


def _kaigai() -> str:
    exe = Path(sys.executable).parent / "kaigai"
    return str(exe) if exe.is_file() else "kaigai"


def _cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def _time(
    cmd: list[str], env: dict[str, str], runs: int = RUNS
) -> tuple[float, list[float], float]:
    """(median wall s, wall times, median CPU s of the child process)."""
    times, cpus = [], []
    for _ in range(runs):
        c0, t0 = _cpu(), time.perf_counter()
        r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
        times.append(time.perf_counter() - t0)
        cpus.append(_cpu() - c0)
        if r.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed: {r.stderr[-500:]}")
    return statistics.median(times), times, statistics.median(cpus)


def main() -> None:
    from kaigai.core.config import get_settings
    from kaigai.data.importer import import_path
    from kaigai.plan.examples import example_profile_path

    shared = Path(os.environ.get("KAIGAI_SHARED_DATA", "../shared/data")).resolve()
    if not (shared / "markets").is_dir():
        print(f"plan: skipped (no shared data at {shared})")
        return
    firm = example_profile_path()
    with tempfile.TemporaryDirectory() as tmp:
        data_dir, cache_dir = Path(tmp) / "data", Path(tmp) / "cache"
        s = get_settings(data_dir=data_dir, cache_dir=cache_dir, shared_data=shared)
        t0 = time.perf_counter()
        rows = 0
        for folder in ("markets", "trade_rules", "tariffs_asia"):
            if (shared / folder).is_dir():
                rows += sum(r.rows or 0 for r in import_path(shared / folder, s))
        t_import = time.perf_counter() - t0
        print(
            f"catalog import (markets, trade_rules, tariffs_asia): {rows:,} rows in {t_import:.1f} s"
        )
        try:  # the market finder's prepared run (computed on its first query otherwise)
            from kaigai.data.markets import prepare

            t0 = time.perf_counter()
            prepare(s)
            print(
                f"markets prepare (full ITC pipeline, all exporters x markets x HS6): {time.perf_counter() - t0:.1f} s"
            )
        except ImportError:
            print("markets prepare: market finder not in this build")
        env = {
            **os.environ,
            "KAIGAI_DATA_DIR": str(data_dir),
            "KAIGAI_CACHE_DIR": str(cache_dir),
            "KAIGAI_SHARED_DATA": str(shared),
            "KAIGAI_CONFIG": str(Path(tmp) / "none.toml"),
        }
        base = [_kaigai(), "plan", str(firm), "--markets", "5"]
        med_html, all_html, cpu_html = _time([*base, "--out", str(Path(tmp) / "plan.html")], env)
        med_ja, _, cpu_ja = _time(
            [*base, "--lang", "ja", "--out", str(Path(tmp) / "plan_ja.html")], env
        )
        med_pdf, _, cpu_pdf = _time([*base, "--out", str(Path(tmp) / "plan.pdf")], env)
        med_json, _, cpu_json = _time([*base, "--out", str(Path(tmp) / "plan.json"), "--json"], env)
        src = subprocess.run(
            [sys.executable, "-c", "from kaigai.core.config import get_settings; from kaigai.data.store import where;"
             "print(where('trade_hs6', get_settings()), where('vn_tariff', get_settings()))"],
            env=env, capture_output=True, text=True,
        ).stdout.strip()  # fmt: skip
        ref, _, cpu_ref = _time(
            [_kaigai(), "duty", "--hs", "848210", "--from", "JPN", "--to", "VNM", "--json"],
            env,
            runs=1,
        )
        help_t, _, cpu_help = _time([_kaigai(), "--help"], env, runs=1)
        load1 = os.getloadavg()[0]
        # warm, in-process
        os.environ.update(
            {k: env[k] for k in ("KAIGAI_DATA_DIR", "KAIGAI_CACHE_DIR", "KAIGAI_CONFIG")}
        )
        from kaigai.app.plan import build_plan, load_profile

        s2 = get_settings()
        prof = load_profile(firm, s2)
        build_plan(prof, s2, base_dir=firm.parent)
        t0 = time.perf_counter()
        build_plan(prof, s2, base_dir=firm.parent)
        warm = time.perf_counter() - t0
    goal = 10.0
    print(
        f"data copy used (trade_hs6, vn_tariff): {src}; load average during the runs ~{load1:.1f} on {os.cpu_count()} cores"
    )
    print(
        f"kaigai plan --markets 5 --out .html : median {med_html:.2f} s wall ({cpu_html:.2f} s CPU)  "
        f"runs {', '.join(f'{x:.2f}' for x in all_html)}  goal < {goal:.0f} s: {'met' if med_html < goal else 'NOT met'}"
    )
    print(f"kaigai plan --lang ja --out .html   : median {med_ja:.2f} s wall ({cpu_ja:.2f} s CPU)")
    print(
        f"kaigai plan --out .pdf              : median {med_pdf:.2f} s wall ({cpu_pdf:.2f} s CPU)"
    )
    print(
        f"kaigai plan --out .json --json      : median {med_json:.2f} s wall ({cpu_json:.2f} s CPU)"
    )
    print(
        f"reference: kaigai duty (1 market, full index) {ref:.2f} s wall ({cpu_ref:.2f} s CPU) -> plan/duty ratio "
        f"{med_html / ref:.2f}; kaigai --help {help_t:.2f} s wall ({cpu_help:.2f} s CPU), the process + import floor"
    )
    print(f"build_plan in-process, warm: {warm:.2f} s")  # fmt: skip


if __name__ == "__main__":
    main()
