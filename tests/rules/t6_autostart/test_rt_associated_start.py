from __future__ import annotations

from apprights.model.finding import Confidence
from apprights.rules.t6_autostart.rt_associated_start import AssociatedStart
from tests.extractors.trace.support import run_file


def test_triggers_family_app_woken_before_and_after_consent() -> None:
    (f,) = run_file(AssociatedStart, "t6_violate.jsonl")
    assert f.key == "associated_start:com.example.family"
    assert f.confidence == Confidence.OBSERVED_IN_VIOLATION
    assert "1 time(s) before consent, 1 after" in f.detail_en
    assert [e.data["kind"] for e in f.evidence] == ["proc_start", "intent"]


def test_clean_user_share_and_system_settings() -> None:
    assert run_file(AssociatedStart, "t6_clean.jsonl") == []
