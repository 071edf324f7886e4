from __future__ import annotations

from apprights.rules.t5_permissions.rt_exit_after_denial import ExitAfterDenial
from tests.extractors.trace.support import run_file


def test_triggers_crash_after_location_denied() -> None:
    (f,) = run_file(ExitAfterDenial, "t5_violate.jsonl")
    assert f.key == "exit_after_denial:android.permission.ACCESS_FINE_LOCATION"
    assert [e.data["kind"] for e in f.evidence] == ["permission_result", "process_exit"]
    assert f.evidence[1].data["what"] == "crash"


def test_clean_app_keeps_running_after_denials() -> None:
    assert run_file(ExitAfterDenial, "t5_clean.jsonl") == []


def test_clean_when_window_shorter_than_delay() -> None:
    assert run_file(ExitAfterDenial, "t5_violate.jsonl", window_s=1.0) == []
