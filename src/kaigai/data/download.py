"""One resumable, checksummed HTTP download (used by ``kaigai data pull`` and the connectors).

The transport is injectable (tests pass ``httpx.MockTransport``). A download goes to
``<target>.part``; an interrupted one is resumed with an HTTP ``Range`` request when the server
answers ``206 Partial Content`` (a plain ``200`` restarts it from zero). The sha256 covers the
whole file, resumed or not. Connection failures raise :class:`OfflineError` with ``manual``
(what to do by hand) as the hint.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlparse

import httpx

from kaigai.core.errors import DataError, OfflineError

Progress = Callable[[int, int | None], None]

_NETWORK_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout, httpx.ReadTimeout, httpx.NetworkError)


def _hash_prefix(path: Path) -> tuple[hashlib._Hash, int]:
    h = hashlib.sha256()
    n = 0
    if path.is_file():
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
                n += len(block)
    return h, n


def download(
    url: str,
    target: Path,
    *,
    name: str,
    manual: str,
    transport: httpx.BaseTransport | None = None,
    on_bytes: Progress | None = None,
    timeout: float = 60.0,
) -> str:
    """Fetch ``url`` into ``target`` (resuming ``target.part``); returns the sha256 hex digest.

    Raises
    ------
    OfflineError
        when the host cannot be reached (hint: ``manual``); the partial file is kept for resuming.
    DataError
        on an HTTP error status (the partial file is kept unless the server rejected the range).
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(target.name + ".part")
    h, have = _hash_prefix(part)
    headers = {"Range": f"bytes={have}-"} if have else {}
    try:
        with (
            httpx.Client(transport=transport, follow_redirects=True, timeout=timeout) as client,
            client.stream("GET", url, headers=headers) as resp,
        ):
            if resp.status_code == 416:  # range not satisfiable: start again
                part.unlink(missing_ok=True)
                return download(
                    url, target, name=name, manual=manual, transport=transport, on_bytes=on_bytes
                )
            if resp.status_code >= 400:
                raise DataError(
                    f"Download of {name} failed: HTTP {resp.status_code} from {url}.",
                    hint="The source may have moved or refused the request; " + manual,
                    url=url,
                    status=resp.status_code,
                )
            if have and resp.status_code != 206:  # server ignored the range: restart
                h, have = hashlib.sha256(), 0
                mode = "wb"
            else:
                mode = "ab" if have else "wb"
            length = resp.headers.get("content-length")
            total = have + int(length) if length is not None else None
            done = have
            with part.open(mode) as fh:
                for chunk in resp.iter_bytes():
                    fh.write(chunk)
                    h.update(chunk)
                    done += len(chunk)
                    if on_bytes:
                        on_bytes(done, total)
    except _NETWORK_ERRORS as exc:
        raise OfflineError(
            f"Cannot reach {urlparse(url).netloc} to download {name} ({type(exc).__name__}).",
            hint=manual,
            url=url,
            resumable_bytes=part.stat().st_size if part.is_file() else 0,
        ) from exc
    part.replace(target)
    return h.hexdigest()


def sha256_of(path: Path) -> str:
    """sha256 hex digest of a file."""
    return _hash_prefix(path)[0].hexdigest()


__all__ = ["Progress", "download", "sha256_of"]
