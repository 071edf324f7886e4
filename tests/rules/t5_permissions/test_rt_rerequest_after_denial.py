from __future__ import annotations

import json
from pathlib import Path

from apprights.rules.t5_permissions.rt_rerequest_after_denial import RerequestAfterDenial
from tests.extractors.trace.support import run_file


def test_triggers_camera_asked_twice_after_denial() -> None:
    (f,) = run_file(RerequestAfterDenial, "t5_violate.jsonl")
    assert f.key == "rerequest:CAMERA"
    assert [e.data["kind"] for e in f.evidence] == [
        "permission_result",
        "permission_request",
        "permission_request",
    ]
    assert [e.data["t"] for e in f.evidence] == [41.0, 50.0, 60.0]


def test_clean_repeat_after_user_tap() -> None:
    assert run_file(RerequestAfterDenial, "t5_clean.jsonl") == []


def test_clean_repeat_outside_window() -> None:
    assert run_file(RerequestAfterDenial, "t5_violate.jsonl", window_h=0.001) == []


def _two_sessions(tmp_path: Path, second_start: str) -> tuple[Path, Path]:
    head = {"type": "session", "t": 0, "format": "apprights-trace/1", "package": "com.example.app"}
    first = [
        {**head, "started_at": "2026-11-28T08:00:00Z"},
        {"type": "tap", "t": 5.0, "text": "拍照"},
        {"type": "permission_request", "t": 5.2, "permissions": ["android.permission.CAMERA"]},
        {
            "type": "permission_result",
            "t": 6.0,
            "permission": "android.permission.CAMERA",
            "result": "denied",
        },
        {"type": "app_state", "t": 10.0, "state": "killed"},
    ]
    second = [
        {**head, "started_at": second_start},
        {"type": "app_state", "t": 0.5, "state": "foreground"},
        {"type": "permission_request", "t": 2.0, "permissions": ["android.permission.CAMERA"]},
    ]
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    a.write_text("\n".join(json.dumps(e) for e in first) + "\n", encoding="utf-8")
    b.write_text("\n".join(json.dumps(e) for e in second) + "\n", encoding="utf-8")
    return a, b


def test_triggers_after_kill_and_relaunch_in_next_session(tmp_path: Path) -> None:
    a, b = _two_sessions(tmp_path, "2026-11-28T10:00:00+00:00")
    (f,) = run_file(RerequestAfterDenial, a, b)
    assert [(e.data["session"], e.data["kind"]) for e in f.evidence] == [
        (0, "permission_result"),
        (1, "permission_request"),
    ]


def test_clean_relaunch_after_48_hours(tmp_path: Path) -> None:
    a, b = _two_sessions(tmp_path, "2026-12-01T08:00:00Z")
    assert run_file(RerequestAfterDenial, a, b) == []
