"""The one place errors become HTTP responses: ``{"code", "message", "hint"}`` + http_status.

Stack traces, SQL and driver messages never reach a client: unexpected exceptions are
logged server-side and answered with a generic 500 body.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from kaigai.core.errors import AuthError, KaigaiError, PermissionDeniedError, RateLimitError

log = logging.getLogger("kaigai.api")

_HTTP_CODES = {
    400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 409: "conflict", 413: "payload_too_large", 415: "unsupported_media_type",
    422: "invalid_input", 429: "rate_limited",
}  # fmt: skip


def error_body(code: str, message: str, hint: str | None = None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message, "hint": hint}
    body.update(extra)
    return body


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get(
        "accept", ""
    )


def _html_error(request: Request, status: int, body: dict[str, Any]) -> Response:
    """The dashboard's error page when a site mounted one (``app.state.html_error``), else JSON."""
    render = getattr(request.app.state, "html_error", None)
    if render is None:
        return JSONResponse(body, status_code=status)
    response: Response = render(request, status, body)
    return response


async def kaigai_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, KaigaiError)
    if _wants_html(request):
        if isinstance(exc, AuthError) and not isinstance(
            exc, PermissionDeniedError | RateLimitError
        ):
            return RedirectResponse("/login", status_code=303)
        resp = _html_error(request, exc.http_status, exc.to_dict())
        if "retry_after" in exc.fields:
            resp.headers["Retry-After"] = str(exc.fields["retry_after"])
        return resp
    headers = {"WWW-Authenticate": "Bearer"} if exc.http_status == 401 else {}
    if "retry_after" in exc.fields:
        headers["Retry-After"] = str(exc.fields["retry_after"])
    return JSONResponse(exc.to_dict(), status_code=exc.http_status, headers=headers or None)


async def validation_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errs = exc.errors()
    first = errs[0] if errs else {}
    loc = ".".join(str(x) for x in first.get("loc", ()) if x != "body")
    message = f"Invalid {loc}: {first.get('msg', 'invalid value')}" if loc else "Invalid request."
    details = [
        {"loc": [str(x) for x in e.get("loc", ())], "msg": str(e.get("msg", ""))} for e in errs[:20]
    ]
    body = error_body(
        "invalid_input", message, "See the OpenAPI schema at /api/v1/openapi.json.", details=details
    )
    if _wants_html(request):
        return _html_error(request, 422, body)
    return JSONResponse(body, status_code=422)


async def http_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
    body = error_body(code, message)
    if _wants_html(request):
        return _html_error(request, exc.status_code, body)
    return JSONResponse(body, status_code=exc.status_code, headers=getattr(exc, "headers", None))


async def memory_handler(request: Request, exc: Exception) -> Response:
    """A ``MemoryError`` outside the C kernels (numpy's, e.g.): 503 with the CLI's message and
    hint (``OutOfMemoryError``), not a generic 500; the server log keeps the traceback."""
    from kaigai.core.errors import OutOfMemoryError

    log.warning("out of memory on %s %s", request.method, request.url.path, exc_info=exc)
    oom = OutOfMemoryError(
        "Not enough memory for this request.",
        hint="the server needed more memory than is free: try again later or ask for less data",
    )
    return await kaigai_error_handler(request, oom)


async def unexpected_handler(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    body = error_body(
        "internal_error",
        "Something went wrong on the server.",
        "Try again; the administrator can find the details in the server log.",
    )
    return JSONResponse(body, status_code=500)


def install(app: FastAPI) -> None:
    app.add_exception_handler(KaigaiError, kaigai_error_handler)
    app.add_exception_handler(RequestValidationError, validation_handler)
    app.add_exception_handler(StarletteHTTPException, http_error_handler)
    app.add_exception_handler(MemoryError, memory_handler)
    app.add_exception_handler(Exception, unexpected_handler)


__all__ = ["error_body", "install"]
