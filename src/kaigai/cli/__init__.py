"""Typer command-line shell: parse, call an engine, render (Rich tables or --json)."""
