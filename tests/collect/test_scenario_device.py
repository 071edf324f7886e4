"""The scenario driver on what a real device does: the app reacts to a tap at once (times are the moment the
tap was sent, on the device clock), permission answers come from the app's result hook, protected broadcasts
are refused to the shell user, and helper processes fail. Each case once produced a wrong or lost finding."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from apprights.collect.adb import Adb, AdbError, CommandResult
from apprights.collect.agent import MessageConverter
from apprights.collect.dialogs import find_permission_dialog
from apprights.collect.masking import find_leaks as trace_leaks
from apprights.collect.scenario import ScenarioDriver, ScenarioOptions
from apprights.collect.trace import validate_trace_file
from apprights.collect.uiautomator import parse_dump
from apprights.extractors.trace import extract_traces
from apprights.model.facts import AppFacts
from apprights.rules.base import Rule, RuleContext
from apprights.rules.t1_collect.rt_collect_before_consent import CollectBeforeConsent
from apprights.rules.t5_permissions.rt_rerequest_after_denial import RerequestAfterDenial
from tests.collect.replay import FakeClock, Output, ReplayRunner, fixture
from tests.collect.test_scenario import PKG, _rules

DEVICE_START = 1764300000.0
UMENG_STACK = [
    "android.telephony.TelephonyManager.getDeviceId(Native Method)",
    "com.umeng.commonsdk.statistics.common.DeviceConfig.getImeiNew(DeviceConfig.java:318)",
    "com.umeng.commonsdk.UMConfigure.init(UMConfigure.java:412)",
    "com.example.news.App.onAgreed(App.java:40)",
]
APP_STACK = [
    "android.app.Activity.requestPermissions(Native Method)",
    "com.example.news.MainActivity.askPhone(MainActivity.java:61)",
]


@pytest.fixture
def apk(tmp_path: Path) -> Path:
    p = tmp_path / "news.apk"
    p.write_bytes(b"PK\x03\x04 hashed only")
    return p


def _options(path: str, apk: Path | None) -> ScenarioOptions:
    return ScenarioOptions(
        package=PKG, path=path, apk=apk, idle_seconds=30, background_seconds=10, screen_off_seconds=10
    )


class _TapRecorder:
    """The device side of ``date; input tap``: prints the device clock and remembers it."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.device_times: list[float] = []

    def __call__(self) -> str:
        out = self.clock.device_date()
        self.device_times.append(float(out))
        return out


class _ReactiveAgent:
    """Instrumentation whose app reacts to the driver's taps: ``reactions[i]`` = agent messages sent
    ``delay`` seconds after the i-th tap (device clock), converted by the real converter."""

    def __init__(self, taps: _TapRecorder, reactions: dict[int, list[tuple[float, dict[str, Any]]]]) -> None:
        self.taps = taps
        self.reactions = reactions
        self.device_t0 = 0.0

    def spawn(self, package: str, device_t0: float) -> int:
        self.device_t0 = device_t0
        return 4242

    def drain(self) -> list[dict[str, Any]]:
        conv = MessageConverter(self.device_t0, process=PKG, pid=4242)
        out: list[dict[str, Any]] = []
        for i, messages in self.reactions.items():
            for delay, payload in messages:
                msg = {**payload, "t": round((self.taps.device_times[i] + delay) * 1000)}
                out.extend(conv.convert({"type": "send", "payload": msg}))
        return out

    def stop(self) -> None:
        pass


def _run_rule(rule: type[Rule], traces: list[Path], knowledge: Any) -> list[Any]:
    facts = AppFacts(runtime=extract_traces(traces, knowledge))
    return list(rule().check(facts, RuleContext(knowledge, {})))


def test_sdk_start_triggered_by_the_agree_tap_is_after_consent(
    tmp_path: Path, apk: Path, knowledge: Any
) -> None:
    clock = FakeClock(device_start=DEVICE_START)
    taps = _TapRecorder(clock)
    rules = _rules(
        clock=clock,
        ui=["privacy_dialog.xml", "main_screen.xml"],
        dumpsys=[fixture("adb", "dumpsys_package_initial.txt")],
    )
    rules.insert(0, ("input tap", [taps]))
    # taps: 0 = tick the policy checkbox, 1 = 同意并继续; Umeng initialises 0.3 s after the agree tap
    imei = {
        "type": "api_call",
        "api": "android.telephony.TelephonyManager.getDeviceId",
        "args": [],
        "ret": "861234567890123",
        "stack": UMENG_STACK,
        "thread": "main",
    }
    agent = _ReactiveAgent(taps, {1: [(0.3, imei)]})
    out = tmp_path / "agree.jsonl"
    ScenarioDriver(Adb(ReplayRunner(rules)), clock, _options("agree", apk), out, instrumentation=agent).run()
    events = validate_trace_file(out)
    (agreed,) = [e for e in events if e.get("action") == "agreed"]
    tap = [e for e in events if e["type"] == "tap"][1]
    assert agreed["t"] == pytest.approx(taps.device_times[1] - DEVICE_START) == tap["t"]
    (call,) = [e for e in events if e["type"] == "api_call"]
    assert call["t"] == pytest.approx(agreed["t"] + 0.3)
    assert events.index(call) > events.index(agreed)
    header = events[0]
    assert header["clock"]["device_t0"] == DEVICE_START and header["fresh_install"] is True
    assert _run_rule(CollectBeforeConsent, [out], knowledge) == []


def test_permission_answers_at_the_tap_and_a_reask_right_after_denial_is_seen(
    tmp_path: Path, apk: Path, knowledge: Any
) -> None:
    clock = FakeClock(device_start=DEVICE_START)
    taps = _TapRecorder(clock)
    rules = _rules(
        clock=clock,
        ui=["privacy_dialog.xml", "permission_dialog.xml", "main_screen.xml"],
        dumpsys=[
            fixture("adb", "dumpsys_package_initial.txt"),
            fixture("adb", "dumpsys_package_initial.txt"),
            fixture("adb", "dumpsys_package_phone_denied.txt"),
        ],
    )
    rules.insert(0, ("input tap", [taps]))
    phone = "android.permission.READ_PHONE_STATE"
    ask = {
        "type": "api_call",
        "api": "android.app.Activity.requestPermissions",
        "args": [[phone], 100],
        "ret": None,
        "stack": APP_STACK,
        "thread": "main",
    }
    result = {
        "type": "permission_result",
        "results": [{"permission": phone, "result": "denied"}],
        "stack": [],
    }
    # tap 2 = deny: the app gets the result 0.1 s later and asks again 0.6 s after the tap
    agent = _ReactiveAgent(taps, {1: [(0.5, ask)], 2: [(0.1, result), (0.6, ask)]})
    out = tmp_path / "agree.jsonl"
    ScenarioDriver(Adb(ReplayRunner(rules)), clock, _options("agree", apk), out, instrumentation=agent).run()
    events = validate_trace_file(out)
    results = [e for e in events if e["type"] == "permission_result"]
    assert (
        len(results) == 1 and results[0]["process"] == PKG
    )  # the hook's record, not a duplicate from dumpsys
    deny_tap = [e for e in events if e["type"] == "tap"][2]
    assert results[0]["t"] == pytest.approx(deny_tap["t"] + 0.1)
    (finding,) = _run_rule(RerequestAfterDenial, [out], knowledge)
    assert "PHONE" in finding.key

    # without the agent the dumpsys answer is stamped at the deny tap, not after the settle delay
    clock = FakeClock(device_start=DEVICE_START)
    taps = _TapRecorder(clock)
    rules = _rules(
        clock=clock,
        ui=["privacy_dialog.xml", "permission_dialog.xml", "main_screen.xml"],
        dumpsys=[
            fixture("adb", "dumpsys_package_initial.txt"),
            fixture("adb", "dumpsys_package_initial.txt"),
            fixture("adb", "dumpsys_package_phone_denied.txt"),
        ],
    )
    rules.insert(0, ("input tap", [taps]))
    out2 = tmp_path / "plain.jsonl"
    ScenarioDriver(Adb(ReplayRunner(rules)), clock, _options("agree", apk), out2).run()
    events = validate_trace_file(out2)
    (res,) = [e for e in events if e["type"] == "permission_result"]
    assert res["t"] == pytest.approx(taps.device_times[2] - DEVICE_START)


REFUSED = (
    "Broadcasting: Intent { act=android.intent.action.BOOT_COMPLETED flg=0x400010 pkg=com.example.news }\n"
    "Security exception: Permission Denial: not allowed to send broadcast android.intent.action.BOOT_COMPLETED"
    " from pid=12911, uid=2000\n"
)


def test_self_start_stimuli_on_a_device_without_root(tmp_path: Path, apk: Path) -> None:
    clock = FakeClock()
    rules: list[tuple[str, list[Output]]] = [
        ("shell id", ["uid=2000(shell) gid=2000(shell) groups=2000(shell) context=u:r:shell:s0\n"]),
        ("su -c id", [CommandResult(127, "", "/system/bin/sh: su: inaccessible or not found\n")]),
        ("am broadcast", [REFUSED]),
        *_rules(clock=clock, ui=["main_screen.xml"], dumpsys=[fixture("adb", "dumpsys_package_initial.txt")]),
    ]
    runner = ReplayRunner(rules)
    out = tmp_path / "r.jsonl"
    ScenarioDriver(Adb(runner), clock, _options("refuse", apk), out).run()
    events = validate_trace_file(out)
    assert events[0]["device"]["rooted"] is False
    notes = [e["text"] for e in events if e["type"] == "note"]
    assert sum("not delivered" in n and "Permission Denial" in n for n in notes) == 6
    cmds = runner.commands()
    # a force-stopped app only receives broadcasts sent with --include-stopped-packages
    assert all("--include-stopped-packages" in c for c in cmds if "am broadcast" in c)
    assert not any("su -c 'am broadcast" in c for c in cmds)
    # the real events the driver can cause without root
    assert any(c.endswith("svc wifi disable") for c in cmds) and any(
        c.endswith("svc wifi enable") for c in cmds
    )
    assert any(c.endswith("wm dismiss-keyguard") for c in cmds)
    assert any("Wi-Fi turned off and on" in n for n in notes)
    # this device never reports sys.boot_completed=1 after the reboot: said so, the session still ends
    assert any(
        "real event reboot failed: adb: the device did not finish booting within 300 s" in n for n in notes
    )
    assert [e["state"] for e in events if e["type"] == "app_state"][-1] == "killed"


def test_self_start_broadcasts_go_through_su_on_a_rooted_phone(tmp_path: Path, apk: Path) -> None:
    clock = FakeClock()
    done = "Broadcasting: Intent { act=x flg=0x400010 }\nBroadcast completed: result=0\n"
    rules: list[tuple[str, list[Output]]] = [
        ("shell id", ["uid=2000(shell) gid=2000(shell)\n"]),
        ("su -c id", ["uid=0(root) gid=0(root) context=u:r:magisk:s0\n"]),
        ("su -c 'am broadcast", [done]),
        ("am broadcast", [REFUSED]),
        *_rules(clock=clock, ui=["main_screen.xml"], dumpsys=[fixture("adb", "dumpsys_package_initial.txt")]),
    ]
    runner = ReplayRunner(rules)
    out = tmp_path / "r.jsonl"
    ScenarioDriver(Adb(runner), clock, _options("refuse", apk), out).run()
    events = validate_trace_file(out)
    assert events[0]["device"]["rooted"] is True
    notes = [e["text"] for e in events if e["type"] == "note"]
    assert sum("as root: Broadcast completed" in n for n in notes) == 6
    assert any(
        "su -c 'am broadcast --include-stopped-packages -a android.intent.action.BOOT_COMPLETED -p com.example.news'"
        in c
        for c in runner.commands()
    )
    # another app "installed": PACKAGE_ADDED with the new package as data
    assert any(
        "-a android.intent.action.PACKAGE_ADDED -d package:com.apprights.stimulus -p com.example.news'" in c
        for c in runner.commands()
    )


class _FailingCapture:
    def start(self, fragment: Path, host_epoch_t0: float, process: str) -> None:
        raise AdbError("mitmdump: exited at start (1): Address already in use")

    def stop(self) -> None:  # pragma: no cover - never started
        raise AssertionError("stop of a capture that did not start")


def test_missing_out_folder_and_failing_proxy_lose_no_events(tmp_path: Path, apk: Path) -> None:
    clock = FakeClock()
    rules = _rules(
        clock=clock,
        ui=["privacy_dialog.xml", "main_screen.xml"],
        dumpsys=[fixture("adb", "dumpsys_package_initial.txt")],
    )
    out = tmp_path / "not" / "yet" / "there" / "a.jsonl"
    ScenarioDriver(
        Adb(ReplayRunner(rules)), clock, _options("agree", apk), out, capture=_FailingCapture()
    ).run()
    events = validate_trace_file(out)
    notes = [e["text"] for e in events if e["type"] == "note"]
    assert any("traffic capture not started" in n and "Address already in use" in n for n in notes)
    assert [e["action"] for e in events if e["type"] == "consent"] == ["shown", "agreed"]
    assert any(e["type"] == "proc_start" for e in events)  # the event log is still merged


def test_a_device_failure_mid_session_still_writes_the_trace(tmp_path: Path, apk: Path) -> None:
    clock = FakeClock()
    rules: list[tuple[str, list[Output]]] = [
        ("force-stop", [CommandResult(1, "", "error: device offline\n")]),
        *_rules(
            clock=clock,
            ui=["privacy_dialog.xml", "main_screen.xml"],
            dumpsys=[fixture("adb", "dumpsys_package_initial.txt")],
        ),
    ]
    out = tmp_path / "x.jsonl"
    with pytest.raises(AdbError, match="device offline"):
        ScenarioDriver(Adb(ReplayRunner(rules)), clock, _options("agree", apk), out).run()
    events = validate_trace_file(out)
    assert [e["action"] for e in events if e["type"] == "consent"] == ["shown", "agreed"]
    assert any("session aborted" in e["text"] for e in events if e["type"] == "note")


def test_agree_button_not_recognised_is_said_and_not_judged_as_pre_consent(
    tmp_path: Path, apk: Path, knowledge: Any
) -> None:
    clock = FakeClock()
    odd = fixture("ui", "privacy_dialog.xml").replace('text="同意并继续"', 'text="立即体验"')
    rules = _rules(
        clock=clock, ui=["main_screen.xml"], dumpsys=[fixture("adb", "dumpsys_package_initial.txt")]
    )
    rules.insert(0, ("exec-out cat", [odd, fixture("ui", "main_screen.xml")]))
    imei = {
        "type": "api_call",
        "api": "android.telephony.TelephonyManager.getDeviceId",
        "args": [],
        "ret": "861234567890123",
        "stack": UMENG_STACK,
        "thread": "main",
    }
    taps = _TapRecorder(clock)
    out = tmp_path / "agree.jsonl"

    class _Agent(_ReactiveAgent):
        def drain(self) -> list[dict[str, Any]]:
            conv = MessageConverter(self.device_t0, process=PKG, pid=4242)
            return conv.convert(
                {"type": "send", "payload": {**imei, "t": round((self.device_t0 + 30) * 1000)}}
            )

    ScenarioDriver(
        Adb(ReplayRunner(rules)), clock, _options("agree", apk), out, instrumentation=_Agent(taps, {})
    ).run()
    events = validate_trace_file(out)
    assert not [e for e in events if e["type"] == "consent"]
    notes = [e["text"] for e in events if e["type"] == "note"]
    assert any("no agree button recognised" in n and "立即体验" in n for n in notes)
    assert not any(e["type"] == "tap" for e in events)
    assert _run_rule(CollectBeforeConsent, [out], knowledge) == []


def test_android13_notification_prompt_does_not_use_up_the_denial(tmp_path: Path, apk: Path) -> None:
    clock = FakeClock()
    notify = fixture("ui", "permission_dialog.xml").replace("拨打电话和管理通话", "向您发送通知")
    rules = _rules(
        clock=clock,
        ui=["main_screen.xml"],
        dumpsys=[
            fixture("adb", "dumpsys_package_initial.txt"),
            fixture("adb", "dumpsys_package_initial.txt"),
            fixture("adb", "dumpsys_package_initial.txt"),
            fixture("adb", "dumpsys_package_initial.txt"),
            fixture("adb", "dumpsys_package_phone_denied.txt"),
        ],
    )
    rules.insert(
        0,
        (
            "exec-out cat",
            [
                fixture("ui", "privacy_dialog.xml"),
                notify,
                fixture("ui", "permission_dialog.xml"),
                fixture("ui", "main_screen.xml"),
            ],
        ),
    )
    out = tmp_path / "a13.jsonl"
    ScenarioDriver(Adb(ReplayRunner(rules)), clock, _options("agree", apk), out).run()
    events = validate_trace_file(out)
    taps = [e for e in events if e.get("dialog") == "permission"]
    assert [t["text"] for t in taps] == ["allow", "deny"]  # the phone dialog gets the denial
    assert [(e["permission"], e["result"]) for e in events if e["type"] == "permission_result"] == [
        ("android.permission.READ_PHONE_STATE", "denied")
    ]
    assert any("notification permission prompt allowed" in e["text"] for e in events if e["type"] == "note")


def _screens_rules(clock: FakeClock, screens: list[str]) -> list[tuple[str, list[Output]]]:
    rules = _rules(
        clock=clock,
        ui=["main_screen.xml"],
        dumpsys=[fixture("adb", "dumpsys_package_initial.txt")],
    )
    rules.insert(0, ("exec-out cat", [fixture("ui", f"{name}.xml") for name in screens]))
    return rules


@pytest.mark.parametrize(
    ("path", "screens", "answers"),
    [
        (
            "deny-all",
            ["privacy_dialog", "permission_dialog", "permission_dialog", "main_screen"],
            ["deny", "deny"],
        ),
        (
            "dont-ask-again",
            ["privacy_dialog", "permission_dialog", "permission_dialog", "main_screen"],
            ["deny forever", "deny forever"],
        ),
        (
            "relaunch",
            [
                "privacy_dialog",
                "permission_dialog",
                "main_screen",
                "main_screen",
                "permission_dialog",
                "main_screen",
            ],
            ["deny", "allow"],  # the dialog that comes back after the relaunch is the re-ask
        ),
    ],
)
def test_lab_paths(tmp_path: Path, apk: Path, path: str, screens: list[str], answers: list[str]) -> None:
    clock = FakeClock()
    runner = ReplayRunner(_screens_rules(clock, screens))
    out = tmp_path / f"{path}.jsonl"
    ScenarioDriver(Adb(runner), clock, _options(path, apk), out).run()
    events = validate_trace_file(out)
    assert events[0]["scenario"] == f"{path}-path"
    assert [e["action"] for e in events if e["type"] == "consent"] == ["shown", "agreed"]
    taps = [e for e in events if e.get("dialog") == "permission"]
    assert [t["text"] for t in taps] == answers
    dialog = find_permission_dialog(parse_dump(fixture("ui", "permission_dialog.xml")))
    assert dialog is not None and dialog.deny_forever != dialog.deny
    if path == "dont-ask-again":
        assert {(t["x"], t["y"]) for t in taps} == {dialog.deny_forever}
    if path == "relaunch":
        states = [(e["state"], e.get("reason")) for e in events if e["type"] == "app_state"]
        assert states[1:5] == [
            ("foreground", "launch"),
            ("killed", "force-stop before relaunch"),
            ("foreground", "relaunch"),
            ("background", "home"),
        ]
        cmds = runner.commands()
        kill = next(i for i, c in enumerate(cmds) if "force-stop" in c)
        assert any("am start" in c for c in cmds[kill:])


def test_screenshots_are_linked_from_ui_and_tap_events(tmp_path: Path, apk: Path) -> None:
    clock = FakeClock()
    rules = _rules(
        clock=clock,
        ui=["privacy_dialog.xml", "main_screen.xml"],
        dumpsys=[fixture("adb", "dumpsys_package_initial.txt")],
    )
    runner = ReplayRunner(rules)
    out = tmp_path / f"{PKG}.agree.jsonl"
    ScenarioDriver(Adb(runner), clock, _options("agree", apk), out).run()
    events = validate_trace_file(out)
    ui = [e for e in events if e["type"] == "ui"]
    assert ui[0]["screenshot"] == f"{PKG}.agree.shots/0001.png"
    assert all(t["screenshot"] == ui[0]["screenshot"] for t in events if t["type"] == "tap")
    pulls = [c for c in runner.commands() if " pull " in c]
    assert pulls[0].endswith(str(tmp_path / f"{PKG}.agree.shots" / "0001.png"))
    # a failing screencap is noted and the session goes on
    clock = FakeClock()
    rules = _rules(
        clock=clock, ui=["main_screen.xml"], dumpsys=[fixture("adb", "dumpsys_package_initial.txt")]
    )
    rules.insert(0, ("screencap", [CommandResult(1, "", "screencap: permission denied\n")]))
    out2 = tmp_path / "b.jsonl"
    ScenarioDriver(Adb(ReplayRunner(rules)), clock, _options("agree", apk), out2).run()
    events = validate_trace_file(out2)
    assert any("screenshot failed" in e["text"] for e in events if e["type"] == "note")
    assert not any("screenshot" in e for e in events if e["type"] == "ui")


IMEI = "861234567890123"
PHONE_MAC = "ac:22:0b:50:12:ff"


class _Capture:
    """Traffic capture that writes the given requests to the session's fragment."""

    def __init__(self, lines: list[dict[str, Any]]) -> None:
        self.lines = lines

    def start(self, fragment: Path, host_epoch_t0: float, process: str) -> None:
        fragment.write_text("".join(json.dumps(x) + "\n" for x in self.lines), encoding="utf-8")

    def stop(self) -> None:
        pass


@pytest.mark.parametrize("mask", [False, True])
def test_phone_identifiers_are_found_in_traffic_without_the_agent(
    tmp_path: Path, apk: Path, knowledge: Any, mask: bool
) -> None:
    clock = FakeClock()
    rules: list[tuple[str, list[Output]]] = [
        ("getprop ro.serialno", ["R58M12ABCDE\n"]),
        ("/sys/class/net/wlan0/address", [PHONE_MAC + "\n"]),
        *_rules(
            clock=clock,
            ui=["privacy_dialog.xml", "main_screen.xml"],
            dumpsys=[fixture("adb", "dumpsys_package_initial.txt")],
        ),
    ]
    body = {
        "d": hashlib.md5(IMEI.encode()).hexdigest(),  # SDKs send hashes and encodings, rarely the raw value
        "s": base64.b64encode(b"R58M12ABCDE").decode(),
        "m": PHONE_MAC.replace(":", "").upper(),
    }
    request = {
        "type": "network",
        "t": 1.5,  # before the dialog is answered
        "host": "ulogs.umeng.com",
        "method": "POST",
        "url": "https://ulogs.umeng.com/unify_logs",
        "request_body_b64": base64.b64encode(json.dumps(body).encode()).decode(),
    }
    # the raw values too, where a masked trace used to keep them: URL, header, a gzip'ed body, a base64 body
    raw = {
        "type": "network",
        "t": 1.6,
        "host": "ulogs.umeng.com",
        "method": "POST",
        "url": f"https://ulogs.umeng.com/a?imei={IMEI}&mac={PHONE_MAC.replace(':', '%3A')}",
        "request_headers": {"X-Serial": "R58M12ABCDE", "Content-Encoding": "gzip"},
        "request_body_b64": base64.b64encode(gzip.compress(json.dumps({"imei": IMEI}).encode())).decode(),
    }
    blob = {
        "type": "network",
        "t": 1.7,
        "host": "ulogs.umeng.com",
        "method": "POST",
        "request_body_b64": base64.b64encode(
            base64.b64encode(json.dumps({"mac": PHONE_MAC, "sn": "R58M12ABCDE"}).encode())
        ).decode(),
    }
    options = _options("agree", apk)
    options.device_ids = {"device_id": IMEI}
    options.mask = mask
    out = tmp_path / "ids.jsonl"
    ScenarioDriver(Adb(ReplayRunner(rules)), clock, options, out, capture=_Capture([request, raw, blob])).run()
    text = out.read_text(encoding="utf-8")
    assert (IMEI in text) is not mask and (PHONE_MAC in text) is not mask
    if mask:  # no form of any identifier anywhere: fields, headers, decoded and decompressed bodies
        assert trace_leaks(out, [IMEI, "R58M12ABCDE", PHONE_MAC]) == []
    else:  # the check can fail: unmasked, it finds the values
        assert trace_leaks(out, [IMEI, "R58M12ABCDE", PHONE_MAC])
    (ids,) = [e for e in validate_trace_file(out) if e["type"] == "device_ids"]
    assert {i["pi_type"] for i in ids["ids"]} == {"device_id", "serial", "mac"}
    session = extract_traces([out], knowledge).sessions[0]
    assert {x.pi_type for x in session.pi_transfers} == {"device_id", "serial", "mac"}
    assert all(x.at.pre_consent for x in session.pi_transfers)
    (finding,) = _run_rule(CollectBeforeConsent, [out], knowledge)
    assert "ulogs.umeng.com" in finding.detail_en


def test_a_seeded_identifier_in_traffic_nobody_can_tie_to_the_app_is_not_a_finding(
    tmp_path: Path, apk: Path, knowledge: Any
) -> None:
    """The proxy is device-wide: the phone's IMEI in a request to an unknown host may be the system's own
    traffic. Without the app having read it, such a request is not attributed to the app; the same request to
    a known SDK host, or recorded inside the app (with a stack), is."""
    clock = FakeClock()
    rules = _rules(
        clock=clock,
        ui=["privacy_dialog.xml", "main_screen.xml"],
        dumpsys=[fixture("adb", "dumpsys_package_initial.txt")],
    )
    body = base64.b64encode(json.dumps({"imei": IMEI}).encode()).decode()
    requests = [
        {
            "type": "network",
            "t": 1.0,
            "host": "checkin.vendor-os.example",
            "method": "POST",
            "request_body_b64": body,
        },
        {"type": "network", "t": 1.1, "host": "ulogs.umeng.com", "method": "POST", "request_body_b64": body},
    ]
    options = _options("agree", apk)
    options.device_ids = {"device_id": IMEI}
    out = tmp_path / "seed.jsonl"
    ScenarioDriver(Adb(ReplayRunner(rules)), clock, options, out, capture=_Capture(requests)).run()
    session = extract_traces([out], knowledge).sessions[0]
    assert [x.host for x in session.pi_transfers] == ["ulogs.umeng.com"]


class _ViewTreeAgent(_ReactiveAgent):
    """The reactive agent that also answers the ``viewTree`` RPC with the simulated agent's real output, one
    recorded tree per call (the last one repeats)."""

    def __init__(self, taps: _TapRecorder, reactions: Any, trees: list[dict[str, Any]]) -> None:
        super().__init__(taps, reactions)
        self.trees = trees
        self.calls = 0

    def view_tree(self) -> dict[str, Any]:
        self.calls += 1
        return self.trees.pop(0) if len(self.trees) > 1 else self.trees[0]


def test_animated_screen_is_read_through_the_agent_and_the_dialog_answered(
    tmp_path: Path, apk: Path, knowledge: Any
) -> None:
    """uiautomator cannot read an animated splash ("could not get idle state", also compressed): the agent's
    view tree still shows the privacy dialog, the driver ticks the box and agrees at the views' screen
    positions, and the SDK start-up the agree tap triggers is after consent."""
    from tests.collect.test_agent_view_tree import privacy_dialog_windows, run_view_tree, view, windows

    dialog_tree = run_view_tree(privacy_dialog_windows())
    main_tree = run_view_tree(
        windows(
            view(
                "com.android.internal.policy.DecorView",
                isa=("android.view.View", "android.view.ViewGroup"),
                size=(1080, 2340),
                children=[
                    view(
                        "android.widget.TextView",
                        isa=("android.view.View", "android.widget.TextView"),
                        text="今日头条",
                        at=(0, 200),
                        size=(1080, 100),
                    )
                ],
            )
        )
    )
    clock = FakeClock(device_start=DEVICE_START)
    taps = _TapRecorder(clock)
    rules = _rules(
        clock=clock, ui=["main_screen.xml"], dumpsys=[fixture("adb", "dumpsys_package_initial.txt")]
    )
    rules.insert(0, ("input tap", [taps]))
    rules.insert(0, ("uiautomator dump", ["ERROR: could not get idle state.\n"]))
    imei = {
        "type": "api_call",
        "api": "android.telephony.TelephonyManager.getDeviceId",
        "args": [],
        "ret": "861234567890123",
        "stack": UMENG_STACK,
        "thread": "main",
    }
    agent = _ViewTreeAgent(taps, {1: [(0.3, imei)]}, [dialog_tree, main_tree])
    out = tmp_path / "animated.jsonl"
    runner = ReplayRunner(rules)
    ScenarioDriver(Adb(runner), clock, _options("agree", apk), out, instrumentation=agent).run()
    assert any("uiautomator dump --compressed" in c for c in runner.commands())  # the retry came first
    events = validate_trace_file(out)
    uis = [e for e in events if e["type"] == "ui"]
    assert uis and all(e["source"] == "view_tree" for e in uis)
    assert "同意并继续" in [b["text"] for b in uis[0]["buttons"]]
    tapped = [(e["x"], e["y"], e.get("dialog")) for e in events if e["type"] == "tap"]
    assert tapped == [(540, 1300, "consent"), (760, 1580, "consent")]  # the checkbox, then 同意并继续
    actions = [e["action"] for e in events if e["type"] == "consent"]
    assert actions == ["shown", "agreed"]
    notes = [e["text"] for e in events if e["type"] == "note"]
    assert any("screen read from the app's views through the agent" in n for n in notes)
    assert not any(n.startswith("consent state unknown") for n in notes)
    assert _run_rule(CollectBeforeConsent, [out], knowledge) == []


def test_view_tree_failure_leaves_the_step_unknown(tmp_path: Path, apk: Path, knowledge: Any) -> None:
    """The agent cannot read the views either (the VM not ready, the walk failed): the step is unknown, no
    consent event is recorded, and the SDK read at launch is not judged as collected before consent."""

    class _Broken(_ReactiveAgent):
        def view_tree(self) -> dict[str, Any]:
            raise AdbError("frida: script has been destroyed")

    clock = FakeClock(device_start=DEVICE_START)
    taps = _TapRecorder(clock)
    rules = _rules(
        clock=clock, ui=["main_screen.xml"], dumpsys=[fixture("adb", "dumpsys_package_initial.txt")]
    )
    rules.insert(0, ("uiautomator dump", ["ERROR: could not get idle state.\n"]))
    imei = {
        "type": "api_call",
        "api": "android.telephony.TelephonyManager.getDeviceId",
        "args": [],
        "ret": "861234567890123",
        "stack": UMENG_STACK,
        "thread": "main",
    }

    class _LaunchReader(_Broken):
        def drain(self) -> list[dict[str, Any]]:
            conv = MessageConverter(self.device_t0, process=PKG, pid=4242)
            return conv.convert(
                {"type": "send", "payload": {**imei, "t": round((DEVICE_START + 1.0) * 1000)}}
            )

    out = tmp_path / "unknown.jsonl"
    agent = _LaunchReader(taps, {})
    ScenarioDriver(Adb(ReplayRunner(rules)), clock, _options("agree", apk), out, instrumentation=agent).run()
    events = validate_trace_file(out)
    notes = [e["text"] for e in events if e["type"] == "note"]
    assert any("agent view tree failed (frida: script has been destroyed)" in n for n in notes)
    assert any(n.startswith("consent state unknown") for n in notes)
    assert [e for e in events if e["type"] == "consent"] == []
    assert [e["type"] for e in events].count("api_call") == 1
    assert _run_rule(CollectBeforeConsent, [out], knowledge) == []


def test_real_stimuli_without_root_are_self_start_evidence(tmp_path: Path, apk: Path, knowledge: Any) -> None:
    """No root: the protected broadcasts are refused, so the driver causes the real events (Wi-Fi and data
    off/on, unlock, install/remove of a real tiny APK, reboot). The app's receivers start its process; the event
    log and ActivityManager's "Start proc" lines name the receiver, the driver records the cause (stimulus and
    the action the receiver is registered for), and the T6 rule sees each self-start."""
    from apprights.collect.stimulus_apk import STIMULUS_PACKAGE
    from apprights.extractors.apk import open_apk
    from apprights.rules.t6_autostart.rt_self_start import SelfStart

    clock = FakeClock(device_start=DEVICE_START)
    marks: dict[str, float] = {}
    installed: list[str] = []

    def mark(name: str, out: str | CommandResult = "") -> Any:
        def record() -> str | CommandResult:
            marks[name] = float(clock.device_date())
            return out

        return record

    def install_stimulus() -> str:
        path = Path(runner.calls[-1][-1])
        with open_apk(path) as a:  # a real APK on the host at install time
            installed.append(a.manifest().package)
        marks["installed"] = float(clock.device_date())
        return "Performing Streamed Install\nSuccess\n"

    dumps: list[str] = []

    def event_log() -> str:
        # what the device logged; the logs are read before the reboot (then lost) and at the end
        if "boot" not in marks:
            dumps.append("before reboot")
            return (
                f"{marks['wifi on'] + 1.5:.3f}   612   703 I am_proc_start: [0,14100,10123,com.example.news,"
                "broadcast,{com.example.news/cn.jpush.android.service.PushReceiver}]\n"
            )
        dumps.append("after reboot")
        return (
            f"{marks['boot'] - 20.0:.3f}   612   640 I am_proc_start: [0,1502,1001,com.android.phone,added "
            "application,com.android.phone]\n"
            f"{marks['boot'] + 3.0:.3f}   612   703 I am_proc_start: [0,2301,10123,com.example.news,broadcast,"
            "{com.example.news/com.example.news.push.BootReceiver}]\n"
        )

    def system_log() -> str:
        if "boot" not in marks:  # Android 10+ format; this start has no am_proc_start line in the fixture
            return (
                "--------- beginning of system\n"
                f"{marks['installed'] + 0.8:.3f}  1000   612   703 I ActivityManager: Start proc 14200:"
                "com.example.news/u0a123 for broadcast {com.example.news/com.umeng.message.UmengPackageReceiver}\n"
            )
        return ""

    rules: list[tuple[str, list[Output]]] = [
        ("shell id", ["uid=2000(shell) gid=2000(shell) groups=2000(shell) context=u:r:shell:s0\n"]),
        ("su -c id", [CommandResult(127, "", "/system/bin/sh: su: inaccessible or not found\n")]),
        ("am broadcast", [REFUSED]),
        ("svc wifi disable", [mark("wifi off")]),
        ("svc wifi enable", [mark("wifi on")]),
        ("svc data disable", [CommandResult(1, "", "cmd: Can't find service: phone\n")]),
        ("stimulus.apk", [install_stimulus]),
        (f"uninstall {STIMULUS_PACKAGE}", ["Success\n"]),
        ("reboot", [mark("reboot")]),
        ("getprop sys.boot_completed", ["\n", "0\n", mark("boot", "1\n")]),
        ("logcat -b events -d", [event_log]),
        ("logcat -b system -d", [system_log]),
        ("dumpsys package", [fixture("adb", "dumpsys_package_receivers.txt")]),
        *_rules(clock=clock, ui=["main_screen.xml"], dumpsys=[fixture("adb", "dumpsys_package_initial.txt")]),
    ]
    runner = ReplayRunner(rules)
    out = tmp_path / "stimuli.jsonl"
    ScenarioDriver(Adb(runner), clock, _options("agree", apk), out).run()
    events = validate_trace_file(out)
    cmds = runner.commands()
    # every step on the device, in order; the logs are saved before the reboot clears them
    at = -1
    for frag in (
        "svc wifi disable",
        "svc wifi enable",
        "svc data disable",
        "input keyevent KEYCODE_SLEEP",
        "wm dismiss-keyguard",
        "stimulus.apk",
        f"uninstall {STIMULUS_PACKAGE}",
        "logcat -b events -d -v epoch",
        "adb reboot",
        "wait-for-device",
        "getprop sys.boot_completed",
    ):
        at = next(i for i, c in enumerate(cmds) if i > at and c.endswith(frag))  # StopIteration: out of order
    assert installed == [STIMULUS_PACKAGE] and dumps == ["before reboot", "after reboot"]
    assert not any("svc data enable" in c for c in cmds)  # data disable failed: not "re-enabled"
    notes = [e["text"] for e in events if e["type"] == "note"]
    assert any("Wi-Fi turned off and on" in n for n in notes)
    assert any("mobile data toggle failed" in n and "Can't find service: phone" in n for n in notes)
    assert any(n.startswith(f"real event: installed {STIMULUS_PACKAGE}") for n in notes)
    assert any(n.startswith("real event: device rebooted, boot completed after") for n in notes)
    assert any(n.startswith("3 process start(s) of the app followed a self-start stimulus") for n in notes)
    (rebooted,) = [e for e in events if e["type"] == "app_state" and e.get("reason") == "reboot"]
    assert rebooted["state"] == "not_running"
    starts = {
        e["component"].rsplit(".", 1)[-1]: e
        for e in events
        if e["type"] == "proc_start" and e["package"] == PKG
    }
    assert {k: (v["cause"], v["action"]) for k, v in starts.items()} == {
        "PushReceiver": ("connectivity", "android.net.conn.CONNECTIVITY_CHANGE"),
        "UmengPackageReceiver": ("package", "android.intent.action.PACKAGE_ADDED"),
        "BootReceiver": ("reboot", "android.intent.action.BOOT_COMPLETED"),
    }
    assert starts["BootReceiver"]["t"] > rebooted["t"]
    findings = _run_rule(SelfStart, [out], knowledge)
    triggers = sorted(e.data["action"] for f in findings for e in f.evidence)
    assert triggers == [
        "android.intent.action.BOOT_COMPLETED",
        "android.intent.action.PACKAGE_ADDED",
        "android.net.conn.CONNECTIVITY_CHANGE",
    ]
    assert all(e.data["state"] in ("killed", "not_running") for f in findings for e in f.evidence)
