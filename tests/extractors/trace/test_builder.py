"""SessionBuilder on the demo trace's events (already valid): phases, kept calls, hosts, unknown types, caps."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from apprights.extractors.trace.builder import BuildOptions, SessionBuilder, first_party_suffixes
from apprights.knowledge import Knowledge

DEMO_TRACE = Path(__file__).resolve().parents[3] / "samples" / "demo" / "trace-first-launch.jsonl"


def events() -> list[dict[str, Any]]:
    return [json.loads(x) for x in DEMO_TRACE.read_text(encoding="utf-8").splitlines() if x.strip()]


def build(evs: list[dict[str, Any]], knowledge: Knowledge, **opts: Any) -> Any:
    b = SessionBuilder(str(DEMO_TRACE), 0, evs[0], knowledge, BuildOptions(**opts))
    for i, ev in enumerate(evs):
        b.feed(i, ev)
    return b.finish()


def test_first_party_suffixes() -> None:
    assert first_party_suffixes("com.example.news", ()) == ("example.com",)
    assert first_party_suffixes("Com.Example", (".cdn.example.net", "")) == ("cdn.example.net", "example.com")
    assert first_party_suffixes("single", ()) == ()


def test_demo_session(knowledge: Knowledge) -> None:
    evs = events()
    s = build(evs, knowledge)
    assert s.package == "com.example.news" and s.event_count == len(evs)
    assert s.duration == max(float(e["t"]) for e in evs)
    assert [c.action for c in s.consents][:1] == ["shown"] and s.first_consent("agreed") is not None
    before = [c for c in s.api_calls if c.at.phase not in ("agreed",)]
    assert any(c.api.endswith("getDeviceId") for c in before)  # the IMEI read at t=1.2 precedes consent
    assert s.hosts and s.hosts == sorted(s.hosts, key=lambda h: h.first_index)
    assert not any("no consent event" in w for w in s.warnings)


def test_without_consent_the_phase_is_unknown(knowledge: Knowledge) -> None:
    evs = [e for e in events() if e["type"] != "consent"]
    s = build(evs, knowledge)
    assert not s.consents and any("no consent event" in w for w in s.warnings)
    assert all(c.at.phase == "unknown" for c in s.api_calls)


def test_unknown_event_types_are_counted(knowledge: Knowledge) -> None:
    evs = events()
    evs += [{"type": "future_kind", "t": 99.0}, {"type": "future_kind", "t": 99.5}]
    s = build(evs, knowledge)
    assert s.unknown_types == {"future_kind": 2}
