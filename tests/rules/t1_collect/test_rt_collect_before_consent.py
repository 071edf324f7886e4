from __future__ import annotations

from pathlib import Path

from apprights.model.finding import Confidence, SubjectKind
from apprights.rules.t1_collect.rt_collect_before_consent import CollectBeforeConsent
from tests.extractors.trace.support import load, run, run_file, without


def test_triggers_on_spec_example_umeng_imei_before_consent() -> None:
    findings = run_file(CollectBeforeConsent, "spec_example.jsonl")
    assert len(findings) == 1
    f = findings[0]
    assert f.subject.kind == SubjectKind.SDK and f.subject.id == "umeng-analytics"
    assert f.confidence == Confidence.OBSERVED_IN_VIOLATION
    assert f.merge_key == "T1.pre_consent:umeng-analytics"
    kinds = {e.data["kind"] for e in f.evidence}
    assert kinds == {"api_call", "network"}
    api_ev = next(e for e in f.evidence if e.data["kind"] == "api_call")
    assert api_ev.data["event"] == 2 and api_ev.data["t"] == 1.2 and api_ev.data["phase"] == "before"
    assert "ulogs.umeng.com" in f.detail_en
    # masked: the raw IMEI never appears in the finding
    assert "861234567890123" not in str(f.to_dict())


def test_triggers_key_is_stable_across_retests() -> None:
    a = run_file(CollectBeforeConsent, "spec_example.jsonl")[0]
    b = run_file(CollectBeforeConsent, "spec_example.jsonl")[0]
    assert a.fingerprint == b.fingerprint and "1.2" not in a.key


def test_clean_device_info_before_consent_and_pi_after() -> None:
    assert run_file(CollectBeforeConsent, "t1_clean.jsonl") == []


def test_clean_when_session_has_no_consent_events(tmp_path: Path) -> None:
    trace = without("spec_example.jsonl", tmp_path, '"consent"')
    facts = load(trace)
    assert facts.runtime is not None
    assert facts.runtime.sessions[0].api_calls[0].at.phase == "unknown"
    assert run(CollectBeforeConsent, facts) == []
