"""SDK components other apps can start: the manifest side of mutual wake-up (关联启动/互相拉活)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from apprights.model.facts import AppFacts, Component, SdkHit
from apprights.model.finding import Confidence, Evidence, Finding, Severity, Subject
from apprights.rules._static_common import capped, component_evidence, sdk_for_component
from apprights.rules.base import Rule, RuleContext, sdk_subject
from apprights.rules.t6_autostart.sync_adapter import SYNC_ACTION

STARTABLE_KINDS = ("service", "provider", "receiver")


class SdkWakeupComponent(Rule):
    """Exported SDK services, providers and receivers through which other apps carrying the same SDK wake
    this app.

    What it detects
        Enabled, exported components of an SDK (by the SDK's manifest components or class prefix) that no
        permission protects and that another app can start: a provider (any query starts the process), a
        service or receiver running in its own process (``android:process``), one answering a custom action
        of the SDK rather than a system one, or one the catalogue of known wake-up components lists
        (``wakeup_components``: MobTech ``MobGuardService``/``MobService``, XG ``XGPushServiceV4``/
        ``XGRemoteService``/``XGPushProvider``, ``MidProvider``, JPush ``DaemonService`` …). Providers in
        ``id_sharing_components`` (Tencent ``MidProvider``) also hand the device id to any app that asks.
        Not reported: components whose class is not in the dex (when the dex is readable and not packed),
        receivers that also listen for system broadcasts (``T6.self_start_receiver`` reports
        them) and sync adapter services (``T6.sync_adapter_keepalive``), vendor push channels and platform code (``vendor_channel_prefixes``: Huawei, Honor,
        Xiaomi, OPPO, vivo, Meizu, Google), which only the vendor's system service starts, and the app's own
        components. One finding per SDK lists its components.

    Legal basis
        164号文 二(6) (关联启动第三方APP); 26号文 (不得…关联启动其他APP，或进行唤醒、调用); T/TAF 078.10.

    Evidence and confidence
        A ``manifest`` item per component (name, kind, actions, process, and ``shares`` for id-sharing
        providers). Confidence ``declared``. Severity medium.

    Known false positives
        An exported component is a door, not proof that other apps use it; a runtime trace (the process
        started by another package) confirms it (``T6.rt_associated_start``).

    Fixtures
        tests/rules/t6_autostart/test_sdk_wakeup_component.py
    """

    id = "T6.sdk_wakeup_component"
    problem_type = 6
    title_zh = "SDK组件可被其他应用唤醒（应用互相拉活）"
    title_en = "SDK component lets other apps wake this app (mutual wake-up)"
    severity = Severity.MEDIUM
    legal_basis = ("164号文 二(6)", "26号文", "T/TAF 078.10")
    requires = frozenset({"manifest"})
    default_options: ClassVar[dict[str, Any]] = {
        # [I] components SDK integration guides declare exported so that other apps with the SDK can start them
        "wakeup_components": [
            "cn.jpush.android.service.DaemonService",
            "cn.jpush.android.service.DataProvider",
            "cn.jpush.android.service.DownloadProvider",
            "cn.jiguang.share.android.service.DaemonService",
            "com.mob.guard.MobGuardService",
            "com.mob.pushsdk.MobService",
            "com.tencent.android.tpush.service.XGPushServiceV3",
            "com.tencent.android.tpush.service.XGPushServiceV4",
            "com.tencent.android.tpush.service.XGDaemonService",
            "com.tencent.android.tpush.rpc.XGRemoteService",
            "com.tencent.android.tpush.XGPushProvider",
            "com.tencent.mid.api.MidProvider",
            "com.igexin.sdk.PushService",
            "com.igexin.sdk.GTIntentService",
            "com.taobao.accs.ChannelService",
            "com.taobao.accs.EventReceiver",
            "com.umeng.message.UmengIntentService",
        ],
        # [I] providers that answer other apps with the device id (Tencent MID shares one id across apps)
        "id_sharing_components": ["com.tencent.mid.api.MidProvider"],
        # [I] vendor push channels and platform code: started only by the vendor's system service
        "vendor_channel_prefixes": [
            "com.huawei",
            "com.hihonor",
            "com.xiaomi",
            "com.meizu",
            "com.vivo",
            "com.coloros",
            "com.heytap",
            "com.oppo",
            "com.google",
            "androidx",
            "android.support",
        ],
    }

    def check(self, facts: AppFacts, ctx: RuleContext) -> Iterator[Finding]:
        groups: dict[str, tuple[Subject, list[Evidence]]] = {}
        for _comp, sdk, ev in wakeup_components(facts, ctx):
            groups.setdefault(sdk.id, (sdk_subject(sdk), []))[1].append(ev)
        for sid, (subject, evidence) in sorted(groups.items()):
            names = [str(e.data["component"]) for e in evidence]
            shares = any(e.data.get("shares") for e in evidence)
            yield self.finding(
                facts,
                key="sdk_wakeup_component",
                subject=subject,
                confidence=Confidence.DECLARED,
                evidence=capped(evidence),
                merge_key=f"T6.associated_start:{sid}",
                detail_zh="其他集成同一SDK的应用可通过导出组件唤醒本应用："
                + "、".join(names)
                + ("；其中组件向其他应用提供设备标识" if shares else ""),
                detail_en="Other apps with the same SDK can wake this app through exported components: "
                + ", ".join(names)
                + ("; one hands the device id to other apps" if shares else ""),
            )


def wakeup_components(facts: AppFacts, ctx: RuleContext) -> list[tuple[Component, SdkHit, Evidence]]:
    """The SDK components other apps can start (see ``SdkWakeupComponent``), with their SDK and evidence."""
    m = facts.manifest
    if m is None:
        return []
    rule = SdkWakeupComponent
    listed = set(ctx.option(rule, "wakeup_components"))
    sharing = set(ctx.option(rule, "id_sharing_components"))
    vendor = tuple(str(p).rstrip(".") for p in ctx.option(rule, "vendor_channel_prefixes"))
    own = m.package
    from apprights.rules.t6_autostart.self_start_receiver import SelfStartReceiver  # imports this module

    system = set(ctx.option(SelfStartReceiver, "self_start_actions"))
    # a component whose class is not in the (readable, unpacked) dex cannot run: no door for other apps
    code = facts.code
    hidden = facts.apk is not None and bool(facts.apk.hidden_code)
    defined = set(code.defined_classes) if code is not None and code.defined_classes and not hidden else None
    out: list[tuple[Component, SdkHit, Evidence]] = []
    for comp in m.components:
        if comp.kind not in STARTABLE_KINDS or not comp.enabled or not comp.effectively_exported:
            continue
        if comp.permission or _under(comp.name, own) or any(_under(comp.name, p) for p in vendor):
            continue
        if defined is not None and comp.name not in defined:
            continue
        if comp.kind == "receiver" and system & set(comp.actions):
            continue  # a self-start receiver first (T6.self_start_receiver)
        if comp.kind == "service" and (SYNC_ACTION in comp.actions or SYNC_ACTION in comp.meta_data):
            continue  # a sync adapter first (T6.sync_adapter_keepalive)
        sdk = sdk_for_component(facts, ctx, comp)
        if sdk is None:
            continue
        why = _why_startable(comp, own, comp.name in listed, vendor)
        if why is None:
            continue
        extra: dict[str, Any] = {"why": why}
        if comp.process:
            extra["process"] = comp.process
        if comp.authorities:
            extra["authorities"] = list(comp.authorities)
        if comp.name in sharing:
            extra["shares"] = "device_id"
            extra["pi_type"] = "device_id"
        out.append((comp, sdk, component_evidence(comp, **extra)))
    return out


def _why_startable(comp: Component, own: str, listed: bool, vendor: tuple[str, ...]) -> str | None:
    if listed:
        return "known_wakeup_component"
    if comp.kind == "provider":
        return "exported_provider"
    if comp.process and comp.process not in (own, ""):
        return "own_process"
    if any(not a.startswith("android.") and not any(_under(a, p) for p in vendor) for a in comp.actions):
        return "custom_action"
    return None


def _under(name: str, prefix: str) -> bool:
    return bool(prefix) and (name == prefix or name.startswith(prefix + "."))
