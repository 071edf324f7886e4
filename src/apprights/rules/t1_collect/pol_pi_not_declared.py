"""Personal information collected (code or trace) of a type the privacy policy never declares."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from apprights.model.facts import AppFacts
from apprights.model.finding import Confidence, Evidence, Finding, Severity
from apprights.model.pi import pi_label
from apprights.rules._pol_common import (
    MAX_EVIDENCE,
    policy_absence,
    runtime_reads,
    site_evidence,
    static_pi_reads,
)
from apprights.rules.base import Rule, RuleContext


class PolicyPiNotDeclared(Rule):
    """The app (or an SDK in it) collects a type of personal information that its privacy policy never names.

    What it detects
        For every PI type read by the code (``code.call_sites`` mapped through the sensitive-API catalogue) or
        seen read at runtime (``runtime.sessions[*].api_calls[*].pi_type``), whether the policy declares it
        (``PolicyFacts.declared_types()``; with ``accept_generic`` a generic term such as 设备标识符 covers the
        specific identifiers). One finding per undeclared type. Types in ``ignore_pi`` (low-sensitivity device
        information, IP, storage) are skipped.

    Legal basis
        164号文 一(1) (未告知…目的、方式、范围); 认定方法 三(9) (实际收集与所声明的规则不一致) and 二(1).

    Evidence and confidence
        ``dex`` call sites (or trace event indexes) of the reads, plus a ``policy`` item saying which terms were
        searched for and not found. ``present`` for code only, ``observed`` when a trace shows the read.

    Known false positives
        Code present but never run (dead SDK paths); policies that describe the data with words outside the
        lexicon or only in an image; a separate SDK-list document that was not supplied.

    Fixtures
        tests/rules/t1_collect/test_pol_pi_not_declared.py
    """

    id = "T1.pol_pi_not_declared"
    problem_type = 1
    title_zh = "收集的个人信息类型未在隐私政策中声明"
    title_en = "Collected personal information is not declared in the privacy policy"
    severity = Severity.HIGH
    legal_basis = ("164号文 一(1)", "认定方法 三(9)", "认定方法 二(1)")
    requires = frozenset({"policy"})
    default_options: ClassVar[dict[str, Any]] = {
        "ignore_pi": ["device_info", "ip", "storage", "sensors"],
        "accept_generic": True,
    }

    def check(self, facts: AppFacts, ctx: RuleContext) -> Iterator[Finding]:
        policy = facts.policy
        if policy is None:
            return
        ignore = set(ctx.option(type(self), "ignore_pi"))
        declared = (
            policy.declared_or_covered_types()
            if ctx.option(type(self), "accept_generic")
            else policy.declared_types()
        )
        static = static_pi_reads(facts, ctx, ignore)
        observed: dict[str, list[Evidence]] = {}
        for r in runtime_reads(facts):
            if r.pi_type in ignore:
                continue
            ev = observed.setdefault(r.pi_type, [])
            if len(ev) < MAX_EVIDENCE:
                ev.append(
                    Evidence(
                        "trace",
                        {"trace": r.trace, "index": r.index, "t": r.t, "api": r.api, "actor": r.actor},
                    )
                )
        for pi in sorted(set(static) | set(observed)):
            if pi in declared:
                continue
            evidence = list(observed.get(pi, []))
            if pi in static:
                evidence += [site_evidence(s) for s in static[pi].sites[: MAX_EVIDENCE - len(evidence) or 1]]
            evidence.append(policy_absence(policy, f"PI type {pi} ({pi_label(pi)})", pi_type=pi))
            yield self.finding(
                facts,
                key=pi,
                evidence=evidence,
                confidence=Confidence.OBSERVED if pi in observed else Confidence.PRESENT,
                detail_zh=f"应用收集{pi_label(pi)}，但隐私政策未声明收集该类个人信息。",
                detail_en=f"The app collects {pi_label(pi, 'en')}, but the privacy policy does not declare it.",
                merge_key=f"T1.undeclared:{pi}",
            )
