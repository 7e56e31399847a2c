"""Answers for exact repeats of cacheable public GETs, served before routing.

A cached duty lookup through FastAPI spends most of its time in routing, dependency injection
and query validation, not in the lookup. A route that produced a deterministic answer stores
the encoded body here under (path, raw query string); the next request with byte-identical
path and query is answered from memory with the same status, body and headers (security
headers + ``no-store``) and never reaches the router. Anything else (other methods, a request
body, an unseen query) goes through FastAPI as usual, with its validation and error handling.

Only public reference routes may store answers here (no principal is checked on this path).
"""

from __future__ import annotations

import threading

from starlette.types import Scope, Send

from kaigai.service.middleware import SECURITY_HEADERS

_JSON_HEADERS_TAIL = [(b"content-type", b"application/json"), *SECURITY_HEADERS,
                      (b"cache-control", b"no-store")]  # fmt: skip
_START = "http.response.start"
_BODY = "http.response.body"


class AnswerCache:
    """Encoded JSON answers by (path, raw query string), bounded (oldest dropped first)."""

    def __init__(self, max_items: int = 4096) -> None:
        self.max_items = max_items
        self._items: dict[tuple[str, bytes], tuple[bytes, list[tuple[bytes, bytes]]]] = {}
        self._lock = threading.Lock()

    def put(self, path: str, query: bytes, body: bytes) -> None:
        """Store ``body`` (a 200 JSON answer) for exact repeats of ``path?query``."""
        headers = [(b"content-length", str(len(body)).encode()), *_JSON_HEADERS_TAIL]
        with self._lock:
            if len(self._items) >= self.max_items:
                self._items.pop(next(iter(self._items)))
            self._items[(path, query)] = (body, headers)

    def __len__(self) -> int:
        return len(self._items)

    async def serve(self, scope: Scope, send: Send) -> bool:
        """Answer ``scope`` from memory if it is a body-less GET seen before; False otherwise."""
        if scope["method"] != "GET":
            return False
        hit = self._items.get((scope["path"], scope["query_string"]))
        if hit is None:
            return False
        for name, value in scope["headers"]:
            if (name == b"content-length" and value != b"0") or name == b"transfer-encoding":
                return False  # a GET with a body takes the normal path (size guard, validation)
        body, headers = hit
        await send({"type": _START, "status": 200, "headers": headers})
        await send({"type": _BODY, "body": body})
        return True


__all__ = ["AnswerCache"]
