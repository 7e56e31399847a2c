"""Data layer: dataset registry, DuckDB catalog, import/pull, starter pack."""
