"""Code that starts other apps (关联启动)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from apprights.knowledge.sensitive_apis import (
    PENDING_INTENT_APIS,
    START_TARGET_APIS,
    UNRESOLVED_TARGET,
    intent_fields,
)
from apprights.model.facts import AppFacts, CallSite, CodeFacts, SdkHit, StringRef
from apprights.model.finding import Confidence, Evidence, Finding, Severity, Subject
from apprights.rules._static_common import (
    SubjectResolver,
    background_classes,
    capped,
    entry_classes,
    is_entry_class,
    method_name,
    site_evidence,
    string_evidence,
)
from apprights.rules.base import Rule, RuleContext, sdk_subject
from apprights.rules.t6_autostart.sdk_wakeup_component import wakeup_components

LAUNCH_INTENT = "getLaunchIntentForPackage"
BUILD_METHODS = frozenset({"setPackage", "setClassName", "setComponent"})  # name a target, start nothing


class StartsOtherApps(Rule):
    """Code that starts or wakes other apps (关联启动).

    What it detects
        Per subject (the app or an SDK, by the caller class): a method that holds another app's package or
        component name (a ``package`` string reference) and also calls ``startActivity``/``startService``/
        ``startForegroundService``/``bindService``/``sendBroadcast``/``getLaunchIntentForPackage`` or builds
        an explicit target (``Intent.setPackage``, ``setClassName``, ``setComponent``,
        ``ComponentName.<init>``) — the "全家桶互相唤醒" pattern. Severity is medium only when the method runs
        in a background context, low otherwise (a start from a screen is normally the user's tap). Background
        contexts: a receiver, service or provider of the manifest, the Application class; a method that wraps
        the start in a ``PendingIntent`` (``getBroadcast``/``getService``/``getActivity``) and hands it to an
        alarm (``AlarmManager.set*``/``setExact*``/``setRepeating``/``setInexactRepeating``/``setAlarmClock``,
        ``alarm_methods``); a class of the app that such an alarm's ``PendingIntent`` starts (``new
        Intent(context, X.class)``, even an activity: it comes up with no tap); and the callbacks of scheduled
        work (``Worker.doWork``, ``JobService.onStartJob`` …, ``scheduled_callbacks``: what
        ``WorkManager.enqueue`` and ``JobScheduler.schedule`` run). SDKs known to wake other apps
        carrying the same SDK (``wakeup_sdk_prefixes``, "应用互相拉活") give a low finding even without the
        code signal, unless their exported components are reported (``T6.sdk_wakeup_component``).
        Not another app: the app's own package and components, classes defined in the APK, strings that are
        not package-shaped (``gcm.n.title``) or are intent action/extra/permission constants, the system and
        vendor services an SDK binds to (``system_packages``: Google Play services, ``com.xiaomi.xmsf``,
        ``com.huawei.hwid``, vendor push services), packages of an SDK's own vendor (an SDK naming its own
        vendor's app or broadcast action; the app's own code naming a sister app still counts), and any string in platform-library code (Google Play services,
        Firebase, AndroidX: ``com.google.example.invalidpackage``, Wear and Chrome names). Share, login,
        payment and map targets the user chooses (``user_chosen_packages``: WeChat, QQ, Weibo, Alipay …) are
        reported only from a background context. ``getLaunchIntentForPackage`` with no foreign package string
        in the method is the app opening itself (the argument is normally ``getPackageName()``) and is not
        reported.

    Legal basis
        164号文 二(6) (关联启动第三方APP); 26号文 (不得…关联启动其他APP，或进行唤醒、调用); T/TAF 078.10.

    Evidence and confidence
        ``dex`` items: the package strings and the start calls (caller class and method). Confidence ``present``;
        ``reachable`` when the caller is a manifest component or the Application class. Severity medium for
        starts from background contexts, low for starts from other code and for SDK presence alone.

    Known false positives
        A package string may only be used for a ``getPackageInfo`` check in a method that also starts
        something else: the pattern pairs strings and calls within one method without data flow.

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
            LAUNCH_INTENT,
        ],
        # [I] push SDKs documented by stores as waking other apps that carry them (应用互相拉活)
        "wakeup_sdk_prefixes": ["com.igexin", "cn.jpush.android", "com.taobao.accs", "com.umeng.message"],
        # [I] system and vendor service apps SDK clients bind to (not "other apps" in the sense of 关联启动):
        # Google Play services, the vendor push services and account/store apps of phone makers
        "system_packages": [
            "com.google.android",
            "com.android",
            "com.xiaomi.xmsf",
            "com.miui",
            "com.huawei.hwid",
            "com.huawei.hms",
            "com.huawei.android.pushagent",
            "com.huawei.appmarket",
            "com.hihonor",
            "com.meizu.cloud",
            "com.vivo.pushservice",
            "com.vivo.vms",
            "com.coloros",
            "com.heytap",
            "com.oppo",
            "com.oplus",
        ],
        # [I] apps a user picks to share, log in, pay or navigate with (TencentOpenAPI, WeChat, Weibo SDKs)
        "user_chosen_packages": [
            "com.tencent.mm",
            "com.tencent.mobileqq",
            "com.tencent.tim",
            "com.qzone",
            "com.sina.weibo",
            "com.eg.android.AlipayGphone",
            "com.alibaba.android.rimet",
            "com.ss.android.ugc.aweme",
            "com.autonavi.minimap",
            "com.baidu.BaiduMap",
            "com.tencent.map",
        ],
        # framework calls that schedule a PendingIntent or work to run later with no screen in front
        "alarm_methods": [
            "android.app.AlarmManager.set",
            "android.app.AlarmManager.setExact",
            "android.app.AlarmManager.setExactAndAllowWhileIdle",
            "android.app.AlarmManager.setAndAllowWhileIdle",
            "android.app.AlarmManager.setWindow",
            "android.app.AlarmManager.setRepeating",
            "android.app.AlarmManager.setInexactRepeating",
            "android.app.AlarmManager.setAlarmClock",
        ],
        # methods the system calls for scheduled work (WorkManager, JobScheduler, GCM/Firebase task services,
        # JobIntentService): code in them runs in the background
        "scheduled_callbacks": ["doWork", "startWork", "onStartJob", "onRunTask", "onRunJob", "onHandleWork"],
        # [I] code of the platform (Google Play services, Firebase, AndroidX, support library): its package
        # strings are its own service names and examples, never a start of another app
        "platform_library_prefixes": [
            "com.google.android.gms",
            "com.google.firebase",
            "com.google.android.datatransport",
            "androidx",
            "android.support",
            "kotlin",
        ],
    }

    def check(self, facts: AppFacts, ctx: RuleContext) -> Iterator[Finding]:
        code = facts.code
        if code is None:
            return
        opt = type(self)
        starts = set(ctx.option(opt, "start_methods"))
        entries = entry_classes(facts)
        background = background_classes(facts)
        resolve = SubjectResolver(facts, ctx)
        targets = _Targets(facts, ctx, opt)
        found: dict[str, tuple[Subject, list[Evidence], list[Confidence], list[bool]]] = {}

        starters: dict[tuple[str, str], list[Evidence]] = {}
        for site in code.call_sites:
            if method_name(site.api) in starts or site.api == "android.content.ComponentName.<init>":
                starters.setdefault((site.caller_class, site.caller_method), []).append(site_evidence(site))
        alarmed, alarm_targets = _alarm_contexts(code, set(ctx.option(opt, "alarm_methods")), starters)
        callbacks = set(ctx.option(opt, "scheduled_callbacks"))
        decoded, unresolved = _start_targets(code)
        for ref in [*code.strings, *decoded]:
            if ref.kind != "package" or not ref.caller_class:
                continue
            calls = starters.get((ref.caller_class, ref.caller_method))
            if not calls or not targets.other_app(ref.value, ref.caller_class):
                continue
            context = _background_context(
                ref.caller_class, ref.caller_method, background, alarmed, alarm_targets, callbacks
            )
            in_background = context is not None
            if targets.user_chosen(ref.value) and not in_background:
                continue
            subject, _ = resolve(ref.caller_class)
            g = found.setdefault(subject.id, (subject, [], [], []))
            g[1].append(string_evidence(ref, background=context) if context else string_evidence(ref))
            g[1].extend(calls)
            reach = is_entry_class(ref.caller_class, entries)
            g[2].append(Confidence.REACHABLE if reach else Confidence.PRESENT)
            g[3].append(in_background)

        for sid, (subject, evidence, confs, bg) in sorted(found.items()):
            unique = list({repr(sorted(e.data.items())): e for e in evidence}.values())
            names = "、".join(_packages(unique))
            yield self.finding(
                facts,
                key="starts_other_apps",
                subject=subject,
                confidence=max(confs, key=lambda c: c.rank),
                severity=Severity.MEDIUM if any(bg) else Severity.LOW,
                evidence=capped(unique),
                merge_key=f"T6.associated_start:{sid}",
                detail_zh=("后台组件中" if any(bg) else "") + "代码可拉起其他应用：" + names,
                detail_en=("From a background component, code" if any(bg) else "Code")
                + " can start other apps: "
                + ", ".join(_packages(unique)),
            )
        # an unresolved target counts only where the method really starts something (not where it only builds
        # an intent, e.g. to return it or to check a service exists)
        launches = {
            (c.caller_class, c.caller_method)
            for c in code.call_sites
            if method_name(c.api) in starts - BUILD_METHODS
            and c.api != "android.content.ComponentName.<init>"
        }
        unresolved = [u for u in unresolved if (u.caller_class, u.caller_method) in launches]
        yield from self._unresolved(facts, resolve, targets, unresolved)
        by_component = {sdk.id for _, sdk, _ in wakeup_components(facts, ctx)}
        for sdk in self._wakeup_sdks(facts, ctx):
            subject = sdk_subject(sdk)
            if subject.id in found or sdk.id in by_component:
                continue  # the code signal or the exported component (T6.sdk_wakeup_component) says more
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

    def _unresolved(
        self, facts: AppFacts, resolve: SubjectResolver, targets: _Targets, sites: list[CallSite]
    ) -> Iterator[Finding]:
        """Starts whose target package is chosen at run time (not a constant, not built from constant pieces
        in the method): reported, but low and ``present`` — the target may be the app itself."""
        groups: dict[str, tuple[Subject, list[Evidence]]] = {}
        for site in sites:
            if targets.platform_code(site.caller_class):
                continue
            subject, _ = resolve(site.caller_class)
            groups.setdefault(subject.id, (subject, []))[1].append(site_evidence(site, target="?"))
        for sid, (subject, evidence) in sorted(groups.items()):
            calls = sorted({f"{e.data['caller_class']}.{e.data['caller_method']}" for e in evidence})
            yield self.finding(
                facts,
                key="starts_unresolved_target",
                subject=subject,
                confidence=Confidence.PRESENT,
                severity=Severity.LOW,
                evidence=capped(evidence),
                merge_key=f"T6.associated_start_dynamic:{sid}",
                detail_zh="代码按运行时才确定的包名拉起应用（目标无法静态确定）：" + "、".join(calls[:5]),
                detail_en="Code starts an app whose package is chosen at run time (the target cannot be "
                "determined statically): " + ", ".join(calls[:5]),
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
# Top-level domains package names start with; ``gcm.n.title`` or ``google.c.a.e`` are keys, not packages.
_PACKAGE_ROOTS = frozenset(
    [
        "com",
        "cn",
        "org",
        "net",
        "io",
        "me",
        "tv",
        "de",
        "uk",
        "fr",
        "jp",
        "kr",
        "ru",
        "us",
        "co",
        "info",
        "biz",
        "app",
        "mobi",
        "edu",
        "gov",
        "xyz",
        "top",
        "cc",
        "im",
        "vip",
        "ly",
        "air",
        "ai",
        "in",
        "ch",
        "nl",
        "se",
        "it",
        "es",
        "pl",
        "br",
        "au",
        "ca",
        "eu",
        "hk",
        "tw",
        "sg",
        "vn",
        "pro",
        "site",
        "fun",
        "live",
        "club",
        "tech",
        "ink",
        "work",
        "link",
        "ltd",
        "group",
        "zone",
    ]
)
# Vendors whose apps are many unrelated products: the vendor is told apart by three segments (com.tencent.mm
# is WeChat, com.tencent.mtt QQ Browser), not two.
_CONGLOMERATES = frozenset({"com.tencent", "com.alibaba", "com.taobao", "com.baidu", "com.ss", "com.netease"})


def _under(value: str, prefix: str) -> bool:
    return value == prefix or value.startswith(prefix + ".")


def _vendor_root(name: str) -> str:
    parts = name.split(".")
    root = ".".join(parts[:2])
    return ".".join(parts[:3]) if root in _CONGLOMERATES else root


class _Targets:
    """Tells a package string naming another app from the app's own, platform and vendor names."""

    def __init__(self, facts: AppFacts, ctx: RuleContext, rule: type[Rule]) -> None:
        self.own = facts.package
        self.components = {c.name for c in facts.manifest.components} if facts.manifest else set()
        self.defined = set(facts.code.defined_classes) if facts.code else set()
        self.system = tuple(str(p).rstrip(".") for p in ctx.option(rule, "system_packages"))
        self.chosen = tuple(str(p).rstrip(".") for p in ctx.option(rule, "user_chosen_packages"))
        self.platform = tuple(str(p).rstrip(".") for p in ctx.option(rule, "platform_library_prefixes"))
        self.resolve = SubjectResolver(facts, ctx)
        self.catalogue = ctx.knowledge.sdks

    def other_app(self, value: str, caller_class: str) -> bool:
        """Whether ``value`` (loaded in ``caller_class``) can name another app's package or component."""
        if not _package_shaped(value):
            return False
        if self.own and _under(value, self.own):
            return False
        if value in self.components or value in self.defined:
            return False
        if any(_under(caller_class, p) for p in self.platform):
            return False
        if any(_under(value, p) for p in self.system):
            return False
        return not self._same_vendor(value, caller_class)

    def platform_code(self, caller_class: str) -> bool:
        return any(_under(caller_class, p) for p in self.platform)

    def user_chosen(self, value: str) -> bool:
        return any(_under(value, p) for p in self.chosen)

    def _same_vendor(self, value: str, caller_class: str) -> bool:
        """An SDK naming its own vendor's app, service or action. The app's own code naming a sister app of
        its developer is the 全家桶 pattern this rule is for, so only SDK callers are excused."""
        _, sdk = self.resolve(caller_class)
        if sdk is None:
            return False
        if _vendor_root(value) == _vendor_root(caller_class):
            return True
        if any(_under(value, p.rstrip(".")) for p in sdk.matched_prefixes):
            return True
        # another product of the SDK's vendor (MobTech's com.mob code sending a cn.sharesdk action)
        owner = self.catalogue.match_class(value)
        return owner is not None and bool(sdk.vendor) and owner.vendor == sdk.vendor


def _start_targets(code: CodeFacts) -> tuple[list[StringRef], list[CallSite]]:
    """The package arguments of start calls the dex scanner decoded (``START_TARGET_APIS``): those built in the
    method from constant pieces (``new StringBuilder("com.tencent.").append("mm")``, reversed strings) as
    package strings of their method, and the calls whose target stays unknown (``?``)."""
    refs: list[StringRef] = []
    unresolved: list[CallSite] = []
    for site in code.call_sites:
        if site.api not in START_TARGET_APIS or not site.args:
            continue
        for value in site.args:
            if value == UNRESOLVED_TARGET:
                unresolved.append(site)
            else:
                refs.append(StringRef(value, "package", site.caller_class, site.caller_method))
    return refs, unresolved


def _alarm_contexts(
    code: CodeFacts, alarm_methods: set[str], starters: dict[tuple[str, str], list[Evidence]]
) -> tuple[set[tuple[str, str]], dict[str, str]]:
    """Methods that wrap an intent in a ``PendingIntent`` and hand it to an alarm (the start happens when the
    alarm fires), and the app's classes such an alarm starts (``new Intent(context, X.class)`` → X, with the
    method that schedules it). A ``PendingIntent`` counts as a start call of its method."""
    alarms = {(s.caller_class, s.caller_method) for s in code.call_sites if s.api in alarm_methods}
    methods: set[tuple[str, str]] = set()
    classes: dict[str, str] = {}
    for site in code.call_sites:
        key = (site.caller_class, site.caller_method)
        if site.api not in PENDING_INTENT_APIS or key not in alarms:
            continue
        methods.add(key)
        starters.setdefault(key, []).append(site_evidence(site))
        for value in site.args or []:
            cmp = (intent_fields(value) or {}).get("cmp", "")
            cls = cmp.rsplit("/", 1)[-1]
            if cls and cls not in ("?", "*"):
                classes.setdefault(cls, f"{site.caller_class}.{site.caller_method}")
    return methods, classes


def _background_context(
    cls: str,
    meth: str,
    background: set[str],
    alarmed: set[tuple[str, str]],
    alarm_targets: dict[str, str],
    callbacks: set[str],
) -> str | None:
    """Why code in ``cls.meth`` runs with no screen in front of the user (None: it may be the user's tap)."""
    if is_entry_class(cls, background):
        return "component"
    if (cls, meth) in alarmed:
        return "alarm"  # the start is wrapped in a PendingIntent an alarm fires
    if cls in alarm_targets or cls.split("$", 1)[0] in alarm_targets:
        return "alarm_target"  # a class an alarm starts
    if meth in callbacks:
        return "scheduled_work"
    return None


def _package_shaped(value: str) -> bool:
    parts = value.split(".")
    if len(parts) < 2 or parts[0] not in _PACKAGE_ROOTS or not all(p.isidentifier() for p in parts):
        return False
    last = parts[-1]
    return not (last.isupper() or any(seg in f".{value}." for seg in _CONSTANT_SEGMENTS))


def _packages(evidence: list[Evidence]) -> list[str]:
    return sorted({str(e.data["string"]) for e in evidence if e.data.get("kind") == "package"})
