"""Regenerate src/kaigai/core/country_table.py from the starter pack and Babel's CLDR names.

Run after the starter pack's ``countries_baci`` or the Babel version changes:
    python scripts/build_country_table.py
"""

from __future__ import annotations

from pathlib import Path

from kaigai.data.countries import build_country_table, render_module

TARGET = Path(__file__).resolve().parents[1] / "src" / "kaigai" / "core" / "country_table.py"

if __name__ == "__main__":
    rows, lookup = build_country_table()
    TARGET.write_text(render_module(rows, lookup), encoding="utf-8")
    print(f"wrote {TARGET} ({len(rows)} countries, {len(lookup)} spellings)")
