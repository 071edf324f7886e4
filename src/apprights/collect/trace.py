"""Writing ``apprights-trace/1`` files (see shared/spec/trace-format.md) and checking events against it.

The collector gathers events from several sources that report late or out of order (the Frida agent over a
message channel, ``logcat`` dumped after the scenario, the traffic proxy in another process). ``TraceWriter``
therefore buffers the session's events and writes them sorted by ``t`` when the session closes, so the file
satisfies the format's "t non-decreasing" rule.
"""

from __future__ import annotations

import gzip
import json
import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from apprights.errors import InputError

TRACE_FORMAT = "apprights-trace/1"

# Required fields per event type (besides ``type`` and ``t``), and the allowed values of enumerated fields.
REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {
    "session": ("format", "package"),
    "app_state": ("state",),
    "consent": ("action",),
    "ui": ("screen",),
    "tap": (),
    "api_call": ("api",),
    "permission_request": ("permissions",),
    "permission_result": ("permission", "result"),
    "proc_start": ("package", "process", "hosting_type"),
    "intent": ("op", "target_package"),
    "network": ("host", "method"),
    "process_exit": ("reason",),
    "sensor_injection": ("sensor",),
    "download": ("url",),
    "note": ("text",),
    "device_ids": ("ids",),
    "crypto": ("op",),
}
ENUMS: dict[tuple[str, str], frozenset[str]] = {
    ("app_state", "state"): frozenset(
        {"foreground", "background", "screen_off", "screen_on", "killed", "not_running"}
    ),
    ("consent", "action"): frozenset({"shown", "agreed", "refused", "withdrawn"}),
    ("permission_result", "result"): frozenset({"granted", "denied", "denied_forever"}),
    ("proc_start", "hosting_type"): frozenset({"activity", "service", "broadcast", "provider", "other"}),
    ("intent", "op"): frozenset(
        {"startActivity", "startService", "bindService", "sendBroadcast", "startActivities"}
    ),
    ("process_exit", "reason"): frozenset({"exit", "crash", "killed"}),
    ("sensor_injection", "sensor"): frozenset({"accelerometer", "gyroscope"}),
}
_LIST_OF_STR = {("permission_request", "permissions"), ("ui", "texts"), ("intent", "extras_keys")}

# A session buffers at most this many events (a long idle window with a chatty SDK stays far below it).
MAX_EVENTS_PER_SESSION = 2_000_000


def event_problems(event: Any, *, first: bool = False) -> list[str]:
    """What is wrong with one decoded event (empty when it conforms); ``first`` for line 1 of a file."""
    if not isinstance(event, dict):
        return ["event is not a JSON object"]
    problems: list[str] = []
    etype = event.get("type")
    if not isinstance(etype, str):
        return ["missing field 'type'"]
    t = event.get("t")
    if isinstance(t, bool) or not isinstance(t, int | float) or not math.isfinite(t) or t < 0:
        problems.append("field 't' must be a non-negative number")
    if first and etype != "session":
        problems.append("the first event must be of type 'session'")
    if etype not in REQUIRED_FIELDS:
        return problems  # unknown types are tolerated (readers skip them)
    for name in REQUIRED_FIELDS[etype]:
        if name not in event or event[name] is None:
            problems.append(f"{etype}: missing field '{name}'")
    if etype == "session" and "format" in event and event["format"] != TRACE_FORMAT:
        problems.append(f"session: field 'format' must be {TRACE_FORMAT!r}")
    for (et, name), allowed in ENUMS.items():
        if et == etype and name in event and event[name] not in allowed:
            problems.append(
                f"{etype}: field '{name}' has value {event[name]!r}, expected one of {sorted(allowed)}"
            )
    for et, name in _LIST_OF_STR:
        if et == etype and name in event:
            v = event[name]
            if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
                problems.append(f"{etype}: field '{name}' must be a list of strings")
    if "stack" in event and not (
        isinstance(event["stack"], list) and all(isinstance(f, str) for f in event["stack"])
    ):
        problems.append(f"{etype}: field 'stack' must be a list of strings")
    if etype == "network":
        for name in ("host", "method"):
            if name in event and not isinstance(event[name], str):
                problems.append(f"network: field '{name}' must be a string")
        if "port" in event and (isinstance(event["port"], bool) or not isinstance(event["port"], int)):
            problems.append("network: field 'port' must be an integer")
        if "tls" in event and not isinstance(event["tls"], bool):
            problems.append("network: field 'tls' must be a boolean")
    return problems


def iter_trace_lines(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, text) of a ``.jsonl`` or ``.jsonl.gz`` file."""
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        for lineno, line in enumerate(f, start=1):
            if line.strip():
                yield lineno, line


def validate_trace_file(
    path: Path, *, require_session: bool = True, require_order: bool = True
) -> list[dict[str, Any]]:
    """Read and check a whole trace; raise ``InputError`` naming the line and the field on the first problem.

    ``require_session=False, require_order=False`` checks a fragment without the header whose events are not
    yet sorted (the proxy's network events, written as responses complete).
    """
    events: list[dict[str, Any]] = []
    last_t = 0.0
    try:
        for lineno, line in iter_trace_lines(path):
            try:
                event = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(str(path), f"line {lineno}: not valid JSON ({exc.msg})") from exc
            problems = event_problems(event, first=require_session and not events)
            if problems:
                raise InputError(str(path), f"line {lineno}: {problems[0]}")
            if require_order and event["t"] < last_t:
                raise InputError(str(path), f"line {lineno}: field 't' decreases ({event['t']} < {last_t})")
            last_t = float(event["t"])
            events.append(event)
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise InputError(str(path), f"cannot read trace: {exc}") from exc
    if require_session and not events:
        raise InputError(str(path), "empty trace: no session event")
    return events


@dataclass
class TraceWriter:
    """Buffers one session's events and writes them, sorted by ``t``, to ``path`` on ``close``."""

    path: Path
    header: dict[str, Any]
    _events: list[tuple[float, int, dict[str, Any]]] = field(default_factory=list, repr=False)
    _seq: int = 0
    dropped: int = 0
    # ``--mask``: applied to every event when the trace is written (``collect.masking.Redactor``), when every raw
    # value of the session is known
    redact: Callable[[dict[str, Any]], dict[str, Any]] | None = None

    def __post_init__(self) -> None:
        header = {"type": "session", "t": 0.0, "format": TRACE_FORMAT, **self.header}
        problems = event_problems(header, first=True)
        if problems:
            raise ValueError(f"bad session header: {problems}")
        self.header = header

    def add(self, event: Mapping[str, Any]) -> None:
        """Add one event (``type`` and ``t`` included); malformed events are a bug in the collector."""
        ev = dict(event)
        if "t" in ev and isinstance(ev["t"], int | float) and not isinstance(ev["t"], bool):
            # Clock skew between host and device can put an event a few ms before the session start.
            ev["t"] = round(max(0.0, float(ev["t"])), 6)
        problems = event_problems(ev)
        if problems:
            raise ValueError(f"collector produced a malformed event {ev.get('type')!r}: {problems}")
        if len(self._events) >= MAX_EVENTS_PER_SESSION:
            self.dropped += 1
            return
        self._events.append((ev["t"], self._seq, ev))
        self._seq += 1

    def extend(self, events: Iterable[Mapping[str, Any]]) -> None:
        for e in events:
            self.add(e)

    def __len__(self) -> int:
        return len(self._events)

    def events(self) -> list[dict[str, Any]]:
        """The events so far in file order (session header first)."""
        ordered = (e for _, _, e in sorted(self._events, key=lambda x: (x[0], x[1])))
        if self.redact is not None:
            ordered = (self.redact(e) for e in ordered)
        return [self.header, *ordered]

    def close(self) -> Path:
        if self.dropped:
            last = max(t for t, _, _ in self._events)
            note = {"type": "note", "t": last, "text": f"{self.dropped} events dropped (cap reached)"}
            self._events.append((last, self._seq, note))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        opener = gzip.open if self.path.name.endswith(".gz") else open
        tmp = self.path.with_name(self.path.name + ".part")
        with opener(tmp, "wt", encoding="utf-8") as f:
            for ev in self.events():
                f.write(json.dumps(ev, ensure_ascii=False, separators=(",", ":")) + "\n")
        tmp.replace(self.path)
        return self.path


def read_event_fragment(path: Path) -> list[dict[str, Any]]:
    """Events of a header-less fragment (the proxy's network file); bad lines raise ``InputError``."""
    if not path.exists():
        return []
    if not path.stat().st_size:
        return []
    return validate_trace_file(path, require_session=False, require_order=False)
