"""The policy publishes no complaint or contact channel."""

from __future__ import annotations

from collections.abc import Iterator

from apprights.model.facts import AppFacts
from apprights.model.finding import Confidence, Finding, Severity
from apprights.rules._pol_common import policy_absence
from apprights.rules.base import Rule, RuleContext


class PolicyNoComplaintChannel(Rule):
    """The privacy policy gives no channel for complaints and reports about personal information.

    What it detects
        No sentence combines a complaint/contact cue (投诉, 举报, 联系我们, 客服; "contact us") with a channel
        (e-mail address, telephone number, address, online form): ``PolicyFacts.complaint_channel`` is None,
        and the policy gives no email address or phone number of the operator for questions either
        (``PolicyFacts.contact_sentence``: "当您对本政策有任何疑问，可以发送邮件至 help@… 咨询" is a channel a user
        can complain through even without the word 投诉).

    Legal basis
        认定方法 六(5) (未建立并公布个人信息安全投诉、举报渠道); 164号文 一(1).

    Evidence and confidence
        A ``policy`` item recording what was searched for. Confidence ``declared``.

    Known false positives
        Contact details shown only as an image or in the app's settings page, not in the policy text.

    Fixtures
        tests/rules/t1_collect/test_pol_no_complaint_channel.py
    """

    id = "T1.pol_no_complaint_channel"
    problem_type = 1
    title_zh = "隐私政策未公布投诉、举报渠道"
    title_en = "The privacy policy publishes no complaint or contact channel"
    severity = Severity.MEDIUM
    legal_basis = ("认定方法 六(5)", "164号文 一(1)")
    requires = frozenset({"policy"})

    def check(self, facts: AppFacts, ctx: RuleContext) -> Iterator[Finding]:
        policy = facts.policy
        if policy is None or policy.complaint_channel is not None or policy.contact_sentence is not None:
            return
        yield self.finding(
            facts,
            key="no_complaint_channel",
            evidence=[policy_absence(policy, "complaint/contact channel (投诉、举报、联系我们 + 电话/邮箱)")],
            confidence=Confidence.DECLARED,
            detail_zh="隐私政策未公布个人信息投诉、举报渠道或联系方式。",
            detail_en="The privacy policy gives no complaint, report or contact channel.",
        )
