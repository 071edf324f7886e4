"""Code that starts other apps (关联启动)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from apprights.model.facts import AppFacts, SdkHit
from apprights.model.finding import Confidence, Evidence, Finding, Severity, Subject
from apprights.rules._static_common import (
    SubjectResolver,
    capped,
    entry_classes,
    is_entry_class,
    method_name,
    site_evidence,
    string_evidence,
)
from apprights.rules.base import Rule, RuleContext, sdk_subject

LAUNCH_INTENT = "getLaunchIntentForPackage"


class StartsOtherApps(Rule):
    """Code that starts or wakes other apps (关联启动).

    What it detects
        Per subject (the app or an SDK, by the caller class):
        (a) calls of ``PackageManager.getLaunchIntentForPackage``;
        (b) a method that holds a foreign package name (a ``package`` string reference other than the app's
        own package) and also calls ``startActivity``/``startService``/``startForegroundService``/
        ``bindService``/``sendBroadcast`` or builds an explicit target (``Intent.setPackage``,
        ``setClassName``, ``setComponent``, ``ComponentName.<init>``) — the "全家桶互相唤醒" pattern;
        (c) SDKs known to wake other apps carrying the same SDK (``wakeup_sdk_prefixes``: push SDKs with
        "应用互相拉活"), even without the code signal.
        A string counts as another app's package or component only when it is not under the app's package,
        not a component of the app's own manifest (an SDK naming its own receiver), not shaped like an intent
        action, extra or permission constant (last segment in capitals such as ``…START``, or an ``.intent.``
        / ``.action.`` / ``.extra.`` / ``.permission.`` segment), and not under ``platform_packages`` (Google
        Play services and the services framework, which every GMS client binds to).

    Legal basis
        164号文 二(6) (关联启动第三方APP); 26号文 (不得…关联启动其他APP，或进行唤醒、调用); T/TAF 078.10.

    Evidence and confidence
        ``dex`` items: the call sites and the package strings (caller class and method). Confidence ``present``;
        ``reachable`` when the caller is a manifest component or the Application class. Severity medium for
        code signals, low for SDK presence alone (c).

    Known false positives
        Opening another app at the user's request is lawful: share sheets, payment (Alipay/WeChat Pay), login
        with another app, "open in map app". Package strings may only be used for ``getPackageInfo`` checks.
        The (b) pattern pairs strings and calls within one method without data flow.

    Fixtures
        tests/rules/t6_autostart/test_starts_other_apps.py
    """

    id = "T6.starts_other_apps"
    problem_type = 6
    title_zh = "代码可关联启动或唤醒其他应用"
    title_en = "Code can start or wake other apps"
    severity = Severity.MEDIUM
    legal_basis = ("164号文 二(6)", "26号文", "T/TAF 078.10")
    requires = frozenset({"code"})
    default_options: ClassVar[dict[str, Any]] = {
        "start_methods": [
            "startActivity",
            "startActivities",
            "startActivityForResult",
            "startService",
            "startForegroundService",
            "bindService",
            "sendBroadcast",
            "setPackage",
            "setClassName",
            "setComponent",
        ],
        # [I] push SDKs documented by stores as waking other apps that carry them (应用互相拉活)
        "wakeup_sdk_prefixes": ["com.igexin", "cn.jpush.android", "com.taobao.accs", "com.umeng.message"],
        # [I] system-level service apps SDK clients bind to (not "other apps" in the sense of 关联启动)
        "platform_packages": ["com.google.android.gms", "com.google.android.gsf"],
    }

    def check(self, facts: AppFacts, ctx: RuleContext) -> Iterator[Finding]:
        code = facts.code
        if code is None:
            return
        opt = type(self)
        starts = set(ctx.option(opt, "start_methods"))
        own = facts.package
        entries = entry_classes(facts)
        resolve = SubjectResolver(facts, ctx)
        found: dict[str, tuple[Subject, list[Evidence], list[Confidence]]] = {}

        def add(class_name: str, ev: Evidence) -> None:
            subject, _ = resolve(class_name)
            g = found.setdefault(subject.id, (subject, [], []))
            g[1].append(ev)
            g[2].append(Confidence.REACHABLE if is_entry_class(class_name, entries) else Confidence.PRESENT)

        starters: dict[tuple[str, str], list[Evidence]] = {}
        for site in code.call_sites:
            name = method_name(site.api)
            if name == LAUNCH_INTENT:
                add(site.caller_class, site_evidence(site))
            elif name in starts or site.api == "android.content.ComponentName.<init>":
                starters.setdefault((site.caller_class, site.caller_method), []).append(site_evidence(site))
        own_components = {c.name for c in facts.manifest.components} if facts.manifest else set()
        platform = tuple(str(p).rstrip(".") for p in ctx.option(opt, "platform_packages"))
        for ref in code.strings:
            if ref.kind != "package" or not ref.caller_class:
                continue
            if not _other_app_target(ref.value, own, own_components, platform):
                continue
            calls = starters.get((ref.caller_class, ref.caller_method))
            if calls:
                add(ref.caller_class, string_evidence(ref))
                for ev in calls:
                    add(ref.caller_class, ev)

        for sid, (subject, evidence, confs) in sorted(found.items()):
            unique = list({repr(sorted(e.data.items())): e for e in evidence}.values())
            yield self.finding(
                facts,
                key="starts_other_apps",
                subject=subject,
                confidence=max(confs, key=lambda c: c.rank),
                evidence=capped(unique),
                merge_key=f"T6.associated_start:{sid}",
                detail_zh="代码可拉起其他应用：" + "、".join(_packages(unique))
                if _packages(unique)
                else "代码可拉起其他应用",
                detail_en="Code can start other apps: " + ", ".join(_packages(unique))
                if _packages(unique)
                else "Code can start other apps",
            )
        for sdk in self._wakeup_sdks(facts, ctx):
            subject = sdk_subject(sdk)
            if subject.id in found:
                continue
            yield self.finding(
                facts,
                key="starts_other_apps",
                subject=subject,
                confidence=Confidence.PRESENT,
                severity=Severity.LOW,
                evidence=[Evidence("dex", {"sdk": sdk.id, "matched_prefixes": list(sdk.matched_prefixes)})],
                merge_key=f"T6.associated_start:{subject.id}",
                detail_zh=f"集成了具有应用互相唤醒能力的SDK：{sdk.name}",
                detail_en=f"Embeds an SDK known to wake other apps: {sdk.name_en or sdk.name}",
            )

    def _wakeup_sdks(self, facts: AppFacts, ctx: RuleContext) -> list[SdkHit]:
        prefixes = [p.rstrip(".") for p in ctx.option(type(self), "wakeup_sdk_prefixes")]
        out: list[SdkHit] = []
        for sdk in facts.sdks:
            if not sdk.used:
                continue
            if any(
                mp.rstrip(".") == p or mp.startswith(p + ".") for mp in sdk.matched_prefixes for p in prefixes
            ):
                out.append(sdk)
        return out


_CONSTANT_SEGMENTS = (
    ".intent.",
    ".action.",
    ".actions.",
    ".extra.",
    ".extras.",
    ".permission.",
    ".category.",
)


def _other_app_target(value: str, own: str, own_components: set[str], platform: tuple[str, ...]) -> bool:
    """Whether a dotted string can name another app's package or component (see the class docstring)."""
    if own and (value == own or value.startswith(own + ".")):
        return False
    if value in own_components:
        return False
    if any(value == p or value.startswith(p + ".") for p in platform):
        return False
    last = value.rsplit(".", 1)[-1]
    return not (last.isupper() or any(seg in f".{value}." for seg in _CONSTANT_SEGMENTS))


def _packages(evidence: list[Evidence]) -> list[str]:
    return sorted({str(e.data["string"]) for e in evidence if e.data.get("kind") == "package"})
