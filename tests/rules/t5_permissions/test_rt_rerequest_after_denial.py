from __future__ import annotations

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
