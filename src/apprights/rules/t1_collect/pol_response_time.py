"""The policy promises no response time, or a limit longer than 15 working days, for user requests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from apprights.model.facts import AppFacts
from apprights.model.finding import Confidence, Finding, Severity
from apprights.rules._pol_common import policy_absence, policy_evidence
from apprights.rules.base import Rule, RuleContext

_UNITS = {"working_day": ("个工作日", "working days"), "day": ("天", "days"), "hour": ("小时", "hours")}


class PolicyResponseTime(Rule):
    """The time limit the policy promises for handling requests and complaints is missing or too long.

    What it detects
        ``PolicyFacts.response_days`` (the longest limit stated next to 回复/答复/处理…, in working days, days or
        hours; calendar days count as 5/7 working days) above ``max_working_days`` (15), or no limit at all
        (reported at low severity: the 认定方法 then applies 15 working days by default).

    Legal basis
        认定方法 六(3) and 六(5) (承诺时限不得超过15个工作日); GB/T 35273-2020 8.7.

    Evidence and confidence
        A ``policy`` item with the sentence stating the limit, or one recording what was searched for.
        Confidence ``declared``.

    Known false positives
        A limit written only in a linked customer-service page; a limit stated for something else (e.g. an
        account-cancellation cooling-off period) that the patterns mistake for a response time.

    Fixtures
        tests/rules/t1_collect/test_pol_response_time.py
    """

    id = "T1.pol_response_time"
    problem_type = 1
    title_zh = "隐私政策未承诺响应时限或时限超过15个工作日"
    title_en = "No response time limit, or one longer than 15 working days, in the privacy policy"
    severity = Severity.MEDIUM
    legal_basis = ("认定方法 六(3)", "认定方法 六(5)", "GB/T 35273-2020 8.7")
    requires = frozenset({"policy"})
    default_options: ClassVar[dict[str, Any]] = {"max_working_days": 15, "report_missing": True}

    def check(self, facts: AppFacts, ctx: RuleContext) -> Iterator[Finding]:
        policy = facts.policy
        if policy is None:
            return
        limit = float(ctx.option(type(self), "max_working_days"))
        days = policy.response_working_days()
        if days is None:
            if ctx.option(type(self), "report_missing"):
                yield self.finding(
                    facts,
                    key="missing",
                    evidence=[policy_absence(policy, "response time limit (N个工作日/天 内回复)")],
                    confidence=Confidence.DECLARED,
                    severity=Severity.LOW,
                    detail_zh="隐私政策未承诺处理用户请求或投诉的时限（默认以15个工作日为限）。",
                    detail_en="The policy promises no time limit for handling requests or complaints "
                    "(15 working days apply by default).",
                )
            return
        if days <= limit:
            return
        stated = f"{policy.response_days} {policy.response_unit}"
        unit_zh, unit_en = _UNITS.get(policy.response_unit, (policy.response_unit, policy.response_unit))
        stated_zh = f"{policy.response_days}{unit_zh}"
        stated_en = f"{policy.response_days} {unit_en}"
        yield self.finding(
            facts,
            key="too_long",
            evidence=[policy_evidence(policy, policy.response_days_sentence, stated=stated)],
            confidence=Confidence.DECLARED,
            detail_zh=f"隐私政策承诺的响应时限（{stated_zh}）超过15个工作日。",
            detail_en=f"The promised response limit ({stated_en}) exceeds 15 working days.",
        )
