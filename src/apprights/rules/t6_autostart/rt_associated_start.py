"""Runtime: the app starts other apps (关联启动)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from apprights.model.facts import AppFacts
from apprights.model.finding import Confidence, Evidence, Finding, Severity, Subject
from apprights.rules._rt_common import actor_subject, is_system_package, sessions, tap_within, trace_evidence
from apprights.rules.base import Rule, RuleContext, app_subject


class AssociatedStart(Rule):
    """The app starts, wakes or binds another (non-system) app without a user action.

    What it detects
        ``proc_start`` of another package whose ``caller_package`` is the app, and ``intent`` events
        (startActivity, startService, bindService, sendBroadcast …) targeting another package, with no user tap
        within ``user_action_s`` before. System packages (``system_prefixes``) are ignored. Each target is one
        finding with its count before and after consent, per subject: the SDK whose code sent the intent (its
        stack), else the app. The merge key ``T6.associated_start:<subject>`` joins it with the static
        T6.starts_other_apps finding of the same subject.

    Legal basis
        164号文 二(6) (频繁关联启动第三方APP); 26号文 (不得自启动和关联启动其他APP); T/TAF 078.10.

    Evidence and confidence
        ``trace`` evidence of each start or intent. Confidence ``observed_in_violation`` when any happened
        before consent, else ``observed``.

    Known false positives
        A start the user asked for without a recorded tap (voice, notification); payment or login SDKs that
        hand over to the wallet app after a tap outside the window.

    Fixtures
        tests/fixtures/traces/t6_violate.jsonl and t6_clean.jsonl; tests/rules/t6_autostart/test_rt_associated_start.py.
    """

    id = "T6.associated_start"
    problem_type = 6
    title_zh = "关联启动其他应用"
    title_en = "App starts other apps"
    severity = Severity.MEDIUM
    legal_basis = ("164号文 二(6)", "26号文", "T/TAF 078.10")
    requires = frozenset({"runtime"})
    default_options: ClassVar[dict[str, Any]] = {
        "user_action_s": 2.0,
        "system_prefixes": [
            "android",
            "com.android.",
            "com.google.android.",
            "com.miui.",
            "com.huawei.systemmanager",
        ],
    }

    def check(self, facts: AppFacts, ctx: RuleContext) -> Iterator[Finding]:
        action_s = float(ctx.option(type(self), "user_action_s"))
        system = list(ctx.option(type(self), "system_prefixes"))
        found: dict[tuple[str, str], dict[str, Any]] = {}
        app = app_subject(facts)

        def add(target: str, pre: bool, ev: Evidence, subject: Subject = app) -> None:
            g = found.setdefault((subject.id, target), {"pre": 0, "post": 0, "ev": [], "subject": subject})
            g["pre" if pre else "post"] += 1
            if len(g["ev"]) < 12:
                g["ev"].append(ev)

        for s in sessions(facts):
            for p in s.proc_starts:
                if p.own or p.caller_package != s.package or is_system_package(p.package, system):
                    continue
                if tap_within(s, p.at.t, action_s):
                    continue
                ev = trace_evidence(
                    s,
                    p.at,
                    kind="proc_start",
                    package=p.package,
                    hosting_type=p.hosting_type,
                    component=p.component,
                )
                add(p.package, p.at.pre_consent, ev)
            for it in s.intents:
                if not it.foreign or is_system_package(it.target_package, system):
                    continue
                if tap_within(s, it.at.t, action_s):
                    continue
                ev = trace_evidence(
                    s,
                    it.at,
                    kind="intent",
                    op=it.op,
                    target_package=it.target_package,
                    component=it.component,
                )
                add(it.target_package, it.at.pre_consent, ev, actor_subject(facts, it.actor))
        for (sid, target), g in found.items():
            subject = g["subject"]
            yield self.finding(
                facts,
                key=f"associated_start:{target}" if sid == app.id else f"associated_start:{sid}:{target}",
                subject=subject,
                confidence=Confidence.OBSERVED_IN_VIOLATION if g["pre"] else Confidence.OBSERVED,
                evidence=g["ev"],
                # the static T6.starts_other_apps key: code that can start other apps and the observed start
                merge_key=f"T6.associated_start:{sid}",
                detail_zh=f"应用关联启动{target}：同意隐私政策前{g['pre']}次，之后{g['post']}次",
                detail_en=f"The app started {target}: {g['pre']} time(s) before consent, {g['post']} after",
            )
