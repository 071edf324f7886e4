"""The policy states a user right (access, correction, deletion, account cancellation) but no way to use it."""

from __future__ import annotations

from collections.abc import Iterator

from apprights.model.facts import AppFacts
from apprights.model.finding import Confidence, Finding, Severity
from apprights.rules._pol_common import policy_evidence
from apprights.rules.base import Rule, RuleContext

# rights covered by 认定方法 六(1) (更正、删除个人信息及注销用户账号) plus access (查阅), stated the same way
RIGHTS = ("access", "correction", "deletion", "cancellation")
_NAMES = {
    "access": ("查阅/访问个人信息", "access personal information"),
    "correction": ("更正个人信息", "correct personal information"),
    "deletion": ("删除个人信息", "delete personal information"),
    "cancellation": ("注销账号", "cancel the account"),
}


class PolicyRightWithoutMeans(Rule):
    """The privacy policy states a right but gives no path or channel to exercise it.

    What it detects
        A right the policy grants the user (查阅/访问, 更正, 删除 personal information, 注销账号: keys
        ``access``, ``correction``, ``deletion``, ``cancellation`` of ``PolicyFacts.rights``) for which the
        extractor found no means (``PolicyFacts.rights_means``): neither the sentence stating the right nor the
        next sentence of the same section names a path ("【我的-设置-账号与安全】", "点击…", "进入…页面") or a
        channel ("客服", "联系我们", an e-mail address, a phone number). One finding per right. A right the policy
        does not state at all is left to other rules (``T1.pol_no_account_cancellation``).

    Legal basis
        认定方法 六(1) (未提供有效的更正、删除个人信息及注销用户账号功能): a right stated with no way to use it is
        not an effective function.

    Evidence and confidence
        A ``policy`` item pointing at the sentence that states the right, with the right named. Confidence
        ``declared``. Severity is low instead of medium when the policy publishes a general contact or
        complaint channel elsewhere (``PolicyFacts.complaint_channel``), which a user may try.

    Known false positives
        Policies that give the means further away ("通过本政策第九节所列方式联系我们", a separate help page) or
        only in a picture; the function may exist in the app even though the policy does not describe it.

    Fixtures
        tests/rules/t1_collect/test_pol_right_without_means.py
    """

    id = "T1.pol_right_without_means"
    problem_type = 1
    title_zh = "隐私政策声明了用户权利但未提供行使途径"
    title_en = "The privacy policy states a user right but gives no way to exercise it"
    severity = Severity.MEDIUM
    legal_basis = ("认定方法 六(1)",)
    requires = frozenset({"policy"})

    def check(self, facts: AppFacts, ctx: RuleContext) -> Iterator[Finding]:
        policy = facts.policy
        if policy is None or not policy.has_collection_rules:
            return
        general_channel = policy.complaint_channel is not None
        for right in RIGHTS:
            stated = policy.rights.get(right)
            if stated is None or right in policy.rights_means:
                continue
            zh, en = _NAMES[right]
            note_zh = "（政策另有一般联系或投诉渠道）" if general_channel else ""
            note_en = (
                " (the policy does publish a general contact or complaint channel)" if general_channel else ""
            )
            yield self.finding(
                facts,
                key=f"no_means:{right}",
                evidence=[policy_evidence(policy, stated, right=right)],
                confidence=Confidence.DECLARED,
                severity=Severity.LOW if general_channel else None,
                detail_zh=f"隐私政策声明用户可以{zh}，但未说明操作路径或联系渠道{note_zh}。",
                detail_en=f"The privacy policy says users can {en} but gives no path or channel to do so{note_en}.",
            )
