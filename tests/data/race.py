"""Start two child processes on one start line and collect their last JSON line.

Used by the two-process preparation tests (rule shards, tariff index): each child script
begins with :data:`START_LINE`, so both begin preparing on an empty cache at the same time."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

#: Prefix of a child script: signal "ready" (argv[2]), then wait for the "go" file (argv[1]).
START_LINE = r"""
import sys, time
from pathlib import Path
_go = Path(sys.argv[1])
Path(sys.argv[2]).touch()
while not _go.exists():
    time.sleep(0.005)
"""


def race_two(tmp_path: Path, child: str, timeout: float) -> list[dict[str, Any]]:
    """Run ``child`` (prefixed with :data:`START_LINE`) twice at once with data and cache dirs
    under ``tmp_path``; both must exit 0. Returns each child's last stdout line as JSON."""
    env = dict(
        os.environ,
        KAIGAI_DATA_DIR=str(tmp_path / "data"),
        KAIGAI_CACHE_DIR=str(tmp_path / "cache"),
        KAIGAI_CONFIG=str(tmp_path / "none.toml"),
    )
    go = tmp_path / "go"
    ready = [tmp_path / f"ready{i}" for i in range(2)]
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", START_LINE + child, str(go), str(r)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for r in ready
    ]
    deadline = time.monotonic() + 120
    while not all(r.exists() for r in ready):
        assert time.monotonic() < deadline, "children did not start"
        assert all(p.poll() is None for p in procs), [p.communicate() for p in procs]
        time.sleep(0.01)
    go.touch()
    outs = []
    for p in procs:
        out, err = p.communicate(timeout=timeout)
        assert p.returncode == 0, err[-2000:]
        outs.append(json.loads(out.strip().splitlines()[-1]))
    return outs
