"""Facts: what the extractors found, as plain serialisable data. Rules see only these.

Each input kind has its own facts class; ``AppFacts`` bundles them. Policy, runtime and listing facts live in
their own modules (``model.policy``, ``model.runtime``, ``model.listing``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from apprights.model.listing import ListingFacts
    from apprights.model.policy import PolicyFacts
    from apprights.model.runtime import RuntimeFacts


@dataclass
class InputRef:
    kind: str  # apk|policy|trace|listing
    path: str
    sha256: str
    size: int = 0


@dataclass
class IntentFilter:
    actions: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    data_schemes: list[str] = field(default_factory=list)
    data_hosts: list[str] = field(default_factory=list)
    data_mime_types: list[str] = field(default_factory=list)
    priority: int = 0


@dataclass
class Component:
    kind: str  # activity|activity-alias|service|receiver|provider
    name: str  # fully qualified class name (resolved against the package)
    exported: bool | None = None  # as written; None = not written
    effectively_exported: bool = False  # written value, or the pre-API-31 default (has intent filters)
    enabled: bool = True
    permission: str | None = None
    process: str | None = None
    authorities: list[str] = field(default_factory=list)  # providers
    target_activity: str | None = None  # activity-alias
    direct_boot_aware: bool = False
    intent_filters: list[IntentFilter] = field(default_factory=list)
    meta_data: dict[str, str] = field(default_factory=dict)

    @property
    def actions(self) -> list[str]:
        return [a for f in self.intent_filters for a in f.actions]


@dataclass
class PermissionDecl:
    name: str
    protection_level: str = "unknown"  # normal|dangerous|signature|… from the platform list (API 36)
    dangerous: bool = False
    group: str | None = None
    max_sdk: int | None = None
    custom: bool = False  # defined by the app itself (<permission>)
    implied_by: str | None = None  # not requested: granted implicitly (low targetSdk, split permission)


@dataclass
class ManifestFacts:
    package: str
    version_code: int = 0
    version_name: str = ""
    min_sdk: int = 1
    target_sdk: int = 0  # 0 = not declared (then equals min_sdk on Android)
    label: str = ""
    application_class: str | None = None
    debuggable: bool = False
    allow_backup: bool = True
    uses_cleartext_traffic: bool | None = None
    network_security_config: str | None = None
    permissions: list[PermissionDecl] = field(default_factory=list)
    # granted without a request (low targetSdk, split permissions); not in ``permissions``
    implicit_permissions: list[PermissionDecl] = field(default_factory=list)
    defined_permissions: list[str] = field(default_factory=list)
    uses_features: list[str] = field(default_factory=list)
    components: list[Component] = field(default_factory=list)
    meta_data: dict[str, str] = field(default_factory=dict)  # <application> level
    queries_packages: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # tolerated anomalies (obfuscated AXML, duplicates …)

    @property
    def effective_target_sdk(self) -> int:
        return self.target_sdk or self.min_sdk

    def permission_names(self) -> list[str]:
        return [p.name for p in self.permissions]

    def own_namespaces(self) -> list[str]:
        """Packages holding the app's own code: the manifest package, plus the packages of the Application class
        and the launcher activities when they belong to the same developer (same first two segments, or the same
        second one: ``com.mob.mobpush.demo`` keeps its code in ``com.mob.demo.mobpush``) and are at least three
        segments long, so a vendor's demo app is not taken for the vendor's SDK under a shorter prefix."""
        out = [self.package] if self.package else []
        mine = self.package.split(".")
        names = [self.application_class or ""] + [
            c.name
            for c in self.components
            if c.kind in ("activity", "activity-alias")
            and any("android.intent.category.LAUNCHER" in f.categories for f in c.intent_filters)
        ]
        for name in names:
            ns = name.rpartition(".")[0]
            parts = ns.split(".")
            if len(parts) < 3 or len(mine) < 2 or ns in out:
                continue
            if parts[:2] == mine[:2] or parts[1] == mine[1]:
                out.append(ns)
        return out


@dataclass
class SignerCert:
    scheme: str  # v1|v2|v3|v31
    sha256: str
    subject: str = ""
    issuer: str = ""
    not_before: str = ""
    not_after: str = ""


SCHEME_RANK = {"v1": 1, "v2": 2, "v3": 3, "v31": 4}


@dataclass
class ApkFacts:
    """Container-level facts of the APK file."""

    sha256: str
    size: int
    entries: int
    dex_files: list[str] = field(default_factory=list)
    native_libs: list[str] = field(default_factory=list)  # lib/<abi>/<name>.so
    nested_apks: list[str] = field(default_factory=list)
    signers: list[SignerCert] = field(default_factory=list)
    assets_of_interest: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # code Android loads that the scan cannot see: "packer:<name>", "instant_run", "encrypted:<entry>"
    hidden_code: list[str] = field(default_factory=list)

    @property
    def verified_signer(self) -> SignerCert | None:
        """The signer Android verifies, as apksigner does: the newest scheme present (v3.1 > v3 > v2 > v1).
        After a key rotation the v3 signer differs from the v1/v2 one, and it is the v3 key that counts."""
        return max(self.signers, key=lambda s: SCHEME_RANK.get(s.scheme, 0), default=None)

    @property
    def signer_sha256(self) -> list[str]:
        """Distinct signer digests, the verified signer first."""
        seen: list[str] = []
        ranked = sorted(self.signers, key=lambda s: -SCHEME_RANK.get(s.scheme, 0))
        for s in ranked:
            if s.sha256 not in seen:
                seen.append(s.sha256)
        return seen


@dataclass
class CallSite:
    """``caller_class.caller_method`` contains an ``invoke-*`` of ``api`` (a framework method)."""

    api: str  # "android.telephony.TelephonyManager.getDeviceId" (dotted class, '.' method)
    caller_class: str  # "com.umeng.commonsdk.statistics.common.DeviceConfig"
    caller_method: str  # "getImeiNew"
    dex: str = ""  # "classes.dex", or "assets/x.apk!classes.dex" for nested APKs
    count: int = 1
    # Set by the dex scanner (defaults mean "not analysed", as in facts built by hand):
    # const arguments of APIs the catalogue filters by argument (Settings key, content URI of a query);
    # None = not analysed, [] = analysed and not a constant.
    args: list[str] | None = None
    # the read is a reflective call (Class.forName/getMethod with a const name): stage ``present`` at most
    reflective: bool = False
    # the caller invokes this platform-library wrapper, which makes the call (``TelephonyManagerCompat.getImei``)
    via: str = ""
    # bounded intra-APK call graph: the entry method the caller is reached from ("com.x.App.onCreate"),
    # "" = no path found, None = not analysed; ``startup`` = that entry runs at process start; ``path`` = the
    # methods from the entry down to the caller.
    entry: str | None = None
    startup: bool = False
    path: list[str] = field(default_factory=list)


@dataclass
class StringRef:
    """A ``const-string`` value that matters (sensitive API name for reflection, foreign package, content URI)."""

    value: str
    kind: str  # reflection|package|content_uri|action|apk_mime
    caller_class: str = ""
    caller_method: str = ""


@dataclass
class CodeFacts:
    dex_files: list[str] = field(default_factory=list)
    dex_bytes: int = 0
    class_count: int = 0
    method_count: int = 0
    defined_classes: list[str] = field(default_factory=list)  # dotted names
    referenced_apis: list[str] = field(
        default_factory=list
    )  # sensitive framework methods referenced anywhere
    call_sites: list[CallSite] = field(default_factory=list)
    strings: list[StringRef] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    hosts: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Non-framework methods invoked from the entry classes the caller named (Application class, providers,
    # launcher activity; their nested classes too): api = callee ("com.umeng.commonsdk.UMConfigure.init").
    entry_calls: list[CallSite] = field(default_factory=list)
    # Calls above a call site the reachability search followed (0 = reachability not computed).
    reach_depth: int = 0


@dataclass
class SdkHit:
    id: str
    name: str  # Chinese name where there is one
    name_en: str
    vendor: str
    category: str
    used: bool
    evidence: list[str] = field(default_factory=list)
    class_count: int = 0
    matched_prefixes: list[str] = field(default_factory=list)
    pi_apis: list[str] = field(default_factory=list)  # sensitive APIs its classes call
    components: list[str] = field(default_factory=list)  # manifest components belonging to it
    hosts: list[str] = field(default_factory=list)  # its hosts found in the code
    init_at_startup: bool = False  # referenced from Application / auto-init provider
    source: str = "catalogue"  # catalogue|exodus-file


@dataclass
class AppFacts:
    """Everything known about one app under test. ``None`` = that evidence was not supplied."""

    inputs: list[InputRef] = field(default_factory=list)
    apk: ApkFacts | None = None
    manifest: ManifestFacts | None = None
    code: CodeFacts | None = None
    sdks: list[SdkHit] = field(default_factory=list)
    policy: PolicyFacts | None = None
    runtime: RuntimeFacts | None = None
    listings: list[ListingFacts] = field(default_factory=list)
    category: str | None = None  # one of the 39 categories (Chinese name), from --category
    developer: str | None = None
    errors: list[dict[str, str]] = field(default_factory=list)

    @property
    def package(self) -> str:
        if self.manifest is not None:
            return self.manifest.package
        if self.runtime is not None:
            return self.runtime.package
        return ""

    def sdk(self, sdk_id: str) -> SdkHit | None:
        for s in self.sdks:
            if s.id == sdk_id:
                return s
        return None


def to_jsonable(obj: Any) -> Any:
    """Dataclasses, enums, sets and tuples to JSON-ready structures."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, Enum):
        return obj.value
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, (set, frozenset)):
        return sorted(to_jsonable(v) for v in obj)
    return obj
