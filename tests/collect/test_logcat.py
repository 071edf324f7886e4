"""Process starts and ends from ``logcat -b events`` in the layouts of several Android releases."""

from __future__ import annotations

import pytest

from apprights.collect.logcat import (
    ProcEnd,
    ProcStart,
    Stimulus,
    attribute_causes,
    events_from_logcat,
    hosting_type,
    parse_line,
    parse_start_proc,
)
from apprights.collect.trace import event_problems
from tests.collect.replay import fixture

T0 = 1764300000.0


def test_session_events_from_epoch_dump() -> None:
    events = events_from_logcat(fixture("adb", "logcat_events.txt").splitlines(), T0, "com.example.news")
    for e in events:
        assert event_problems(e) == [], e
    starts = [e for e in events if e["type"] == "proc_start"]
    # the Play Store start happened before the session: dropped
    assert [(e["process"], e["hosting_type"]) for e in starts] == [
        ("com.example.news", "activity"),
        ("com.example.news:push", "service"),
        ("com.example.shop:channel", "service"),
        ("com.example.news", "broadcast"),
        ("com.example.news:remote", "provider"),
        ("com.example.news", "other"),
    ]
    assert starts[0]["t"] == pytest.approx(0.402) and starts[0]["hosting_raw"] == "top-activity"
    assert starts[2]["package"] == "com.example.shop"
    assert starts[3]["component"] == "com.example.news/com.example.news.receiver.BootReceiver"
    assert starts[5]["component"] == "com.example.news" and starts[5]["hosting_raw"] == "added application"
    exits = {e["pid"]: e["reason"] for e in events if e["type"] == "process_exit"}
    assert exits == {12388: "killed", 12345: "killed", 13050: "crash"}
    assert [e["t"] for e in events] == sorted(e["t"] for e in events)


def test_only_app_packages_when_asked() -> None:
    events = events_from_logcat(
        fixture("adb", "logcat_events.txt").splitlines(), T0, "com.example.news", all_packages=False
    )
    assert {e["package"] for e in events if e["type"] == "proc_start"} == {"com.example.news"}


def test_older_layouts() -> None:
    recs = [parse_line(line) for line in fixture("adb", "logcat_old_layouts.txt").splitlines()]
    a, b, c, d, garbage, bad = recs
    assert isinstance(a, ProcStart) and a.uid == 10007 and a.hosting_type == "broadcast" and a.epoch is None
    assert a.component == "com.android.cellbroadcastreceiver/.CellBroadcastReceiver"
    assert isinstance(b, ProcStart) and b.hosting_type == "provider" and b.package == "com.android.browser"
    assert (
        isinstance(c, ProcStart) and c.user is None and c.pid == 1419 and c.process == "com.example.old:push"
    )
    assert c.package == "com.example.old"
    assert (
        isinstance(d, ProcStart) and d.epoch == pytest.approx(1764300001.5) and d.hosting_type == "activity"
    )
    assert garbage is None and bad is None


def test_ends() -> None:
    r = parse_line("1764300050.0  612  640 I am_kill : [0,12388,com.x:push,900,empty #17,5120]")
    assert r == ProcEnd(1764300050.0, 12388, "com.x:push", "killed")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("activity", "activity"),
        ("next-top-activity", "activity"),
        ("service", "service"),
        ("broadcast", "broadcast"),
        ("content provider", "provider"),
        ("backup", "other"),
        ("", "other"),
    ],
)
def test_hosting_types(raw: str, expected: str) -> None:
    assert hosting_type(raw) == expected


# ActivityManager "Start proc" lines of the system log, as ProcessList/ActivityManagerService format them
# (Android 4.x: "NAME for TYPE NAME: pid= uid= gids={…}"; 5-9: "PID:NAME/UID for TYPE pkg/.Cls"; 10+: the
# component in braces; some builds prefix "u0 :"), in epoch and threadtime layouts.
START_PROC_LINES = [
    (
        "1764300100.250  1000   612   703 I ActivityManager: Start proc 14002:com.example.news/u0a123 for broadcast "
        "{com.example.news/com.example.news.push.BootReceiver}",
        (
            14002,
            10123,
            "com.example.news",
            "broadcast",
            "com.example.news/com.example.news.push.BootReceiver",
        ),
    ),
    (
        "1764300100.500   612   703 I ActivityManager: Start proc 14003:com.example.news:push/u0a123 for service "
        "com.example.news/cn.jpush.android.service.DaemonService",
        (
            14003,
            10123,
            "com.example.news:push",
            "service",
            "com.example.news/cn.jpush.android.service.DaemonService",
        ),
    ),
    (
        "11-28 13:01:40.250   612   703 I ActivityManager: Start proc 14004:com.example.news:remote/u0a123 for "
        "content provider {com.example.news/com.example.news.sync.SyncProvider}",
        (
            14004,
            10123,
            "com.example.news:remote",
            "provider",
            "com.example.news/com.example.news.sync.SyncProvider",
        ),
    ),
    (
        "1764300101.000   612   703 I ActivityManager: u0 : Start proc 1559:com.android.phone/1001 for added "
        "application com.android.phone",
        (1559, 1001, "com.android.phone", "other", None),
    ),
    (
        "1764300102.000   612   703 I ActivityManager: Start proc com.example.news for broadcast "
        "com.example.news/.push.BootReceiver: pid=4321 uid=10045 gids={50045, 3003}",
        (4321, 10045, "com.example.news", "broadcast", "com.example.news/.push.BootReceiver"),
    ),
]


@pytest.mark.parametrize(("line", "expected"), START_PROC_LINES)
def test_start_proc_lines(line: str, expected: tuple[object, ...]) -> None:
    rec = parse_start_proc(line)
    assert rec is not None
    assert (rec.pid, rec.uid, rec.process, rec.hosting_type, rec.component) == expected


def test_start_proc_merged_with_the_event_log_once() -> None:
    lines = [
        "1764300100.249   612   703 I am_proc_start: [0,14002,10123,com.example.news,broadcast,"
        "{com.example.news/com.example.news.push.BootReceiver}]",
        *[line for line, _ in START_PROC_LINES],
        "1764300100.300   612   703 I ActivityManager: Start proc died: not a start line",
    ]
    events = events_from_logcat(lines, T0, "com.example.news")
    pids = [e["pid"] for e in events if e["type"] == "proc_start"]
    assert pids == [14002, 14003, 1559, 4321]  # 14002 once; the threadtime line has no epoch: skipped
    # a pid reused later (after a reboot) is a new start
    again = "1764300400.000   612   703 I ActivityManager: Start proc 14002:com.example.news/u0a123 for broadcast {com.example.news/.X}"
    assert [e["pid"] for e in events_from_logcat([*lines, again], T0, "com.example.news")].count(14002) == 2


def test_causes_from_stimulus_windows_and_registered_actions() -> None:
    events = events_from_logcat([line for line, _ in START_PROC_LINES], T0, "com.example.news")
    receivers = {
        "com.example.news/com.example.news.push.BootReceiver": {
            "android.intent.action.BOOT_COMPLETED",
            "android.intent.action.LOCKED_BOOT_COMPLETED",
        }
    }
    stimuli = [
        Stimulus("connectivity", ("android.net.conn.CONNECTIVITY_CHANGE",), 10.0, 20.0),
        Stimulus(
            "reboot",
            ("android.intent.action.LOCKED_BOOT_COMPLETED", "android.intent.action.BOOT_COMPLETED"),
            90.0,
            99.0,
        ),
    ]
    assert attribute_causes(events, stimuli, receivers, "com.example.news") == 3
    by_pid = {e["pid"]: e for e in events}
    # the receiver is registered for both boot actions: the first the stimulus sends
    assert by_pid[14002]["cause"] == "reboot"
    assert by_pid[14002]["action"] == "android.intent.action.LOCKED_BOOT_COMPLETED"
    assert by_pid[14003]["cause"] == "reboot" and "action" not in by_pid[14003]  # a service: cause only
    assert by_pid[4321]["action"] == "android.intent.action.LOCKED_BOOT_COMPLETED"  # pkg/.Cls form matched
    assert "cause" not in by_pid[1559]  # another package
    for e in events:
        assert event_problems(e) == [], e
    # outside every window: no cause
    late = events_from_logcat(
        [
            "1764300500.000   612   703 I ActivityManager: Start proc 15000:com.example.news/u0a123 for broadcast {com.example.news/.push.BootReceiver}"
        ],
        T0,
        "com.example.news",
    )
    assert attribute_causes(late, stimuli, receivers, "com.example.news") == 0
    # a receiver the dumpsys does not list, one-action stimulus: that action
    one = events_from_logcat([START_PROC_LINES[0][0]], T0, "com.example.news")
    attribute_causes(
        one,
        [Stimulus("broadcast x", ("android.intent.action.USER_PRESENT",), 95.0, 99.0)],
        {},
        "com.example.news",
    )
    assert one[0]["action"] == "android.intent.action.USER_PRESENT"
