"""Prepared rule books: every agreement's parsed rules stored as JSON, one file per rule book.

Parsing all product-specific rules (~14,000 rows over five rule sets) takes seconds; a lookup
needs one book. The books are parsed once per *catalog state* and written under
``<cache_dir>/origin/books-<key>/``, where ``key`` hashes the rule datasets' sha256 (catalog or
starter manifest), user rule files, the agreements YAML and the origin engine's code. Later
calls read only the book they use. The folder is written under a temporary name and renamed
into place (a second process preparing at the same time keeps the first complete folder).
JSON, not pickle: nothing in the cache can run code when read.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterator, Mapping
from dataclasses import fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kaigai.core.progress import report
from kaigai.core.provenance import Provenance
from kaigai.origin.ast import from_dict, to_dict
from kaigai.origin.store import RuleBook, RuleRow

if TYPE_CHECKING:
    from kaigai.core.config import Settings
    from kaigai.origin.provisions import Agreement

LAYOUT = 2


def _row_to_json(r: RuleRow) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in fields(RuleRow):
        v = getattr(r, f.name)
        if f.name == "node":
            v = None if v is None else to_dict(v)
        elif f.name == "provenance":
            v = v.to_dict()
        elif isinstance(v, tuple):
            v = list(v)
        out[f.name] = v
    return out


def _row_from_json(d: dict[str, Any]) -> RuleRow:
    kw: dict[str, Any] = {}
    for k, v in d.items():
        if k == "node":
            kw[k] = None if v is None else from_dict(v)
        elif k == "provenance":
            kw[k] = Provenance(**v)
        else:
            kw[k] = tuple(v) if isinstance(v, list) else v
    return RuleRow(**kw)


def book_to_json(book: RuleBook) -> dict[str, Any]:
    """JSON-ready form of a rule book (the agreement by id)."""
    return {
        "agreement": book.agreement.id,
        "hs_edition": book.hs_edition,
        "dataset": book.dataset,
        "note": book.note,
        "rows": [_row_to_json(r) for r in book.rows],
    }


def book_from_json(d: dict[str, Any], agreements: Mapping[str, Agreement]) -> RuleBook:
    """The rule book :func:`book_to_json` wrote (rows, trees and provenance equal)."""
    rows = tuple(_row_from_json(r) for r in d["rows"])
    return RuleBook(agreements[d["agreement"]], rows, d["hs_edition"], d["dataset"], d["note"])


def fingerprint(settings: Settings, agreements: Mapping[str, Agreement], extra: Path | None) -> str:
    """Hash of every input of the rule books (dataset checksums, rule files, YAML, engine code)."""
    import kaigai.origin as origin_pkg
    from kaigai.data.state import dataset_sums

    h = hashlib.sha256(f"layout={LAYOUT}".encode())
    names = sorted({str(a.rules["dataset"]) for a in agreements.values()
                    if a.rules and "dataset" in a.rules})  # fmt: skip
    sums = dataset_sums(settings, names)  # recorded catalog state: no DuckDB when unchanged
    for n in names:
        h.update(f"{n}={sums.get(n)}".encode())
    files = [
        Path(str(a.rules["path"])) for a in agreements.values() if a.rules and "path" in a.rules
    ]
    here = Path(origin_pkg.__file__).parent
    files += sorted(here.glob("*.py")) + sorted((here / "data").glob("*.yaml"))
    if extra is not None:
        files.append(Path(extra))
    for f in files:
        h.update(str(f.name).encode())
        h.update(f.read_bytes() if f.is_file() else b"missing")
    return h.hexdigest()[:24]


class PreparedBooks(Mapping[str, RuleBook]):
    """Rule books read from their JSON files on first access (one file per book)."""

    def __init__(self, folder: Path, agreements: Mapping[str, Agreement]) -> None:
        self.folder = folder
        self._agreements = agreements
        index = json.loads((folder / "index.json").read_text(encoding="utf-8"))
        self._files: dict[str, str] = index["books"]
        self._loaded: dict[str, RuleBook] = {}

    def __getitem__(self, key: str) -> RuleBook:
        if key not in self._loaded:
            if key not in self._files:
                raise KeyError(key)
            text = (self.folder / self._files[key]).read_text(encoding="utf-8")
            book = book_from_json(json.loads(text), self._agreements)
            fb = (book.agreement.rules or {}).get("fallback")
            if isinstance(fb, dict) and fb.get("agreement") in self._files:
                book = replace(
                    book, fallback=self[str(fb["agreement"])]
                )  # e.g. EU-JP gaps -> UK-JP rows
            self._loaded[key] = book
        return self._loaded[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._files)

    def __len__(self) -> int:
        return len(self._files)

    def __contains__(self, key: object) -> bool:
        return key in self._files


def _write(folder: Path, books: Mapping[str, RuleBook]) -> None:
    """Write the books into ``folder`` under a temporary name, then rename it into place."""
    from kaigai.data.state import atomic_folder

    with atomic_folder(folder) as tmp:
        files: dict[str, str] = {}
        for i, (aid, book) in enumerate(books.items()):
            name = f"book-{i:02d}.json"
            (tmp / name).write_text(json.dumps(book_to_json(book), ensure_ascii=False), "utf-8")
            files[aid] = name
        (tmp / "index.json").write_text(json.dumps({"layout": LAYOUT, "books": files}), "utf-8")
    for old in folder.parent.glob("books-*"):  # earlier catalog states
        if old != folder and ".tmp-" not in old.name:
            shutil.rmtree(old, ignore_errors=True)


def prepared_books(
    settings: Settings, agreements: Mapping[str, Agreement], extra: Path | None = None
) -> PreparedBooks:
    """The rule books for this catalog state, parsed and stored on first use."""
    from kaigai.data.origin import build_books

    folder = (
        Path(settings.cache_dir) / "origin" / f"books-{fingerprint(settings, agreements, extra)}"
    )
    if not (folder / "index.json").is_file():
        report("Preparing the rules-of-origin index (first use after a data change)…")
        _write(folder, build_books(settings, extra))
    return PreparedBooks(folder, agreements)


__all__ = ["PreparedBooks", "book_from_json", "book_to_json", "fingerprint", "prepared_books"]
