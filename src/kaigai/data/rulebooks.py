"""Prepared rule books: every agreement's parsed rules stored as JSON shards, one per HS chapter.

Parsing all product-specific rules (~14,000 rows over five rule sets) takes seconds; a lookup
needs the rows of one chapter of one book. The books are parsed once per *catalog state* and
written under ``<cache_dir>/origin/books-<key>/``, where ``key`` hashes the rule datasets' sha256
(catalog or starter manifest), user rule files, the agreements YAML and the code that parses and
stores the rules. The folder holds ``index.json`` (per book: edition, dataset, note, fallback,
and the sha256 of each chapter file) and ``bNN/<chapter>.json`` (the rows touching that chapter,
in book order, each with its row number). A lookup reads ``index.json`` and one chapter file.

The folder is written under a temporary name and renamed into place (a second process preparing
at the same time keeps the first complete folder). A chapter file whose checksum or JSON does not
match the index is not trusted: the folder is rebuilt from the datasets and read again. JSON, not
pickle: nothing in the cache can run code when read.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

from kaigai.core.errors import DataError
from kaigai.core.progress import report
from kaigai.core.provenance import Provenance
from kaigai.origin.ast import from_dict, to_dict
from kaigai.origin.store import RuleBook, RuleRow, chapter_index

if TYPE_CHECKING:
    from kaigai.core.config import Settings
    from kaigai.origin.provisions import Agreement

LAYOUT = 3
OTHER = "_"  # rows whose code range touches no chapter (kept so ``rows`` is the whole book)


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
        if k == "i":
            continue
        if k == "node":
            kw[k] = None if v is None else from_dict(v)
        elif k == "provenance":
            kw[k] = Provenance(**v)
        else:
            kw[k] = tuple(v) if isinstance(v, list) else v
    return RuleRow(**kw)


def book_to_json(book: RuleBook) -> dict[str, Any]:
    """JSON-ready form of a whole rule book (the agreement by id)."""
    return {
        "agreement": book.agreement.id,
        "hs_edition": book.hs_edition,
        "dataset": book.dataset,
        "note": book.note,
        "rows": [_row_to_json(r) for r in book.rows],
    }


def _sha(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()[:32]


def fingerprint(settings: Settings, agreements: Mapping[str, Agreement], extra: Path | None) -> str:
    """Hash of every input of the rule books (dataset checksums, rule files, YAML, code)."""
    import kaigai.origin as origin_pkg
    from kaigai.data import state

    names = {str(a.rules["dataset"]) for a in agreements.values()
             if a.rules and "dataset" in a.rules}  # fmt: skip
    files = [
        Path(str(a.rules["path"])) for a in agreements.values() if a.rules and "path" in a.rules
    ]
    here = Path(origin_pkg.__file__).parent
    files += sorted(here.glob("*.py")) + sorted((here / "data").glob("*.yaml"))
    files += [Path(__file__), Path(__file__).with_name("origin.py")]  # how books are built/stored
    if extra is not None:
        files.append(Path(extra))
    # recorded catalog state: no DuckDB when unchanged
    return state.fingerprint(settings, names, f"layout={LAYOUT}", state.code_token(*files))


Reader = Callable[[str, str], Any]  # (relative path, expected sha) -> parsed JSON


class ChapterShards(Mapping[str, tuple[RuleRow, ...]]):
    """Chapter -> rows of one book, each chapter read from its file on first access."""

    def __init__(self, read: Reader, folder: str, files: dict[str, str]) -> None:
        self._read = read
        self._dir = folder
        self._files = files
        self._loaded: dict[str, tuple[RuleRow, ...]] = {}

    def numbered(self, chapter: str) -> list[tuple[int, RuleRow]]:
        """(row number in the book, row) of one chapter file."""
        recs = self._read(f"{self._dir}/{chapter}.json", self._files[chapter])
        return [(int(d["i"]), _row_from_json(d)) for d in recs]

    def __getitem__(self, chapter: str) -> tuple[RuleRow, ...]:
        if chapter not in self._loaded:
            if chapter == OTHER or chapter not in self._files:
                raise KeyError(chapter)
            self._loaded[chapter] = tuple(r for _, r in self.numbered(chapter))
        return self._loaded[chapter]

    def __iter__(self) -> Iterator[str]:
        return (c for c in self._files if c != OTHER)

    def __len__(self) -> int:
        return sum(c != OTHER for c in self._files)

    def __contains__(self, chapter: object) -> bool:
        return chapter != OTHER and chapter in self._files

    def all_rows(self) -> tuple[RuleRow, ...]:
        """Every row of the book in its order (reads every chapter file)."""
        rows: dict[int, RuleRow] = {}
        for c in self._files:
            for i, r in self.numbered(c):
                rows.setdefault(i, r)
        return tuple(rows[i] for i in sorted(rows))


class LazyRows(Sequence[RuleRow]):
    """The rows of a sharded book, read (all chapters) only when asked for."""

    def __init__(self, shards: ChapterShards, n: int) -> None:
        self._shards = shards
        self._n = n
        self._rows: tuple[RuleRow, ...] | None = None

    def _all(self) -> tuple[RuleRow, ...]:
        if self._rows is None:
            self._rows = self._shards.all_rows()
        return self._rows

    @overload
    def __getitem__(self, i: int) -> RuleRow: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[RuleRow]: ...
    def __getitem__(self, i: int | slice) -> RuleRow | Sequence[RuleRow]:
        return self._all()[i]

    def __len__(self) -> int:
        return self._n

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence):
            return self._all() == tuple(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]


class PreparedBooks(Mapping[str, RuleBook]):
    """Rule books whose rows are read from their chapter files on first access.

    ``rebuild`` rewrites the folder from the datasets; it is called once when a file does not
    match the checksum in the index (then the read is retried, and a second failure is an error).
    """

    def __init__(
        self, folder: Path, agreements: Mapping[str, Agreement], rebuild: Callable[[], None]
    ) -> None:
        self.folder = folder
        self._agreements = agreements
        self._rebuild = rebuild
        index = json.loads((folder / "index.json").read_text(encoding="utf-8"))
        if index.get("layout") != LAYOUT:
            raise ValueError("layout")
        self._meta: dict[str, dict[str, Any]] = index["books"]
        self._loaded: dict[str, RuleBook] = {}
        self._shards: dict[str, ChapterShards] = {}

    def _read(self, rel: str, sha: str) -> Any:
        for attempt in range(3):
            try:
                raw = (self.folder / rel).read_bytes()
                if _sha(raw) == sha:
                    return json.loads(raw)
            except (OSError, ValueError):
                pass
            if attempt == 1:  # a second look failed too (not a folder being swapped): rebuild
                report("Rebuilding the rules-of-origin index (a stored file did not match)…")
                self._rebuild()
                sha = self._fresh_sha(rel, sha)
        raise DataError(
            f"The rules-of-origin index {self.folder} cannot be read ({rel}).",
            hint="Delete the folder; the next call prepares it again.",
        )

    def _fresh_sha(self, rel: str, sha: str) -> str:
        """The checksum of ``rel`` in the rebuilt index (the old index may have been the damage);
        the books' file tables are updated in place."""
        try:
            index = json.loads((self.folder / "index.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return sha
        folder, _, name = rel.partition("/")
        chapter = name.removesuffix(".json")
        for aid, m in index.get("books", {}).items():
            if m.get("dir") == folder and chapter in m.get("files", {}):
                new = str(m["files"][chapter])
                if aid in self._meta:
                    self._meta[aid]["files"][chapter] = new
                return new
        return sha

    def __getitem__(self, key: str) -> RuleBook:
        if key not in self._loaded:
            if key not in self._meta:
                raise KeyError(key)
            m = self._meta[key]
            shards = self._shards.setdefault(
                m["dir"], ChapterShards(self._read, m["dir"], m["files"])
            )
            fb = m.get("fallback")
            self._loaded[key] = RuleBook(
                self._agreements[key], LazyRows(shards, int(m["rows"])), m["hs_edition"],
                m["dataset"], m["note"], self[fb] if fb in self._meta else None,
                chapters=shards, row_groups=bool(m["grouped"]),
            )  # fmt: skip
        return self._loaded[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._meta)

    def __len__(self) -> int:
        return len(self._meta)

    def __contains__(self, key: object) -> bool:
        return key in self._meta


def _dump(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _write(folder: Path, books: Mapping[str, RuleBook], *, replace: bool = False) -> None:
    """Write the books' chapter files and index into ``folder`` (whole or not at all)."""
    from kaigai.data.state import atomic_folder

    with atomic_folder(folder, replace=replace) as tmp:
        meta: dict[str, dict[str, Any]] = {}
        dirs: dict[int, tuple[str, dict[str, str]]] = {}  # same_as books share their rows
        for aid, book in books.items():
            rows = tuple(book.rows)
            if id(book.rows) not in dirs:
                name = f"b{len(dirs):02d}"
                (tmp / name).mkdir()
                number = {id(r): i for i, r in enumerate(rows)}
                groups = dict(chapter_index(rows))
                seen = {id(r) for rs in groups.values() for r in rs}
                if any(id(r) not in seen for r in rows):
                    groups[OTHER] = tuple(r for r in rows if id(r) not in seen)
                files: dict[str, str] = {}
                for ch, rs in sorted(groups.items()):
                    raw = _dump([{"i": number[id(r)], **_row_to_json(r)} for r in rs])
                    (tmp / name / f"{ch}.json").write_bytes(raw)
                    files[ch] = _sha(raw)
                dirs[id(book.rows)] = (name, files)
            name, files = dirs[id(book.rows)]
            fb = book.fallback.agreement.id if book.fallback is not None else None
            meta[aid] = {"dir": name, "files": files, "rows": len(rows),
                         "hs_edition": book.hs_edition, "dataset": book.dataset, "note": book.note,
                         "fallback": fb, "grouped": book.grouped}  # fmt: skip
        (tmp / "index.json").write_bytes(_dump({"layout": LAYOUT, "books": meta}))
    for old in folder.parent.glob("books-*"):  # earlier catalog states
        if old != folder and ".tmp-" not in old.name and ".old-" not in old.name:
            shutil.rmtree(old, ignore_errors=True)


_AGREEMENTS: dict[tuple[str, str], dict[str, Agreement]] = {}


def agreements(settings: Settings, extra: Path | None = None) -> dict[str, Agreement]:
    """The agreements (bundled YAML plus a user file ``extra``), parsed once per content.

    The parsed YAML documents are kept as JSON under ``<cache_dir>/origin-agreements/`` keyed by
    the files' bytes and the parser's code, so a lookup reads no YAML; documents that JSON cannot
    hold exactly (e.g. dates) are simply not stored. Equal to
    :func:`kaigai.origin.provisions.load_agreements`.
    """
    from kaigai.data.state import drop_older, write_atomic
    from kaigai.origin import provisions as prov

    sources = prov.agreement_sources(extra)
    h = hashlib.sha256(f"layout={LAYOUT}".encode())
    h.update(Path(prov.__file__).read_bytes())
    for name, text in sources:
        h.update(b"\0" + name.encode() + b"\0" + text.encode())
    key = h.hexdigest()[:24]
    folder = Path(settings.cache_dir) / "origin-agreements"
    if (str(folder), key) in _AGREEMENTS:
        return _AGREEMENTS[(str(folder), key)]
    path = folder / f"agreements-{key}.json"
    out: dict[str, Agreement] | None = None
    try:
        d = json.loads(path.read_text(encoding="utf-8"))
        if d["key"] == key:
            out = prov.agreements_from([(str(s), doc) for s, doc in d["docs"]])
    except (OSError, ValueError, KeyError, TypeError, DataError):
        out = None
    if out is None:
        docs = [(name, prov.read_yaml(text)) for name, text in sources]
        out = prov.agreements_from(docs)  # validated before it is stored
        try:
            text = json.dumps({"key": key, "docs": docs}, ensure_ascii=False)
            exact = json.loads(text)["docs"] == [list(d) for d in docs]
        except (TypeError, ValueError):
            exact = False
        if exact and write_atomic(path, text):
            drop_older(path, "agreements-*.json")
    if len(_AGREEMENTS) > 8:
        _AGREEMENTS.clear()
    _AGREEMENTS[(str(folder), key)] = out
    return out


def prepared_books(
    settings: Settings, agreements: Mapping[str, Agreement], extra: Path | None = None
) -> PreparedBooks:
    """The rule books for this catalog state, parsed and stored on first use (and rebuilt when
    the stored index is unreadable or does not match its checksums)."""
    from kaigai.data.origin import build_books

    key = fingerprint(settings, agreements, extra)
    folder = Path(settings.cache_dir) / "origin" / f"books-{key}"

    def rebuild(replace: bool = True) -> None:
        _write(folder, build_books(settings, extra), replace=replace)

    if not (folder / "index.json").is_file():
        report("Preparing the rules-of-origin index (first use after a data change)…")
        rebuild(replace=False)
    try:
        return PreparedBooks(folder, agreements, rebuild)
    except (OSError, ValueError, KeyError, TypeError):
        report("Rebuilding the rules-of-origin index (the stored index is unreadable)…")
        rebuild()
        return PreparedBooks(folder, agreements, rebuild)


__all__ = [
    "ChapterShards",
    "LazyRows",
    "PreparedBooks",
    "agreements",
    "book_to_json",
    "fingerprint",
    "prepared_books",
]
