from __future__ import annotations

from apprights.model.finding import Confidence, SubjectKind
from apprights.model.policy import PolicyFacts, PolicySdkEntry
from apprights.rules.t3_misuse.rt_pi_to_third_party import PiToThirdParty
from tests.extractors.trace.support import load, run, run_file, small_knowledge


def test_triggers_spec_example_imei_to_umeng() -> None:
    (f,) = run_file(PiToThirdParty, "spec_example.jsonl")
    assert f.subject.kind == SubjectKind.SDK and f.subject.id == "umeng-analytics"
    assert f.merge_key == "T3.third_party:umeng-analytics"
    ev = f.evidence[0].data
    assert (
        ev["host"] == "ulogs.umeng.com" and ev["read_event"] == 2 and ev["read_t"] == 1.2 and ev["t"] == 1.9
    )
    assert ev["where"] == "body" and len(ev["value_sha256"]) == 64
    assert "t=1.2 s" in f.detail_en and "t=1.9 s" in f.detail_en


def test_triggers_hashed_gzip_and_header_mac_to_third_parties() -> None:
    found = {f.subject.id: f for f in run_file(PiToThirdParty, "t3_violate.jsonl")}
    assert set(found) == {"com.example.app", "tencent-bugly"}
    app_hosts = {e.data["host"]: e.data["encoding"] for e in found["com.example.app"].evidence}
    assert app_hosts == {"t.adtrack.example.org": "md5", "stat.example.net": "raw"}
    mac = found["tencent-bugly"].evidence[0].data
    assert mac["pi_type"] == "mac" and mac["where"] == "header:X-Dev" and mac["encoding"] == "nosep"


def test_clean_first_party_and_pi_free_requests() -> None:
    assert run_file(PiToThirdParty, "t3_clean.jsonl") == []


def test_clean_policy_listing_lowers_confidence() -> None:
    k = small_knowledge()
    policy = PolicyFacts(
        path="p.txt", sha256="0" * 64, sdk_list=[PolicySdkEntry(name="友盟", sdk_id="umeng-analytics")]
    )
    facts = load("spec_example.jsonl", knowledge=k, policy=policy)
    (f,) = run(PiToThirdParty, facts, k)
    assert f.confidence == Confidence.OBSERVED
