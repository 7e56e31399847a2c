"""A process-wide hook for "preparing …" messages from slow one-time work (no I/O here).

The data layer calls :func:`report` when it builds a prepared index; a shell installs a sink
(the CLI prints to stderr, the service logs). Without a sink nothing is printed.
"""

from __future__ import annotations

from collections.abc import Callable

_SINK: list[Callable[[str], None]] = []


def set_sink(sink: Callable[[str], None] | None) -> None:
    """Send progress messages to ``sink`` (None: drop them)."""
    _SINK.clear()
    if sink is not None:
        _SINK.append(sink)


def report(message: str) -> None:
    """Pass ``message`` to the installed sink, if any."""
    for sink in _SINK:
        sink(message)


__all__ = ["report", "set_sink"]
