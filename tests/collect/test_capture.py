"""MitmCapture for real: starts mitmdump with the addon, routes the (recorded) device to it, collects."""

from __future__ import annotations

import base64
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from apprights.collect.adb import Adb, AdbError
from apprights.collect.capture import MitmCapture, addon_path
from apprights.collect.trace import read_event_fragment
from tests.collect.conftest import IMEI, free_port
from tests.collect.replay import ReplayRunner


def test_command_line() -> None:
    cap = MitmCapture(Path("/venv/bin/mitmdump"), Adb(ReplayRunner([])), port=8081, body_cap=10)
    cmd = cap.command(Path("/tmp/f.jsonl"), 1764300000.5, "com.x")
    assert cmd[:5] == ["/venv/bin/mitmdump", "--listen-host", "127.0.0.1", "--listen-port", "8081"]
    assert str(addon_path()) in cmd and addon_path().name == "mitm_addon.py" and addon_path().exists()
    assert "apprights_t0=1764300000.500000" in cmd and "apprights_body_cap=10" in cmd


@pytest.mark.timeout(120, func_only=True)  # venv creation (first run) is not bounded by this
def test_mitm_capture_session_routes_device_and_collects(
    mitmdump: Path, upstream: int, tmp_path: Path
) -> None:
    runner = ReplayRunner([])  # the device side: adb reverse / settings answered with empty output
    port = free_port()
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


def test_a_proxy_that_died_during_the_session_is_reported_on_stop() -> None:
    runner = ReplayRunner([])
    cap = MitmCapture(Path("/venv/bin/mitmdump"), Adb(runner))
    proc = subprocess.Popen(["sh", "-c", "echo 'Address already in use' >&2; exit 3"], stderr=subprocess.PIPE)
    proc.wait(timeout=10)
    cap._proc = proc
    with pytest.raises(AdbError, match=r"exited during the session \(3\): Address already in use"):
        cap.stop()
    assert runner.commands()[-1].endswith("settings put global http_proxy :0")  # the device is still reset
    cap.stop()  # idempotent
