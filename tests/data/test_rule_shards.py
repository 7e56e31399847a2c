"""Issue 13: the prepared rule shards (one JSON file per agreement and HS chapter) give the answers
of the full rule-book parse, for every rule of every agreement, on the starter pack and on the
shared data; a new catalog state gets new shards; a damaged shard is rebuilt, never trusted.

"Every rule": each source row's first and last HS6 code is looked up through both books (the
engine's ``rule_for``: narrowest range, substitutes, edition notes, ambiguities and "no rule"
errors included), and every chapter shard equals the full book's chapter index row for row
(range, text, parsed tree, parse error, provenance).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import pytest

from kaigai.app import cache
from kaigai.core import progress
from kaigai.core.config import Settings
from kaigai.core.errors import OriginRuleError
from kaigai.data.importer import import_path
from kaigai.data.origin import build_books, hs_sets
from kaigai.data.rulebooks import agreements, prepared_books
from kaigai.origin.api import rule_for
from kaigai.origin.provisions import load_agreements
from kaigai.origin.store import RuleBook, RuleMatch

# rows per book (the README counts of ../shared/data/trade_rules) and distinct codes looked up
EXPECTED = {
    "CPTPP": (2561, 2275),
    "EU-JP": (5811, 5266),
    "JP-VN": (544, 844),
    "RCEP": (2189, 2955),
    "UK-JP": (960, 740),
}  # 12,065 rows; 12,080 codes looked up through both books
PSR_FOLDERS = ("rcep", "uk_tariff_roo", "eu_japan_epa", "japan_vietnam_epa")


def _answer(
    aid: str, code: str, books: Mapping[str, RuleBook], ags: dict, hs17: frozenset[str]
) -> RuleMatch | str:
    try:
        return rule_for(aid, code, books, ags, hs17)
    except OriginRuleError as exc:
        return f"error: {exc.message}"


def _compare(settings: Settings) -> tuple[dict[str, tuple[int, int]], Path]:
    full = build_books(settings)
    ags = agreements(settings)
    assert ags == load_agreements()  # the stored agreements are the YAML's
    shards = prepared_books(settings, ags)
    _, hs17 = hs_sets(settings)
    assert sorted(shards) == sorted(full)
    counts: dict[str, tuple[int, int]] = {}
    for aid, book in sorted(full.items()):
        got = shards[aid]
        assert sorted(got.by_chapter) == sorted(book.by_chapter)
        for ch, rows in book.by_chapter.items():
            assert got.by_chapter[ch] == rows, (aid, ch)
        assert (got.hs_edition, got.dataset, got.note, got.grouped) == (
            book.hs_edition, book.dataset, book.note, book.grouped
        )  # fmt: skip
        assert (got.fallback is None) == (book.fallback is None)
        codes = sorted({c for r in book.rows for c in (r.lo, r.hi)})
        for code in codes:
            assert _answer(aid, code, shards, ags, hs17) == _answer(aid, code, full, ags, hs17), (
                aid,
                code,
            )
        assert tuple(got.rows) == tuple(book.rows)  # the whole book, read back from the shards
        counts[aid] = (len(book.rows), len(codes))
    return counts, shards.folder


def test_shards_answer_as_the_full_parse_on_the_starter_pack(settings: Settings) -> None:
    counts, _ = _compare(settings)
    assert counts == EXPECTED


@pytest.mark.slow
def test_shards_answer_as_the_full_parse_on_the_shared_data(
    settings: Settings, shared_data: Path
) -> None:
    _, before = _compare(settings)
    for name in PSR_FOLDERS:
        import_path(shared_data / "trade_rules" / name, settings)
    cache.clear()
    counts, after = _compare(settings)
    assert counts == EXPECTED
    assert after != before and not before.exists()  # new checksums -> new shards, old removed


def _folder(settings: Settings) -> Path:
    return prepared_books(settings, agreements(settings)).folder


def test_damaged_shard_is_rebuilt_not_trusted(settings: Settings) -> None:
    folder = _folder(settings)
    index = json.loads((folder / "index.json").read_text(encoding="utf-8"))
    shard = folder / index["books"]["RCEP"]["dir"] / "84.json"
    good = shard.read_bytes()
    rows = json.loads(good)
    for r in rows:  # a plausible but wrong rule: valid JSON, wrong content
        r["text"] = "WO"
        r["node"] = {"type": "WO"}
    shard.write_bytes(json.dumps(rows).encode())
    said: list[str] = []
    progress.set_sink(said.append)
    try:
        books = prepared_books(settings, agreements(settings))
        m = rule_for("RCEP", "848210", books, agreements(settings), hs_sets(settings)[1])
    finally:
        progress.set_sink(None)
    assert [x for x in said if "Rebuilding" in x] == [
        "Rebuilding the rules-of-origin index (a stored file did not match)…"
    ]
    assert m.rows[0].text == "CTSH or RVC40"  # the source row, not the tampered "WO"
    assert shard.read_bytes() == good


def test_damaged_index_checksum_is_rebuilt(settings: Settings) -> None:
    """A valid index.json with a wrong checksum: the file it names is not trusted either way;
    the folder is rebuilt and the rebuilt index's checksum is used."""
    folder = _folder(settings)
    index = json.loads((folder / "index.json").read_text(encoding="utf-8"))
    index["books"]["RCEP"]["files"]["84"] = "0" * 32
    (folder / "index.json").write_text(json.dumps(index), encoding="utf-8")
    books = prepared_books(settings, agreements(settings))
    m = rule_for("RCEP", "848210", books, agreements(settings), hs_sets(settings)[1])
    assert m.rows[0].text == "CTSH or RVC40"
    fresh = json.loads((folder / "index.json").read_text(encoding="utf-8"))
    assert fresh["books"]["RCEP"]["files"]["84"] != "0" * 32


def test_unreadable_index_is_rebuilt(settings: Settings) -> None:
    folder = _folder(settings)
    (folder / "index.json").write_text("{not json", encoding="utf-8")
    books = prepared_books(settings, agreements(settings))
    assert books.folder == folder and json.loads((folder / "index.json").read_text("utf-8"))
    assert books["RCEP"].by_chapter["84"]


def test_agreements_are_stored_as_json_and_follow_the_yaml(
    settings: Settings, tmp_path: Path
) -> None:
    first = agreements(settings)
    stored = list((Path(settings.cache_dir) / "origin-agreements").glob("agreements-*.json"))
    assert len(stored) == 1
    extra = tmp_path / "extra.yaml"
    extra.write_text(
        "agreements:\n  JP-XX:\n    parties: [JPN, VNM]\n    name_en: Test\n    rules: null\n",
        encoding="utf-8",
    )
    mine = agreements(settings, extra)
    assert mine == load_agreements(extra) and "JP-XX" in mine and "JP-XX" not in first
