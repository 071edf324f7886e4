"""One fact gives one finding: after merging, a call site, permission or manifest component is the evidence of
at most one finding of a problem type (a static suspicion and its twin are merged, not reported twice)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from hypothesis import HealthCheck, given, settings

from apprights.engine.runner import run_rules
from apprights.model.facts import AppFacts
from apprights.model.finding import Finding
from tests.rules.static_support import ctx
from tests.rules.test_static_rules import STATIC_RULES, app_facts


def _fact_keys(f: Finding) -> set[tuple[Any, ...]]:
    out: set[tuple[Any, ...]] = set()
    for e in f.evidence:
        d = e.data
        if d.get("api") and d.get("caller_class"):
            out.add(("site", d["api"], d["caller_class"], d.get("caller_method")))
        elif d.get("permission") and e.source == "manifest":
            out.add(("permission", d["permission"]))
        elif d.get("component"):
            out.add(("component", d["component"]))
    return out


def shared_facts(findings: list[Finding]) -> dict[tuple[Any, ...], set[str]]:
    owners: dict[tuple[Any, ...], set[str]] = defaultdict(set)
    for f in findings:
        for k in _fact_keys(f):
            owners[(f.problem_type, *k)].add(f"{f.rule}:{f.subject.id}")
    return {k: v for k, v in owners.items() if len(v) > 1}


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(facts=app_facts())
def test_a_fact_is_evidence_of_one_finding_per_problem_type(facts: AppFacts) -> None:
    ids = {r.id for r in STATIC_RULES}
    run = run_rules(facts, ctx(), only=ids)
    assert shared_facts(run.findings) == {}
