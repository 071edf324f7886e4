"""Self-start / associated-start capability present but not disclosed in the privacy policy."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from apprights.model.facts import AppFacts
from apprights.model.finding import Confidence, Evidence, Finding, Severity
from apprights.rules._pol_common import policy_absence
from apprights.rules.base import Rule, RuleContext

_ACTIONS = (
    "android.intent.action.BOOT_COMPLETED",
    "android.intent.action.LOCKED_BOOT_COMPLETED",
    "android.intent.action.QUICKBOOT_POWERON",
    "com.htc.intent.action.QUICKBOOT_POWERON",
    "android.intent.action.USER_PRESENT",
    "android.net.conn.CONNECTIVITY_CHANGE",
    "android.intent.action.PACKAGE_ADDED",
    "android.intent.action.PACKAGE_REMOVED",
    "android.intent.action.PACKAGE_REPLACED",
    "android.intent.action.ACTION_POWER_CONNECTED",
    "android.intent.action.ACTION_POWER_DISCONNECTED",
    "android.intent.action.MEDIA_MOUNTED",
    "android.net.wifi.WIFI_STATE_CHANGED",
)


class PolicyAutostartNotDisclosed(Rule):
    """The manifest lets the app start itself (boot, network change, unlock …) but the policy never says so.

    What it detects
        Receivers in the manifest with intent-filter actions from ``actions`` (BOOT_COMPLETED, USER_PRESENT,
        CONNECTIVITY_CHANGE, PACKAGE_ADDED …) while ``PolicyFacts.self_start_disclosed`` is None (no
        自启动/关联启动/唤醒/"start automatically" sentence).

    Legal basis
        164号文 二(6) (未向用户告知且未经用户同意…自启动或关联启动); 26号文.

    Evidence and confidence
        ``manifest`` items (receiver and action) and a ``policy`` item of what was searched for. Confidence
        ``declared``: the manifest declares the capability; whether the app actually starts is for a trace.

    Known false positives
        Receivers that are disabled at run time or exist only in SDK code paths never enabled; disclosure
        only in the app's settings or an SDK notice.

    Fixtures
        tests/rules/t6_autostart/test_pol_autostart_not_disclosed.py
    """

    id = "T6.pol_autostart_not_disclosed"
    problem_type = 6
    title_zh = "具备自启动/关联启动能力但隐私政策未告知"
    title_en = "Self-start capability present but not disclosed in the privacy policy"
    severity = Severity.MEDIUM
    legal_basis = ("164号文 二(6)", "26号文")
    requires = frozenset({"manifest", "policy"})
    default_options: ClassVar[dict[str, Any]] = {"actions": list(_ACTIONS)}

    def check(self, facts: AppFacts, ctx: RuleContext) -> Iterator[Finding]:
        policy, manifest = facts.policy, facts.manifest
        if policy is None or manifest is None or policy.self_start_disclosed is not None:
            return
        actions = set(ctx.option(type(self), "actions"))
        evidence: list[Evidence] = []
        for c in manifest.components:
            if c.kind != "receiver" or not c.enabled:
                continue
            hit = sorted(a for a in c.actions if a in actions)
            if hit:
                evidence.append(Evidence("manifest", {"component": c.name, "actions": hit}))
        if not evidence:
            return
        yield self.finding(
            facts,
            key="autostart",
            evidence=[
                *evidence[:10],
                policy_absence(policy, "self-start / associated start (自启动、关联启动)"),
            ],
            confidence=Confidence.DECLARED,
            detail_zh=f"清单中{len(evidence)}个广播接收器可在开机、联网等事件时启动应用，隐私政策未告知自启动或关联启动。",
            detail_en=f"{len(evidence)} receiver(s) can start the app on boot, network change etc.; the policy does "
            "not disclose self-start.",
        )
