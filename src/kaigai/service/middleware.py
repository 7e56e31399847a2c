"""Pure ASGI middleware (cheaper than BaseHTTPMiddleware): body-size guard and security headers."""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"content-security-policy",
     b"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
     b"frame-ancestors 'none'; form-action 'self'"),
]  # fmt: skip


class GuardMiddleware:
    """Refuse bodies above ``max_body`` (declared or streamed) and add security headers."""

    def __init__(self, app: ASGIApp, max_body: int, api_prefix: str) -> None:
        self.app = app
        self.max_body = max_body
        self.api_prefix = api_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length", b"")
        if length.isdigit() and int(length) > self.max_body:
            await self._too_large(send)
            return
        is_api = str(scope.get("path", "")).startswith(self.api_prefix)
        seen = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal seen
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > self.max_body:
                    raise _BodyTooLarge
            return msg

        async def send_with_headers(msg: Message) -> None:
            nonlocal started
            if msg["type"] == "http.response.start":
                started = True
                hs: list[Any] = list(msg.get("headers") or [])
                names = {k.lower() for k, _ in hs}
                hs += [(k, v) for k, v in SECURITY_HEADERS if k not in names]
                if is_api and b"cache-control" not in names:
                    hs.append((b"cache-control", b"no-store"))
                msg = {**msg, "headers": hs}
            await send(msg)

        try:
            await self.app(scope, limited_receive, send_with_headers)
        except _BodyTooLarge:
            if not started:
                await self._too_large(send)

    async def _too_large(self, send: Send) -> None:
        body = json.dumps({"code": "payload_too_large", "message": f"Request body above {self.max_body:,} bytes.",
                           "hint": "Send a smaller file or split the request."}).encode()  # fmt: skip
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"), *SECURITY_HEADERS]})  # fmt: skip
        await send({"type": "http.response.body", "body": body})


class _BodyTooLarge(Exception):
    pass


__all__ = ["SECURITY_HEADERS", "GuardMiddleware"]
