"""The policy discloses targeted push / personalised recommendation but no way to switch it off."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from apprights.model.facts import AppFacts
from apprights.model.finding import Confidence, Evidence, Finding, Severity
from apprights.rules._pol_common import policy_absence, policy_evidence
from apprights.rules.base import Rule, RuleContext


class PolicyTargetedPushNoOptOut(Rule):
    """Personalised push or recommendation is disclosed, but the policy describes no way to turn it off.

    What it detects
        ``PolicyFacts.targeted_push_disclosed`` is set and ``targeted_push_opt_out`` is None: no sentence
        combines personalisation words with 关闭/退出/取消/开关 ("opt out", "turn off"). With
        ``require_ads_sdk`` the rule fires only when an ad SDK is also in use.

    Legal basis
        164号文 一(4) (未提供关闭该功能选项); 认定方法 三(6) (未提供非定向推送信息的选项); GB/T 35273-2020 7.5.

    Evidence and confidence
        The disclosing ``policy`` sentence and a ``policy`` item of what was searched for. Confidence
        ``declared``.

    Known false positives
        The switch exists in the app but the policy does not describe it (still a disclosure gap); opt-out
        wording the patterns do not know.

    Fixtures
        tests/rules/t4_targeted_push/test_pol_targeted_push_no_opt_out.py
    """

    id = "T4.pol_targeted_push_no_opt_out"
    problem_type = 4
    title_zh = "隐私政策告知定向推送但未提供关闭方式"
    title_en = "Targeted push disclosed, but no way to switch it off is described"
    severity = Severity.MEDIUM
    legal_basis = ("164号文 一(4)", "认定方法 三(6)", "GB/T 35273-2020 7.5")
    requires = frozenset({"policy"})
    default_options: ClassVar[dict[str, Any]] = {"require_ads_sdk": False}

    def check(self, facts: AppFacts, ctx: RuleContext) -> Iterator[Finding]:
        policy = facts.policy
        if (
            policy is None
            or policy.targeted_push_disclosed is None
            or policy.targeted_push_opt_out is not None
        ):
            return
        ads = [s for s in facts.sdks if s.used and s.category == "ads"]
        if ctx.option(type(self), "require_ads_sdk") and not ads:
            return
        evidence: list[Evidence] = [
            policy_evidence(policy, policy.targeted_push_disclosed),
            policy_absence(policy, "opt-out of targeted push (关闭个性化推荐/退出定向推送)"),
        ]
        evidence += [Evidence("dex", {"sdk": s.id, "category": s.category}) for s in ads[:5]]
        yield self.finding(
            facts,
            key="no_opt_out",
            evidence=evidence,
            confidence=Confidence.DECLARED,
            detail_zh="隐私政策告知了个性化推荐/定向推送，但未说明关闭该功能的方式。",
            detail_en="The policy discloses personalised recommendation/targeted push but not how to turn it off.",
        )
