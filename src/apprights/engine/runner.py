"""Run a rule set over facts: skip rules whose facts are missing, isolate a crashing rule, merge duplicates."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field

from apprights.model.facts import AppFacts
from apprights.model.finding import Finding
from apprights.rules.base import Rule, RuleContext, discover_rules

log = logging.getLogger(__name__)


@dataclass
class RuleRun:
    findings: list[Finding] = field(default_factory=list)
    errors: list[dict[str, str]] = field(default_factory=list)  # {"input": "rule:<id>", "message": …}
    ran: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # rule id -> missing facts


def available_facts(facts: AppFacts) -> set[str]:
    have: set[str] = set()
    if facts.manifest is not None:
        have.add("manifest")
    if facts.code is not None:
        have.add("code")
    if facts.apk is not None:
        have.add("sdks")
    if facts.policy is not None:
        have.add("policy")
    if facts.runtime is not None:
        have.add("runtime")
    if facts.listings:
        have.add("listing")
    if facts.category:
        have.add("category")
    return have


def run_rules(
    facts: AppFacts,
    ctx: RuleContext,
    rules: Sequence[type[Rule]] | None = None,
    *,
    only: set[str] | None = None,
    disabled: set[str] | None = None,
) -> RuleRun:
    """Run every applicable rule. A rule that raises becomes an error entry; the others still run."""
    result = RuleRun()
    have = available_facts(facts)
    for rule_cls in rules if rules is not None else discover_rules():
        if only is not None and rule_cls.id not in only:
            continue
        if disabled and rule_cls.id in disabled:
            continue
        missing = set(rule_cls.requires) - have
        if missing:
            result.skipped[rule_cls.id] = ",".join(sorted(missing))
            continue
        try:
            found = list(rule_cls().check(facts, ctx))
        except Exception as exc:  # a broken rule must not lose the other findings
            log.error("rule %s failed: %s", rule_cls.id, traceback.format_exc())
            result.errors.append({"input": f"rule:{rule_cls.id}", "message": f"{type(exc).__name__}: {exc}"})
            continue
        result.ran.append(rule_cls.id)
        result.findings.extend(found)
    result.findings = merge_findings(result.findings)
    return result


def merge_findings(findings: list[Finding]) -> list[Finding]:
    """Report each problem once.

    Findings with the same fingerprint are one finding (evidence joined). Findings of different rules sharing a
    ``merge_key`` and problem type (a static suspicion and its runtime confirmation) become the one with the
    highest confidence, carrying the others' evidence and rule ids in ``also_rules``.
    """
    by_fp: dict[str, Finding] = {}
    for f in findings:
        prev = by_fp.get(f.fingerprint)
        if prev is None:
            by_fp[f.fingerprint] = f
        else:
            _absorb(prev, f)
    merged: dict[tuple[int, str], Finding] = {}
    out: list[Finding] = []
    for f in by_fp.values():
        if not f.merge_key:
            out.append(f)
            continue
        k = (f.problem_type, f.merge_key)
        prev = merged.get(k)
        if prev is None:
            merged[k] = f
            out.append(f)
            continue
        if f.confidence.rank > prev.confidence.rank or (
            f.confidence.rank == prev.confidence.rank and f.severity.rank > prev.severity.rank
        ):
            _absorb(f, prev)
            out[out.index(prev)] = f
            merged[k] = f
        else:
            _absorb(prev, f)
    return sorted(out, key=lambda x: (x.problem_type, -x.severity.rank, x.rule, x.subject.id, x.key))


def _absorb(into: Finding, other: Finding) -> None:
    seen = {repr(sorted(e.to_dict().items())) for e in into.evidence}
    for e in other.evidence:
        r = repr(sorted(e.to_dict().items()))
        if r not in seen:
            into.evidence.append(e)
            seen.add(r)
    if other.rule != into.rule and other.rule not in into.also_rules:
        into.also_rules.append(other.rule)
    for r in other.also_rules:
        if r != into.rule and r not in into.also_rules:
            into.also_rules.append(r)
    if other.severity.rank > into.severity.rank:
        into.severity = other.severity
