"""Helpers shared by the static rules: who owns a class (app or SDK), entry points, evidence items.

Attribution: a class belongs to the detected SDK with the longest matching prefix, else to the catalogue SDK
matching it, else to the app. Platform-library code (support library, AndroidX, Material, Kotlin, Google Play
services client: ``knowledge.sensitive_apis.PLATFORM_LIBRARIES``, unless an SDK claims a longer prefix such as
``com.google.android.gms.ads``) is a subject of its own that is never reported: ``ActivityChooserModel`` is
not the app reading the installed-app list. A read through a platform wrapper (``TelephonyManagerCompat.getImei``)
reaches the rules as a call site of the wrapper's caller (``CallSite.via``, made by the dex scanner).
Code of SDKs the catalogue flags ``library`` (okhttp, glide …) counts as the app's (it acts on the app's
behalf; it is no third-party data collector): its evidence carries a ``library`` note
(``SubjectResolver.library``), and rules report findings resting only on library code at low severity.

Pure functions of facts and knowledge; no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from apprights.knowledge.sensitive_apis import SIGNATURE_APIS, SensitiveApi, platform_library
from apprights.model.facts import AppFacts, CallSite, Component, SdkHit, StringRef
from apprights.model.finding import Confidence, Evidence, Subject
from apprights.rules.base import RuleContext, app_subject, sdk_subject

MAX_EVIDENCE = 20  # evidence items per finding; the count of the rest goes into the last item
# Android support-library, AndroidX and Material Components code: shipped inside the app's dex, runs only when the
# app uses the feature (TwilightManager reads the last location for the DayNight theme, ActivityChooserModel
# resolves share targets), so a PI call there is the app's, noted as library code.
SUPPORT_LIBRARY_PREFIXES = ("android.support.", "androidx.", "com.google.android.material.")


def support_library(class_name: str) -> str | None:
    """``android.support`` / ``androidx`` / ``com.google.android.material`` when the class is support code."""
    for p in SUPPORT_LIBRARY_PREFIXES:
        if class_name.startswith(p):
            return p.rstrip(".")
    return None


def platform_library_of(class_name: str, sdk: SdkHit | None) -> str | None:
    """The platform library (``androidx``, ``com.google.android.gms`` …, see
    ``knowledge.sensitive_apis.PLATFORM_LIBRARIES``) the class belongs to, unless ``sdk`` (its owner by
    prefix) claims it with a longer prefix (``com.google.android.gms.ads`` is AdMob's)."""
    lib = platform_library(class_name)
    if lib is None or sdk is None:
        return lib
    owned = [p.rstrip(".") for p in sdk.matched_prefixes if _under(class_name, p)]
    return None if any(len(p) > len(lib) for p in owned) else lib


def is_platform_sdk(sdk: SdkHit) -> bool:
    """Every prefix the SDK matched is platform-library code (``google-play-services`` =
    ``com.google.android.gms``): its own reads are the platform library's, not an SDK's."""
    prefixes = [p.rstrip(".") for p in sdk.matched_prefixes]
    return bool(prefixes) and all(
        (lib := platform_library(p + ".")) is not None and len(p) <= len(lib) for p in prefixes
    )


def is_library_sdk(ctx: RuleContext, sdk: SdkHit | None) -> bool:
    """The catalogue flags the SDK as a pure development library (no PI handling of its own)."""
    if sdk is None:
        return False
    entry = ctx.knowledge.sdks.get(sdk.id)
    return entry is not None and entry.library


def _under(name: str, prefix: str) -> bool:
    p = prefix.rstrip(".")
    return bool(p) and (name == p or name.startswith(p + ".") or name.startswith(p + "$"))


def own_namespaces(facts: AppFacts) -> list[str]:
    """The app's own code namespaces (``ManifestFacts.own_namespaces``), or its package."""
    if facts.manifest is not None:
        return facts.manifest.own_namespaces()
    return [facts.package] if facts.package else []


def sdk_for_class(
    facts: AppFacts, ctx: RuleContext, class_name: str, owns: list[str] | None = None
) -> SdkHit | None:
    """The detected SDK owning ``class_name`` (longest matched prefix), else the catalogue's SDK, else None.

    A class inside the app's own package is the app's unless the SDK prefix is longer than the package
    (an app ``com.tencent.mm`` is not the SDK ``com.tencent``); so is a class in the namespace of the app's
    Application class or launcher activity (``own_namespaces``: the MobPush demo's own ``com.mob.demo.mobpush``
    code is not MobTech's ``com.mob`` SDK). ``owns`` passes those namespaces when the caller has them."""
    mine = [ns for ns in (own_namespaces(facts) if owns is None else owns) if _under(class_name, ns)]

    def allowed(prefix: str) -> bool:
        return not any(len(prefix.rstrip(".")) <= len(ns) for ns in mine)

    best: SdkHit | None = None
    best_len = -1
    for sdk in facts.sdks:
        for p in sdk.matched_prefixes:
            if _under(class_name, p) and allowed(p) and len(p) > best_len:
                best, best_len = sdk, len(p)
    if best is not None:
        return best
    entry = ctx.knowledge.sdks.match_class(class_name.split("$", 1)[0])
    if entry is None:
        return None
    matched = [p for p in entry.prefixes if _under(class_name, p)]
    if not matched or not any(allowed(p) for p in matched):
        return None
    return facts.sdk(entry.id) or SdkHit(
        id=entry.id,
        name=entry.name_zh,
        name_en=entry.name_en,
        vendor=entry.vendor,
        category=entry.category,
        used=True,
        evidence=[f"prefix:{p}" for p in matched],
        matched_prefixes=matched,
    )


def subject_for_class(
    facts: AppFacts, ctx: RuleContext, class_name: str, owns: list[str] | None = None
) -> tuple[Subject, SdkHit | None]:
    """The SDK owning the class, or the app (also for code of a catalogue ``library`` SDK)."""
    sdk = sdk_for_class(facts, ctx, class_name, owns)
    if sdk is None or is_library_sdk(ctx, sdk):
        return app_subject(facts), None
    return sdk_subject(sdk), sdk


class SubjectResolver:
    """``subject_for_class`` with a per-check cache: call sites repeat the same caller classes."""

    def __init__(self, facts: AppFacts, ctx: RuleContext) -> None:
        self.facts = facts
        self.ctx = ctx
        self._cache: dict[str, tuple[Subject, SdkHit | None]] = {}
        self._library: dict[str, str | None] = {}
        self._owns = own_namespaces(facts)
        self._platform: dict[str, str | None] = {}

    def __call__(self, class_name: str) -> tuple[Subject, SdkHit | None]:
        hit = self._cache.get(class_name)
        if hit is None:
            hit = self._cache[class_name] = subject_for_class(self.facts, self.ctx, class_name, self._owns)
        return hit

    def platform(self, class_name: str) -> str | None:
        """The platform library whose code this is (never the app's own code nor an SDK's), else None."""
        if class_name not in self._platform:
            self._platform[class_name] = platform_library_of(class_name, self(class_name)[1])
        return self._platform[class_name]

    def library(self, class_name: str) -> str | None:
        """The library the class belongs to (support prefix or catalogue ``library`` SDK id), else None."""
        if class_name not in self._library:
            lib = support_library(class_name)
            if lib is None:
                sdk = sdk_for_class(self.facts, self.ctx, class_name, self._owns)
                lib = sdk.id if sdk is not None and is_library_sdk(self.ctx, sdk) else None
            self._library[class_name] = lib
        return self._library[class_name]


def only_library(evidence: Iterable[Evidence]) -> bool:
    """Every item is a call site or string in library code (and there is at least one): no permission or
    app-code evidence."""
    items = list(evidence)
    return bool(items) and all(e.source == "dex" and e.data.get("library") for e in items)


def sdk_for_component(facts: AppFacts, ctx: RuleContext, component: Component) -> SdkHit | None:
    """The SDK that lists the component, or owns its class name."""
    for sdk in facts.sdks:
        if component.name in sdk.components:
            return sdk
    return sdk_for_class(facts, ctx, component.name)


def entry_classes(facts: AppFacts) -> set[str]:
    """Classes the system instantiates on its own: the Application class and manifest components."""
    out: set[str] = set()
    m = facts.manifest
    if m is None:
        return out
    if m.application_class:
        out.add(m.application_class)
    for c in m.components:
        if c.enabled:
            out.add(c.name)
    return out


def is_entry_class(class_name: str, entries: set[str]) -> bool:
    """The class is an entry point or one of its nested/anonymous classes."""
    return class_name in entries or class_name.split("$", 1)[0] in entries


def _runs_init_code(provider: Component) -> bool:
    """File providers are created at start-up too but only share files; they are not SDK initialisers."""
    return provider.enabled and not provider.name.endswith("FileProvider")


def startup_classes(facts: AppFacts) -> set[str]:
    """Classes run at process start before any UI: the Application class and content providers."""
    out: set[str] = set()
    m = facts.manifest
    if m is None:
        return out
    if m.application_class:
        out.add(m.application_class)
    out.update(c.name for c in m.components if c.kind == "provider" and _runs_init_code(c))
    return out


def background_classes(facts: AppFacts) -> set[str]:
    """Classes that run with no screen in front of the user: the Application class and the manifest's
    receivers, services and providers (what 164号文 calls a background context for starting other apps)."""
    out: set[str] = set()
    m = facts.manifest
    if m is None:
        return out
    if m.application_class:
        out.add(m.application_class)
    out.update(c.name for c in m.components if c.enabled and c.kind in ("receiver", "service", "provider"))
    return out


def site_confidence(site: CallSite, entries: set[str], sdk: SdkHit | None = None) -> Confidence:
    """``reachable`` when the caller is an entry point or is reached from one in the dex scanner's bounded call
    graph (``CallSite.entry``); without that graph (facts built by hand), when its SDK is initialised at
    start-up. Otherwise, and always for a reflective read, ``present``."""
    if site.reflective:
        return Confidence.PRESENT
    if is_entry_class(site.caller_class, entries) or site.entry:
        return Confidence.REACHABLE
    if site.entry is None and sdk is not None and sdk.init_at_startup:
        return Confidence.REACHABLE
    return Confidence.PRESENT


def site_evidence(site: CallSite, **extra: Any) -> Evidence:
    data: dict[str, Any] = {
        "api": site.api,
        "caller_class": site.caller_class,
        "caller_method": site.caller_method,
    }
    if site.dex:
        data["dex"] = site.dex
    if site.count != 1:
        data["count"] = site.count
    if site.via:
        data["via"] = site.via
    if site.reflective:
        data["reflective"] = True
    if site.args:
        data["args"] = list(site.args)
    if site.entry:
        data["reached_from"] = site.entry
        if len(site.path) > 1:
            data["call_path"] = list(site.path)
    lib = support_library(site.caller_class)
    if lib is not None:
        data["library"] = lib
    data.update(extra)
    return Evidence("dex", data)


def string_evidence(ref: StringRef, **extra: Any) -> Evidence:
    data: dict[str, Any] = {"string": ref.value, "kind": ref.kind}
    if ref.caller_class:
        data["caller_class"] = ref.caller_class
        data["caller_method"] = ref.caller_method
    data.update(extra)
    return Evidence("dex", data)


def component_evidence(component: Component, **extra: Any) -> Evidence:
    data: dict[str, Any] = {"component": component.name, "component_kind": component.kind}
    if component.actions:
        data["actions"] = list(component.actions)
    if component.exported is not None:
        data["exported"] = component.exported
    data.update(extra)
    return Evidence("manifest", data)


def permission_evidence(name: str, **extra: Any) -> Evidence:
    return Evidence("manifest", {"permission": name, **extra})


def capped(items: Iterable[Evidence], limit: int = MAX_EVIDENCE) -> list[Evidence]:
    """At most ``limit`` items; a note with the number left out when there were more."""
    out = list(items)
    if len(out) <= limit:
        return out
    rest = len(out) - limit + 1
    return [*out[: limit - 1], Evidence(out[limit - 1].source, {"more_items": rest})]


def best_confidence(values: Iterable[Confidence]) -> Confidence:
    return max(values, key=lambda c: c.rank, default=Confidence.PRESENT)


# APIs the catalogue types as PI reads that, statically, mostly concern the app itself or read no content:
# ``getPackageInfo(own package)`` for the version name, clipboard presence checks.
SELF_QUERY_APIS = frozenset(
    {
        "android.content.pm.PackageManager.getPackageInfo",
        "android.content.pm.PackageManager.getApplicationInfo",
        "android.content.pm.PackageManager.getPackagesForUid",
        "android.content.pm.PackageManager.getInstallerPackageName",
        "android.app.ApplicationPackageManager.getApplicationInfo",
        "android.app.ApplicationPackageManager.getPackageInfoAsUser",
        "android.app.ApplicationPackageManager.getInstallerPackageName",
        "android.content.ClipboardManager.hasPrimaryClip",
        "android.content.ClipboardManager.getPrimaryClipDescription",
    }
)
READ_KINDS = ("read", "listen")


def content_uris_by_method(facts: AppFacts) -> dict[tuple[str, str], list[str]]:
    """``content://`` strings loaded by each (class, method)."""
    out: dict[tuple[str, str], list[str]] = {}
    for ref in facts.code.strings if facts.code else []:
        if ref.kind == "content_uri" and ref.caller_class:
            out.setdefault((ref.caller_class, ref.caller_method), []).append(ref.value)
    return out


def site_pi_types(ctx: RuleContext, site: CallSite, uris: dict[tuple[str, str], list[str]]) -> set[str]:
    """The PI types a call site reads. Entries told apart by an argument filter (``ContentResolver.query`` on
    contacts vs SMS …) count only when the caller method loads a matching ``content://`` string; an API whose
    entries cannot be told apart gives nothing rather than every PI type. ``queryIntentActivities`` (an intent
    filter) is the installed-app list unless every intent the dex scanner decoded for the site is narrowed to one
    package, component or URI, or to a non-platform action (``narrowed_intent``): then it is a presence check
    ("is HMS Core installed?"), weak device information, not PI for T1/T2/T3; no decoded intent keeps it."""
    if site.api in SELF_QUERY_APIS:
        return set()
    entries = [a for a in ctx.knowledge.sensitive_apis.lookup(site.api) if a.kind in READ_KINDS]
    if not entries:
        return set()
    plain = {a.pi_type for a in entries if not a.arg_filter}
    # an intent filter (``queryIntentActivities``): the app list unless every intent the scanner decoded is
    # narrowed to one app or a vendor's own action (a presence check); no decoded intent keeps it
    plain |= {
        a.pi_type
        for a in entries
        if is_intent_filter(a) and (not site.args or any(a.matches_value(v) for v in site.args))
    }
    filtered = [a for a in entries if a.arg_filter and not is_intent_filter(a)]
    if not filtered:
        return plain if len(plain) == 1 else set()
    loaded = uris.get((site.caller_class, site.caller_method), [])
    if site.args is not None:  # the dex scanner read the constant arguments: a Settings key must be one
        values = [*site.args, *loaded]
        return plain | {a.pi_type for a in filtered if any(a.matches_value(v) for v in values)}
    out = set(plain)
    for a in filtered:
        needles = (a.arg_filter or {}).get("contains") or []
        if any(str(n) in u for n in needles for u in loaded):
            out.add(a.pi_type)
    if not loaded and len({a.pi_type for a in filtered}) == 1:
        out.add(filtered[0].pi_type)
    return out


def api_pi_types(ctx: RuleContext, api: str) -> set[str]:
    """The PI types an API reads when it is unambiguous (one PI type, no argument filter), else empty."""
    if api in SELF_QUERY_APIS:
        return set()
    entries = [a for a in ctx.knowledge.sensitive_apis.lookup(api) if a.kind in READ_KINDS]
    types = {a.pi_type for a in entries}
    # an argument-filtered API (content URI, intent) is judged per call site (``site_pi_types``), whose
    # arguments the dex scanner read; the SDK's ``pi_apis`` come from those same call sites
    return types if len(types) == 1 and not any(a.arg_filter for a in entries) else set()


def is_intent_filter(a: SensitiveApi) -> bool:
    """An entry whose argument is an ``Intent`` (``knowledge.sensitive_apis.narrowed_intent``): a call site
    without a decoded intent stays what it is (conservative), unlike a content-URI filter, which proves nothing
    alone."""
    return bool(a.arg_filter and "intent" in a.arg_filter)


def method_name(api: str) -> str:
    return api.rsplit(".", 1)[-1]


def is_dangerous(facts_perm_dangerous: bool, name: str, ctx: RuleContext) -> bool:
    return facts_perm_dangerous or ctx.knowledge.permissions.is_dangerous(name)


def group_sites_by_subject(
    facts: AppFacts, ctx: RuleContext, methods: set[str], pi_type: str | None = None
) -> dict[str, tuple[Subject, SdkHit | None, list[CallSite]]]:
    """Call sites whose API is one of ``methods`` (dotted ``Class.method``, matched also by the catalogue's
    ``pi_type`` when given), grouped by the subject owning the caller class."""
    out: dict[str, tuple[Subject, SdkHit | None, list[CallSite]]] = {}
    if facts.code is None:
        return out
    resolve = SubjectResolver(facts, ctx)
    for site in facts.code.call_sites:
        hit = site.api in methods or (
            pi_type is not None
            and any(a.pi_type == pi_type for a in ctx.knowledge.sensitive_apis.lookup(site.api))
        )
        if not hit or resolve.platform(site.caller_class):
            continue
        subject, sdk = resolve(site.caller_class)
        out.setdefault(subject.id, (subject, sdk, []))[2].append(site)
    return out


@dataclass
class PiReads:
    """What one subject's code reads: PI types and the evidence for them."""

    subject: Subject
    sdk: SdkHit | None
    pi_types: set[str] = field(default_factory=set)
    evidence: list[Evidence] = field(default_factory=list)
    sites: list[CallSite] = field(default_factory=list)
    # at least one read through an API the catalogue does not flag ``weak`` (called by most apps for benign
    # reasons: an operator name, a socket's address, the external-storage path)
    strong: bool = False


def pi_reads_by_subject(
    facts: AppFacts, ctx: RuleContext, ignore_pi: set[str] | None = None
) -> dict[str, PiReads]:
    """PI-reading call sites grouped by subject, plus each detected SDK's own ``pi_apis``. Library code
    (support/AndroidX, catalogue ``library`` SDKs) is the app's, each item noted ``library``."""
    ignore = ignore_pi or set()
    out: dict[str, PiReads] = {}
    uris = content_uris_by_method(facts)
    resolve = SubjectResolver(facts, ctx)
    lookups = signature_lookups(facts)
    for site in facts.code.call_sites if facts.code else []:
        if resolve.platform(site.caller_class):
            continue  # platform-library code; its wrappers' callers carry the read (``CallSite.via``)
        types = site_pi_types(ctx, site, uris) - ignore
        if not types:
            continue
        subject, sdk = resolve(site.caller_class)
        r = out.setdefault(subject.id, PiReads(subject, sdk))
        r.pi_types |= types
        r.sites.append(site)
        lookup = is_signature_lookup(site, lookups)
        r.strong = r.strong or (not lookup and _strong(ctx, site.api, types))
        lib = resolve.library(site.caller_class)
        extra: dict[str, Any] = {"library": lib} if lib else {}
        if lookup:
            extra["signature_lookup"] = SIGNATURE_LOOKUP
        r.evidence.append(
            site_evidence(site, pi_type=sorted(types)[0] if len(types) == 1 else sorted(types), **extra)
        )
    for sdk in facts.sdks:
        if is_library_sdk(ctx, sdk) or is_platform_sdk(sdk):
            continue  # its call sites were attributed to the app above, or are platform-library code
        for api in sdk.pi_apis:
            types = api_pi_types(ctx, api) - ignore
            if not types:
                continue
            subj = sdk_subject(sdk)
            r = out.setdefault(subj.id, PiReads(subj, sdk))
            if r.sdk is None:
                r.sdk = sdk
            r.pi_types |= types
            if not any(s.api == api for s in r.sites):  # else the call sites above were judged one by one
                r.strong = r.strong or _strong(ctx, api, types)
                r.evidence.append(Evidence("dex", {"sdk": sdk.id, "api": api, "pi_type": sorted(types)[0]}))
    return out


_LIST_METHODS = frozenset({"getInstalledPackages", "getInstalledApplications"})
SIGNATURE_LOOKUP = (
    "the same method reads package signatures (Signature.toCharsString/toByteArray): a walk over the installed "
    "packages to find a signing certificate, such as an SDK's own, not evidence that the list is collected"
)


def signature_lookups(facts: AppFacts) -> frozenset[tuple[str, str]]:
    """(caller class, method) of the methods that read a package's signature (``SIGNATURE_APIS``)."""
    if facts.code is None:
        return frozenset()
    return frozenset(
        (s.caller_class, s.caller_method) for s in facts.code.call_sites if s.api in SIGNATURE_APIS
    )


def is_signature_lookup(site: CallSite, lookups: frozenset[tuple[str, str]]) -> bool:
    """An installed-packages call in a method that reads package signatures (``signature_lookups``)."""
    return method_name(site.api) in _LIST_METHODS and (site.caller_class, site.caller_method) in lookups


def _strong(ctx: RuleContext, api: str, types: set[str]) -> bool:
    return any(
        not a.weak and a.pi_type in types
        for a in ctx.knowledge.sensitive_apis.lookup(api)
        if a.kind in READ_KINDS
    )


WEAK_ONLY = {
    "weak_only": "every read is through an API most apps call for benign reasons (the catalogue's weak APIs: "
    "operator name, a socket's address, the external-storage path): a lead, "
    "not evidence of collection"
}


def sdk_starts_early(facts: AppFacts, sdk: SdkHit | None, sites: Iterable[CallSite]) -> str | None:
    """Why the subject's code runs at process start, or None: ``init_at_startup`` (the SDK is initialised from
    the Application class or an auto-init provider), an own content provider, or PI calls made directly from
    the Application class or a provider."""
    if sdk is not None and sdk.init_at_startup:
        return "init_at_startup"
    early = startup_classes(facts)
    if sdk is not None and facts.manifest is not None:
        for c in facts.manifest.components:
            if (
                c.kind == "provider"
                and _runs_init_code(c)
                and (c.name in sdk.components or any(_under(c.name, p) for p in sdk.matched_prefixes))
            ):
                return f"provider:{c.name}"
    for s in sites:
        if is_entry_class(s.caller_class, early):
            return f"startup_class:{s.caller_class.split('$', 1)[0]}"
    return None
