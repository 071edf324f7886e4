"""The mitmproxy addon, for real: mitmdump with the addon on loopback in front of a local HTTP server.

mitmproxy cannot live in the core environment (it pins an older ``cryptography``), so the test uses a separate
virtualenv under ``bench/_work/venv-mitm`` (gitignored), created on first use; the test skips with the reason
when it cannot be created (no network to PyPI, no python3.11).
"""

from __future__ import annotations

import base64
import http.server
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from apprights.collect.trace import event_problems, read_event_fragment
from apprights.extractors.trace.schema import validate_event

REPO = Path(__file__).resolve().parents[2]
ADDON = REPO / "src" / "apprights" / "collect" / "mitm_addon.py"
VENV = Path(os.environ.get("APPRIGHTS_MITM_VENV", REPO / "bench" / "_work" / "venv-mitm"))
IMEI = "861234567890123"


def test_addon_is_not_imported_by_the_core_package() -> None:
    code = (
        "import sys, apprights, apprights.collect, apprights.collect.agent, apprights.collect.trace;"
        "import apprights.cli.collect_cmd;"
        "print(any(m.startswith(('mitmproxy', 'apprights.collect.mitm_addon')) for m in sys.modules))"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert r.stdout.strip() == "False"
    assert "import apprights" not in ADDON.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def mitmdump() -> Path:
    exe = VENV / "bin" / "mitmdump"
    if exe.exists():
        return exe
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
    if not exe.exists():
        pytest.skip(f"mitmdump not installed in {VENV}")
    return exe


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


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


def _wait_listening(port: int, proc: subprocess.Popen[bytes], timeout: float = 40.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            out = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
            pytest.fail(f"mitmdump exited early ({proc.returncode}): {out[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail("mitmdump did not start listening")


@pytest.mark.timeout(120)
def test_mitmdump_writes_network_events(mitmdump: Path, upstream: int, tmp_path: Path) -> None:
    out = tmp_path / "session.network.jsonl"
    port = _free_port()
    t0 = time.time()
    proc = subprocess.Popen(
        [
            str(mitmdump),
            "--listen-host",
            "127.0.0.1",
            "--listen-port",
            str(port),
            "--set",
            f"confdir={tmp_path / 'mitm-conf'}",
            "-q",
            "-s",
            str(ADDON),
            "--set",
            f"apprights_trace={out}",
            "--set",
            f"apprights_t0={t0}",
            "--set",
            "apprights_body_cap=64",
            "--set",
            "apprights_process=com.example.news",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_listening(port, proc)
        payload = json.dumps({"imei": IMEI, "pad": "x" * 100}).encode()
        with httpx.Client(proxy=f"http://127.0.0.1:{port}", timeout=20, trust_env=False) as client:
            r = client.post(
                f"http://127.0.0.1:{upstream}/unify_logs?appkey=5f0c",
                content=payload,
                headers=[("Content-Type", "application/json"), ("X-Device", "a"), ("X-Device", "b")],
            )
            assert r.status_code == 200
            r2 = client.get(f"http://127.0.0.1:{upstream}/missing")
            assert r2.status_code == 404
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and (not out.exists() or out.read_text().count("\n") < 2):
            time.sleep(0.1)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    for n, line in enumerate(lines, start=1):
        assert event_problems(json.loads(line)) == []
        validate_event(json.loads(line), str(out), n)  # the trace extractor's own schema
    events = sorted(read_event_fragment(out), key=lambda e: e["t"])
    post, get = events
    assert post["type"] == "network" and post["method"] == "POST" and get["method"] == "GET"
    assert post["host"] == "127.0.0.1" and post["port"] == upstream
    assert post["scheme"] == "http" and post["tls"] is False
    assert post["url"] == f"http://127.0.0.1:{upstream}/unify_logs?appkey=5f0c"
    assert post["response_status"] == 200 and get["response_status"] == 404
    assert post["process"] == "com.example.news"
    body = base64.b64decode(post["request_body_b64"])
    assert IMEI.encode() in body and len(body) == 64  # capped at apprights_body_cap
    assert post["request_body_truncated"] is True and post["request_body_size"] == len(payload)
    assert post["request_headers"]["Content-Type"] == "application/json"
    assert post["request_headers"]["X-Device"] == "a, b"  # repeated headers joined
    assert 0 <= post["t"] <= time.time() - t0
    assert "request_body_b64" not in get


@pytest.mark.timeout(120)
def test_mitm_capture_session_routes_device_and_collects(
    mitmdump: Path, upstream: int, tmp_path: Path
) -> None:
    from apprights.collect.adb import Adb
    from apprights.collect.capture import MitmCapture
    from tests.collect.replay import ReplayRunner

    runner = ReplayRunner([])  # the device side: adb reverse / settings answered with empty output
    port = _free_port()
    capture = MitmCapture(mitmdump, Adb(runner, serial="emulator-5554"), port=port, confdir=tmp_path / "conf")
    fragment = tmp_path / "s.network.jsonl"
    capture.start(fragment, time.time(), "com.example.news")
    try:
        with httpx.Client(proxy=f"http://127.0.0.1:{port}", timeout=20, trust_env=False) as client:
            assert client.post(f"http://127.0.0.1:{upstream}/log", content=IMEI.encode()).status_code == 200
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and (not fragment.exists() or not fragment.read_text()):
            time.sleep(0.1)
    finally:
        capture.stop()
    cmds = runner.commands()
    assert cmds[0] == f"adb -s emulator-5554 reverse tcp:{port} tcp:{port}"
    assert cmds[1].endswith(f"settings put global http_proxy 127.0.0.1:{port}")
    assert cmds[-1].endswith("settings put global http_proxy :0")  # cleared at the end
    (event,) = read_event_fragment(fragment)
    assert event["process"] == "com.example.news"
    assert base64.b64decode(event["request_body_b64"]) == IMEI.encode()
