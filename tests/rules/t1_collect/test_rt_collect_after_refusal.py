from __future__ import annotations

from apprights.model.finding import Confidence, SubjectKind
from apprights.rules.t1_collect.rt_collect_after_refusal import CollectAfterRefusal
from tests.extractors.trace.support import run_file


def test_triggers_sdk_read_and_permission_request_after_refusal() -> None:
    findings = {f.subject.id: f for f in run_file(CollectAfterRefusal, "t1_refuse_violate.jsonl")}
    assert set(findings) == {"tencent-bugly", "com.example.app"}
    bugly = findings["tencent-bugly"]
    assert bugly.subject.kind == SubjectKind.SDK
    assert bugly.confidence == Confidence.OBSERVED_IN_VIOLATION
    assert bugly.evidence[0].data["phase"] == "refused"
    assert findings["com.example.app"].evidence[0].data["kind"] == "permission_request"


def test_clean_browse_mode_after_refusal() -> None:
    assert run_file(CollectAfterRefusal, "t1_refuse_clean.jsonl") == []


def test_clean_agree_path() -> None:
    assert run_file(CollectAfterRefusal, "spec_example.jsonl") == []
