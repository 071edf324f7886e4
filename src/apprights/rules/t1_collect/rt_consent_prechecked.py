"""Runtime UI: consent obtained by a pre-ticked checkbox, or by "登录即同意" without any checkbox."""

from __future__ import annotations

import re
from collections.abc import Iterator

from apprights.model.facts import AppFacts
from apprights.model.finding import Confidence, Finding, Severity
from apprights.rules._rt_common import sessions, trace_evidence
from apprights.rules.base import Rule, RuleContext

_AGREEMENT = re.compile(r"协议|政策|隐私|同意|条款|privacy|terms|agree", re.I)
_LOGIN = re.compile(r"登录|注册|login|sign ?in|register", re.I)
_IMPLIED = re.compile(r"(登录|注册|使用|继续)(即|即表示|即代表|即视为|视为|代表|表示)(您)?(已)?(阅读并)?同意")


class ConsentPrechecked(Rule):
    """A consent or login screen whose agreement checkbox is already ticked, or that says 登录即代表同意.

    What it detects
        (a) A ``ui`` screen that is a consent dialog, or a login/registration screen, with a checkbox whose text
        refers to an agreement or policy and whose ``checked`` is true when the screen first appears (before
        any tap on it). (b) A login/registration screen that says 登录即代表同意… but has no checkbox.

    Legal basis
        认定方法 三(4) (以默认选择同意隐私政策等非明示方式征求用户同意); 164号文 一(1).

    Evidence and confidence
        ``trace`` evidence of the screen with the checkbox text and state. Confidence ``observed_in_violation``.

    Known false positives
        A checkbox ticked by the driver itself before the screen was recorded (the collector records screens
        before acting); a remembered choice from an earlier session.

    Fixtures
        tests/fixtures/traces/t1_dialog_violate.jsonl (pre-ticked) and t1_clean.jsonl;
        tests/rules/t1_collect/test_rt_consent_prechecked.py.
    """

    id = "T1.consent_prechecked"
    problem_type = 1
    title_zh = "默认勾选同意隐私政策或以登录即同意等非明示方式征得同意"
    title_en = "Consent by a pre-ticked checkbox or implied by logging in"
    severity = Severity.MEDIUM
    legal_basis = ("认定方法 三(4)", "164号文 一(1)")
    requires = frozenset({"runtime"})

    def check(self, facts: AppFacts, ctx: RuleContext) -> Iterator[Finding]:
        pre, implied = [], []
        for s in sessions(facts):
            seen: set[str] = set()
            for scr in s.screens:
                text = "\n".join(scr.texts) + "\n" + scr.screen
                login = bool(_LOGIN.search(text))
                if not (scr.consent_dialog or login) or scr.screen in seen:
                    continue
                seen.add(scr.screen)
                ticked = [
                    str(c.get("text", "") or c.get("id", ""))
                    for c in scr.checkboxes
                    if c.get("checked") is True
                    and _AGREEMENT.search(str(c.get("text", "")) + str(c.get("id", "")))
                ]
                if ticked:
                    pre.append(trace_evidence(s, scr.at, kind="ui", screen=scr.screen, checked=ticked))
                elif login and not scr.checkboxes and _IMPLIED.search(scr.all_text()):
                    implied.append(trace_evidence(s, scr.at, kind="ui", screen=scr.screen))
        if pre:
            yield self.finding(
                facts,
                key="prechecked",
                confidence=Confidence.OBSERVED_IN_VIOLATION,
                evidence=pre[:12],
                detail_zh=f"页面默认勾选：{pre[0].data['checked'][0]}",
                detail_en=f"Checkbox ticked by default: {pre[0].data['checked'][0]}",
            )
        if implied:
            yield self.finding(
                facts,
                key="implied_by_login",
                confidence=Confidence.OBSERVED_IN_VIOLATION,
                evidence=implied[:12],
                detail_zh="登录/注册页面以“登录即代表同意”方式征得同意，未提供勾选框",
                detail_en="The login screen implies consent by logging in and offers no checkbox",
            )
