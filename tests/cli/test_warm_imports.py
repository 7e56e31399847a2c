"""The one-product lookups import neither pandas, numpy, DuckDB, pyarrow, pydantic-settings nor
PyYAML once their prepared indexes exist (the second call): this is what keeps them fast. (The
rule lookups read the agreements and one chapter of one rule book from prepared JSON.)

Each command runs twice in a fresh interpreter on the same data and cache folders; the second
run records ``sys.modules``. Speed itself is measured in benchmarks/bench_cli.py, not here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("pandas", "numpy", "duckdb", "pyarrow", "pydantic_settings", "yaml")
_RUN = """
import json, sys
from kaigai.cli.app import main
try:
    main(json.loads(sys.argv[1]))
except SystemExit as exc:
    code = exc.code
else:
    code = 0
mods = sorted(m for m in sys.modules if m.split('.')[0] in {heavy})
sys.stderr.write('\\nMODULES=' + json.dumps({{'code': code, 'mods': mods}}) + '\\n')
"""

BOM = str(ROOT / "examples" / "bom_bearing.csv")
COMMANDS = {
    "hs show": ["hs", "show", "847130", "--json"],
    "duty": ["duty", "--hs", "8482.10", "--from", "JPN", "--to", "VNM", "--json"],
    "origin rule": ["origin", "rule", "--agreement", "RCEP", "--hs", "848210", "--json"],
    "origin check": ["origin", "check", "--bom", BOM, "--hs", "848210", "--from", "JPN",
                     "--to", "VNM", "--fob", "1000", "--exw", "950", "--json"],
}  # fmt: skip


def _run(args: list[str], env: dict[str, str]) -> tuple[int, list[str], str]:
    code = _RUN.format(heavy=repr(set(HEAVY)))
    r = subprocess.run(
        [sys.executable, "-c", code, json.dumps(args)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    line = [x for x in r.stderr.splitlines() if x.startswith("MODULES=")]
    assert line, r.stderr[-2000:]
    got = json.loads(line[-1].removeprefix("MODULES="))
    return got["code"], got["mods"], r.stdout


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_second_call_imports_no_dataframe_stack(name: str) -> None:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    args = COMMANDS[name]
    code1, mods1, out1 = _run(args, env)  # prepares the indexes (may import anything)
    assert code1 == 0
    code2, mods2, out2 = _run(args, env)
    assert code2 == 0
    assert out2 == out1  # the prepared answer is the answer
    assert mods2 == [], (
        f"warm `kaigai {' '.join(args)}` imported {sorted({m.split('.')[0] for m in mods2})}"
    )
