"""Prepared folders (rule books, market runs) are written whole or not at all, also when two
processes prepare the same folder at once (issue 13)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from kaigai.data.state import atomic_folder


def _leftovers(parent: Path, final: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p != final)


def test_complete_folder_is_renamed_into_place(tmp_path: Path) -> None:
    final = tmp_path / "books-abc"
    with atomic_folder(final) as tmp:
        assert tmp.parent == tmp_path and tmp.name.startswith("books-abc.tmp-")
        (tmp / "index.json").write_text("{}", encoding="utf-8")
        assert not final.exists()  # nothing visible before the end
    assert (final / "index.json").read_text(encoding="utf-8") == "{}"
    assert _leftovers(tmp_path, final) == []


def test_an_error_leaves_the_old_folder_and_no_temporary(tmp_path: Path) -> None:
    final = tmp_path / "static_2024"
    final.mkdir()
    (final / "meta.json").write_text("old", encoding="utf-8")
    with (
        pytest.raises(RuntimeError, match="pipeline failed"),
        atomic_folder(final, replace=True) as tmp,
    ):
        (tmp / "meta.json").write_text("half", encoding="utf-8")
        raise RuntimeError("pipeline failed")
    assert (final / "meta.json").read_text(encoding="utf-8") == "old"
    assert _leftovers(tmp_path, final) == []


def test_existing_folder_kept_unless_replace(tmp_path: Path) -> None:
    final = tmp_path / "f"
    final.mkdir()
    (final / "a").write_text("first", encoding="utf-8")
    with atomic_folder(final) as tmp:  # same name = same content: the first one stays
        (tmp / "a").write_text("second", encoding="utf-8")
    assert (final / "a").read_text(encoding="utf-8") == "first"
    with atomic_folder(final, replace=True) as tmp:  # one name for changing content
        (tmp / "a").write_text("third", encoding="utf-8")
    assert (final / "a").read_text(encoding="utf-8") == "third"
    assert _leftovers(tmp_path, final) == []


WRITER = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path
    from kaigai.data.state import atomic_folder
    final, start, replace = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3] == "1"
    while not start.exists():
        time.sleep(0.005)
    with atomic_folder(final, replace=replace) as tmp:
        for i in range(300):
            (tmp / f"part-{i:03d}").write_text(str(os.getpid()), encoding="utf-8")
    print(os.getpid())
    """
)


@pytest.mark.parametrize("replace", [False, True])
def test_two_processes_preparing_the_same_folder(tmp_path: Path, replace: bool) -> None:
    final, start = tmp_path / "out" / "books-x", tmp_path / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(final), str(start), "1" if replace else "0"],
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    start.touch()
    pids = set()
    for p in procs:
        out, _ = p.communicate(timeout=120)
        assert p.returncode == 0
        pids.add(out.strip())
    written = {f.read_text(encoding="utf-8") for f in final.iterdir()}
    assert len(list(final.iterdir())) == 300  # one writer's complete folder, never a mix
    assert len(written) == 1 and written <= pids
    assert _leftovers(final.parent, final) == []
