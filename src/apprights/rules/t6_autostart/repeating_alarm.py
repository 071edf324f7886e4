"""Repeating alarms that wake the app periodically."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from apprights.model.facts import AppFacts
from apprights.model.finding import Finding, Severity
from apprights.rules._static_common import (
    best_confidence,
    capped,
    entry_classes,
    group_sites_by_subject,
    method_name,
    site_confidence,
    site_evidence,
)
from apprights.rules.base import Rule, RuleContext


class RepeatingAlarm(Rule):
    """Code that schedules repeating alarms, which restart the app periodically.

    What it detects
        Calls of ``AlarmManager.setRepeating`` and ``AlarmManager.setInexactRepeating`` (``apis``), grouped by
        the subject owning the caller class. A repeating alarm whose PendingIntent targets a receiver or
        service restarts a killed process at every period; push SDKs use it as a heartbeat to stay alive.

    Legal basis
        164号文 二(6) (频繁自启动); 26号文 (不得…进行唤醒); T/TAF 078.10.

    Evidence and confidence
        ``dex`` items (caller class and method → API). Confidence ``reachable`` when the caller is a manifest
        component or the Application class or its SDK is initialised at start-up, otherwise ``present``.
        Severity low: frequency and target are only visible at run time.

    Known false positives
        Alarm clocks, reminders and calendar apps schedule repeating alarms at the user's request; an alarm may
        target an activity the user sees, or only fire while the process is alive.

    Fixtures
        tests/rules/t6_autostart/test_repeating_alarm.py
    """

    id = "T6.repeating_alarm"
    problem_type = 6
    title_zh = "设置重复闹钟定时唤醒应用"
    title_en = "Schedules repeating alarms that wake the app"
    severity = Severity.LOW
    legal_basis = ("164号文 二(6)", "26号文", "T/TAF 078.10")
    requires = frozenset({"code"})
    default_options: ClassVar[dict[str, Any]] = {
        "apis": [
            "android.app.AlarmManager.setRepeating",
            "android.app.AlarmManager.setInexactRepeating",
        ]
    }

    def check(self, facts: AppFacts, ctx: RuleContext) -> Iterator[Finding]:
        groups = group_sites_by_subject(facts, ctx, set(ctx.option(type(self), "apis")))
        entries = entry_classes(facts)
        for sid, (subject, sdk, sites) in sorted(groups.items()):
            names = sorted({method_name(s.api) for s in sites})
            yield self.finding(
                facts,
                key="repeating_alarm",
                subject=subject,
                confidence=best_confidence(site_confidence(s, entries, sdk) for s in sites),
                evidence=capped(site_evidence(s) for s in sites),
                merge_key=f"T6.self_start:{sid}:alarm",
                detail_zh="代码设置重复闹钟（" + "、".join(names) + "），可定时唤醒应用",
                detail_en="Code schedules repeating alarms (" + ", ".join(names) + ") that can wake the app",
            )
