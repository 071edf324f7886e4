from collections.abc import Iterator

from apprights.engine.runner import merge_findings, run_rules
from apprights.model.facts import AppFacts, ManifestFacts
from apprights.model.finding import Confidence, Evidence, Finding, Severity, Subject, SubjectKind
from apprights.rules.base import Rule, RuleContext

SDK = Subject(SubjectKind.SDK, "umeng-analytics", "友盟统计")


class Boom(Rule):
    id = "T1.test_boom"
    problem_type = 1
    requires = frozenset({"manifest"})

    def check(self, facts: AppFacts, ctx: RuleContext) -> Iterator[Finding]:
        raise ValueError("broken rule")


class Static(Rule):
    id = "T1.test_static"
    problem_type = 1
    title_zh = "静态"
    title_en = "static"
    requires = frozenset({"manifest"})

    def check(self, facts: AppFacts, ctx: RuleContext) -> Iterator[Finding]:
        yield self.finding(
            facts,
            key="k",
            subject=SDK,
            confidence=Confidence.REACHABLE,
            evidence=[Evidence("dex", {"class": "com.umeng.X"})],
            merge_key="T1.pre_consent:umeng-analytics",
        )


class NeedsTrace(Rule):
    id = "T1.test_trace"
    problem_type = 1
    requires = frozenset({"runtime"})

    def check(self, facts: AppFacts, ctx: RuleContext) -> Iterator[Finding]:
        yield from ()


def facts() -> AppFacts:
    return AppFacts(manifest=ManifestFacts(package="com.example"))


def test_crashing_rule_is_isolated(knowledge) -> None:  # type: ignore[no-untyped-def]
    run = run_rules(facts(), RuleContext(knowledge), [Boom, Static, NeedsTrace])
    assert [f.rule for f in run.findings] == ["T1.test_static"]
    assert run.errors == [{"input": "rule:T1.test_boom", "message": "ValueError: broken rule"}]
    assert run.skipped == {"T1.test_trace": "runtime"}


def _f(rule: str, conf: Confidence, ev: str, sev: Severity = Severity.MEDIUM) -> Finding:
    return Finding(
        rule,
        1,
        "t",
        "t",
        sev,
        conf,
        SDK,
        ["164号文 一(1)"],
        [Evidence("trace", {"e": ev})],
        key="k",
        merge_key="T1.pre_consent:umeng-analytics",
    )


def test_static_suspicion_merges_into_runtime_confirmation() -> None:
    merged = merge_findings(
        [
            _f("T1.static", Confidence.REACHABLE, "s", Severity.HIGH),
            _f("T1.runtime", Confidence.OBSERVED_IN_VIOLATION, "r"),
        ]
    )
    assert len(merged) == 1
    m = merged[0]
    assert m.rule == "T1.runtime" and m.confidence == Confidence.OBSERVED_IN_VIOLATION
    assert m.also_rules == ["T1.static"] and m.severity == Severity.HIGH
    assert [e.data["e"] for e in m.evidence] == ["r", "s"]


def test_same_fingerprint_reported_once() -> None:
    a, b = _f("T1.x", Confidence.PRESENT, "1"), _f("T1.x", Confidence.PRESENT, "2")
    a.merge_key = b.merge_key = ""
    merged = merge_findings([a, b])
    assert len(merged) == 1 and len(merged[0].evidence) == 2


def test_fingerprint_ignores_evidence_and_confidence() -> None:
    assert _f("T1.x", Confidence.PRESENT, "1").fingerprint == _f("T1.x", Confidence.OBSERVED, "2").fingerprint
    other = _f("T1.x", Confidence.PRESENT, "1")
    other.key = "k2"
    assert other.fingerprint != _f("T1.x", Confidence.PRESENT, "1").fingerprint
