from __future__ import annotations

import json
from pathlib import Path

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


def test_triggers_requests_in_a_row_without_user_action(tmp_path: Path) -> None:
    events = [
        {"type": "session", "t": 0, "format": "apprights-trace/1", "package": "com.example.app"},
        {"type": "permission_request", "t": 1.0, "permissions": ["android.permission.READ_PHONE_STATE"]},
        {
            "type": "permission_result",
            "t": 2.0,
            "permission": "android.permission.READ_PHONE_STATE",
            "result": "granted",
        },
        {"type": "permission_request", "t": 2.3, "permissions": ["android.permission.ACCESS_FINE_LOCATION"]},
        {
            "type": "permission_result",
            "t": 3.0,
            "permission": "android.permission.ACCESS_FINE_LOCATION",
            "result": "denied",
        },
        {"type": "tap", "t": 20.0, "text": "拍照"},
        {"type": "permission_request", "t": 20.3, "permissions": ["android.permission.CAMERA"]},
    ]
    p = tmp_path / "row.jsonl"
    p.write_text("\n".join(json.dumps(e) for e in events) + "\n", encoding="utf-8")
    (f,) = run_file(BundledPermissionRequest, p)
    assert f.key == "bundled:LOCATION+PHONE"
    assert [e.data["requests_in_row"] for e in f.evidence] == [2, 2]


def test_clean_requests_in_a_row_split_by_taps(tmp_path: Path) -> None:
    events = [
        {"type": "session", "t": 0, "format": "apprights-trace/1", "package": "com.example.app"},
        {"type": "tap", "t": 0.8, "text": "电话"},
        {"type": "permission_request", "t": 1.0, "permissions": ["android.permission.READ_PHONE_STATE"]},
        {"type": "tap", "t": 2.0, "text": "定位"},
        {"type": "permission_request", "t": 2.3, "permissions": ["android.permission.ACCESS_FINE_LOCATION"]},
    ]
    p = tmp_path / "row.jsonl"
    p.write_text("\n".join(json.dumps(e) for e in events) + "\n", encoding="utf-8")
    assert run_file(BundledPermissionRequest, p) == []
