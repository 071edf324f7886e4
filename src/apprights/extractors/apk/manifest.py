"""``ManifestFacts`` from a parsed AndroidManifest.xml, following what Android's package parser reads.

Android reads ``<uses-permission>``, ``<application>`` … only as direct children of ``<manifest>`` and
components only as direct children of the first ``<application>``; elements elsewhere are ignored (and
reported as warnings here), so a permission hidden inside ``<application>`` is not a request.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from apprights.extractors.apk.arsc import ResourceTable
from apprights.extractors.apk.axml import (
    TYPE_DYNAMIC_REFERENCE,
    TYPE_REFERENCE,
    Element,
    Value,
    value_bool,
    value_int,
    value_str,
)
from apprights.model.facts import Component, IntentFilter, ManifestFacts, PermissionDecl

COMPONENT_TAGS = ("activity", "activity-alias", "service", "receiver", "provider")
# Android's rule (PackageParser.validateName): dot-separated Java-like segments, at least two.
_PACKAGE_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+$")
_CUR_DEVELOPMENT = 10000  # what Android uses for a codename (preview) SDK level
# Before API 31, a component with an intent filter and no android:exported is exported.
_EXPORTED_NEEDS_EXPLICIT_SDK = 31
_PROVIDER_EXPORTED_UNTIL_SDK = 17  # providers were exported by default below API 17


class ManifestError(Exception):
    """The manifest is one Android would refuse (no <manifest>, no package)."""


ResourceSource = ResourceTable | Callable[[], ResourceTable | None] | None


class _Reader:
    def __init__(self, resources: ResourceSource, warnings: list[str]) -> None:
        self._source = resources
        self._table: ResourceTable | None = None
        self.warnings = warnings

    @property
    def res(self) -> ResourceTable | None:
        """The resource table, loaded on the first reference (most manifests need it only for the label)."""
        if callable(self._source):
            self._table = self._source()
            self._source = None
        elif self._source is not None:
            self._table = self._source
            self._source = None
        return self._table

    def text(self, v: Value | None) -> str | None:
        """A value as text, references resolved through resources.arsc where possible."""
        if v is None:
            return None
        if v.type in (TYPE_REFERENCE, TYPE_DYNAMIC_REFERENCE):
            if self.res is not None:
                resolved = self.res.resolve_text(v.data)
                if resolved is not None:
                    return resolved
            return self.ref_name(v)
        return value_str(v)

    def ref_name(self, v: Value | None) -> str | None:
        """A reference as ``@type/name`` (``@0x7f…`` when unknown); a plain value as its text."""
        if v is None:
            return None
        if v.type in (TYPE_REFERENCE, TYPE_DYNAMIC_REFERENCE):
            name = self.res.name_of(v.data) if self.res is not None else None
            return name or f"@0x{v.data:08x}"
        return value_str(v)

    def number(self, v: Value | None) -> int | None:
        if v is not None and v.type in (TYPE_REFERENCE, TYPE_DYNAMIC_REFERENCE) and self.res is not None:
            resolved = self.res.resolve(v.data)
            if resolved is not None:
                v = resolved
        return value_int(v)

    def flag(self, v: Value | None) -> bool | None:
        if v is not None and v.type in (TYPE_REFERENCE, TYPE_DYNAMIC_REFERENCE) and self.res is not None:
            resolved = self.res.resolve(v.data)
            if resolved is not None:
                v = resolved
        return value_bool(v)

    def sdk(self, v: Value | None, what: str) -> int | None:
        n = self.number(v)
        if n is not None or v is None:
            return n
        code = self.text(v) or ""
        self.warnings.append(
            f"{what} is the codename {code!r}; treated as a preview SDK ({_CUR_DEVELOPMENT})"
        )
        return _CUR_DEVELOPMENT


def class_name(package: str, name: str) -> str:
    """Android's buildClassName: ``.Foo`` and ``Foo`` are relative to the package."""
    if name.startswith("."):
        return package + name
    if "." not in name:
        return f"{package}.{name}"
    return name


def build_manifest(root: Element, resources: ResourceSource, warnings: list[str]) -> ManifestFacts:
    r = _Reader(resources, warnings)
    if root.tag != "manifest":
        raise ManifestError(f"root element is <{root.tag}>, not <manifest>")
    package = value_str(root.attrs["package"]) if "package" in root.attrs else ""
    if not package:
        raise ManifestError("<manifest> has no package attribute")
    if not _PACKAGE_RE.match(package):
        raise ManifestError(f"invalid package name {package!r}")
    facts = ManifestFacts(package=package, warnings=warnings)
    code = r.number(root.get("android:versionCode")) or 0
    major = r.number(root.get("android:versionCodeMajor")) or 0
    facts.version_code = (major << 32) | (code & 0xFFFFFFFF) if major else code
    facts.version_name = r.text(root.get("android:versionName")) or ""
    for child in root.children:  # first: the export defaults of components depend on the target SDK
        if child.tag == "uses-sdk":
            facts.min_sdk = r.sdk(child.get("android:minSdkVersion"), "minSdkVersion") or facts.min_sdk
            facts.target_sdk = (
                r.sdk(child.get("android:targetSdkVersion"), "targetSdkVersion") or facts.target_sdk
            )
    seen_app = False
    defined = _UniqueList(facts.defined_permissions)
    features = _UniqueList(facts.uses_features)
    queries = _UniqueList(facts.queries_packages)
    requested: set[str] = set()
    for child in root.children:
        tag = child.tag
        if tag in ("uses-permission", "uses-permission-sdk-23", "uses-permission-sdk-m"):
            _uses_permission(child, r, facts, requested)
        elif tag == "permission":
            defined.add(r.text(child.get("android:name")))
        elif tag == "uses-feature":
            features.add(r.text(child.get("android:name")))
        elif tag == "queries":
            for q in child.children:
                if q.tag == "package":
                    queries.add(r.text(q.get("android:name")))
        elif tag == "application":
            if seen_app:
                warnings.append("<manifest> has more than one <application>; Android uses the first")
                continue
            seen_app = True
            _application(child, r, facts)
        elif tag in COMPONENT_TAGS:
            warnings.append(f"<{tag}> outside <application> is ignored by Android")
    _misplaced(root, warnings)
    add_implicit_permissions(facts)
    return facts


_P = "android.permission."
# Android adds these to an app that targets an SDK below the given level (PackageParser NEW_PERMISSIONS,
# then SPLIT_PERMISSIONS: a permission split in two is granted with its old half to old apps).
NEW_PERMISSIONS = ((_P + "WRITE_EXTERNAL_STORAGE", 4), (_P + "READ_PHONE_STATE", 4))
SPLIT_PERMISSIONS = (
    (_P + "WRITE_EXTERNAL_STORAGE", _P + "READ_EXTERNAL_STORAGE", 10001),
    (_P + "READ_CONTACTS", _P + "READ_CALL_LOG", 16),
    (_P + "WRITE_CONTACTS", _P + "WRITE_CALL_LOG", 16),
    (_P + "ACCESS_FINE_LOCATION", _P + "ACCESS_BACKGROUND_LOCATION", 29),
    (_P + "ACCESS_COARSE_LOCATION", _P + "ACCESS_BACKGROUND_LOCATION", 29),
    (_P + "READ_EXTERNAL_STORAGE", _P + "ACCESS_MEDIA_LOCATION", 29),
)


def add_implicit_permissions(facts: ManifestFacts) -> None:
    """Fill ``implicit_permissions``: what Android grants without a request (``implied_by`` says why)."""
    target = facts.effective_target_sdk
    have = {p.name for p in facts.permissions}
    out = facts.implicit_permissions
    for name, below in NEW_PERMISSIONS:
        if target < below and name not in have:
            out.append(PermissionDecl(name=name, implied_by=f"targetSdkVersion<{below}"))
            have.add(name)
    for old, new, below in SPLIT_PERMISSIONS:
        if target < below and old in have and new not in have:
            out.append(PermissionDecl(name=new, implied_by=old))
            have.add(new)


def _uses_permission(el: Element, r: _Reader, facts: ManifestFacts, requested: set[str]) -> None:
    raw = el.get("android:name")
    if raw is not None and raw.type in (TYPE_REFERENCE, TYPE_DYNAMIC_REFERENCE):
        # Android reads this name with getNonResourceString: a resource reference means no permission.
        r.warnings.append(f"<{el.tag}> name is a resource reference; Android ignores the element")
        return
    name = r.text(raw)
    if not name:
        return
    max_sdk = r.number(el.get("android:maxSdkVersion"))
    if name in requested:
        # Android keeps the first request of a permission and ignores the rest.
        facts.warnings.append(f"permission {name} is requested more than once")
        return
    requested.add(name)
    facts.permissions.append(PermissionDecl(name=name, max_sdk=max_sdk))


def _application(app: Element, r: _Reader, facts: ManifestFacts) -> None:
    pkg = facts.package
    facts.label = r.text(app.get("android:label")) or ""
    name = r.text(app.get("android:name"))
    facts.application_class = class_name(pkg, name) if name else None
    facts.debuggable = bool(r.flag(app.get("android:debuggable")))
    allow_backup = r.flag(app.get("android:allowBackup"))
    facts.allow_backup = True if allow_backup is None else allow_backup
    facts.uses_cleartext_traffic = r.flag(app.get("android:usesCleartextTraffic"))
    facts.network_security_config = r.ref_name(app.get("android:networkSecurityConfig"))
    defaults = {
        "permission": r.text(app.get("android:permission")),
        "process": r.text(app.get("android:process")),
        "direct_boot": bool(r.flag(app.get("android:directBootAware"))),
    }
    target = facts.effective_target_sdk
    for child in app.children:
        if child.tag in COMPONENT_TAGS:
            comp = _component(child, r, pkg, target, defaults)
            if comp is not None:
                facts.components.append(comp)
        elif child.tag == "meta-data":
            _meta_data(child, r, facts.meta_data)


def _component(
    el: Element, r: _Reader, pkg: str, target_sdk: int, defaults: dict[str, str | bool | None]
) -> Component | None:
    raw = r.text(el.get("android:name"))
    if not raw:
        r.warnings.append(f"<{el.tag}> without android:name ignored (Android refuses to install this)")
        return None
    comp = Component(kind=el.tag, name=class_name(pkg, raw))
    comp.exported = r.flag(el.get("android:exported"))
    enabled = r.flag(el.get("android:enabled"))
    comp.enabled = True if enabled is None else enabled
    perm = r.text(el.get("android:permission"))
    comp.permission = perm if perm is not None else _opt_str(defaults["permission"])
    proc = r.text(el.get("android:process")) or _opt_str(defaults["process"])
    comp.process = f"{pkg}{proc}" if proc and proc.startswith(":") else proc
    dba = r.flag(el.get("android:directBootAware"))
    comp.direct_boot_aware = bool(defaults["direct_boot"]) if dba is None else dba
    if el.tag == "provider":
        auth = r.text(el.get("android:authorities")) or ""
        comp.authorities = [a.strip() for a in auth.split(";") if a.strip()]
    if el.tag == "activity-alias":
        tgt = r.text(el.get("android:targetActivity"))
        comp.target_activity = class_name(pkg, tgt) if tgt else None
    for child in el.children:
        if child.tag == "intent-filter":
            comp.intent_filters.append(_intent_filter(child, r))
        elif child.tag == "meta-data":
            _meta_data(child, r, comp.meta_data)
    comp.effectively_exported = _effective_export(comp, target_sdk, r.warnings)
    return comp


def _effective_export(comp: Component, target_sdk: int, warnings: list[str]) -> bool:
    if comp.exported is not None:
        return comp.exported
    if comp.kind == "provider":
        return target_sdk < _PROVIDER_EXPORTED_UNTIL_SDK
    if not comp.intent_filters:
        return False
    if target_sdk >= _EXPORTED_NEEDS_EXPLICIT_SDK:
        warnings.append(
            f"{comp.name} has intent filters but no android:exported; Android 12+ refuses to install this"
        )
        return False
    return True


def _intent_filter(el: Element, r: _Reader) -> IntentFilter:
    f = IntentFilter(priority=r.number(el.get("android:priority")) or 0)
    targets = {"action": _UniqueList(f.actions), "category": _UniqueList(f.categories)}
    data_attrs = {
        "android:scheme": _UniqueList(f.data_schemes),
        "android:host": _UniqueList(f.data_hosts),
        "android:mimeType": _UniqueList(f.data_mime_types),
    }
    for child in el.children:
        if child.tag in targets:
            targets[child.tag].add(r.text(child.get("android:name")))
        elif child.tag == "data":
            for key, dest in data_attrs.items():
                dest.add(r.text(child.get(key)))
    return f


def _meta_data(el: Element, r: _Reader, into: dict[str, str]) -> None:
    name = r.text(el.get("android:name"))
    if not name:
        return
    value = el.get("android:value")
    if value is not None:
        into[name] = r.text(value) or ""
    elif (res := el.get("android:resource")) is not None:
        into[name] = r.ref_name(res) or ""


def _misplaced(root: Element, warnings: list[str]) -> None:
    watched = {"uses-permission", "uses-permission-sdk-23", "application", "uses-sdk", "manifest"}
    stack: list[tuple[Element, int]] = [(c, 1) for c in root.children]
    steps = 0
    while stack and steps < 1_000_000:
        steps += 1
        el, depth = stack.pop()
        if depth >= 2 and el.tag in watched:
            warnings.append(f"<{el.tag}> nested at depth {depth} is ignored by Android")
        stack.extend((c, depth + 1) for c in el.children)


class _UniqueList:
    """Appends to a list once per value; a set keeps a hostile 100 000-element manifest linear."""

    def __init__(self, target: list[str]) -> None:
        self.target = target
        self.seen = set(target)

    def add(self, value: str | None) -> None:
        if value and value not in self.seen:
            self.seen.add(value)
            self.target.append(value)


def _opt_str(v: str | bool | None) -> str | None:
    return v if isinstance(v, str) else None
