"""The country table shipped in core (no I/O there) equals what the starter pack + CLDR give."""

from __future__ import annotations

from pathlib import Path

from kaigai.core import country_table
from kaigai.data.countries import build_country_table, render_module


def test_shipped_country_table_is_current() -> None:
    rows, lookup = build_country_table()
    assert rows == country_table.ROWS
    assert lookup == country_table.LOOKUP
    shipped = Path(country_table.__file__).read_text(encoding="utf-8")
    assert shipped == render_module(rows, lookup)
    assert len(rows) == 232
