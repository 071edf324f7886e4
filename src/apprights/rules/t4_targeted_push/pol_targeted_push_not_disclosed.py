"""Ad/recommendation SDKs present but the policy discloses no targeted push or personalised recommendation."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from apprights.model.facts import AppFacts
from apprights.model.finding import Confidence, Evidence, Finding, Severity
from apprights.rules._pol_common import policy_absence
from apprights.rules.base import Rule, RuleContext


class PolicyTargetedPushNotDisclosed(Rule):
    """The app embeds advertising/recommendation SDKs, but its policy never mentions personalised push.

    What it detects
        Used SDKs whose category is in ``categories`` (default: ads) while
        ``PolicyFacts.targeted_push_disclosed`` is None (no 个性化推荐/定向推送/精准营销/用户画像/personalised
        advertising … sentence).

    Legal basis
        164号文 一(4) (未以显著方式标示且未经用户同意…用于定向推送或广告精准营销); 认定方法 三(6);
        GB/T 35273-2020 7.5.

    Evidence and confidence
        ``dex`` items naming the SDKs and a ``policy`` item of what was searched for. Confidence ``present``:
        the SDK may serve only non-personalised ads.

    Known false positives
        Ad SDKs configured for non-personalised ads only; disclosure in a separate ad-SDK notice.

    Fixtures
        tests/rules/t4_targeted_push/test_pol_targeted_push_not_disclosed.py
    """

    id = "T4.pol_targeted_push_not_disclosed"
    problem_type = 4
    title_zh = "使用广告/推荐SDK但隐私政策未告知定向推送"
    title_en = "Ad/recommendation SDKs used, but the privacy policy does not disclose targeted push"
    severity = Severity.MEDIUM
    legal_basis = ("164号文 一(4)", "认定方法 三(6)", "GB/T 35273-2020 7.5")
    requires = frozenset({"sdks", "policy"})
    default_options: ClassVar[dict[str, Any]] = {"categories": ["ads"]}

    def check(self, facts: AppFacts, ctx: RuleContext) -> Iterator[Finding]:
        policy = facts.policy
        if policy is None or policy.targeted_push_disclosed is not None:
            return
        cats = set(ctx.option(type(self), "categories"))
        sdks = [s for s in facts.sdks if s.used and s.category in cats]
        if not sdks:
            return
        yield self.finding(
            facts,
            key="not_disclosed",
            evidence=[
                *[Evidence("dex", {"sdk": s.id, "category": s.category}) for s in sdks[:8]],
                policy_absence(policy, "targeted push / personalised recommendation (个性化推荐、定向推送)"),
            ],
            confidence=Confidence.PRESENT,
            detail_zh="应用集成广告SDK（"
            + "、".join(s.name or s.name_en for s in sdks[:5])
            + "），隐私政策未告知定向推送或个性化推荐。",
            detail_en="The app embeds ad SDKs ("
            + ", ".join(s.name_en or s.name for s in sdks[:5])
            + "), but the "
            "policy does not disclose targeted push or personalised recommendation.",
        )
