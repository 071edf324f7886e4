from __future__ import annotations

from apprights.model.finding import Confidence
from apprights.rules.t2_overreach.rt_collect_in_background import CollectInBackground
from tests.extractors.trace.support import run_file


def test_triggers_background_screen_off_and_killed() -> None:
    found = {(f.subject.id, f.key): f for f in run_file(CollectInBackground, "t2_violate.jsonl")}
    assert set(found) == {
        ("tencent-bugly", "state:background"),
        ("com.example.app", "state:screen_off"),
        ("jpush", "state:killed"),
    }
    assert all(f.confidence == Confidence.OBSERVED_IN_VIOLATION for f in found.values())
    assert found[("jpush", "state:killed")].evidence[0].data["state"] == "killed"


def test_triggers_spec_example_location_in_background() -> None:
    (f,) = run_file(CollectInBackground, "spec_example.jsonl")
    assert f.key == "state:background" and f.evidence[0].data["t"] == 32.0


def test_clean_reads_only_in_foreground() -> None:
    assert run_file(CollectInBackground, "t2_clean.jsonl") == []


def test_clean_when_api_allowed_by_option() -> None:
    found = run_file(
        CollectInBackground,
        "spec_example.jsonl",
        allowed_apis=["android.location.LocationManager.getLastKnownLocation"],
        ignore_pi_types=[],
    )
    assert found == []
