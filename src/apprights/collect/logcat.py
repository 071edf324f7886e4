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


_START_PROC = re.compile(
    r"^\s*(?:(?P<epoch>\d{9,11}\.\d+)\s+|\d\d-\d\d\s+\d\d:\d\d:\d\d\.\d+\s+)?"
    r"(?:\d+\s+\d+\s+(?:\d+\s+)?)?"
    r"[VDIWEF][/ ]\s*ActivityManager\s*(?:\(\s*\d+\))?\s*:\s*(?:u\d+\s*:\s*)?Start proc (?P<rest>.+?)\s*$"
)
# Android 5+: "5203:com.example/u0a150 [entry] for broadcast {com.example/com.example.Boot}" (braces from 10 on)
_START_NEW = re.compile(
    r"^(?P<pid>\d+):(?P<proc>[^/\s]+)/(?P<uid>\S+)(?:\s+\[[^\]]*\])?\s+for\s+(?P<what>.+)$"
)
# Android 4.x: "com.example for broadcast com.example/.Boot: pid=5203 uid=10150 gids={50150, 3003}"
_START_OLD = re.compile(r"^(?P<proc>\S+)\s+for\s+(?P<what>.+?):\s+pid=(?P<pid>\d+)\s+uid=(?P<uid>\d+)")
_UID = re.compile(r"^u(\d+)a(\d+)$")


def _uid(text: str) -> int:
    if text.isdigit():
        return int(text)
    m = _UID.match(text)
    return int(m.group(1)) * 100_000 + 10_000 + int(m.group(2)) if m else 0


def parse_start_proc(line: str) -> ProcStart | None:
    """One ActivityManager "Start proc" line of the system log (``logcat -b system``) → a process start; it names
    the component that caused it (the receiver of a broadcast), like ``am_proc_start``."""
    m = _START_PROC.match(line)
    if not m:
        return None
    rest = m.group("rest")
    n = _START_NEW.match(rest) or _START_OLD.match(rest)
    if n is None:
        return None
    what = n.group("what").strip()
    htype, _, last = what.rpartition(" ")
    component = last.strip("{}") if htype and "/" in last else None
    if component is None:
        htype = what
    epoch = float(m.group("epoch")) if m.group("epoch") else None
    return ProcStart(
        epoch,
        None,
        int(n.group("pid")),
        _uid(n.group("uid")),
        n.group("proc"),
        htype,
        hosting_type(htype),
        component,
    )


def events_from_logcat(
    lines: Iterable[str], device_t0: float, package: str, *, all_packages: bool = True
) -> list[dict[str, Any]]:
    """Trace events (``proc_start``, ``process_exit``) from an event-log dump, ``t`` relative to ``device_t0``.

    ``lines`` may mix the event log and the system log (ActivityManager "Start proc" lines); a start logged in
    both is kept once (the first seen). Process starts of every package are kept (starting other apps is itself
    evidence) unless ``all_packages`` is False; process ends only for the app under test (one per pid, the most specific
    reason: crash > killed > exit). Lines without a time or before the session are skipped.
    """
    events: list[dict[str, Any]] = []
    ends: dict[int, dict[str, Any]] = {}
    rank = {"exit": 0, "killed": 1, "crash": 2}
    started: dict[int, float] = {}  # pid -> time of its last start (pids are reused, e.g. after a reboot)
    for line in lines:
        rec = parse_line(line) or parse_start_proc(line)
        if rec is None or rec.epoch is None or rec.epoch < device_t0:
            continue
        t = round(rec.epoch - device_t0, 6)
        if isinstance(rec, ProcStart):
            if not all_packages and rec.package != package:
                continue
            if rec.pid in started and abs(started[rec.pid] - t) < 5.0:
                continue  # the same start in the event log and the system log
            started[rec.pid] = t
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


@dataclass(frozen=True)
class Stimulus:
    """Something the driver did to wake a stopped app: what (``label``), the intent actions it makes the system
    send, and when (session seconds)."""

    label: str
    actions: tuple[str, ...]
    start: float
    end: float


def full_component(component: str) -> str:
    """``pkg/.Cls`` → ``pkg/pkg.Cls`` (the form ``dumpsys``, ``am_proc_start`` and "Start proc" differ in)."""
    pkg, sep, cls = component.strip().strip("{}").partition("/")
    if not sep:
        return component
    return f"{pkg}/{pkg + cls if cls.startswith('.') else cls}"


def attribute_causes(
    events: list[dict[str, Any]],
    stimuli: Iterable[Stimulus],
    receivers: dict[str, set[str]],
    package: str,
    *,
    window_s: float = 120.0,
) -> int:
    """Mark the app's own process starts that followed a stimulus with their cause: ``cause`` = the stimulus,
    and for a broadcast start ``action`` = the action the started receiver is registered for among those the
    stimulus sends (``receivers``: component → actions, from ``dumpsys package``), or the stimulus's only
    action. A start belongs to the latest stimulus that began before it, within ``window_s`` after its end.
    Returns how many starts were marked."""
    ordered = sorted(stimuli, key=lambda s: s.start)
    marked = 0
    for e in events:
        if (
            e.get("type") != "proc_start"
            or e.get("package") != package
            or e.get("hosting_type") == "activity"
        ):
            continue
        t = float(e["t"])
        cause = next((s for s in reversed(ordered) if s.start <= t <= s.end + window_s), None)
        if cause is None:
            continue
        e["cause"] = cause.label
        if e.get("hosting_type") == "broadcast" and not e.get("action"):
            registered = receivers.get(full_component(str(e.get("component") or "")), set())
            matching = [a for a in cause.actions if a in registered]
            if matching:
                e["action"] = matching[0]
            elif len(cause.actions) == 1:
                e["action"] = cause.actions[0]
        marked += 1
    return marked
