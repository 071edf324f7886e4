"""Process starts and ends from ``logcat -b events`` in the layouts of several Android releases."""

from __future__ import annotations

import pytest

from apprights.collect.logcat import ProcEnd, ProcStart, events_from_logcat, hosting_type, parse_line
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
