"""The policy describes no way to cancel (delete) the user account."""

from __future__ import annotations

from collections.abc import Iterator

from apprights.model.facts import AppFacts
from apprights.model.finding import Confidence, Finding, Severity
from apprights.rules._pol_common import policy_absence
from apprights.rules.base import Rule, RuleContext


class PolicyNoAccountCancellation(Rule):
    """The privacy policy does not tell users how to cancel their account.

    What it detects
        No sentence of the policy tells the user they can cancel their account (注销 + 账号/账户 with the user as
        the one who acts: "您可以…申请注销账号", "点击…即可注销"; "delete/close your account"), i.e.
        ``"cancellation"`` is missing from ``PolicyFacts.rights``. Mentions such as "您注销账号后，我们将删除…"
        do not count. Policies that declare no collection
        rules at all are left to ``T1.pol_no_policy``.

    Legal basis
        认定方法 六(1) (未提供有效的更正、删除个人信息及注销用户账号功能).

    Evidence and confidence
        A ``policy`` item recording what was searched for. Confidence ``declared``.

    Known false positives
        Apps without user accounts (nothing to cancel); cancellation described only in a separate user
        agreement.

    Fixtures
        tests/rules/t1_collect/test_pol_no_account_cancellation.py
    """

    id = "T1.pol_no_account_cancellation"
    problem_type = 1
    title_zh = "隐私政策未提供注销账号的方式"
    title_en = "The privacy policy describes no way to cancel the account"
    severity = Severity.MEDIUM
    legal_basis = ("认定方法 六(1)",)
    requires = frozenset({"policy"})

    def check(self, facts: AppFacts, ctx: RuleContext) -> Iterator[Finding]:
        policy = facts.policy
        if policy is None or not policy.has_collection_rules or "cancellation" in policy.rights:
            return
        yield self.finding(
            facts,
            key="no_cancellation",
            evidence=[policy_absence(policy, "account cancellation (注销账号)")],
            confidence=Confidence.DECLARED,
            detail_zh="隐私政策未说明用户注销账号的途径。",
            detail_en="The privacy policy does not say how users can cancel their account.",
        )
