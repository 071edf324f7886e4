"""Who made a call (stack → app or SDK) and what a hooked call reads (API + arguments → PI type)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from apprights.knowledge import Knowledge
from apprights.knowledge.sensitive_apis import SensitiveApi, narrowed_intent
from apprights.model.runtime import Actor

# Frames of these packages are the platform or language runtime, never the app or an SDK.
FRAMEWORK_PREFIXES = (
    "android.",
    "androidx.",
    "java.",
    "javax.",
    "kotlin.",
    "kotlinx.",
    "dalvik.",
    "libcore.",
    "sun.",
    "com.android.",
    "org.apache.harmony.",
    "org.json.",
    "jdk.",
    "$Proxy",
    "<",
)

# ContentResolver.query URI authorities → PI type (used when the catalogue gives no authority filter).
CONTENT_AUTHORITIES: dict[str, str] = {
    "com.android.contacts": "contacts",
    "contacts": "contacts",
    "icc": "contacts",
    "sms": "sms",
    "mms": "sms",
    "mms-sms": "sms",
    "call_log": "call_log",
    "com.android.calendar": "calendar",
    "calendar": "calendar",
    "media": "photos",
    "browser": "browser_history",
    "com.android.browser": "browser_history",
}

# Identifier-provider libraries (the MSA/移动安全联盟 OAID SDK, HMS and Google advertising-id clients): they read
# the OAID for whoever calls them, so a read is attributed to the first caller outside them (the app or the SDK
# that asked), and to the library only when nobody else is on the stack.
PASS_THROUGH_SDKS = frozenset({"msa-oaid", "huawei-oaid", "google-ads-identifier"})

SETTINGS_GET = ("android.provider.Settings$Secure.getString", "android.provider.Settings$System.getString")


def frame_class(frame: str) -> str:
    """``com.umeng.X.init(X.java:12)`` → ``com.umeng.X`` (linear time whatever the frame holds)."""
    f = frame.split("(", 1)[0].strip()
    return f.rsplit(".", 1)[0] if "." in f else f


class Attributor:
    """Stack → Actor with a cache on the deciding frame (stacks repeat a lot in long traces)."""

    def __init__(self, knowledge: Knowledge, package: str, package_name: str = "") -> None:
        self._sdks = knowledge.sdks
        self._app = Actor("app", package, package_name or package)
        self._cache: dict[str, Actor] = {}
        self._through: dict[str, Actor] = {}  # frames of identifier-provider libraries

    @property
    def app(self) -> Actor:
        return self._app

    def actor(self, stack: list[str] | None) -> Actor:
        if not stack:
            return self._app
        provider: Actor | None = None
        for frame in stack:
            if frame.startswith(FRAMEWORK_PREFIXES):
                continue
            through = self._through.get(frame)
            if through is not None:
                provider = provider or through
                continue
            hit = self._cache.get(frame)
            if hit is not None:
                return hit
            cls = frame_class(frame)
            sdk = self._sdks.match_class(cls)
            if sdk is not None:
                a = Actor("sdk", sdk.id, sdk.name, frame)
                if sdk.id in PASS_THROUGH_SDKS:
                    if len(self._through) < 100_000:
                        self._through[frame] = a
                    provider = provider or a
                    continue
            else:
                a = Actor("app", self._app.id, self._app.name, frame)
            if len(self._cache) < 100_000:
                self._cache[frame] = a
            return a
        return provider or self._app


@dataclass(frozen=True)
class ApiMatch:
    api: str
    pi_type: str
    label_zh: str
    label_en: str
    kind: str


def _uri_authority(v: str) -> str:
    m = re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://([^/?#]*)", v)
    return m.group(1).lower() if m else ""


def _arg_candidates(args: list[Any], index: Any) -> list[str]:
    if isinstance(index, int) and not isinstance(index, bool) and 0 <= index < len(args):
        v = args[index]
        return [v] if isinstance(v, str) else []
    return [a for a in args if isinstance(a, str)]


def _filter_matches(flt: dict[str, Any], args: list[Any]) -> bool:
    cands = _arg_candidates(args, flt.get("index"))
    if "intent" in flt:  # the app list unless the intent names one app or a vendor's action (presence check)
        return not any(narrowed_intent(c) for c in cands)
    if not cands:
        return False
    for key in ("equals", "in"):
        if key in flt:
            allowed = flt[key] if isinstance(flt[key], list) else [flt[key]]
            return any(c in allowed for c in cands)
    if "contains" in flt:
        subs = flt["contains"] if isinstance(flt["contains"], list) else [flt["contains"]]
        return any(s in c for c in cands for s in subs)
    if "prefix" in flt:
        pres = flt["prefix"] if isinstance(flt["prefix"], list) else [flt["prefix"]]
        return any(c.startswith(p) for c in cands for p in pres)
    if "authority" in flt:
        auths = flt["authority"] if isinstance(flt["authority"], list) else [flt["authority"]]
        return any(_uri_authority(c) in auths for c in cands)
    return True


_MISSING = object()


class ApiClassifier:
    """API name + arguments → the PI it reads, via the sensitive-API catalogue and its argument filters."""

    def __init__(self, knowledge: Knowledge) -> None:
        self._cat = knowledge.sensitive_apis
        self._plain: dict[str, ApiMatch | None] = {}
        self._filtered: dict[tuple[str | None, ...], ApiMatch | None] = {}
        self._specs: dict[str, tuple[list[SensitiveApi], list[SensitiveApi]]] = {}

    def classify(self, api: str, args: list[Any] | None) -> ApiMatch | None:
        plain = self._plain
        if api in plain:
            return plain[api]
        spec = self._specs.get(api)
        if spec is None:
            entries = self._cat.lookup(api)
            filtered = [e for e in entries if e.arg_filter]
            if not filtered and api not in SETTINGS_GET and not api.endswith("ContentResolver.query"):
                m = None
                if entries:
                    e = entries[0]
                    m = ApiMatch(api, e.pi_type, e.label_zh, e.label_en, e.kind)
                if len(plain) < 100_000:
                    plain[api] = m
                return m
            spec = (entries, filtered)
            if len(self._specs) < 10_000:
                self._specs[api] = spec
        args = args or []
        key = (api, *[a if a.__class__ is str else None for a in args[:6]])
        hit = self._filtered.get(key, _MISSING)
        if hit is not _MISSING:
            return hit  # type: ignore[return-value]
        m = self._classify_args(api, spec[0], spec[1], args)
        if len(self._filtered) < 50_000:
            self._filtered[key] = m
        return m

    def _classify_args(
        self, api: str, entries: list[SensitiveApi], filtered: list[SensitiveApi], args: list[Any]
    ) -> ApiMatch | None:
        for e in filtered:
            if _filter_matches(e.arg_filter or {}, args):
                return ApiMatch(api, e.pi_type, e.label_zh, e.label_en, e.kind)
        if api in SETTINGS_GET:
            if any(a == "android_id" for a in args if isinstance(a, str)):
                return ApiMatch(api, "android_id", "获取Android ID", "read Android ID", "read")
            return None
        if api.endswith("ContentResolver.query"):
            for a in args:
                if isinstance(a, str):
                    auth = _uri_authority(a)
                    pi = CONTENT_AUTHORITIES.get(auth)
                    if pi is not None:
                        return ApiMatch(api, pi, f"查询{pi}", f"query {pi}", "read")
            return None
        unfiltered = [e for e in entries if not e.arg_filter]
        if unfiltered:
            e = unfiltered[0]
            return ApiMatch(api, e.pi_type, e.label_zh, e.label_en, e.kind)
        return None
