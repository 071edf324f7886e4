from __future__ import annotations

from apprights.model.policy import PolicyFacts
from apprights.rules.t4_targeted_push.rt_ad_identifiers_no_switch import AdIdentifiersNoSwitch
from tests.extractors.trace.support import load, run, run_file, small_knowledge


def test_triggers_oaid_to_ad_sdk_without_switch() -> None:
    (f,) = run_file(AdIdentifiersNoSwitch, "t4_violate.jsonl")
    assert f.subject.id == "pangle"
    ev = f.evidence[0].data
    assert ev["pi_type"] == "oaid" and ev["encoding"] == "base64"


def test_clean_switch_on_settings_screen() -> None:
    assert run_file(AdIdentifiersNoSwitch, "t4_clean.jsonl") == []


def test_clean_policy_with_opt_out() -> None:
    k = small_knowledge()
    policy = PolicyFacts(path="p.txt", sha256="0" * 64, targeted_push_opt_out=3)
    assert run(AdIdentifiersNoSwitch, load("t4_violate.jsonl", knowledge=k, policy=policy), k) == []


def test_clean_non_ad_sdk() -> None:
    assert run_file(AdIdentifiersNoSwitch, "spec_example.jsonl") == []
