"""The mitmproxy addon, for real: mitmdump with the addon on loopback in front of a local HTTP server.

mitmproxy cannot live in the core environment (it pins an older ``cryptography``), so the test uses a separate
virtualenv under ``bench/_work/venv-mitm`` (gitignored), created on first use; the test skips with the reason
when it cannot be created (no network to PyPI, no python3.11).
"""

from __future__ import annotations

import base64
import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from apprights.collect.trace import event_problems, read_event_fragment
from apprights.extractors.trace.schema import validate_event
from tests.collect.conftest import IMEI, free_port

REPO = Path(__file__).resolve().parents[2]
ADDON = REPO / "src" / "apprights" / "collect" / "mitm_addon.py"


def test_addon_is_not_imported_by_the_core_package() -> None:
    code = (
        "import sys, apprights, apprights.collect, apprights.collect.agent, apprights.collect.trace;"
        "import apprights.cli.collect_cmd;"
        "print(any(m.startswith(('mitmproxy', 'apprights.collect.mitm_addon')) for m in sys.modules))"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert r.stdout.strip() == "False"
    assert "import apprights" not in ADDON.read_text(encoding="utf-8")


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


@pytest.mark.timeout(120, func_only=True)  # venv creation (first run) is not bounded by this
def test_mitmdump_writes_network_events(mitmdump: Path, upstream: int, tmp_path: Path) -> None:
    out = tmp_path / "session.network.jsonl"
    port = free_port()
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


@pytest.mark.timeout(120, func_only=True)
def test_missing_folder_tls_failures_and_requests_in_flight_are_recorded(
    mitmdump: Path, upstream: int, tmp_path: Path
) -> None:
    """The collector's --out folder does not exist yet (it once aborted the session); an app that rejects the
    proxy (pinning) or a TLS server the proxy cannot reach leaves a TLS-failure event; a request still waiting
    for its response when the proxy stops is written on shutdown."""
    out = tmp_path / "not" / "yet" / "session.network.jsonl"
    port = free_port()
    hang = socket.socket()
    hang.bind(("127.0.0.1", 0))
    hang.listen(4)  # accepts connections, never answers
    hang_port = hang.getsockname()[1]
    proc = subprocess.Popen(
        [
            str(mitmdump),
            "--listen-host",
            "127.0.0.1",
            "--listen-port",
            str(port),
            "-q",
            "--set",
            f"confdir={tmp_path / 'mitm-conf'}",
            "-s",
            str(ADDON),
            "--set",
            f"apprights_trace={out}",
            "--set",
            f"apprights_t0={time.time()}",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_listening(port, proc)
        with httpx.Client(proxy=f"http://127.0.0.1:{port}", timeout=10, trust_env=False) as client:
            with pytest.raises(httpx.HTTPError):
                client.get(f"https://127.0.0.1:{upstream}/pinned")  # plain-HTTP server behind https
            with pytest.raises(httpx.HTTPError):
                client.post(f"http://127.0.0.1:{hang_port}/report", content=IMEI.encode(), timeout=1.5)
        time.sleep(0.5)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        hang.close()
    events = read_event_fragment(out)
    for n, e in enumerate(events, start=1):
        validate_event(e, str(out), n)
    tls = [e for e in events if "TLS handshake failed" in e.get("error", "")]
    assert tls and tls[0]["host"] == "127.0.0.1" and tls[0]["tls"] is True and tls[0]["method"] == "CONNECT"
    (posted,) = [e for e in events if e.get("method") == "POST"]
    assert posted["url"].endswith("/report") and base64.b64decode(posted["request_body_b64"]) == IMEI.encode()
    assert "response_status" not in posted and posted["error"]


@pytest.mark.timeout(120, func_only=True)
def test_request_in_flight_when_the_proxy_stops_is_written(mitmdump: Path, tmp_path: Path) -> None:
    import threading

    out = tmp_path / "flight.network.jsonl"
    port = free_port()
    hang = socket.socket()
    hang.bind(("127.0.0.1", 0))
    hang.listen(4)
    proc = subprocess.Popen(
        [
            str(mitmdump),
            "--listen-host",
            "127.0.0.1",
            "--listen-port",
            str(port),
            "-q",
            "--set",
            f"confdir={tmp_path / 'mitm-conf'}",
            "-s",
            str(ADDON),
            "--set",
            f"apprights_trace={out}",
            "--set",
            f"apprights_t0={time.time()}",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )

    def send() -> None:
        try:
            with httpx.Client(proxy=f"http://127.0.0.1:{port}", timeout=60, trust_env=False) as client:
                client.post(f"http://127.0.0.1:{hang.getsockname()[1]}/late", content=IMEI.encode())
        except httpx.HTTPError:
            pass

    sender = threading.Thread(target=send, daemon=True)
    try:
        _wait_listening(port, proc)
        sender.start()
        time.sleep(2.0)  # the request has reached the proxy, the server never answers
        assert not out.exists() or "/late" not in out.read_text(encoding="utf-8")
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        hang.close()
    (event,) = read_event_fragment(out)
    assert event["url"].endswith("/late") and base64.b64decode(event["request_body_b64"]) == IMEI.encode()
    assert event["error"]
