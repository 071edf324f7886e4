from __future__ import annotations

from apprights.model.finding import Confidence
from apprights.rules.t6_autostart.rt_self_start import SelfStart
from tests.extractors.trace.support import run_file


def test_triggers_boot_receiver_and_foreign_wakeup() -> None:
    found = {f.key: f for f in run_file(SelfStart, "t6_violate.jsonl")}
    assert set(found) == {
        "self_start:broadcast:com.example.app/.BootReceiver",
        "self_start:service:com.example.app/.PushService",
    }
    assert (
        found["self_start:broadcast:com.example.app/.BootReceiver"].confidence
        == Confidence.OBSERVED_IN_VIOLATION
    )
    assert found["self_start:service:com.example.app/.PushService"].confidence == Confidence.OBSERVED


def test_clean_launcher_start_and_own_push_process() -> None:
    assert run_file(SelfStart, "t6_clean.jsonl") == []


def test_clean_ignored_caller() -> None:
    found = run_file(SelfStart, "t6_violate.jsonl", ignore_callers=["com.partner.push"])
    assert [f.key for f in found] == ["self_start:broadcast:com.example.app/.BootReceiver"]
