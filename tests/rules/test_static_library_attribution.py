"""Library code in the static rules: platform-library code (support library, AndroidX, Kotlin, Google Play
services client) is a subject of its own that is never reported, a read through its wrappers belongs to the
wrapper's caller; catalogue ``library`` SDKs count as the app's code (noted ``library`` in the evidence), are
never third-party collectors, and findings resting only on them are low severity."""

from __future__ import annotations

import functools

from apprights.knowledge import Knowledge
from apprights.knowledge.sdks import SdkEntry
from apprights.model.facts import CallSite
from apprights.model.finding import Confidence, Severity, SubjectKind
from apprights.rules._static_common import SubjectResolver, support_library
from apprights.rules.base import RuleContext
from apprights.rules.t1_collect.pi_read_at_startup import PiReadAtStartup
from apprights.rules.t2_overreach.clipboard_read import ClipboardRead
from apprights.rules.t2_overreach.installed_apps import InstalledAppsRead
from apprights.rules.t2_overreach.pi_outside_category import PiOutsideCategory
from apprights.rules.t3_misuse.sdk_pi_to_third_party import SdkPiToThirdParty
from apprights.testing.factories import make_code, make_facts, make_knowledge, make_manifest, make_sdk_hit
from tests.conftest import shared_path
from tests.rules.static_support import CLIPBOARD_API, DEVICE_ID_API, INSTALLED_API, LOCATION_API, static_kb

QUERY = "android.content.pm.PackageManager.queryIntentActivities"
IMEI_API = "android.telephony.TelephonyManager.getImei"
ANDROID_ID_API = "android.provider.Settings$Secure.getString"
CHOOSER = "android.support.v7.widget.ActivityChooserModel"
TWILIGHT = "androidx.appcompat.app.TwilightManager"
LIB_SDK = SdkEntry(
    "test-lib", "测试开发库", "Test Library", "测试公司", "other",
    prefixes=("com.apprightstest.lib",), hosts=("lib.apprightstest.example",), library=True,
)  # fmt: skip


@functools.cache
def kb() -> Knowledge:
    return make_knowledge(static_kb(), sdks=[LIB_SDK])


def _run(rule, facts):  # type: ignore[no-untyped-def]
    return list(rule().check(facts, RuleContext(kb(), {})))


def _facts(sites, sdks=(), perms=(), app_class=None, category=None):  # type: ignore[no-untyped-def]
    return make_facts(
        manifest=make_manifest("com.example.app", permissions=perms, application_class=app_class),
        code=make_code(sites),
        sdks=sdks,
        category=category,
    )


def test_support_library_prefixes() -> None:
    assert support_library(CHOOSER) == "android.support"
    assert support_library(TWILIGHT) == "androidx"
    assert support_library("com.google.android.material.X") == "com.google.android.material"
    assert support_library("android.supportx.Foo") is None and support_library("com.example.A") is None


def test_library_sdk_code_is_the_apps() -> None:
    lib = make_sdk_hit(LIB_SDK.id, knowledge=kb(), init_at_startup=True, pi_apis=[DEVICE_ID_API])
    facts = _facts([(DEVICE_ID_API, "com.apprightstest.lib.net.Env", "id")], sdks=[lib])
    resolve = SubjectResolver(facts, RuleContext(kb(), {}))
    subject, sdk = resolve("com.apprightstest.lib.net.Env")
    assert subject.kind is SubjectKind.APP and sdk is None
    assert resolve.library("com.apprightstest.lib.net.Env") == LIB_SDK.id
    assert resolve.library(CHOOSER) == "android.support"
    assert resolve.library("com.example.app.Main") is None
    # neither a third-party collector (T3) nor an SDK initialised at start-up reading PI (T1)
    assert _run(SdkPiToThirdParty, facts) == []
    assert [f for f in _run(PiReadAtStartup, facts) if f.subject.id == LIB_SDK.id] == []


def test_real_sdk_still_reported_next_to_a_library() -> None:
    from tests.rules.static_support import PUSH_SDK

    push = make_sdk_hit(
        PUSH_SDK.id, knowledge=kb(), init_at_startup=True, hosts=["push.apprightstest.example"]
    )
    lib = make_sdk_hit(LIB_SDK.id, knowledge=kb(), init_at_startup=True)
    facts = _facts(
        [(DEVICE_ID_API, "com.apprightstest.push.a.B", "c"), (DEVICE_ID_API, "com.apprightstest.lib.X", "y")],
        sdks=[push, lib],
    )
    assert {f.subject.id for f in _run(SdkPiToThirdParty, facts)} == {PUSH_SDK.id}
    assert {f.subject.id for f in _run(PiReadAtStartup, facts)} == {PUSH_SDK.id}


def test_platform_library_code_is_not_the_apps() -> None:
    # ActivityChooserModel resolving share targets is not the app reading the installed-app list
    assert _run(InstalledAppsRead, _facts([(INSTALLED_API, CHOOSER, "loadActivitiesIfNeeded")])) == []
    # the app's own code reading the list is reported, with only its own call site as evidence
    [g] = _run(
        InstalledAppsRead,
        _facts([(INSTALLED_API, CHOOSER, "load"), (INSTALLED_API, "com.example.app.Apps", "list")]),
    )
    assert g.subject.kind is SubjectKind.APP and g.severity is Severity.MEDIUM
    assert [e.data.get("caller_class") for e in g.evidence] == ["com.example.app.Apps"]
    # AppCompatReceiveContentHelper handling a paste is not clipboard collection
    paste = [(CLIPBOARD_API, "androidx.appcompat.widget.AppCompatReceiveContentHelper", "maybeHandle")]
    assert _run(ClipboardRead, _facts(paste)) == []
    # Kotlin and Google Play services client code are platform libraries too
    assert _run(ClipboardRead, _facts([(CLIPBOARD_API, "kotlinx.coroutines.Clip", "x")])) == []
    assert (
        _run(InstalledAppsRead, _facts([(INSTALLED_API, "com.google.android.gms.common.Wrappers", "x")]))
        == []
    )


def test_platform_library_reads_are_not_startup_reads() -> None:
    facts = _facts(
        [
            (LOCATION_API, TWILIGHT, "getLastKnownLocation"),
            (ANDROID_ID_API, "androidx.core.app.NotificationManagerCompat", "getEnabledListenerPackages"),
        ],
        app_class="com.example.app.App",
    )
    assert _run(PiReadAtStartup, facts) == []
    assert (
        _run(
            PiOutsideCategory,
            _facts([(LOCATION_API, TWILIGHT, "getLastKnownLocation")], category="新闻资讯类"),
        )
        == []
    )


def test_wrapper_read_belongs_to_its_caller() -> None:
    wrapper = "androidx.core.telephony.TelephonyManagerCompat"
    site = CallSite(IMEI_API, "com.example.app.Ids", "imei", via=f"{wrapper}.getImei", entry="", path=[])
    facts = _facts([(IMEI_API, wrapper, "getImei"), site], category="新闻资讯类")
    [f] = _run(PiOutsideCategory, facts)
    assert f.subject.kind is SubjectKind.APP
    dex = [e.data for e in f.evidence if e.source == "dex" and "api" in e.data]
    assert [(d["caller_class"], d["via"]) for d in dex] == [("com.example.app.Ids", f"{wrapper}.getImei")]
    assert f.confidence is Confidence.PRESENT  # no path from an entry point


def test_sdk_under_a_platform_prefix_is_still_an_sdk() -> None:
    resolve = SubjectResolver(_facts([]), RuleContext(kb(), {}))
    assert resolve.platform("com.google.android.gms.ads.identifier.AdvertisingIdClient") is None
    assert resolve.platform("com.google.android.gms.common.GoogleApiAvailability") == "com.google.android.gms"
    assert resolve.platform("com.example.app.Main") is None


def test_bugly_demo_support_code_is_not_an_app_finding() -> None:
    from apprights.engine.scan import ScanRequest, scan

    path = shared_path("apks", "cn-bugly__demo.apk")
    report = scan(ScanRequest(apk=path, category="新闻资讯类"), Knowledge.load()).report
    app = "com.bugly.upgrade.demo"
    for f in report["findings"]:
        if f["subject"]["id"] != app:
            continue
        callers = [
            e["caller_class"] for e in f["evidence"] if e.get("source") == "dex" and "caller_class" in e
        ]
        assert not any(c.startswith(("android.support.", "androidx.")) for c in callers), f
    installed = [
        f
        for f in report["findings"]
        if f["subject"]["id"] == app and "T2.installed_apps_read" in {f["rule"], *f.get("also_rules", [])}
    ]
    assert installed == [], "the demo's support code resolving share targets is not the app's list read"


def test_osmdroid_is_a_map_library_not_a_third_party_collector() -> None:
    """The Blood Donation APK (exodus-core): osmdroid's location overlay was reported as a third-party SDK sending
    location to its servers. It is an open-source map library with no vendor backend (catalogue ``library``):
    its reads are the app's own, noted ``library``."""
    real = Knowledge.load()
    assert real.sdks.get("org-osmdroid").library and real.sdks.get("microsoft-mappoint").library  # type: ignore[union-attr]
    osm = make_sdk_hit("org-osmdroid", knowledge=real)
    site = ("android.location.LocationManager.getLastKnownLocation", "org.osmdroid.views.overlay.mylocation.GpsMyLocationProvider", "startLocationProvider")  # fmt: skip
    facts = _facts([site], sdks=[osm])
    ctx = RuleContext(real, {})
    assert list(SdkPiToThirdParty().check(facts, ctx)) == []
    subject, sdk = SubjectResolver(facts, ctx)(site[1])
    assert subject.kind is SubjectKind.APP and sdk is None
