"""Receivers and services that let the system start the app by itself (自启动)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from apprights.model.facts import AppFacts
from apprights.model.finding import Confidence, Evidence, Finding, Severity, Subject
from apprights.rules._static_common import capped, component_evidence, sdk_for_component
from apprights.rules.base import Rule, RuleContext, app_subject, sdk_subject
from apprights.rules.t6_autostart.sdk_wakeup_component import wakeup_components
from apprights.rules.t6_autostart.sync_adapter import SYNC_ACTION

BOOT_PERMISSION = "android.permission.RECEIVE_BOOT_COMPLETED"
BOOT_ACTIONS = {
    "android.intent.action.BOOT_COMPLETED",
    "android.intent.action.LOCKED_BOOT_COMPLETED",
    "android.intent.action.QUICKBOOT_POWERON",
    "com.htc.intent.action.QUICKBOOT_POWERON",
}


class SelfStartReceiver(Rule):
    """Manifest receivers (and push wake-up services) through which the system starts the app by itself.

    What it detects
        Enabled ``<receiver>`` components whose intent filters listen for system events that fire without the
        user opening the app: boot (BOOT_COMPLETED, LOCKED_BOOT_COMPLETED, QUICKBOOT_POWERON), unlock
        (USER_PRESENT), network changes, package installs/removals, power, storage mounts, phone state and
        outgoing calls, plus the wake-up actions of push SDKs (``self_start_actions`` and
        ``wakeup_actions``). Receivers and services with a push wake-up action are reported too. Each component
        is attributed to the SDK that owns it (its manifest components or class prefix) or to the app; one
        finding per subject lists its components. An SDK component other apps can start is reported once,
        by ``T6.sdk_wakeup_component``, unless it also listens for system broadcasts (then here).

    Legal basis
        164号文 二(6) (频繁自启动); 26号文 (不得自启动…或进行唤醒); T/TAF 078.10.

    Evidence and confidence
        A ``manifest`` evidence item per component: name, kind, matching actions, exported flag. Confidence
        ``declared``. Severity low when no component can actually fire: a boot receiver without the
        RECEIVE_BOOT_COMPLETED permission, or (targetSdk ≥ 26) only implicit broadcasts that Android 8+ no
        longer delivers to manifest receivers.

    Known false positives
        A declared trigger is not a start: ROMs and users may block auto-start; alarm clocks, VPNs and device
        management apps have a reasonable scenario for boot receivers (disclose it in the privacy policy and
        let the user choose). Runtime evidence (a process start without a user launch) confirms it.

    Fixtures
        tests/rules/t6_autostart/test_self_start_receiver.py (factories and an end-to-end APK with a com.umeng
        BOOT_COMPLETED receiver).
    """

    id = "T6.self_start_receiver"
    problem_type = 6
    title_zh = "注册系统广播或唤醒动作，可被系统自启动"
    title_en = "Receives system broadcasts or wake-up actions that start the app by itself"
    severity = Severity.MEDIUM
    legal_basis = ("164号文 二(6)", "26号文", "T/TAF 078.10")
    requires = frozenset({"manifest"})
    default_options: ClassVar[dict[str, Any]] = {
        "self_start_actions": [
            *sorted(BOOT_ACTIONS),
            "android.intent.action.USER_PRESENT",
            "android.net.conn.CONNECTIVITY_CHANGE",
            "android.net.wifi.WIFI_STATE_CHANGED",
            "android.net.wifi.STATE_CHANGE",
            "android.intent.action.PACKAGE_ADDED",
            "android.intent.action.PACKAGE_REMOVED",
            "android.intent.action.PACKAGE_REPLACED",
            "android.intent.action.ACTION_POWER_CONNECTED",
            "android.intent.action.ACTION_POWER_DISCONNECTED",
            "android.intent.action.MEDIA_MOUNTED",
            "android.intent.action.PHONE_STATE",
            "android.intent.action.NEW_OUTGOING_CALL",
        ],
        # [I] actions push SDKs register so that other apps carrying the same SDK can wake them. Vendor push
        # channels (Xiaomi, Huawei, vivo, OPPO) are not here: only the vendor's system push service sends them,
        # to show a notification — the sanctioned alternative to keep-alive, not a self-start.
        "wakeup_actions": [
            "cn.jpush.android.intent.DaemonService",
            "cn.jpush.android.intent.DownloadService",
            "com.igexin.sdk.action.service.message",
            "com.igexin.sdk.action.refreshls",
            "com.taobao.accs.intent.action.SERVICE",
            "com.taobao.accs.intent.action.ELECTION",
            "org.agoo.android.intent.action.RECEIVE",
        ],
        # implicit broadcasts still delivered to manifest receivers on Android 8+ (platform exemption list)
        "exempt_implicit": [
            *sorted(BOOT_ACTIONS),
            "android.intent.action.MEDIA_MOUNTED",
            "android.intent.action.PHONE_STATE",
            "android.intent.action.NEW_OUTGOING_CALL",
        ],
    }

    def check(self, facts: AppFacts, ctx: RuleContext) -> Iterator[Finding]:
        m = facts.manifest
        if m is None:
            return
        opt = type(self)
        system = set(ctx.option(opt, "self_start_actions"))
        wakeup = set(ctx.option(opt, "wakeup_actions"))
        exempt = set(ctx.option(opt, "exempt_implicit"))
        has_boot_perm = BOOT_PERMISSION in m.permission_names()
        # components other apps wake are reported once, as associated start (T6.sdk_wakeup_component)
        by_others = {c.name for c, _, _ in wakeup_components(facts, ctx)}
        groups: dict[str, tuple[Subject, list[Evidence], list[bool]]] = {}
        for comp in m.components:
            if not comp.enabled or comp.kind not in ("receiver", "service"):
                continue
            if comp.kind == "service" and (SYNC_ACTION in comp.actions or SYNC_ACTION in comp.meta_data):
                continue  # one component, one finding: T6.sync_adapter_keepalive reports sync services
            actions = set(comp.actions)
            hits = (
                sorted(actions & (system | wakeup)) if comp.kind == "receiver" else sorted(actions & wakeup)
            )
            if comp.name in by_others:
                hits = []
            if not hits:
                continue
            sdk = sdk_for_component(facts, ctx, comp)
            subject = sdk_subject(sdk) if sdk is not None else app_subject(facts)
            live = [a for a in hits if not (a in BOOT_ACTIONS and not has_boot_perm)]
            if comp.kind == "receiver" and m.effective_target_sdk >= 26:
                live = [a for a in live if a in exempt or a in wakeup]
            notes: dict[str, object] = {}
            if not has_boot_perm and set(hits) & BOOT_ACTIONS:
                notes["missing_permission"] = BOOT_PERMISSION
            group = groups.setdefault(subject.id, (subject, [], []))
            group[1].append(component_evidence(comp, matched_actions=hits, **notes))
            group[2].append(bool(live))
        for _sid, (subject, evidence, lives) in sorted(groups.items()):
            names = [str(e.data["component"]) for e in evidence]
            matched = sorted({a for e in evidence for a in e.data["matched_actions"]})
            yield self.finding(
                facts,
                key="self_start",
                subject=subject,
                confidence=Confidence.DECLARED,
                severity=None if any(lives) else Severity.LOW,
                evidence=capped(evidence),
                merge_key=f"T6.self_start:{subject.id}",
                detail_zh=f"{len(names)}个组件监听"
                + "、".join(matched)
                + "，应用未被用户打开时也可被拉起："
                + "、".join(names),
                detail_en=f"{len(names)} components listen for "
                + ", ".join(matched)
                + ": the app can start without the user: "
                + ", ".join(names),
            )
