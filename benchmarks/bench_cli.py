"""Whole-process CLI timings: cold (first call on a fresh data/cache dir) and warm (median of 5).

Each warm median is printed with its ratio to ``python -c "import pandas"`` measured in the
same run, just before the command's runs (the 2-core machine is shared; absolute times move
with the load, ratios much less). Targets are the issue-13 goals for a quiet machine.

Set ``KAIGAI_BENCH_IMPORT=PATH`` to run ``kaigai data import PATH`` first (the cold calls are
then the first calls after an import); default: the bundled starter pack, empty caches.
Run: ``python -m benchmarks cli`` (or ``make bench``).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNS = 5
COMMANDS: list[tuple[str, list[str], float]] = [
    ("kaigai --help", ["--help"], 0.3),
    ("hs show 847130 --json", ["hs", "show", "847130", "--json"], 0.5),
    ("duty --hs 8482.10 --from JPN --to VNM --json",
     ["duty", "--hs", "8482.10", "--from", "JPN", "--to", "VNM", "--json"], 0.7),
    ("origin rule --agreement RCEP --hs 848210 --json",
     ["origin", "rule", "--agreement", "RCEP", "--hs", "848210", "--json"], 0.6),
    ("origin check examples/bom_bearing.csv",
     ["origin", "check", "--bom", str(ROOT / "examples" / "bom_bearing.csv"), "--hs", "848210",
      "--from", "JPN", "--to", "VNM", "--fob", "1000", "--exw", "950", "--json"], 1.0),
    ("plan examples/firm_tokyo_bearings.toml --out plan.html",
     ["plan", str(ROOT / "examples" / "firm_tokyo_bearings.toml"), "--out", "{tmp}/plan.html"], 3.0),
]  # fmt: skip
COLD_TARGET = 10.0


def _time(cmd: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    r = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    dt = time.perf_counter() - t0
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {r.returncode}: {r.stderr[-500:]}")
    return dt


def main() -> None:
    kaigai = str(Path(sys.executable).with_name("kaigai"))
    pandas_cmd = [sys.executable, "-c", "import pandas"]
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, KAIGAI_DATA_DIR=f"{tmp}/data", KAIGAI_CACHE_DIR=f"{tmp}/cache")
        if src := os.environ.get("KAIGAI_BENCH_IMPORT"):
            print(f"import: {_time([kaigai, 'data', 'import', src], env):.2f} s ({src})")
        rows = []
        for label, args, target in COMMANDS:
            cmd = [kaigai, *[a.replace("{tmp}", tmp) for a in args]]
            cold = _time(cmd, env)
            ref = statistics.median(_time(pandas_cmd, env) for _ in range(RUNS))
            warm = statistics.median(_time(cmd, env) for _ in range(RUNS))
            rows.append((label, cold, warm, target, ref))
            print(f"{label}: cold {cold:.2f} s, warm {warm:.2f} s, import pandas {ref:.2f} s",
                  flush=True)  # fmt: skip
    print()
    print("| command | cold s (goal < 10) | warm median s | goal s | import pandas s | warm / pandas |")  # fmt: skip
    print("|---|---|---|---|---|---|")
    for label, cold, warm, target, ref in rows:
        print(f"| `kaigai {label.removeprefix('kaigai ')}` | {cold:.2f} | {warm:.2f} | {target:g} "
              f"| {ref:.2f} | {warm / ref:.2f} |")  # fmt: skip


if __name__ == "__main__":
    main()
