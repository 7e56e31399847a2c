"""Prepared rule books (JSON per book) equal the books parsed from the datasets."""

from __future__ import annotations

from pathlib import Path

from kaigai.core.config import Settings
from kaigai.data.origin import build_books
from kaigai.data.rulebooks import PreparedBooks, fingerprint, prepared_books
from kaigai.origin.provisions import load_agreements


def test_prepared_books_equal_parsed_books(settings: Settings) -> None:
    ags = load_agreements()
    parsed = build_books(settings)
    messages: list[str] = []
    from kaigai.core import progress

    progress.set_sink(messages.append)
    try:
        first = prepared_books(settings, ags)
        again = prepared_books(settings, ags)
    finally:
        progress.set_sink(None)
    assert len(messages) == 1 and "Preparing the rules-of-origin index" in messages[0]
    assert isinstance(first, PreparedBooks) and first.folder == again.folder
    assert sorted(first) == sorted(parsed)
    n_rows = 0
    for aid, book in parsed.items():
        got = again[aid]
        assert got.rows == book.rows  # every row: range, text, parsed tree, error, provenance
        assert (got.hs_edition, got.dataset, got.note) == (book.hs_edition, book.dataset, book.note)
        assert got.agreement == book.agreement
        assert (got.fallback is None) == (
            book.fallback is None
        )  # EU-JP keeps its UK-JP substitute rows
        if book.fallback is not None:
            assert got.fallback is not None and got.fallback.rows == book.fallback.rows
        n_rows += len(book.rows)
    assert n_rows > 5000
    # one folder per catalog state; nothing half-written left behind
    siblings = [p.name for p in first.folder.parent.iterdir()]
    assert siblings == [first.folder.name]


def test_fingerprint_follows_the_inputs(settings: Settings, tmp_path: Path) -> None:
    ags = load_agreements()
    extra = tmp_path / "extra.yaml"
    extra.write_text("agreements: {}\n", encoding="utf-8")
    a = fingerprint(settings, ags, None)
    assert a == fingerprint(settings, ags, None)
    assert a != fingerprint(settings, ags, extra)
