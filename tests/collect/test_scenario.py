"""The scenario driver against recorded adb outputs: both consent paths, permission answers, lifecycle steps,
and merging agent, event-log and proxy events into one valid trace."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from apprights.collect.adb import Adb
from apprights.collect.agent import MessageConverter
from apprights.collect.scenario import ScenarioDriver, ScenarioOptions
from apprights.collect.trace import validate_trace_file
from tests.collect.replay import FIXTURES, FakeClock, Output, ReplayRunner, fixture

PKG = "com.example.news"
DEVICE_T0 = "1764300000.000000000"


def _rules(
    ui: list[str], dumpsys: list[str], clock: FakeClock | None = None
) -> list[tuple[str, list[Output]]]:
    """Recorded device outputs; the device clock (``date``, also printed before each ``input tap``) follows
    ``clock``."""
    date: Output = clock.device_date if clock is not None else DEVICE_T0 + "\n"
    return [
        ("uninstall", ["Success\n"]),
        (" install ", ["Performing Streamed Install\nSuccess\n"]),
        ("logcat -b events -c", [""]),
        ("logcat -b events -d", [fixture("adb", "logcat_events.txt")]),
        ("date +%s.%N", [date]),
        ("dumpsys package", dumpsys),
        ("dumpsys window", [fixture("adb", "dumpsys_window.txt")]),
        ("getprop ro.kernel.qemu", ["1\n"]),
        ("getprop ro.hardware", ["ranchu\n"]),
        ("getprop ro.product.model", ["sdk_gphone64_x86_64\n"]),
        ("getprop ro.build.version.release", ["13\n"]),
        ("shell id", ["uid=0(root) gid=0(root) groups=0(root) context=u:r:su:s0\n"]),
        ("resolve-activity", [fixture("adb", "resolve_activity.txt")]),
        (
            "am start",
            ["Starting: Intent { cmp=com.example.news/.SplashActivity }\nStatus: ok\nLaunchState: COLD\n"],
        ),
        ("uiautomator dump", ["UI hierchary dumped to: /sdcard/apprights_window_dump.xml\n"]),
        ("exec-out cat", [fixture("ui", name) for name in ui]),
        (
            "am broadcast",
            [
                "Broadcasting: Intent { act=android.intent.action.BOOT_COMPLETED flg=0x400000 }\nBroadcast completed: result=0\n"
            ],
        ),
    ]


def _options(path: str, apk: Path) -> ScenarioOptions:
    return ScenarioOptions(
        package=PKG, path=path, apk=apk, idle_seconds=30, background_seconds=10, screen_off_seconds=10
    )


@pytest.fixture
def apk(tmp_path: Path) -> Path:
    p = tmp_path / "news.apk"
    p.write_bytes(b"PK\x03\x04 not a real apk, only hashed")
    return p


def _types(events: list[dict[str, Any]]) -> list[str]:
    return [e["type"] for e in events]


def test_refuse_path(tmp_path: Path, apk: Path, knowledge: Any) -> None:
    clock = FakeClock()
    runner = ReplayRunner(
        _rules(
            clock=clock,
            ui=["privacy_dialog.xml", "privacy_confirm.xml", "permission_dialog.xml", "main_screen.xml"],
            dumpsys=[
                fixture("adb", "dumpsys_package_initial.txt"),
                fixture("adb", "dumpsys_package_initial.txt"),
                fixture("adb", "dumpsys_package_phone_denied.txt"),
            ],
        )
    )
    out = tmp_path / "traces" / f"{PKG}.refuse.jsonl"
    driver = ScenarioDriver(Adb(runner, serial="emulator-5554"), clock, _options("refuse", apk), out)
    assert driver.run() == out
    events = validate_trace_file(out)
    header = events[0]
    assert header["package"] == PKG and header["scenario"] == "refuse-path"
    assert header["version_name"] == "5.2.0" and header["version_code"] == 520
    assert header["device"] == {
        "model": "sdk_gphone64_x86_64",
        "android": "13",
        "rooted": True,
        "emulator": True,
    }
    assert len(header["apk_sha256"]) == 64
    consent = [(e["action"], e["t"]) for e in events if e["type"] == "consent"]
    assert [a for a, _ in consent] == ["shown", "refused"]
    taps = [e["text"] for e in events if e["type"] == "tap"]
    assert taps == ["不同意", "仍不同意", "deny"]
    tap_xy = next(e for e in events if e["type"] == "tap")
    assert (tap_xy["x"], tap_xy["y"]) == (315, 1620)
    # without the agent, the dialog answer is the request record
    (req,) = [e for e in events if e["type"] == "permission_request"]
    assert req["permissions"] == ["android.permission.READ_PHONE_STATE"]
    (res,) = [e for e in events if e["type"] == "permission_result"]
    assert res["result"] == "denied" and res["t"] >= req["t"]
    states = [e["state"] for e in events if e["type"] == "app_state"]
    assert states == ["not_running", "foreground", "background", "screen_off", "screen_on", "killed"]
    procs = [e for e in events if e["type"] == "proc_start"]
    assert any(e["process"] == f"{PKG}:push" for e in procs)
    assert any(e["hosting_type"] == "broadcast" and e["package"] == PKG for e in procs)
    # the device saw the lifecycle commands, in order
    cmds = runner.commands()
    order = [
        next(i for i, c in enumerate(cmds) if frag in c)
        for frag in (
            "uninstall",
            " install ",
            "KEYCODE_HOME",
            "KEYCODE_SLEEP",
            "KEYCODE_WAKEUP",
            "force-stop",
            "BOOT_COMPLETED",
        )
    ]
    assert order == sorted(order)
    assert any("input tap 315 1620" in c for c in cmds)
    assert any(
        "am broadcast --include-stopped-packages -a android.intent.action.BOOT_COMPLETED -p com.example.news"
        in c
        for c in cmds
    )
    assert not (out.parent / f"{out.name}.network.jsonl").exists()
    from apprights.extractors.trace import extract_trace_session

    assert extract_trace_session(out, knowledge).package == PKG


class _RecordedAgent:
    """Instrumentation that replays recorded Frida agent messages through the real converter."""

    def __init__(self, messages: list[dict[str, Any]]) -> None:
        self.messages = messages
        self.events: list[dict[str, Any]] = []
        self.stopped = False

    def spawn(self, package: str, device_t0: float) -> int:
        conv = MessageConverter(device_t0, process=package, pid=12345)
        for m in self.messages:
            self.events.extend(conv.convert(m))
        return 12345

    def drain(self) -> list[dict[str, Any]]:
        events, self.events = self.events, []
        return events

    def stop(self) -> None:
        self.stopped = True


class _RecordedCapture:
    """Traffic capture that writes recorded addon output to the session's fragment."""

    def __init__(self, lines: list[dict[str, Any]]) -> None:
        self.lines = lines
        self.started_with: tuple[Path, float, str] | None = None

    def start(self, fragment: Path, host_epoch_t0: float, process: str) -> None:
        self.started_with = (fragment, host_epoch_t0, process)
        fragment.write_text("".join(json.dumps(x) + "\n" for x in self.lines), encoding="utf-8")

    def stop(self) -> None:
        pass


def test_agree_path_with_agent_and_capture(tmp_path: Path, apk: Path, knowledge: Any) -> None:
    clock = FakeClock()
    runner = ReplayRunner(
        _rules(
            clock=clock,
            ui=["privacy_dialog.xml", "permission_dialog.xml", "permission_dialog.xml", "main_screen.xml"],
            dumpsys=[
                fixture("adb", "dumpsys_package_initial.txt"),
                fixture("adb", "dumpsys_package_initial.txt"),
                fixture("adb", "dumpsys_package_phone_denied.txt"),
                fixture("adb", "dumpsys_package_phone_denied.txt"),
                fixture("adb", "dumpsys_package_location_allowed.txt"),
            ],
        )
    )
    messages = [
        json.loads(x) for x in (FIXTURES / "agent_messages.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    agent = _RecordedAgent(messages)
    network = [
        {
            "type": "network",
            "t": 1.9,
            "host": "ulogs.umeng.com",
            "method": "POST",
            "url": "https://ulogs.umeng.com/unify_logs",
            "port": 443,
            "scheme": "https",
            "tls": True,
            "request_body_b64": "eyJpbWVpIjoiODYxMjM0NTY3ODkwMTIzIn0=",
            "response_status": 200,
        },
        {
            "type": "network",
            "t": 0.8,
            "host": "api.example.com",
            "method": "GET",
            "url": "http://api.example.com/config",
            "tls": False,
        },
    ]
    capture = _RecordedCapture(network)
    out = tmp_path / f"{PKG}.agree.jsonl"
    driver = ScenarioDriver(
        Adb(runner),
        clock,
        _options("agree", apk),
        out,
        instrumentation=agent,
        capture=capture,
        host_epoch=lambda: 1764300000.25,
    )
    driver.run()
    events = validate_trace_file(out)  # sorted by t, every required field present
    assert agent.stopped and capture.started_with is not None
    assert capture.started_with[1] == 1764300000.25 and capture.started_with[2] == PKG
    consent = [e for e in events if e["type"] == "consent"]
    assert [e["action"] for e in consent] == ["shown", "agreed"]
    taps = [e for e in events if e["type"] == "tap"]
    assert [t.get("text") for t in taps] == [
        "我已阅读并同意《用户协议》和《隐私政策》",
        "同意并继续",
        "deny",
        "allow",
    ]
    assert taps[1]["id"] == "com.example.news:id/btn_agree_wrap"
    results = [(e["permission"], e["result"]) for e in events if e["type"] == "permission_result"]
    assert results == [
        ("android.permission.READ_PHONE_STATE", "denied"),
        ("android.permission.ACCESS_COARSE_LOCATION", "granted"),
        ("android.permission.ACCESS_FINE_LOCATION", "granted"),
    ]
    # with the agent, permission requests come from the hook (with a stack), not from the dialog
    reqs = [e for e in events if e["type"] == "permission_request"]
    assert len(reqs) == 1 and reqs[0]["stack"]
    api = [e for e in events if e["type"] == "api_call"]
    assert api[0]["api"] == "android.telephony.TelephonyManager.getDeviceId" and api[0]["t"] == pytest.approx(
        1.2
    )
    assert api[0]["process"] == PKG and api[0]["pid"] == 12345
    hosts = [e["host"] for e in events if e["type"] == "network"]
    assert hosts == ["api.example.com", "ulogs.umeng.com"]  # merged and sorted
    imei_read = next(i for i, e in enumerate(events) if e["type"] == "api_call")
    agreed = next(i for i, e in enumerate(events) if e.get("action") == "agreed")
    assert imei_read < agreed  # the recorded SDK read happens before the agree tap at t≈10 s
    assert any(e["type"] == "intent" and e["target_package"] == "com.example.shop" for e in events)
    assert not Path(str(out) + ".network.jsonl").exists()  # merged, then removed
    # the project's trace extractor (the consumer) reads the collector's output
    from apprights.extractors.trace import extract_trace_session

    session = extract_trace_session(out, knowledge)
    assert session.package == PKG


def test_refuse_path_without_refuse_choice(tmp_path: Path, apk: Path) -> None:
    clock = FakeClock()
    runner = ReplayRunner(
        _rules(
            clock=clock, ui=["acknowledge_only.xml"], dumpsys=[fixture("adb", "dumpsys_package_initial.txt")]
        )
    )
    out = tmp_path / "w.jsonl"
    ScenarioDriver(Adb(runner), clock, _options("refuse", apk), out).run()
    events = validate_trace_file(out)
    assert [e["action"] for e in events if e["type"] == "consent"] == ["shown"]
    notes = [e["text"] for e in events if e["type"] == "note"]
    assert sum("no refuse choice" in n for n in notes) == 1
    assert any("pre-ticked" in n for n in notes)
    assert not any(e["type"] == "tap" for e in events)
    ui = [e for e in events if e["type"] == "ui"]
    assert ui[0]["checkboxes"][0]["checked"] is True


def test_unknown_path_rejected(apk: Path) -> None:
    with pytest.raises(ValueError):
        ScenarioOptions(package=PKG, path="maybe", apk=apk)


class _BrokenCapture(_RecordedCapture):
    def start(self, fragment: Path, host_epoch_t0: float, process: str) -> None:
        fragment.write_text('{"type": "network", "t": 1.0}\n', encoding="utf-8")  # no host/method


def test_unreadable_capture_is_noted_and_kept(tmp_path: Path, apk: Path) -> None:
    clock = FakeClock()
    runner = ReplayRunner(
        _rules(clock=clock, ui=["main_screen.xml"], dumpsys=[fixture("adb", "dumpsys_package_initial.txt")])
    )
    out = tmp_path / "b.jsonl"
    ScenarioDriver(Adb(runner), clock, _options("agree", apk), out, capture=_BrokenCapture([])).run()
    events = validate_trace_file(out)
    notes = [e["text"] for e in events if e["type"] == "note"]
    assert any("network capture unreadable" in n and "missing field 'host'" in n for n in notes)
    assert any("no privacy-policy dialog found" in n for n in notes)
    assert (tmp_path / "b.jsonl.network.jsonl").exists()


def test_window_dump_failures_are_noted_not_fatal(tmp_path: Path, apk: Path) -> None:
    clock = FakeClock()
    rules = _rules(
        clock=clock, ui=["main_screen.xml"], dumpsys=[fixture("adb", "dumpsys_package_initial.txt")]
    )
    rules.insert(0, ("uiautomator dump", ["ERROR: could not get idle state.\n"]))
    out = tmp_path / "d.jsonl"
    ScenarioDriver(Adb(ReplayRunner(rules)), clock, _options("refuse", apk), out).run()
    events = validate_trace_file(out)
    notes = [e["text"] for e in events if e["type"] == "note"]
    # --no-frida: nothing else can read the screen; every round is an unknown step (not a quiet screen), then
    # the lifecycle goes on
    unreadable = [n for n in notes if n.startswith("screen could not be read")]
    assert len(unreadable) == ScenarioOptions(package=PKG, path="refuse").max_dialog_rounds
    assert "could not get idle state" in unreadable[0] and "--no-frida" in unreadable[0]
    assert any(n.startswith("consent state unknown: the screen could not be read (8 times)") for n in notes)
    assert not any("no privacy-policy dialog found" in n for n in notes)
    assert [e for e in events if e["type"] in ("consent", "ui", "tap")] == []
    assert [e["state"] for e in events if e["type"] == "app_state"][-1] == "killed"


def test_an_unreadable_system_log_is_noted_and_the_event_log_still_merged(tmp_path: Path, apk: Path) -> None:
    from apprights.collect.adb import CommandResult

    clock = FakeClock()
    rules = _rules(
        clock=clock, ui=["main_screen.xml"], dumpsys=[fixture("adb", "dumpsys_package_initial.txt")]
    )
    rules.insert(0, ("logcat -b system -d", [CommandResult(1, "", "logcat: Unable to open log device\n")]))
    out = tmp_path / "s.jsonl"
    ScenarioDriver(Adb(ReplayRunner(rules)), clock, _options("refuse", apk), out).run()
    events = validate_trace_file(out)
    notes = [e["text"] for e in events if e["type"] == "note"]
    assert any(
        n.startswith("system log at the end unavailable:") and "Unable to open log device" in n for n in notes
    )
    assert any(e["type"] == "proc_start" for e in events)
