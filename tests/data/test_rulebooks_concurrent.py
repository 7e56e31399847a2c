"""Two processes preparing the rule books at the same time, on an empty cache.

Both must succeed with identical books, and the cache must hold one complete, valid folder
(no partial file, no temporary folder left behind)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from .race import race_two

CHILD = r"""
import hashlib, json, sys, time
from pathlib import Path
from kaigai.core import progress
from kaigai.core.config import get_settings
from kaigai.data.rulebooks import book_to_json, prepared_books
from kaigai.origin.provisions import load_agreements

settings, ags = get_settings(), load_agreements()
said = []
progress.set_sink(said.append)
books = prepared_books(settings, ags)
h = hashlib.sha256()
for aid in sorted(books):
    h.update(json.dumps(book_to_json(books[aid]), sort_keys=True, ensure_ascii=False).encode())
print(json.dumps({"folder": str(books.folder), "digest": h.hexdigest(), "n": len(books),
                  "prepared": any("Preparing" in m for m in said)}))
"""


def test_two_processes_prepare_the_same_books(tmp_path: Path) -> None:
    a, b = race_two(tmp_path, CHILD, timeout=300)
    assert a["prepared"] and b["prepared"]  # both found the cache empty and prepared
    assert a["folder"] == b["folder"]
    assert a["digest"] == b["digest"] and a["n"] == b["n"] > 0
    origin = tmp_path / "cache" / "origin"
    (folder,) = list(origin.iterdir())  # one folder, no "*.tmp-<pid>" left
    assert str(folder) == a["folder"] and ".tmp-" not in folder.name
    index = json.loads((folder / "index.json").read_text(encoding="utf-8"))
    named = {f"{m['dir']}/{ch}.json": sha for m in index["books"].values()
             for ch, sha in m["files"].items()}  # fmt: skip
    present = {str(p.relative_to(folder)) for p in folder.glob("b*/*.json")}
    assert sorted(named) == sorted(present)  # the index names exactly the chapter files there
    assert len(index["books"]) == a["n"]
    for rel, sha in named.items():  # every chapter file complete: its checksum matches the index
        raw = (folder / rel).read_bytes()
        assert hashlib.sha256(raw).hexdigest()[:32] == sha
        json.loads(raw)
