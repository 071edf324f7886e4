"""``apprights collect`` end to end on a fake adb executable (recorded device outputs, ``fake_adb.py``) with the
real mitmdump: an --out folder that does not exist yet once aborted the session and lost every event."""

from __future__ import annotations

import json
import stat
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from apprights.cli.collect_cmd import collect_cmd
from apprights.collect.trace import validate_trace_file
from tests.collect.conftest import free_port
from tests.collect.replay import fixture

HERE = Path(__file__).parent
PKG = "com.example.news"


def _adb(tmp_path: Path) -> tuple[Path, Path]:
    rules = [
        ["devices", fixture("adb", "devices_one.txt")],
        ["uninstall", "Success\n"],
        [" install ", "Performing Streamed Install\nSuccess\n"],
        ["logcat -b events -d", fixture("adb", "logcat_events.txt")],
        ["dumpsys package", fixture("adb", "dumpsys_package_initial.txt")],
        ["dumpsys window", fixture("adb", "dumpsys_window.txt")],
        ["getprop ro.build.version.release", "13\n"],
        ["shell id", "uid=0(root) gid=0(root)\n"],
        ["resolve-activity", fixture("adb", "resolve_activity.txt")],
        ["am start", "Starting: Intent { cmp=com.example.news/.SplashActivity }\nStatus: ok\n"],
        ["uiautomator dump", "UI hierchary dumped to: /sdcard/apprights_window_dump.xml\n"],
        ["exec-out cat", fixture("ui", "main_screen.xml")],
        ["am broadcast", "Broadcasting: Intent { act=x }\nBroadcast completed: result=0\n"],
    ]
    rules_file = tmp_path / "rules.json"
    rules_file.write_text(json.dumps(rules), encoding="utf-8")
    log = tmp_path / "adb.log"
    exe = tmp_path / "adb"
    exe.write_text(
        f'#!/bin/sh\nFAKE_ADB_RULES="{rules_file}" FAKE_ADB_LOG="{log}" exec "{sys.executable}" '
        f'"{HERE / "fake_adb.py"}" "$@"\n',
        encoding="utf-8",
    )
    exe.chmod(exe.stat().st_mode | stat.S_IEXEC)
    return exe, log


@pytest.mark.timeout(180, func_only=True)
def test_collect_with_mitmdump_into_a_new_out_folder(mitmdump: Path, tmp_path: Path) -> None:
    adb, log = _adb(tmp_path)
    apk = tmp_path / "news.apk"
    apk.write_bytes(b"PK\x03\x04 hashed only")
    out = tmp_path / "campaign" / "2026-12" / "traces"
    port = free_port()
    app = typer.Typer()
    app.command()(collect_cmd)
    r = CliRunner().invoke(
        app,
        [
            str(apk),
            "--package",
            PKG,
            "--out",
            str(out),
            "--path",
            "refuse",
            "--adb",
            str(adb),
            "--no-frida",
            "--mitmdump",
            str(mitmdump),
            "--proxy-port",
            str(port),
            "--idle",
            "0",
            "--launch-wait",
            "0",
            "--background",
            "0",
            "--screen-off",
            "0",
            "--settle",
            "0",
            "--after-kill",
            "0",
            "--no-screenshots",
        ],
    )
    assert r.exit_code == 0, r.stderr
    trace = out / f"{PKG}.refuse.jsonl"
    assert r.stdout.strip() == str(trace)
    assert f"{PKG} refuse path:" in r.stderr and f"{PKG}: 1 paths in" in r.stderr  # time per path and app
    events = validate_trace_file(trace)
    assert events[0]["fresh_install"] is True and "clock" in events[0]
    notes = [e["text"] for e in events if e["type"] == "note"]
    assert not any("traffic capture not started" in n for n in notes)
    assert [e["state"] for e in events if e["type"] == "app_state"][-1] == "killed"
    cmds = log.read_text(encoding="utf-8").splitlines()
    assert f"-s emulator-5554 reverse tcp:{port} tcp:{port}" in cmds
    assert cmds[-3:] == [
        "-s emulator-5554 shell settings put global http_proxy :0",  # the proxy setting is cleared
        "-s emulator-5554 logcat -b events -d -v epoch",
        "-s emulator-5554 logcat -b system -d -v epoch ActivityManager:I *:S",  # "Start proc … for broadcast"
    ]
    assert not (out / f"{PKG}.refuse.jsonl.network.jsonl").exists()  # merged into the trace
