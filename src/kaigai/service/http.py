"""HTTP helpers shared by the API routers and the web pages: record ids, cookies, uploads."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Request, Response, UploadFile

from kaigai.core.errors import PayloadTooLargeError
from kaigai.service.payloads import MAX_ID
from kaigai.service.security import DEVICE_COOKIE, SESSION_COOKIE, device_cookie
from kaigai.service.state import AppState, Limits

# Record ids are database INTEGERs: larger path values are a 422, never a driver overflow (500).
Id = Annotated[int, Path(ge=1, le=MAX_ID, description="Record id (1 to 2^31-1).")]


def client_id(request: Request) -> str:
    """The TCP peer (uvicorn replaces it from X-Forwarded-For only for configured proxies)."""
    return request.client.host if request.client else "unknown"


def set_device_cookie(request: Request, response: Response, state: AppState, email: str) -> None:
    """Remember this browser for the log-in back-off (signed; no account data in it)."""
    response.set_cookie(
        DEVICE_COOKIE, device_cookie(state.secret, email), httponly=True, samesite="strict",
        secure=request.url.scheme == "https", max_age=180 * 86400, path="/",
    )  # fmt: skip


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE, token, httponly=True, samesite="lax",
        secure=request.url.scheme == "https", max_age=12 * 3600, path="/",
    )  # fmt: skip


async def read_upload(request: Request, file: UploadFile, limits: Limits) -> bytes:
    """The upload's bytes, refusing more than the limit without reading it all."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limits.max_upload_bytes + 64_000:
        raise PayloadTooLargeError(
            f"The upload is larger than {limits.max_upload_bytes:,} bytes.", hint="Split the BOM."
        )
    data = await file.read(limits.max_upload_bytes + 1)
    if len(data) > limits.max_upload_bytes:
        raise PayloadTooLargeError(
            f"The upload is larger than {limits.max_upload_bytes:,} bytes.", hint="Split the BOM."
        )
    return data


__all__ = ["Id", "client_id", "read_upload", "set_device_cookie", "set_session_cookie"]
