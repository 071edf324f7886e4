"""Process starts and deaths from the Android event log (``adb logcat -b events -v epoch``).

``am_proc_start`` is ``[User, PID, UID, Process Name, Type, Component]``. The type ("hosting type") reads
``activity``/``service``/``broadcast``/``content provider`` up to Android 9 and gains variants later
(``top-activity``, ``next-top-activity``, ``added application``, ``restart`` …); the component is written
``{pkg/cls}`` or, on older releases, ``pkg/cls``. Android 4.x–5.x logs ``[PID, UID, Process Name, Type,
Component]`` without the user. Lines are accepted in ``epoch``, ``threadtime`` and ``brief`` layouts; only
``epoch`` carries a time the collector can place on the session clock.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

_LINE = re.compile(
    r"^\s*(?:(?P<epoch>\d{9,11}\.\d+)\s+|\d\d-\d\d\s+\d\d:\d\d:\d\d\.\d+\s+)?"
    r"(?:\d+\s+\d+\s+(?:\d+\s+)?)?"  # uid/pid/tid columns (epoch: uid pid tid; threadtime: pid tid)
    r"[VDIWEF][/ ]\s*(?P<tag>am_\w+)\s*(?:\(\s*\d+\))?\s*:\s*\[(?P<body>.*)\]\s*$"
)


@dataclass(frozen=True)
class ProcStart:
    epoch: float | None
    user: int | None
    pid: int
    uid: int
    process: str
    hosting_raw: str
    hosting_type: str
    component: str | None

    @property
    def package(self) -> str:
        if self.component and "/" in self.component:
            return self.component.split("/", 1)[0]
        return self.process.split(":", 1)[0]


@dataclass(frozen=True)
class ProcEnd:
    epoch: float | None
    pid: int
    process: str
    reason: str  # exit | crash | killed


def hosting_type(raw: str) -> str:
    r = raw.strip().lower()
    if "activity" in r:
        return "activity"
    if "service" in r:
        return "service"
    if "broadcast" in r:
        return "broadcast"
    if "provider" in r:
        return "provider"
    return "other"


def _split(body: str, n: int) -> list[str]:
    return [p.strip() for p in body.split(",", n - 1)]


def parse_line(line: str) -> ProcStart | ProcEnd | None:
    """One event-log line -> a process start/end, or None for any other line."""
    m = _LINE.match(line)
    if not m:
        return None
    tag, body = m.group("tag"), m.group("body")
    epoch = float(m.group("epoch")) if m.group("epoch") else None
    try:
        if tag == "am_proc_start":
            parts = _split(body, 6)
            if len(parts) == 6 and parts[0].isdigit() and parts[1].isdigit() and parts[2].isdigit():
                user: int | None = int(parts[0])
                pid, uid, process, htype, comp = int(parts[1]), int(parts[2]), parts[3], parts[4], parts[5]
            else:
                parts = _split(body, 5)
                if len(parts) != 5:
                    return None
                user, pid, uid, process, htype, comp = None, int(parts[0]), int(parts[1]), *parts[2:5]
            component = comp.strip().strip("{}").strip() or None
            return ProcStart(epoch, user, pid, uid, process, htype, hosting_type(htype), component)
        if tag == "am_proc_died":  # [User, PID, Process Name, OomAdj, ProcState]
            parts = _split(body, 5)
            if len(parts) >= 3 and parts[1].isdigit():
                return ProcEnd(epoch, int(parts[1]), parts[2], "exit")
        if tag == "am_kill":  # [User, PID, Process Name, OomAdj, Reason]
            parts = _split(body, 5)
            if len(parts) >= 3 and parts[1].isdigit():
                return ProcEnd(epoch, int(parts[1]), parts[2], "killed")
        if tag == "am_crash":  # [User, PID, Process Name, Flags, Exception, Message, File, Line, Recoverable]
            parts = _split(body, 9)
            if len(parts) >= 3 and parts[1].isdigit():
                return ProcEnd(epoch, int(parts[1]), parts[2], "crash")
    except ValueError:
        return None
    return None


def events_from_logcat(
    lines: Iterable[str], device_t0: float, package: str, *, all_packages: bool = True
) -> list[dict[str, Any]]:
    """Trace events (``proc_start``, ``process_exit``) from an event-log dump, ``t`` relative to ``device_t0``.

    Process starts of every package are kept (starting other apps is itself evidence) unless
    ``all_packages`` is False; process ends only for the app under test (one per pid, the most specific
    reason: crash > killed > exit). Lines without a time or before the session are skipped.
    """
    events: list[dict[str, Any]] = []
    ends: dict[int, dict[str, Any]] = {}
    rank = {"exit": 0, "killed": 1, "crash": 2}
    for line in lines:
        rec = parse_line(line)
        if rec is None or rec.epoch is None or rec.epoch < device_t0:
            continue
        t = round(rec.epoch - device_t0, 6)
        if isinstance(rec, ProcStart):
            if not all_packages and rec.package != package:
                continue
            ev: dict[str, Any] = {
                "type": "proc_start",
                "t": t,
                "package": rec.package,
                "process": rec.process,
                "hosting_type": rec.hosting_type,
                "pid": rec.pid,
            }
            if rec.component:
                ev["component"] = rec.component
            if rec.hosting_raw != rec.hosting_type:
                ev["hosting_raw"] = rec.hosting_raw
            events.append(ev)
        elif rec.process.split(":", 1)[0] == package:
            prev = ends.get(rec.pid)
            if prev is None:
                ends[rec.pid] = {
                    "type": "process_exit",
                    "t": t,
                    "reason": rec.reason,
                    "process": rec.process,
                    "pid": rec.pid,
                }
            elif rank[rec.reason] > rank[prev["reason"]]:
                prev["reason"] = rec.reason
    events.extend(ends.values())
    events.sort(key=lambda e: e["t"])
    return events
