"""SDK detection: which catalogue SDKs are inside an app, and whether there is evidence that they are used.

An SDK is **present** when at least one defined class lies under one of its prefixes (the longest matching prefix
owns a class, so ``com.tencent.bugly`` and ``com.tencent`` never both count it) or a manifest component belongs to
it. Where the dex is readable (and no packer hides it), an SDK whose classes are not in it is not present, whatever
the manifest says: another SDK's adapter activity (``.wxapi.WXEntryActivity`` of ShareSDK) is not the WeChat SDK.
It is **used** only with evidence of use:

- its own classes call a sensitive framework API (``CodeFacts.call_sites`` whose caller is under its prefix;
  APIs the catalogue marks ``weak`` — network type, socket addresses — are listed but do not count, and a
  ``ContentResolver.query`` counts only when the calling class also holds a matching content URI string);
- the manifest references it: a component of it, a meta-data key it reads (``UMENG_APPKEY``, ``JPUSH_APPKEY``,
  ``com.baidu.lbsapi.API_KEY`` …; not a switch set to ``false``), an ``androidx.startup`` initializer under its
  prefix;
- the app's own code references it: the application class lies under its prefix; an entry class (Application
  class, content provider, launcher activity: ``CodeFacts.entry_calls``) invokes one of its methods
  (``App.onCreate`` → ``UMConfigure.init``); const-strings naming its classes (reflection) in classes of the
  app's own package; app classes calling an SDK entry point the sensitive-API catalogue lists
  (``AMapLocationClient.startLocation``, MSA ``IdSupplier.getOAID`` …). Class-to-class references are known
  only for the entry classes, so an SDK invoked from other app classes is missed by this branch unless one of
  the others fires.

``pi_apis`` lists the APIs its classes call whose catalogue kind collects PI (read, listen); the evidence lines
list every catalogued call.

``init_at_startup``: the application class is under its prefix, it declares a content provider (created before
``Application.onCreate``; file providers excepted) such as ``FirebaseInitProvider``, it registers an
``androidx.startup`` initializer, or start-up code invokes it: a start-up method (``onCreate``,
``attachBaseContext``, constructors) of the Application class or of a provider, or a method of the same class
(or of a nested class it constructs, e.g. a ``Runnable``) reached from one. A call guarded by a consent flag
(``if (agreed) UMConfigure.init(...)``) cannot be told apart statically and counts as well.

Cost: one dictionary walk per distinct package (not per class), so 100k classes take milliseconds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from apprights.knowledge.sdks import SdkCatalogue, SdkEntry
from apprights.knowledge.sensitive_apis import SensitiveApi, SensitiveApiCatalogue
from apprights.model.facts import CodeFacts, Component, ManifestFacts, SdkHit

__all__ = ["MAX_EVIDENCE_CALLS", "STARTUP_METHODS", "detect_sdks", "startup_callers"]

MAX_EVIDENCE_CALLS = 5  # call-site evidence lines per SDK; the rest are summarised
MAX_STARTUP_CALLS = 3  # "startup: Application X.onCreate calls Y" lines per SDK
_STARTUP_PROVIDER = "androidx.startup.InitializationProvider"
# Methods of an Application class or content provider that run when the process starts.
# Catalogue kinds that collect PI; start/schedule/download/exec/request/send/write entries (Intent.setPackage,
# JobInfo.Builder.setPersisted …) are evidence of use and listed as calls, but are not ``SdkHit.pi_apis``.
PI_KINDS = frozenset({"read", "listen"})
STARTUP_METHODS = frozenset({"onCreate", "attachBaseContext", "attachInfo", "<init>", "<clinit>"})


@dataclass
class _Acc:
    entry: SdkEntry
    class_count: int = 0
    prefixes: set[str] = field(default_factory=set)
    components: list[str] = field(default_factory=list)
    component_evidence: list[str] = field(default_factory=list)
    meta_evidence: list[str] = field(default_factory=list)
    calls: dict[str, str] = field(default_factory=dict)  # api -> first caller
    pi_calls: set[str] = field(default_factory=set)  # those of ``calls`` that read PI (kind read/listen)
    call_total: int = 0
    strong_call: bool = False
    app_refs: list[str] = field(default_factory=list)
    startup: list[str] = field(default_factory=list)
    hosts: list[str] = field(default_factory=list)
    entry_called: bool = False  # an entry class invokes it (CodeFacts.entry_calls)


_GetAcc = Callable[[SdkEntry], _Acc]


class _PrefixMatcher:
    """Longest-prefix lookup over package names, memoised per package."""

    def __init__(self, catalogue: SdkCatalogue) -> None:
        self._index = catalogue.prefix_index()
        self._memo: dict[str, tuple[SdkEntry, str] | None] = {}

    def package(self, package: str) -> tuple[SdkEntry, str] | None:
        hit = self._memo.get(package, False)
        if hit is not False:
            return hit  # type: ignore[return-value]
        name = package
        found: tuple[SdkEntry, str] | None = None
        while name:
            e = self._index.get(name)
            if e is not None:
                found = (e, name)
                break
            name = name.rpartition(".")[0]
        self._memo[package] = found
        return found

    def cls(self, class_name: str) -> tuple[SdkEntry, str] | None:
        return self.package(class_name.rpartition(".")[0])


def detect_sdks(
    manifest: ManifestFacts | None,
    code: CodeFacts | None,
    catalogue: SdkCatalogue,
    apis: SensitiveApiCatalogue,
    *,
    code_complete: bool = True,
) -> list[SdkHit]:
    """The catalogue SDKs present in an app, with evidence; used ones first, then by class count.

    ``code_complete=False`` says the APK loads code the scan cannot see (``ApkFacts.hidden_code``): manifest
    components then count as presence, as they do without any dex."""
    matcher = _PrefixMatcher(catalogue)
    acc: dict[str, _Acc] = {}
    own = _OwnCode(manifest.own_namespaces() if manifest is not None else [])

    def get(e: SdkEntry) -> _Acc:
        a = acc.get(e.id)
        if a is None:
            a = acc[e.id] = _Acc(e)
        return a

    if code is not None:
        _count_classes(code.defined_classes, matcher, own, get)
    if manifest is not None:
        _manifest(manifest, catalogue, matcher, get, own)
    # Where the dex is readable, an SDK is in the app only where its code is: a manifest entry alone (another
    # SDK's adapter activity named like WeChat's ``.wxapi.WXEntryActivity``) is not the SDK. Without code
    # (no dex given, or a packer hides it) the manifest is all there is.
    code_visible = code is not None and bool(code.defined_classes) and code_complete and not _packed(acc)
    present = {k for k, a in acc.items() if a.class_count or (a.components and not code_visible)}
    if code is not None:
        _call_sites(code, own, matcher, apis, acc, present)
        _app_strings(code, manifest, matcher, acc, present, own)
        _entry_calls(code, manifest, matcher, acc, present, own)
        _hosts(code.hosts, acc, present)
    return sorted(
        (_hit(acc[k]) for k in present),
        key=lambda h: (not h.used, -h.class_count, h.id),
    )


def _own(name: str, own: str) -> bool:
    return bool(own) and (name == own or name.startswith(own + "."))


class _OwnCode:
    """The app's own namespaces (``ManifestFacts.own_namespaces``)."""

    def __init__(self, namespaces: list[str]) -> None:
        self.namespaces = namespaces

    def __bool__(self) -> bool:
        return bool(self.namespaces)

    def depth(self, name: str) -> int:
        """Length of the longest own namespace holding ``name``; 0 when none does."""
        return max((len(ns) for ns in self.namespaces if _own(name, ns)), default=0)

    def contains(self, name: str) -> bool:
        return self.depth(name) > 0

    def shadows(self, name: str, prefix: str) -> bool:
        """``name`` is the app's own code under a shorter, vendor-wide SDK prefix (a vendor's demo app)."""
        return self.depth(name) > len(prefix)


def _count_classes(classes: Iterable[str], matcher: _PrefixMatcher, own: _OwnCode, get: _GetAcc) -> None:
    per_package: dict[str, int] = {}
    for c in classes:
        pkg = c.rpartition(".")[0]
        per_package[pkg] = per_package.get(pkg, 0) + 1
    for pkg, n in per_package.items():
        hit = matcher.package(pkg)
        if hit is None:
            continue
        entry, prefix = hit
        # The app's own package under a vendor-wide SDK prefix (a vendor's own app) is not that SDK.
        if own.shadows(pkg, prefix):
            continue
        a = get(entry)
        a.class_count += n
        a.prefixes.add(prefix)


def _manifest(
    m: ManifestFacts, catalogue: SdkCatalogue, matcher: _PrefixMatcher, get: _GetAcc, own: _OwnCode
) -> None:
    for comp in m.components:
        e = catalogue.match_component(comp.name)
        # An app-package class counts only when the SDK lists it (the app's own .wxapi.WXEntryActivity is the
        # WeChat SDK's callback); otherwise it is the vendor's own app under a vendor-wide prefix.
        if e is not None and (not own.contains(comp.name) or _listed(e, comp.name)):
            _component(get(e), comp)
        if comp.name == _STARTUP_PROVIDER or comp.kind == "provider":
            for key, value in comp.meta_data.items():
                if value != "androidx.startup" and comp.name != _STARTUP_PROVIDER:
                    continue
                hit = matcher.cls(key)
                if hit is not None:
                    a = get(hit[0])
                    a.meta_evidence.append(f"manifest: androidx.startup initializer {key}")
                    a.startup.append(f"startup: androidx.startup initializer {key}")
        for key, value in comp.meta_data.items():
            if _switched_off(value):
                continue
            for e2 in catalogue.match_meta_data(key):
                get(e2).meta_evidence.append(f"manifest: meta-data {key} in {comp.kind} {comp.name}")
    for key, value in m.meta_data.items():
        if _switched_off(value):
            continue  # firebase_analytics_collection_enabled=false turns the SDK off; it is no evidence of use
        entries = catalogue.match_meta_data(key)
        if not entries and key.count(".") >= 2:
            hit = matcher.cls(key + ".x")  # a key named after the SDK's package (io.fabric.ApiKey …)
            entries = [hit[0]] if hit is not None else []
        for e in entries:
            get(e).meta_evidence.append(f"manifest: meta-data {key}")
    if m.application_class:
        hit = matcher.cls(m.application_class)
        if hit is not None and not own.shadows(m.application_class, hit[1]):
            a = get(hit[0])
            a.app_refs.append(f"app: application class {m.application_class}")
            a.startup.append(f"startup: application class {m.application_class}")


def _switched_off(value: str) -> bool:
    return value.strip().lower() in ("false", "0", "no", "off")


# Catalogue ids of packers (加固): their shell replaces the app's dex, so the visible code is not the app's.
PACKER_IDS = frozenset({"tencent-legu", "qihoo-jiagu", "bangcle", "netease-wrapper", "ijiami", "baidu-jiagu"})


def _packed(acc: dict[str, _Acc]) -> bool:
    return any(k in PACKER_IDS and (a.class_count or a.components) for k, a in acc.items())


def _listed(e: SdkEntry, name: str) -> bool:
    return any(name == c or (c.startswith(".") and name.endswith(c)) for c in e.components)


def _component(a: _Acc, comp: Component) -> None:
    if comp.name in a.components:
        return
    a.components.append(comp.name)
    a.component_evidence.append(f"manifest: {comp.kind} {comp.name}")
    if comp.kind == "provider" and comp.enabled and not comp.name.endswith("FileProvider"):
        a.startup.append(f"startup: provider {comp.name} (created before Application.onCreate)")


def _call_sites(
    code: CodeFacts,
    own: _OwnCode,
    matcher: _PrefixMatcher,
    apis: SensitiveApiCatalogue,
    acc: dict[str, _Acc],
    present: set[str],
) -> None:
    uris_by_class: dict[str, list[str]] = {}
    for ref in code.strings:
        if ref.kind == "content_uri":
            uris_by_class.setdefault(ref.caller_class, []).append(ref.value)
    for cs in code.call_sites:
        entries = apis.lookup(cs.api)
        if not entries:
            continue
        hit = matcher.cls(cs.caller_class)
        if hit is not None and own.shadows(cs.caller_class, hit[1]):
            hit = None  # the vendor's own app under a vendor-wide prefix, as in _count_classes
        if own and (hit is None or own.contains(cs.caller_class)):
            # The app's own code calling an API the catalogue lists on an SDK class (AMapLocationClient …).
            target = matcher.cls(cs.api.rpartition(".")[0])
            if (
                target is not None
                and target[0].id in present
                and len(acc[target[0].id].app_refs) < MAX_EVIDENCE_CALLS
            ):
                acc[target[0].id].app_refs.append(f"app: {cs.caller_class}.{cs.caller_method} calls {cs.api}")
        if hit is None or hit[0].id not in present:
            continue
        a = acc[hit[0].id]
        a.call_total += 1
        strong = [e for e in entries if not e.weak and not _needs_uri(e)]
        uris = [
            u
            for u in uris_by_class.get(cs.caller_class, ())
            if any(_needs_uri(e) and e.matches_value(u) for e in entries)
        ]
        where = f"{cs.caller_class}.{cs.caller_method}"
        a.calls.setdefault(cs.api, f"{where} ({', '.join(sorted(set(uris))[:3])})" if uris else where)
        if any(e.kind in PI_KINDS for e in entries):
            a.pi_calls.add(cs.api)
        if strong or uris:
            a.strong_call = True


def _needs_uri(e: SensitiveApi) -> bool:
    """A content-resolver entry: which PI it reads depends on a URI, so the call alone proves nothing."""
    return bool(e.arg_filter and "contains" in e.arg_filter)


def _app_strings(
    code: CodeFacts,
    m: ManifestFacts | None,
    matcher: _PrefixMatcher,
    acc: dict[str, _Acc],
    present: set[str],
    own: _OwnCode,
) -> None:
    if m is None or not m.package:
        return
    for ref in code.strings:
        if ref.kind not in ("package", "reflection") or not own.contains(ref.caller_class):
            continue
        hit = matcher.cls(ref.value) or matcher.package(ref.value)
        if hit is None or hit[0].id not in present:
            continue
        a = acc[hit[0].id]
        if len(a.app_refs) < MAX_EVIDENCE_CALLS:
            a.app_refs.append(f"app: {ref.caller_class}.{ref.caller_method} names {ref.value} ({ref.kind})")


def _outer(class_name: str) -> str:
    return class_name.split("$", 1)[0]


def startup_callers(code: CodeFacts, manifest: ManifestFacts) -> dict[tuple[str, str], str]:
    """The (class, method) pairs of ``code.entry_calls`` callers that run at process start, each with the
    start-up class it belongs to: start-up methods of the Application class and of providers, then methods of
    those classes they call, and every method of a nested class they construct (``App$1.run``)."""
    early: dict[str, str] = {}
    for c in manifest.components:
        if c.kind == "provider" and c.enabled and not c.name.endswith("FileProvider"):
            early[c.name] = "Provider"
    if manifest.application_class:
        early[manifest.application_class] = "Application"
    callees: dict[tuple[str, str], list[str]] = {}
    methods: dict[str, set[str]] = {}
    for cs in code.entry_calls:
        if _outer(cs.caller_class) in early:
            callees.setdefault((cs.caller_class, cs.caller_method), []).append(cs.api)
            methods.setdefault(cs.caller_class, set()).add(cs.caller_method)
    reached: dict[tuple[str, str], str] = {}
    todo = [(e, x) for e in early for x in methods.get(e, ()) if x in STARTUP_METHODS]
    while todo:
        cls, meth = todo.pop()
        if (cls, meth) in reached:
            continue
        reached[(cls, meth)] = _outer(cls)
        for api in callees.get((cls, meth), ()):
            kc, _, km = api.rpartition(".")
            if _outer(kc) not in early:
                continue
            if km == "<init>" and kc != _outer(kc):
                todo.extend((kc, x) for x in methods.get(kc, ()))
            todo.append((kc, km))
    return reached


def _entry_calls(
    code: CodeFacts,
    m: ManifestFacts | None,
    matcher: _PrefixMatcher,
    acc: dict[str, _Acc],
    present: set[str],
    own: _OwnCode,
) -> None:
    if m is None or not code.entry_calls:
        return
    early = startup_callers(code, m)
    kinds = {c.name: "Provider" for c in m.components if c.kind == "provider"}
    if m.application_class:
        kinds[m.application_class] = "Application"
    for cs in code.entry_calls:
        callee_class = cs.api.rpartition(".")[0]
        hit = matcher.cls(callee_class)
        if hit is None or hit[0].id not in present:
            continue
        if own.shadows(callee_class, hit[1]):
            continue  # the vendor's own app under a vendor-wide prefix
        caller_sdk = matcher.cls(cs.caller_class)
        if caller_sdk is not None and own.shadows(cs.caller_class, caller_sdk[1]):
            caller_sdk = None  # the app's own class under the vendor's prefix (a vendor's demo app)
        if caller_sdk is not None and caller_sdk[0].id == hit[0].id:
            continue  # the SDK's own entry class (its provider) calling itself: counted by _manifest
        a = acc[hit[0].id]
        a.entry_called = True
        root = early.get((cs.caller_class, cs.caller_method))
        if root is not None:
            line = f"startup: {kinds.get(root, 'Application')} {cs.caller_class}.{cs.caller_method} calls {cs.api}"
            if line not in a.startup and sum(" calls " in x for x in a.startup) < MAX_STARTUP_CALLS:
                a.startup.append(line)
        elif len(a.app_refs) < MAX_EVIDENCE_CALLS:
            a.app_refs.append(f"app: {cs.caller_class}.{cs.caller_method} calls {cs.api}")


def _hosts(hosts: Iterable[str], acc: dict[str, _Acc], present: set[str]) -> None:
    for host in hosts:
        h = host.lower().rstrip(".")
        for k in present:
            a = acc[k]
            if h not in a.hosts and any(h == d or h.endswith("." + d) for d in a.entry.hosts):
                a.hosts.append(h)


def _hit(a: _Acc) -> SdkHit:
    e = a.entry
    evidence: list[str] = []
    evidence.extend(a.component_evidence)
    evidence.extend(dict.fromkeys(a.meta_evidence))
    if a.class_count:
        evidence.append(f"code: {a.class_count} classes under {', '.join(sorted(a.prefixes))}")
    shown = 0
    for api, caller in a.calls.items():
        if shown == MAX_EVIDENCE_CALLS:
            break
        evidence.append(f"calls {api} from {caller}")
        shown += 1
    if len(a.calls) > shown:
        evidence.append(f"calls {len(a.calls) - shown} more sensitive APIs")
    evidence.extend(dict.fromkeys(a.app_refs))
    evidence.extend(dict.fromkeys(a.startup))
    if a.hosts:
        evidence.append(f"code: hosts {', '.join(sorted(a.hosts))}")
    used = bool(a.strong_call or a.components or a.meta_evidence or a.app_refs or a.entry_called)
    return SdkHit(
        id=e.id,
        name=e.name,
        name_en=e.name_en,
        vendor=e.vendor,
        category=e.category,
        used=used,
        evidence=evidence,
        class_count=a.class_count,
        matched_prefixes=sorted(a.prefixes),
        pi_apis=sorted(a.pi_calls),
        components=list(a.components),
        hosts=sorted(a.hosts),
        init_at_startup=bool(a.startup),
        source="exodus-file" if e.source == "exodus-file" else "catalogue",
    )
