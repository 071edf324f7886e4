"""Shared support for the static-rule tests: a knowledge bundle that states what the tests rely on, and a way
to turn an APK built with ``apprights.testing`` into facts with the project's own extractors (skipping with a
reason while an extractor is not there yet)."""

from __future__ import annotations

import functools
import importlib
from pathlib import Path
from typing import Any

import pytest

from apprights.knowledge import Knowledge
from apprights.knowledge.permissions import PermissionInfo
from apprights.knowledge.sdks import SdkEntry
from apprights.knowledge.sensitive_apis import SensitiveApi
from apprights.model.facts import AppFacts
from apprights.model.finding import Finding
from apprights.rules.base import Rule, RuleContext
from apprights.testing.factories import make_knowledge

P = "android.permission."
DEVICE_ID_API = "android.telephony.TelephonyManager.getDeviceId"
LOCATION_API = "android.location.LocationManager.getLastKnownLocation"
INSTALLED_API = "android.content.pm.PackageManager.getInstalledPackages"
CLIPBOARD_API = "android.content.ClipboardManager.getPrimaryClip"
CONTACTS_API = "android.content.ContentResolver.query"

# SDKs under made-up prefixes, so the tests do not depend on which real SDKs the catalogue holds
ADS_SDK = SdkEntry(
    "test-ads", "测试广告SDK", "Test Ads SDK", "测试公司", "ads", prefixes=("com.apprightstest.ads",)
)
PUSH_SDK = SdkEntry(
    "test-push", "测试推送SDK", "Test Push SDK", "测试公司", "push",
    prefixes=("com.apprightstest.push",), hosts=("push.apprightstest.example",), pi=("device_id",),
)  # fmt: skip
FACE_SDK = SdkEntry(
    "test-face", "测试人脸SDK", "Test Face SDK", "测试公司", "identity", prefixes=("com.apprightstest.face",)
)
LOCAL_SDK = SdkEntry(
    "test-local", "测试本地SDK", "Test Local SDK", "测试公司", "other", prefixes=("com.apprightstest.local",)
)


@functools.cache
def static_kb() -> Knowledge:
    """The packaged knowledge plus the entries these tests need (added only where missing)."""
    return make_knowledge(
        Knowledge.load(),
        permissions=[
            PermissionInfo(
                P + "READ_CONTACTS", "dangerous", "CONTACTS", "contacts", "读取通讯录", "read contacts"
            ),
            PermissionInfo(
                P + "READ_PHONE_STATE", "dangerous", "PHONE", "device_id", "读取电话状态", "phone state"
            ),
            PermissionInfo(
                P + "ACCESS_FINE_LOCATION", "dangerous", "LOCATION", "location", "精确位置", "location"
            ),
            PermissionInfo(P + "CAMERA", "dangerous", "CAMERA", "camera", "相机", "camera"),
            PermissionInfo(P + "RECORD_AUDIO", "dangerous", "MICROPHONE", "microphone", "录音", "microphone"),
            PermissionInfo(P + "RECEIVE_BOOT_COMPLETED", "normal"),
            PermissionInfo(P + "QUERY_ALL_PACKAGES", "normal", None, "installed_apps"),
            PermissionInfo(P + "INTERNET", "normal"),
        ],
        apis=[
            SensitiveApi(DEVICE_ID_API, "device_id", "获取IMEI", "IMEI", P + "READ_PHONE_STATE"),
            SensitiveApi(LOCATION_API, "location", "获取位置", "location", P + "ACCESS_FINE_LOCATION"),
            SensitiveApi(INSTALLED_API, "installed_apps", "获取应用列表", "installed apps"),
            SensitiveApi(CLIPBOARD_API, "clipboard", "读取剪切板", "clipboard"),
            SensitiveApi(CONTACTS_API, "contacts", "读取通讯录", "contacts", P + "READ_CONTACTS"),
            SensitiveApi(
                "android.media.MediaRecorder.start", "microphone", "录音", "record", P + "RECORD_AUDIO"
            ),
        ],
        sdks=[ADS_SDK, PUSH_SDK, FACE_SDK, LOCAL_SDK],
    )


def ctx(**options: Any) -> RuleContext:
    """A rule context on ``static_kb``; ``options`` are per-rule option dicts keyed by rule id."""
    return RuleContext(static_kb(), options)


def run(rule: type[Rule], facts: AppFacts, **options: Any) -> list[Finding]:
    return list(rule().check(facts, ctx(**options)))


def only(findings: list[Finding]) -> Finding:
    assert len(findings) == 1, [f.to_dict() for f in findings]
    return findings[0]


# --------------------------------------------------------------------------------------------------------
# end to end: APK built with apprights.testing → the project's extractors → facts


def _module(name: str, reason: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError:
        pytest.skip(f"{name} is not available yet ({reason})")


def facts_from_apk(path: Path, *, need_sdks: bool = False, category: str | None = None) -> AppFacts:
    """Facts for a built APK via ``open_apk``, ``extract_code`` and (when present) ``detect_sdks``.

    The DEX scanner looks for the catalogue's APIs plus those the static rules use as options, so these tests do
    not depend on the state of the catalogue."""
    from apprights.model.facts import AppFacts as Facts

    apk_mod = _module("apprights.extractors.apk", "APK extractor")
    dex_mod = _module("apprights.extractors.dex", "DEX extractor")
    kb = static_kb()
    targets = dex_mod.DexTargets(kb.sensitive_apis.targets() | set(_option_targets()))
    with apk_mod.open_apk(path) as apk:
        facts = Facts(apk=apk.facts(), manifest=apk.manifest(), category=category)
        facts.code = dex_mod.extract_code(
            apk.iter_dex(),
            targets,
            own_package=facts.manifest.package,
            entry_classes=dex_mod.entry_classes_of(facts.manifest),
        )
    try:
        sdk_mod = importlib.import_module("apprights.extractors.sdk")
        detect = sdk_mod.detect_sdks
    except (ImportError, AttributeError):
        if need_sdks:
            pytest.skip("apprights.extractors.sdk.detect_sdks is not available yet (SDK detector)")
        return facts
    facts.sdks = detect(facts.manifest, facts.code, kb.sdks, kb.sensitive_apis)
    return facts


def _option_targets() -> list[tuple[str, str]]:
    from apprights.rules.base import discover_rules

    out: list[tuple[str, str]] = []
    for rule in discover_rules():
        if not rule.id.startswith(("T2.", "T6.", "T7.")):
            continue
        for value in rule.default_options.values():
            if isinstance(value, list):
                for api in value:
                    if isinstance(api, str) and api.startswith("android.") and "." in api:
                        cls, _, method = api.rpartition(".")
                        out.append(("L" + cls.replace(".", "/") + ";", method))
    return out
