from __future__ import annotations

from apprights.rules.t5_permissions.rt_bundled_request import BundledPermissionRequest
from tests.extractors.trace.support import run_file


def test_triggers_spec_example_three_groups() -> None:
    (f,) = run_file(BundledPermissionRequest, "spec_example.jsonl")
    assert f.key == "bundled:CONTACTS+LOCATION+PHONE"
    assert f.evidence[0].data["t"] == 6.5 and f.evidence[0].data["phase"] == "agreed"


def test_clean_single_group_requests() -> None:
    assert run_file(BundledPermissionRequest, "t5_clean.jsonl") == []
    assert run_file(BundledPermissionRequest, "t5_violate.jsonl") == []


def test_clean_when_max_groups_raised() -> None:
    assert run_file(BundledPermissionRequest, "spec_example.jsonl", max_groups=3) == []
