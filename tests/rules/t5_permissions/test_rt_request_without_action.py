from __future__ import annotations

from apprights.model.finding import Confidence
from apprights.rules.t5_permissions.rt_request_without_action import RequestWithoutAction
from tests.extractors.trace.support import run_file


def test_triggers_request_before_consent() -> None:
    (f,) = run_file(RequestWithoutAction, "t5_violate.jsonl")
    assert f.key == "pre_consent" and "PHONE" in f.detail_en
    assert f.confidence == Confidence.OBSERVED_IN_VIOLATION
    assert f.evidence[0].data["phase"] == "shown"


def test_triggers_first_launch_request_right_after_consent_tap() -> None:
    (f,) = run_file(RequestWithoutAction, "spec_example.jsonl")
    # the 同意 tap answers the dialog: it is not a user action for the permission
    assert f.key == "first_launch"
    assert f.detail_en.endswith("CONTACTS, LOCATION, PHONE")


def test_clean_requests_after_feature_taps() -> None:
    assert run_file(RequestWithoutAction, "t5_clean.jsonl") == []
