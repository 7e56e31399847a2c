"""A server killed (SIGKILL) in the middle of writes loses nothing it acknowledged."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.slow

SERVER = "import uvicorn, sys; from kaigai.api.app import create_app; " \
         "uvicorn.run(create_app(), host='127.0.0.1', port=int(sys.argv[1]), log_level='error')"  # fmt: skip


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    env = dict(os.environ, KAIGAI_DATA_DIR=str(data_dir))
    proc = subprocess.Popen([sys.executable, "-c", SERVER, str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError(
        "server did not start: " + (proc.stderr.read().decode() if proc.stderr else "")
    )


def test_kill_during_writes_keeps_every_acknowledged_write(tmp_path: Path) -> None:
    port = _port()
    base = f"http://127.0.0.1:{port}/api/v1"
    proc = _start(tmp_path, port)
    try:
        r = httpx.post(f"{base}/auth/register", json={"email": "w@example.jp", "password": "long enough pw",
                                                     "organisation": "W"})  # fmt: skip
        c = httpx.Client(
            cookies=r.cookies, headers={"X-CSRF-Token": r.json()["csrf_token"]}, timeout=10
        )
        key = c.post(f"{base}/auth/api-keys", json={"label": "writer"}).json()["key"]
        ws = c.post(f"{base}/workspaces", json={"organisation_id": 1, "name": "Durable"}).json()[
            "id"
        ]
        acked: list[int] = []
        lock = threading.Lock()
        stop = threading.Event()

        def writer(n: int) -> None:
            h = {"Authorization": f"Bearer {key}"}
            with httpx.Client(headers=h, timeout=5) as w:
                i = 0
                while not stop.is_set():
                    i += 1
                    try:
                        resp = w.post(f"{base}/workspaces/{ws}/plans",
                                      json={"title": f"w{n}-{i}", "content": {"i": i}})  # fmt: skip
                    except httpx.HTTPError:
                        continue  # not acknowledged: the server died mid-request
                    if resp.status_code == 201:
                        with lock:
                            acked.append(resp.json()["id"])

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
        for t in threads:
            t.start()
        while len(acked) < 60:
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)  # no shutdown, no flush
        proc.wait(timeout=10)
        time.sleep(0.3)
        stop.set()
        for t in threads:
            t.join(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    proc = _start(tmp_path, port)
    try:
        h = {"Authorization": f"Bearer {key}"}
        ids: set[int] = set()
        offset = 0
        while True:
            page = httpx.get(f"{base}/workspaces/{ws}/plans", params={"limit": 200, "offset": offset},
                             headers=h, timeout=10).json()  # fmt: skip
            ids |= {p["id"] for p in page["items"]}
            offset += 200
            if offset >= page["total"]:
                break
        lost = set(acked) - ids
        assert len(acked) >= 60
        assert lost == set(), f"{len(lost)} acknowledged writes lost"
        # each plan was written with its audit row in the same transaction
        audit = httpx.get(f"{base}/workspaces/{ws}/audit", params={"limit": 1}, headers=h).json()
        assert audit["total"] == len(ids)
    finally:
        proc.kill()
        proc.wait(timeout=10)
