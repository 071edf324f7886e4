"""Runtime: permissions requested before consent, or at first launch without a user action."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from apprights.model.facts import AppFacts
from apprights.model.finding import Confidence, Evidence, Finding, Severity
from apprights.rules._rt_common import permission_group, sessions, tap_within, trace_evidence
from apprights.rules.base import Rule, RuleContext


class RequestWithoutAction(Rule):
    """A permission requested before the user agreed to the policy, or at first launch with no user action.

    What it detects
        (a) ``permission_request`` while the consent phase is ``before``/``shown``; (b) a request in the first
        ``first_launch_s`` seconds of a session (default 30) with no non-consent tap in the ``user_action_s``
        seconds before it (default 2): the app asks before any function that needs the permission is used.
        One finding per situation, listing the permission groups.

    Legal basis
        164号文 二(5) (提前申请超出其业务功能等权限); 认定方法 三(1) (征得同意前打开可收集个人信息的权限);
        T/TAF 078.4.

    Evidence and confidence
        ``trace`` evidence of each request. Confidence ``observed_in_violation`` before consent, ``observed``
        at first launch (whether the basic function needs the permission at once is a judgement).

    Known false positives
        Apps whose basic function needs the permission from the start (a map app and location).

    Fixtures
        tests/fixtures/traces/t5_violate.jsonl (request before consent), spec_example.jsonl,
        t5_clean.jsonl; tests/rules/t5_permissions/test_rt_request_without_action.py.
    """

    id = "T5.request_without_action"
    problem_type = 5
    title_zh = "同意隐私政策前或首次启动时无用户操作即申请权限"
    title_en = "Permission requested before consent or at first launch without a user action"
    severity = Severity.MEDIUM
    legal_basis = ("164号文 二(5)", "认定方法 三(1)", "T/TAF 078.4")
    requires = frozenset({"runtime"})
    default_options: ClassVar[dict[str, Any]] = {"first_launch_s": 30.0, "user_action_s": 2.0}

    def check(self, facts: AppFacts, ctx: RuleContext) -> Iterator[Finding]:
        first_launch = float(ctx.option(type(self), "first_launch_s"))
        action_s = float(ctx.option(type(self), "user_action_s"))
        found: dict[str, tuple[set[str], list[Evidence]]] = {}
        for s in sessions(facts):
            for r in s.permission_requests:
                if r.at.pre_consent:
                    situation = "pre_consent"
                elif r.at.t <= first_launch and not tap_within(s, r.at.t, action_s):
                    situation = "first_launch"
                else:
                    continue
                groups, evs = found.setdefault(situation, (set(), []))
                groups.update(permission_group(p, ctx.knowledge) for p in r.permissions)
                if len(evs) < 12:
                    evs.append(trace_evidence(s, r.at, kind="permission_request", permissions=r.permissions))
        for situation, (groups, evs) in found.items():
            pre = situation == "pre_consent"
            names = sorted(groups)
            yield self.finding(
                facts,
                key=situation,
                confidence=Confidence.OBSERVED_IN_VIOLATION if pre else Confidence.OBSERVED,
                evidence=evs,
                severity=Severity.HIGH if pre else Severity.MEDIUM,
                detail_zh=f"{'同意隐私政策前' if pre else '首次启动时无用户操作'}申请权限：{'、'.join(names)}",
                detail_en=f"Permissions requested {'before consent' if pre else 'at first launch unprompted'}: "
                + ", ".join(names),
            )
