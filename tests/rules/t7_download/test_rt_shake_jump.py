from __future__ import annotations

from apprights.rules.t7_download.rt_shake_jump import ShakeJump
from tests.extractors.trace.support import run_file


def test_triggers_weak_shake_opens_app_store() -> None:
    (f,) = run_file(ShakeJump, "t7_violate.jsonl")
    shake, jump = f.evidence
    assert shake.data["accel_ms2"] == 8.0 and jump.data["t"] == 11.0


def test_clean_strong_shake_and_weak_shake_without_jump() -> None:
    assert run_file(ShakeJump, "t7_clean.jsonl") == []


def test_clean_when_thresholds_lowered() -> None:
    found = run_file(ShakeJump, "t7_violate.jsonl", min_accel_ms2=5, min_rotation_deg=10, min_duration_s=0.5)
    assert found == []
