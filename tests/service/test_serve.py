"""``apprights serve`` with no setup: creates ./var/apprights.sqlite3, migrates it and answers."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

SCRIPT = "import typer; from apprights.cli.service_cmds import serve_cmd; typer.run(serve_cmd)"


def test_serve_starts_on_sqlite_with_no_configuration(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("APPRIGHTS_")}
    proc = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/api/v1/provinces", timeout=2)
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.2)
        assert r.status_code == 200 and len(r.json()) == 31
        assert (tmp_path / "var" / "apprights.sqlite3").exists()
        assert httpx.get(f"http://127.0.0.1:{port}/openapi.json").json()["info"]["title"]
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            out, _ = proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
    # the first ministry account's generated password is logged once, so the operator can log in
    assert "created the first ministry account 'admin' with password" in out
