"""Shared fixtures for the collector tests: the mitmproxy environment and a local HTTP server."""

from __future__ import annotations

import fcntl
import http.server
import os
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
VENV = Path(os.environ.get("APPRIGHTS_MITM_VENV", REPO / "bench" / "_work" / "venv-mitm"))
IMEI = "861234567890123"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def mitmdump() -> Path:
    exe = VENV / "bin" / "mitmdump"
    if exe.exists():
        return exe
    VENV.parent.mkdir(parents=True, exist_ok=True)
    # test processes running side by side (pytest -n) create the environment once: the others wait for it
    with (VENV.parent / f".{VENV.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not exe.exists():
            _create_mitm_venv()
    if not exe.exists():
        pytest.skip(f"mitmdump not installed in {VENV}")
    return exe


def _create_mitm_venv() -> None:
    python = shutil.which("python3.11")
    if python is None:
        pytest.skip("python3.11 not found: cannot create the mitmproxy environment")
    try:
        subprocess.run([python, "-m", "venv", str(VENV)], check=True, timeout=120, capture_output=True)
        subprocess.run(
            [str(VENV / "bin" / "pip"), "install", "-q", "mitmproxy>=11,<12"],
            check=True,
            timeout=900,
            capture_output=True,
        )
    except (subprocess.SubprocessError, OSError) as exc:
        pytest.skip(f"cannot create the mitmproxy environment at {VENV}: {exc}")


class _Echo(http.server.BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        self.rfile.read(length)
        body = b'{"ok":true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def upstream() -> Iterator[int]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield int(server.server_address[1])
    server.shutdown()
    server.server_close()
