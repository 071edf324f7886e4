from __future__ import annotations

from apprights.model.finding import Confidence
from apprights.rules.t7_download.rt_ad_no_close import AdNoClose
from tests.extractors.trace.support import run_file


def test_triggers_missing_and_fake_close() -> None:
    found = {f.key: f for f in run_file(AdNoClose, "t7_violate.jsonl")}
    assert set(found) == {
        "no_close:com.example.app/.SplashAdActivity",
        "fake_close:com.example.app/.InterstitialAdDialog",
    }
    assert (
        found["fake_close:com.example.app/.InterstitialAdDialog"].confidence
        == Confidence.OBSERVED_IN_VIOLATION
    )
    assert (
        found["fake_close:com.example.app/.InterstitialAdDialog"].evidence[1].data["target"]
        == "com.shop.example"
    )


def test_clean_ad_with_skip_button_and_consent_dialog() -> None:
    assert run_file(AdNoClose, "t7_clean.jsonl") == []
    assert run_file(AdNoClose, "spec_example.jsonl") == []
