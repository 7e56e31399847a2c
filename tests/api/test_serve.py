"""`kaigai serve` on a fresh data directory serves the dashboard and the API on the starter data."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.slow


def test_kaigai_serve_fresh_install(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(
        os.environ, KAIGAI_DATA_DIR=str(tmp_path / "fresh"), KAIGAI_CACHE_DIR=str(tmp_path / "c")
    )
    kaigai = Path(sys.executable).with_name("kaigai")
    proc = subprocess.Popen([str(kaigai), "serve", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "kaigai serve did not start"
            assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
            time.sleep(0.3)
        c = httpx.Client(base_url=base, timeout=120, headers={"accept": "text/html"})
        r = c.get("/", follow_redirects=True)
        assert r.status_code == 200 and str(r.url).endswith("/login") and "<form" in r.text
        assert c.get("/static/htmx.min.js").status_code == 200
        # the bundled starter data answers without any import
        r = c.get("/api/v1/hs/848210")
        assert r.status_code == 200 and r.json()["description"] == "Ball bearings"
        # register through the form (CSRF token from the page), then the dashboard shows
        page = c.get("/register")
        token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text)
        assert token is not None
        r = c.post("/register", data={"email": "first@example.jp", "password": "long enough pw",
                                      "organisation": "First office", "csrf_token": token.group(1)},
                   follow_redirects=True)  # fmt: skip
        assert r.status_code == 200 and "New workspace" in r.text
        assert (tmp_path / "fresh" / "kaigai.db").is_file()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
