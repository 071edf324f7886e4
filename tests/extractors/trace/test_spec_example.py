"""The example of spec/trace-format.md, completed into a valid fixture, gives the findings its text describes."""

from __future__ import annotations

from apprights.rules.base import RuleContext, discover_rules
from tests.extractors.trace.support import load, small_knowledge


def test_spec_example_types_1_3_5() -> None:
    k = small_knowledge()
    facts = load("spec_example.jsonl", knowledge=k)
    rules = [r for r in discover_rules() if r.__module__.rsplit(".", 1)[-1].startswith("rt_")]
    findings = [f for r in rules if r.requires <= {"runtime"} for f in r().check(facts, RuleContext(k))]
    by_rule = {(f.rule, f.subject.id) for f in findings}
    # type 1: Umeng read the IMEI (and sent it) before consent at t=6.1
    assert ("T1.collect_before_consent", "umeng-analytics") in by_rule
    # type 3: the IMEI read at t=1.2 is in the payload sent to a third-party (SDK vendor) host
    assert ("T3.pi_to_third_party", "umeng-analytics") in by_rule
    # type 5: three permission groups requested at once right after consent
    assert ("T5.bundled_permission_request", "com.example.news") in by_rule
    assert {1, 3, 5} <= {f.problem_type for f in findings}
    # nothing claims a problem the example does not show
    assert not any(f.problem_type in (4, 6, 7, 8) for f in findings)
