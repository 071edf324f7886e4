"""Helpers for the runtime-trace tests: a small deterministic knowledge bundle and fixture loading."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from apprights.extractors.trace import extract_traces
from apprights.knowledge import Knowledge
from apprights.knowledge.categories import AppCategory, CategoryTable
from apprights.knowledge.permissions import PermissionInfo, PermissionTable
from apprights.knowledge.sdks import SdkCatalogue, SdkEntry
from apprights.knowledge.sensitive_apis import SensitiveApi, SensitiveApiCatalogue
from apprights.model.facts import AppFacts
from apprights.model.finding import Finding
from apprights.model.policy import PolicyFacts
from apprights.rules.base import Rule, RuleContext

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "traces"

_APIS = [
    ("android.telephony.TelephonyManager.getDeviceId", "device_id", None),
    ("android.telephony.TelephonyManager.getImei", "device_id", None),
    ("android.telephony.TelephonyManager.getSubscriberId", "imsi", None),
    ("android.telephony.TelephonyManager.getLine1Number", "phone_number", None),
    ("android.net.wifi.WifiInfo.getMacAddress", "mac", None),
    ("android.os.Build.getSerial", "serial", None),
    ("android.provider.Settings$Secure.getString", "android_id", {"index": 1, "equals": ["android_id"]}),
    (
        "android.content.ContentResolver.query",
        "contacts",
        {"index": 0, "authority": ["com.android.contacts"]},
    ),
    ("android.content.ContentResolver.query", "sms", {"index": 0, "authority": ["sms", "mms-sms"]}),
    ("android.app.ApplicationPackageManager.getInstalledPackages", "installed_apps", None),
    ("android.location.LocationManager.getLastKnownLocation", "location", None),
    ("android.location.Location.getLatitude", "location", None),
    ("com.android.id.impl.IdProviderImpl.getOAID", "oaid", None),
    ("android.os.Build.getModel", "device_info", None),
]

_SDKS = [
    ("umeng-analytics", "友盟统计", "analytics", ("com.umeng",), ("umeng.com", "umengcloud.com")),
    ("tencent-bugly", "腾讯Bugly", "crash", ("com.tencent.bugly",), ("bugly.qq.com",)),
    ("amap-location", "高德定位", "map", ("com.amap.api",), ("amap.com",)),
    ("pangle", "穿山甲", "ads", ("com.bytedance.sdk.openadsdk",), ("pangolin-sdk-toutiao.com", "snssdk.com")),
    ("jpush", "极光推送", "push", ("cn.jpush.android",), ("jpush.cn", "jiguang.cn")),
]

_PERMS = [
    ("android.permission.READ_PHONE_STATE", "PHONE"),
    ("android.permission.ACCESS_FINE_LOCATION", "LOCATION"),
    ("android.permission.ACCESS_COARSE_LOCATION", "LOCATION"),
    ("android.permission.READ_CONTACTS", "CONTACTS"),
    ("android.permission.CAMERA", "CAMERA"),
    ("android.permission.RECORD_AUDIO", "MICROPHONE"),
    ("android.permission.WRITE_EXTERNAL_STORAGE", "STORAGE"),
]


def small_knowledge() -> Knowledge:
    apis = [SensitiveApi(a, pi, f"读取{pi}", f"read {pi}", arg_filter=f) for a, pi, f in _APIS]
    sdks = [SdkEntry(i, zh, i, "vendor", cat, prefixes=p, hosts=h) for i, zh, cat, p, h in _SDKS]
    perms = [PermissionInfo(n, "dangerous", g) for n, g in _PERMS]
    cats = [
        AppCategory(30, "新闻资讯类", "新闻资讯的浏览、搜索", "无须个人信息", frozenset(), aliases=("news",)),
        AppCategory(1, "地图导航类", "定位和导航", "位置信息", frozenset({"location"}), aliases=("map",)),
        AppCategory(
            5,
            "网络支付类",
            "网络支付",
            "证件号码",
            frozenset({"phone_number", "id_number"}),
            aliases=("pay",),
        ),
    ]
    return Knowledge(
        sensitive_apis=SensitiveApiCatalogue("test", apis),
        sdks=SdkCatalogue("test", sdks),
        permissions=PermissionTable("test", perms),
        categories=CategoryTable("test", cats),
    )


def fixture(name: str | Path) -> Path:
    return name if isinstance(name, Path) else FIXTURES / name


def load(
    *names: str | Path,
    knowledge: Knowledge | None = None,
    category: str | None = None,
    policy: PolicyFacts | None = None,
) -> AppFacts:
    k = knowledge or small_knowledge()
    rt = extract_traces([fixture(n) for n in names], k, category=category)
    return AppFacts(runtime=rt, category=category, policy=policy)


def run(
    rule: type[Rule], facts: AppFacts, knowledge: Knowledge | None = None, **options: Any
) -> list[Finding]:
    ctx = RuleContext(knowledge or small_knowledge(), {rule.id: options} if options else {})
    return list(rule().check(facts, ctx))


def run_file(
    rule: type[Rule], *names: str | Path, category: str | None = None, **options: Any
) -> list[Finding]:
    k = small_knowledge()
    return run(rule, load(*names, knowledge=k, category=category), k, **options)


def without(name: str, tmp: Path, *needles: str) -> Path:
    """A copy of a fixture without the lines that contain any of ``needles``."""
    lines = [
        ln
        for ln in fixture(name).read_text(encoding="utf-8").splitlines()
        if not any(n in ln for n in needles)
    ]
    out = tmp / f"without-{name}"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out
