"""One network request, one subject (issue 12): the app's own code sending an identifier to an SDK vendor's host
was the app's in T1 (pre-consent) but the SDK's in T3 (third party). Both now attribute it to the SDK."""

from __future__ import annotations

import json
from pathlib import Path

from apprights.model.finding import SubjectKind
from apprights.rules.t1_collect.rt_collect_before_consent import CollectBeforeConsent
from apprights.rules.t3_misuse.rt_pi_to_third_party import PiToThirdParty
from tests.extractors.trace.support import FIXTURES, load, run, small_knowledge


def _app_code_sends_to_umeng(tmp: Path) -> Path:
    """spec_example.jsonl with the IMEI read and sent by the app's own code (no SDK frame in either stack)."""
    lines = []
    for ln in (FIXTURES / "spec_example.jsonl").read_text(encoding="utf-8").splitlines():
        ev = json.loads(ln)
        if ev.get("type") == "api_call" and ev["api"].endswith("getDeviceId"):
            ev["stack"] = [ev["api"], "com.example.news.net.Stats.report", "com.example.news.App.onCreate"]
        if ev.get("type") == "network":  # sent through the app's own HTTP client (an in-process TLS hook's stack)
            ev["stack"] = ["okhttp3.RealCall.execute", "com.example.news.net.Stats.upload"]
        lines.append(json.dumps(ev, ensure_ascii=False))
    out = tmp / "app-sends-to-umeng.jsonl"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def _network_events(findings: list, subject_kind: SubjectKind) -> set[int]:  # type: ignore[type-arg]
    return {
        e.data["event"]
        for f in findings
        if f.subject.kind == subject_kind
        for e in f.evidence
        if e.data.get("kind") == "network"
    }


def test_a_request_is_the_same_subjects_in_t1_and_t3(tmp_path: Path) -> None:
    k = small_knowledge()
    facts = load(_app_code_sends_to_umeng(tmp_path), knowledge=k)
    t1 = run(CollectBeforeConsent, facts, k)
    t3 = run(PiToThirdParty, facts, k)
    assert {f.subject.id for f in t3} == {"umeng-analytics"}
    sent = _network_events(t3, SubjectKind.SDK)
    assert sent
    # the read is the app's (its own code called getDeviceId) …
    app_t1 = [f for f in t1 if f.subject.kind == SubjectKind.APP]
    assert app_t1 and any(e.data.get("kind") == "api_call" for f in app_t1 for e in f.evidence)
    # … but the request to Umeng's host is cited under Umeng in T1 as in T3, never under the app
    assert not _network_events(t1, SubjectKind.APP) & sent
    assert _network_events(t1, SubjectKind.SDK) == sent
