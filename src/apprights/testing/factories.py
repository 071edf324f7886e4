"""Small factories for facts, so that a rule test reads like the situation it describes.

facts = make_facts(
    manifest=make_manifest(permissions=["android.permission.READ_CONTACTS"], target_sdk=22),
    code=make_code(call_sites=[("android.telephony.TelephonyManager.getDeviceId", "com.umeng.a.B", "m")]),
    sdks=[make_sdk_hit("umeng-analytics", knowledge=kb, init_at_startup=True)],
)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from apprights.model.facts import (
    ApkFacts,
    AppFacts,
    CallSite,
    CodeFacts,
    Component,
    IntentFilter,
    ManifestFacts,
    PermissionDecl,
    SdkHit,
    StringRef,
)

if TYPE_CHECKING:
    from apprights.knowledge import Knowledge
    from apprights.knowledge.categories import AppCategory
    from apprights.knowledge.permissions import PermissionInfo
    from apprights.knowledge.sdks import SdkEntry
    from apprights.knowledge.sensitive_apis import SensitiveApi

ANDROID_PERMISSION = "android.permission."


def _perm_name(name: str) -> str:
    return name if "." in name else ANDROID_PERMISSION + name


def make_component(
    kind: str,
    name: str,
    *,
    actions: Sequence[str] = (),
    categories: Sequence[str] = (),
    exported: bool | None = None,
    meta_data: Mapping[str, str] | None = None,
    permission: str | None = None,
    authorities: Sequence[str] = (),
    mime_types: Sequence[str] = (),
    enabled: bool = True,
) -> Component:
    """A manifest component with at most one intent filter holding ``actions``."""
    filters = (
        [IntentFilter(list(actions), list(categories), data_mime_types=list(mime_types))]
        if actions or categories or mime_types
        else []
    )
    return Component(
        kind=kind,
        name=name,
        exported=exported,
        effectively_exported=exported if exported is not None else bool(filters),
        enabled=enabled,
        permission=permission,
        authorities=list(authorities),
        intent_filters=filters,
        meta_data=dict(meta_data or {}),
    )


def receiver(name: str, *actions: str, **kwargs: object) -> Component:
    return make_component("receiver", name, actions=actions, **kwargs)  # type: ignore[arg-type]


def service(name: str, *actions: str, **kwargs: object) -> Component:
    return make_component("service", name, actions=actions, **kwargs)  # type: ignore[arg-type]


def activity(name: str, *actions: str, **kwargs: object) -> Component:
    return make_component("activity", name, actions=actions, **kwargs)  # type: ignore[arg-type]


def provider(name: str, authority: str = "", **kwargs: object) -> Component:
    return make_component("provider", name, authorities=[authority or name.lower()], **kwargs)  # type: ignore[arg-type]


def make_manifest(
    package: str = "com.example.app",
    *,
    permissions: Iterable[str] = (),
    target_sdk: int = 30,
    min_sdk: int = 21,
    components: Iterable[Component] = (),
    application_class: str | None = None,
    label: str = "",
    version_code: int = 1,
    version_name: str = "1.0",
    knowledge: Knowledge | None = None,
    dangerous: Iterable[str] = (),
    meta_data: Mapping[str, str] | None = None,
) -> ManifestFacts:
    """Manifest facts. Permission names may be short (``READ_CONTACTS``). Protection levels come from
    ``knowledge`` when given; names in ``dangerous`` are marked dangerous regardless."""
    forced = {_perm_name(p) for p in dangerous}
    decls: list[PermissionDecl] = []
    for raw in permissions:
        name = _perm_name(raw)
        info = knowledge.permissions.get(name) if knowledge is not None else None
        level = info.protection_level if info is not None else ("dangerous" if name in forced else "unknown")
        is_dangerous = name in forced or (info is not None and info.dangerous)
        decls.append(
            PermissionDecl(name, level, is_dangerous, group=info.group if info else None, custom=False)
        )
    return ManifestFacts(
        package=package,
        version_code=version_code,
        version_name=version_name,
        min_sdk=min_sdk,
        target_sdk=target_sdk,
        label=label,
        application_class=application_class,
        permissions=decls,
        components=list(components),
        meta_data=dict(meta_data or {}),
    )


CallSiteSpec = CallSite | tuple[str, str, str]
StringSpec = StringRef | tuple[str, str] | tuple[str, str, str, str]


def make_call_site(
    api: str, caller_class: str, caller_method: str = "run", dex: str = "classes.dex"
) -> CallSite:
    return CallSite(api=api, caller_class=caller_class, caller_method=caller_method, dex=dex)


def make_code(
    call_sites: Iterable[CallSiteSpec] = (),
    *,
    strings: Iterable[StringSpec] = (),
    hosts: Iterable[str] = (),
    urls: Iterable[str] = (),
    defined_classes: Iterable[str] | None = None,
    referenced_apis: Iterable[str] = (),
) -> CodeFacts:
    """Code facts. ``call_sites`` are CallSite or (api, caller_class, caller_method); ``strings`` are StringRef,
    (value, kind) or (value, kind, caller_class, caller_method). Defined classes default to the callers."""
    sites = [c if isinstance(c, CallSite) else make_call_site(*c) for c in call_sites]
    refs: list[StringRef] = []
    for s in strings:
        refs.append(s if isinstance(s, StringRef) else StringRef(*s))
    apis = sorted({c.api for c in sites} | set(referenced_apis))
    classes = (
        sorted(set(defined_classes))
        if defined_classes is not None
        else sorted({c.caller_class for c in sites} | {r.caller_class for r in refs if r.caller_class})
    )
    return CodeFacts(
        dex_files=["classes.dex"],
        class_count=len(classes),
        defined_classes=classes,
        referenced_apis=apis,
        call_sites=sites,
        strings=refs,
        urls=list(urls),
        hosts=list(hosts),
    )


def make_sdk_hit(
    sdk_id: str,
    *,
    knowledge: Knowledge | None = None,
    name: str = "",
    name_en: str = "",
    vendor: str = "",
    category: str = "",
    prefixes: Sequence[str] = (),
    pi_apis: Sequence[str] = (),
    components: Sequence[str] = (),
    hosts: Sequence[str] = (),
    init_at_startup: bool = False,
    used: bool = True,
    class_count: int = 10,
) -> SdkHit:
    """An SDK detection. Missing names, category and prefixes are taken from the catalogue entry when
    ``knowledge`` knows ``sdk_id``."""
    entry = knowledge.sdks.get(sdk_id) if knowledge is not None else None
    return SdkHit(
        id=sdk_id,
        name=name or (entry.name_zh if entry else "") or sdk_id,
        name_en=name_en or (entry.name_en if entry else "") or sdk_id,
        vendor=vendor or (entry.vendor if entry else ""),
        category=category or (entry.category if entry else "other"),
        used=used,
        evidence=[f"prefix:{p}" for p in (prefixes or (entry.prefixes if entry else ()))],
        class_count=class_count,
        matched_prefixes=list(prefixes or (entry.prefixes if entry else ())),
        pi_apis=list(pi_apis),
        components=list(components),
        hosts=list(hosts),
        init_at_startup=init_at_startup,
    )


def make_apk_facts(sha256: str = "0" * 64, size: int = 1000) -> ApkFacts:
    return ApkFacts(sha256=sha256, size=size, entries=2, dex_files=["classes.dex"])


def make_facts(
    *,
    manifest: ManifestFacts | None = None,
    code: CodeFacts | None = None,
    sdks: Iterable[SdkHit] = (),
    category: str | None = None,
    apk: ApkFacts | None = None,
    **kwargs: object,
) -> AppFacts:
    """AppFacts. An ``apk`` placeholder is added when code or SDKs are given (the engine keys SDK facts on it)."""
    sdk_list = list(sdks)
    if apk is None and (code is not None or sdk_list):
        apk = make_apk_facts()
    return AppFacts(
        apk=apk,
        manifest=manifest,
        code=code,
        sdks=sdk_list,
        category=category,
        **kwargs,  # type: ignore[arg-type]
    )


def make_knowledge(
    base: Knowledge | None = None,
    *,
    permissions: Iterable[PermissionInfo] = (),
    apis: Iterable[SensitiveApi] = (),
    sdks: Iterable[SdkEntry] = (),
    categories: Iterable[AppCategory] = (),
) -> Knowledge:
    """The packaged knowledge (or ``base``) plus the given entries, each added only where the catalogue has no
    entry of that name/id yet, so a test states what it relies on and stays true as the catalogues grow."""
    from apprights.knowledge import Knowledge
    from apprights.knowledge.categories import CategoryTable
    from apprights.knowledge.permissions import PermissionTable
    from apprights.knowledge.sdks import SdkCatalogue
    from apprights.knowledge.sensitive_apis import SensitiveApiCatalogue

    kb = base or Knowledge.load()
    perm_entries = list(kb.permissions.entries)
    have_perm = {p.name for p in perm_entries}
    perm_entries += [p for p in permissions if p.name not in have_perm]
    api_entries = list(kb.sensitive_apis.apis)
    have_api = {a.api for a in api_entries}
    api_entries += [a for a in apis if a.api not in have_api]
    sdk_entries = list(kb.sdks.entries)
    have_sdk = {s.id for s in sdk_entries}
    sdk_entries += [s for s in sdks if s.id not in have_sdk]
    cat_entries = list(kb.categories.categories)
    have_cat = {c.name for c in cat_entries}
    cat_entries += [c for c in categories if c.name not in have_cat]
    return dataclasses.replace(
        kb,
        permissions=PermissionTable(kb.permissions.version, perm_entries),
        sensitive_apis=SensitiveApiCatalogue(kb.sensitive_apis.version, api_entries),
        sdks=SdkCatalogue(kb.sdks.version, sdk_entries),
        categories=CategoryTable(kb.categories.version, cat_entries),
    )
