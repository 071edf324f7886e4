"""Runtime: the app's process started by a broadcast, service or provider without a user launch (自启动)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from apprights.model.facts import AppFacts
from apprights.model.finding import Confidence, Evidence, Finding, Severity, Subject
from apprights.rules._rt_common import component_subject, sessions, tap_within, trace_evidence
from apprights.rules.base import Rule, RuleContext


class SelfStart(Rule):
    """The app under test was started by the system (broadcast, service, provider) without the user.

    What it detects
        ``proc_start`` events of the app's own package with ``hosting_type`` broadcast, service, provider or
        other, when the app was not in the foreground and no user tap preceded it within ``user_action_s``, or
        when another package started it (``caller_package`` foreign). Starts by the app's own running process
        (e.g. its ``:push`` service while in the foreground) are not counted. One finding per trigger
        (hosting type and component or action), with the count before and after consent. The subject is the
        SDK owning the started component (as the static rules decide it), else the app; the merge key
        ``T6.self_start:<subject>`` joins the finding with T6.self_start_receiver's declared receiver.

    Legal basis
        164号文 二(6) (未经用户同意或无合理使用场景，频繁自启动); 26号文; T/TAF 078.10.

    Evidence and confidence
        ``trace`` evidence of each start (component, action, caller, phase). Confidence
        ``observed_in_violation`` when a start happened before consent, else ``observed`` (disclosed,
        user-enabled self-start may be acceptable).

    Known false positives
        Starts caused by the test driver itself (``am broadcast`` from the shell is recorded with caller
        ``com.android.shell``: list it in ``ignore_callers``).

    Fixtures
        tests/fixtures/traces/t6_violate.jsonl and t6_clean.jsonl; tests/rules/t6_autostart/test_rt_self_start.py.
    """

    id = "T6.self_start"
    problem_type = 6
    title_zh = "应用自启动"
    title_en = "App starts itself without a user launch"
    severity = Severity.MEDIUM
    legal_basis = ("164号文 二(6)", "26号文", "T/TAF 078.10")
    requires = frozenset({"runtime"})
    default_options: ClassVar[dict[str, Any]] = {"user_action_s": 2.0, "ignore_callers": []}

    def check(self, facts: AppFacts, ctx: RuleContext) -> Iterator[Finding]:
        action_s = float(ctx.option(type(self), "user_action_s"))
        ignore = set(ctx.option(type(self), "ignore_callers"))
        found: dict[str, dict[str, Any]] = {}
        subjects: dict[str, Subject] = {}
        for s in sessions(facts):
            for p in s.proc_starts:
                if not p.own or p.hosting_type == "activity" or p.caller_package in ignore:
                    continue
                foreign_caller = bool(p.caller_package) and p.caller_package != s.package
                if p.caller_package == s.package:
                    continue
                if not foreign_caller and (p.at.state == "foreground" or tap_within(s, p.at.t, action_s)):
                    continue
                trigger = f"{p.hosting_type}:{p.component or p.action or p.process}"
                if trigger not in subjects:
                    subjects[trigger] = component_subject(facts, ctx, p.component, s.package)
                g = found.setdefault(trigger, {"pre": 0, "post": 0, "ev": []})
                g["pre" if p.at.pre_consent else "post"] += 1
                if len(g["ev"]) < 12:
                    g["ev"].append(
                        trace_evidence(
                            s,
                            p.at,
                            kind="proc_start",
                            process=p.process,
                            hosting_type=p.hosting_type,
                            component=p.component,
                            action=p.action,
                            caller_package=p.caller_package,
                        )
                    )
        for trigger, g in found.items():
            evs: list[Evidence] = g["ev"]
            subject = subjects[trigger]
            yield self.finding(
                facts,
                key=f"self_start:{trigger}",
                subject=subject,
                confidence=Confidence.OBSERVED_IN_VIOLATION if g["pre"] else Confidence.OBSERVED,
                evidence=evs,
                # the static T6.self_start_receiver key: a declared receiver and its observed start are one finding
                merge_key=f"T6.self_start:{subject.id}",
                detail_zh=f"应用经{trigger}自启动：同意隐私政策前{g['pre']}次，之后{g['post']}次",
                detail_en=f"The app was started via {trigger}: {g['pre']} time(s) before consent, {g['post']} after",
            )
