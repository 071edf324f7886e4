"""The collector's trace writer and checker (apprights-trace/1, shared/spec/trace-format.md)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from apprights.collect.trace import (
    TRACE_FORMAT,
    TraceWriter,
    event_problems,
    read_event_fragment,
    validate_trace_file,
)
from apprights.errors import InputError

SPEC_EXAMPLE = Path(__file__).resolve().parents[3] / "shared" / "spec" / "trace-format.md"


def test_spec_example_lines_conform() -> None:
    if not SPEC_EXAMPLE.exists():
        pytest.skip("shared spec not available")
    text = SPEC_EXAMPLE.read_text(encoding="utf-8")
    block = text.split("```jsonl", 1)[1].split("```", 1)[0]
    events = [json.loads(line) for line in block.strip().splitlines()]
    assert len(events) > 5
    for i, e in enumerate(events):
        assert event_problems(e, first=i == 0) == [], e


@pytest.mark.parametrize(
    ("event", "fragment"),
    [
        ([], "not a JSON object"),
        ({"t": 1}, "missing field 'type'"),
        ({"type": "note", "t": -1, "text": "x"}, "non-negative"),
        ({"type": "note", "t": True, "text": "x"}, "non-negative"),
        ({"type": "note", "t": float("nan"), "text": "x"}, "non-negative"),
        ({"type": "api_call", "t": 1}, "missing field 'api'"),
        ({"type": "app_state", "t": 1, "state": "asleep"}, "'state' has value"),
        (
            {"type": "permission_request", "t": 1, "permissions": "android.permission.CAMERA"},
            "list of strings",
        ),
        ({"type": "api_call", "t": 1, "api": "a.B.c", "stack": "a.B.c"}, "'stack' must be a list"),
        (
            {"type": "network", "t": 1, "host": "h", "method": "GET", "port": "443"},
            "'port' must be an integer",
        ),
        ({"type": "network", "t": 1, "host": "h", "method": "GET", "tls": "yes"}, "'tls' must be a boolean"),
        ({"type": "session", "t": 0, "format": "other/1", "package": "p"}, "'format' must be"),
    ],
)
def test_event_problems(event: object, fragment: str) -> None:
    problems = event_problems(event)
    assert problems and any(fragment in p for p in problems), problems


def test_unknown_types_tolerated_but_first_must_be_session() -> None:
    assert event_problems({"type": "future_thing", "t": 1, "x": 2}) == []
    assert "the first event must be of type 'session'" in event_problems(
        {"type": "note", "t": 0, "text": "x"}, first=True
    )


def test_writer_sorts_and_round_trips(tmp_path: Path) -> None:
    w = TraceWriter(tmp_path / "t.jsonl.gz", {"package": "com.x", "scenario": "agree-path"})
    w.add({"type": "note", "t": 5.0, "text": "late"})
    w.add({"type": "api_call", "t": 1.25, "api": "a.B.c"})
    w.add({"type": "note", "t": 5.0, "text": "later, same t"})
    w.add({"type": "note", "t": -0.002, "text": "clock skew"})  # clamped to 0
    path = w.close()
    with gzip.open(path, "rt", encoding="utf-8") as f:
        first = json.loads(f.readline())
    assert first == {
        "type": "session",
        "t": 0.0,
        "format": TRACE_FORMAT,
        "package": "com.x",
        "scenario": "agree-path",
    }
    events = validate_trace_file(path)
    assert [e.get("text", e["type"]) for e in events] == [
        "session",
        "clock skew",
        "api_call",
        "late",
        "later, same t",
    ]
    assert not list(tmp_path.glob("*.part"))


def test_writer_rejects_malformed_events_and_headers(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        TraceWriter(tmp_path / "x.jsonl", {})
    w = TraceWriter(tmp_path / "x.jsonl", {"package": "com.x"})
    with pytest.raises(ValueError, match="malformed"):
        w.add({"type": "consent", "t": 1, "action": "maybe"})


def test_writer_cap_adds_a_note(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("apprights.collect.trace.MAX_EVENTS_PER_SESSION", 3)
    w = TraceWriter(tmp_path / "c.jsonl", {"package": "com.x"})
    for i in range(5):
        w.add({"type": "note", "t": float(i), "text": str(i)})
    events = validate_trace_file(w.close())
    assert len(events) == 5 and events[-1]["text"] == "2 events dropped (cap reached)"


@pytest.mark.parametrize(
    ("lines", "fragment"),
    [
        (["{"], "line 1: not valid JSON"),
        (['{"type":"note","t":0,"text":"x"}'], "line 1: the first event"),
        (
            [
                '{"type":"session","t":0,"format":"apprights-trace/1","package":"p"}',
                '{"type":"note","t":2,"text":"a"}',
                "",
                '{"type":"note","t":1,"text":"b"}',
            ],
            "line 4: field 't' decreases",
        ),
        ([], "empty trace"),
    ],
)
def test_validate_trace_file_errors(tmp_path: Path, lines: list[str], fragment: str) -> None:
    p = tmp_path / "bad.jsonl"
    p.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(InputError, match=fragment):
        validate_trace_file(p)


def test_fragments_need_no_header_or_order(tmp_path: Path) -> None:
    p = tmp_path / "net.jsonl"
    assert read_event_fragment(p) == []
    p.write_text(
        '{"type":"network","t":2,"host":"a","method":"GET"}\n{"type":"network","t":1,"host":"b","method":"GET"}\n',
        encoding="utf-8",
    )
    assert [e["host"] for e in read_event_fragment(p)] == ["a", "b"]
