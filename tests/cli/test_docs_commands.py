"""Issue 15.7: every `kaigai ...` command in README.md and docs/*.md code blocks runs and exits 0.

Commands run in-process (Typer's CliRunner) on the starter pack, from a scratch folder that links the
repository's examples/, src/ and tests/ (the documented relative paths work; written files stay out of the
repository). Commands using ``../shared/data`` run against KAIGAI_SHARED_DATA and are skipped only where it is
absent. Commands that start a server, ask questions, download, or stand for the user's own file are listed in
ALLOWLIST with the reason; nothing else is skipped.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import shared_data_dir

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

# substring of the command -> why it is not run here
ALLOWLIST = {
    "kaigai serve": "starts a web server (tests/api/test_serve.py covers it)",
    "kaigai readiness  ": "interactive questionnaire (needs a terminal)",
    "kaigai data pull hs_nomenclature": "downloads from the internet (no network in tests)",
    "kaigai data pull wgi": "downloads from the internet (no network in tests)",
    "panel.parquet": "stands for the user's own gravity panel",
    "panel.csv": "stands for the user's own gravity panel",
    "my_scenario.toml": "stands for the user's own scenario file",
    "my.toml": "stands for the user's own weights file",
    "mix.csv": "stands for the user's own BOM",
    "path/to/file.csv": "stands for the user's own file",
    "answers.yaml": "stands for the user's own answers file",
    "my_thailand_schedule.csv": "stands for the user's own schedule",
    "kaigai policy ge ...": "abbreviation of the command above it",
}


# documented on purpose to fail: substring -> the exit code the docs promise
EXPECTED_EXIT = {
    "kaigai hs show 847199": 2,  # InputError: not an HS2022 subheading
    "--agreement JP-VN --hs 848210": 5,  # OriginRuleError: no rule data for this chapter
}
# need the full Japanese tariff schedule (docs: after `kaigai data import ../shared/data/trade_rules`)
FULL_SCHEDULES = (
    "--hs 020622 --from CAN --to JPN",
    "--hs 0401.10.190",
    "--hs 0803.90.100",
    "duty changes",  # Japan's dated snapshots (tariffs_staging)
)
# need the destination schedules of ../shared/data/tariffs_world (docs/tariffs.md, "beyond Japan")
WORLD_SCHEDULES = re.compile(r"--to (USA|AUS|GBR|DEU)\b")


def _blocks(path: Path) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    inside, buf, start = False, "", 0
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        s = line.strip()
        if s.startswith("```"):
            inside = not inside
            continue
        if not inside:
            continue
        s = s.removeprefix("$ ")
        if buf:
            buf += " " + s.rstrip("\\").strip()
            if not s.endswith("\\"):
                out.append((start, buf))
                buf = ""
        elif s.startswith("kaigai ") or s == "kaigai":
            if s.endswith("\\"):
                buf, start = s.rstrip("\\").strip(), n
            else:
                out.append((n, s))
    return out


def documented_commands() -> list[tuple[str, str]]:
    """(``file:line``, command) for every kaigai command in a fenced block."""
    return [(f"{p.relative_to(ROOT)}:{n}", c) for p in DOCS for n, c in _blocks(p)]


def _argv(command: str) -> list[str]:
    text = re.sub(r"\s\[(--?[^\]]*)\]", "", command)  # [--json] etc.: optional syntax, run without
    args = shlex.split(text, comments=True)
    assert args[0] == "kaigai"
    return args[1:]


CASES = documented_commands()


def test_commands_were_found() -> None:
    assert len(CASES) >= 90
    assert any(c.startswith("kaigai origin docs") for _, c in CASES)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("docs_cmds")
    for name in ("examples", "src", "tests"):
        (d / name).symlink_to(ROOT / name)
    return d


@pytest.fixture(scope="module")
def full_schedules(workdir: Path) -> Path:
    """A data dir with the shared tariff folders and rule tables imported (once per module)."""
    from kaigai.cli.app import app

    shared = shared_data_dir()
    if not (shared / "trade_rules").is_dir():
        pytest.skip(f"needs the shared data ({shared}, set KAIGAI_SHARED_DATA)")
    data = workdir / "full-data"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KAIGAI_DATA_DIR", str(data))
        for folder in ("trade_rules", "tariffs_asia", "tariffs_world", "tariffs_staging"):
            res = CliRunner().invoke(app, ["data", "import", str(shared / folder), "--no-prepare"])
            assert res.exit_code == 0, res.output
    return data


@pytest.mark.parametrize(("where", "command"), CASES, ids=[w for w, _ in CASES])
def test_documented_command_runs(
    where: str,
    command: str,
    workdir: Path,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    from kaigai.cli.app import app, resolve_aliases

    for key, reason in ALLOWLIST.items():
        if key in command + "  ":
            pytest.skip(f"allowlisted: {reason}")
    argv = resolve_aliases(_argv(command))
    if any("../shared/data" in a for a in argv):
        shared = shared_data_dir()
        if not shared.is_dir():
            pytest.skip(f"needs the shared data ({shared}, set KAIGAI_SHARED_DATA)")
        argv = [a.replace("../shared/data", str(shared)) for a in argv]
        if argv[:2] == [
            "data",
            "import",
        ]:  # its own catalog: the other commands stay on the starter pack
            monkeypatch.setenv("KAIGAI_DATA_DIR", str(workdir / "import-data"))
            if "--no-prepare" not in argv:  # the prepared indexes: tests/cli/test_data_prepare.py
                argv.append("--no-prepare")
    if any(k in command for k in FULL_SCHEDULES) or WORLD_SCHEDULES.search(command):
        monkeypatch.setenv("KAIGAI_DATA_DIR", str(request.getfixturevalue("full_schedules")))
    monkeypatch.chdir(workdir)
    res = CliRunner().invoke(app, argv)
    detail = f"{where}: {command}\n{res.output[-2000:]}\n{res.exception!r}"
    expected = next((code for k, code in EXPECTED_EXIT.items() if k in command), 0)
    if expected:
        from kaigai.core.errors import KaigaiError

        # in-process the KaigaiError propagates; `kaigai` (cli.app.main) turns it into this exit code
        assert isinstance(res.exception, KaigaiError), detail
        assert res.exception.exit_code == expected, detail
    else:
        assert res.exit_code == 0, detail
