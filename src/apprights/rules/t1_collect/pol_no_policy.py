"""No privacy policy, or a policy without any rules on collecting personal information."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from apprights.model.facts import AppFacts
from apprights.model.finding import Confidence, Evidence, Finding, Severity
from apprights.rules._pol_common import policy_absence, static_pi_reads
from apprights.rules.base import Rule, RuleContext


class PolicyMissing(Rule):
    """An app that handles personal information has no privacy policy, or its policy has no collection rules.

    What it detects
        (a) The app declares dangerous permissions, reads PI in code or embeds used SDKs, but no privacy
        policy was supplied with the scan; (b) a policy was supplied but names no personal-information types
        at all (``PolicyFacts.has_collection_rules`` is false).

    Legal basis
        认定方法 一(1) (无隐私政策或隐私政策中无收集使用个人信息规则); 164号文 一(1).

    Evidence and confidence
        (a) ``manifest``/``dex`` items showing the app handles PI and a ``policy`` item recording that none was
        supplied; (b) a ``policy`` item recording what was searched for. Confidence ``declared``: the finding
        rests on declarations (manifest, policy), not on observed behaviour.

    Known false positives
        (a) fires whenever a scan is run without ``--policy``: the app may well show a policy at run time, so a
        reviewer must confirm; (b) policies published as images or in a language other than Chinese/English.

    Fixtures
        tests/rules/t1_collect/test_pol_no_policy.py
    """

    id = "T1.pol_no_policy"
    problem_type = 1
    title_zh = "无隐私政策或隐私政策中无个人信息收集使用规则"
    title_en = "No privacy policy, or no rules on collecting personal information in it"
    severity = Severity.MEDIUM
    legal_basis = ("认定方法 一(1)", "164号文 一(1)")
    requires = frozenset({"manifest"})
    default_options: ClassVar[dict[str, Any]] = {"ignore_pi": ["device_info", "ip", "storage"]}

    def check(self, facts: AppFacts, ctx: RuleContext) -> Iterator[Finding]:
        policy = facts.policy
        if policy is not None:
            if not policy.has_collection_rules:
                yield self.finding(
                    facts,
                    key="no_collection_rules",
                    evidence=[policy_absence(policy, "personal-information types collected (收集使用规则)")],
                    confidence=Confidence.DECLARED,
                    title_zh="隐私政策中无个人信息收集使用规则",
                    title_en="The privacy policy has no rules on collecting personal information",
                    detail_zh="隐私政策未列出收集的任何个人信息类型。",
                    detail_en="The privacy policy does not name any type of personal information collected.",
                )
            return
        evidence: list[Evidence] = []
        if facts.manifest is not None:
            for p in facts.manifest.permissions:
                if p.dangerous or ctx.knowledge.permissions.is_dangerous(p.name):
                    evidence.append(Evidence("manifest", {"permission": p.name}))
        reads = static_pi_reads(facts, ctx, set(ctx.option(type(self), "ignore_pi")))
        for pi in sorted(reads)[:5]:
            s = reads[pi].sites[0]
            evidence.append(Evidence("dex", {"api": s.api, "class": s.caller_class, "pi_type": pi}))
        evidence += [Evidence("dex", {"sdk": s.id}) for s in facts.sdks if s.used][:5]
        if not evidence:
            return
        evidence = evidence[:10]
        evidence.append(Evidence("policy", {"searched_for": "privacy policy", "supplied": False}))
        yield self.finding(
            facts,
            key="no_policy",
            evidence=evidence,
            confidence=Confidence.DECLARED,
            detail_zh="应用申请敏感权限或收集个人信息，但未提供隐私政策（本次检测未提供隐私政策文本，需人工确认）。",
            detail_en="The app requests sensitive permissions or reads personal information, but no privacy policy "
            "was supplied to this scan (confirm manually that the app shows none).",
        )
