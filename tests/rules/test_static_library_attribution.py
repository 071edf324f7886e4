"""Library code in the static rules: Android support/AndroidX code and catalogue ``library`` SDKs count as the
app's code (noted ``library`` in the evidence), are never third-party collectors, and findings resting only on
them are low severity."""

from __future__ import annotations

import functools

from apprights.knowledge import Knowledge
from apprights.knowledge.sdks import SdkEntry
from apprights.model.finding import Severity, SubjectKind
from apprights.rules._static_common import SubjectResolver, only_library, support_library
from apprights.rules.base import RuleContext
from apprights.rules.t1_collect.pi_read_at_startup import PiReadAtStartup
from apprights.rules.t2_overreach.installed_apps import InstalledAppsRead
from apprights.rules.t2_overreach.pi_outside_category import PiOutsideCategory
from apprights.rules.t3_misuse.sdk_pi_to_third_party import SdkPiToThirdParty
from apprights.testing.factories import make_code, make_facts, make_knowledge, make_manifest, make_sdk_hit
from tests.conftest import shared_path
from tests.rules.static_support import DEVICE_ID_API, INSTALLED_API, LOCATION_API, static_kb

QUERY = "android.content.pm.PackageManager.queryIntentActivities"
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


def test_installed_apps_in_support_code_is_a_low_app_finding_with_library_note() -> None:
    [f] = _run(InstalledAppsRead, _facts([(INSTALLED_API, CHOOSER, "loadActivitiesIfNeeded")]))
    assert f.subject.kind is SubjectKind.APP and f.severity is Severity.LOW
    assert f.evidence[0].data["library"] == "android.support"
    assert only_library(f.evidence)
    # the app's own code reading the list stays medium; its evidence has no library note
    [g] = _run(
        InstalledAppsRead,
        _facts([(INSTALLED_API, CHOOSER, "load"), (INSTALLED_API, "com.example.app.Apps", "list")]),
    )
    assert g.severity is Severity.MEDIUM and not only_library(g.evidence)
    assert [e.data.get("library") for e in g.evidence] == ["android.support", None]


def test_pi_outside_category_from_support_code_only_is_low() -> None:
    [f] = _run(
        PiOutsideCategory, _facts([(LOCATION_API, TWILIGHT, "getLastKnownLocation")], category="新闻资讯类")
    )
    assert f.subject.kind is SubjectKind.APP and f.severity is Severity.LOW
    assert f.evidence[0].data["library"] == "androidx"
    # with the location permission declared the finding rests on the app's own request: medium
    [g] = _run(
        PiOutsideCategory,
        _facts(
            [(LOCATION_API, TWILIGHT, "getLastKnownLocation")],
            perms=["ACCESS_FINE_LOCATION"],
            category="新闻资讯类",
        ),
    )
    assert g.severity is Severity.MEDIUM


def test_bugly_demo_support_code_is_not_a_medium_app_finding() -> None:
    from apprights.engine.scan import ScanRequest, scan

    path = shared_path("apks", "cn-bugly__demo.apk")
    report = scan(ScanRequest(apk=path, category="新闻资讯类"), Knowledge.load()).report
    app = "com.bugly.upgrade.demo"
    for f in report["findings"]:
        rules = {f["rule"], *f.get("also_rules", [])}
        if f["subject"]["id"] != app or not rules & {"T2.installed_apps_read", "T2.pi_outside_category"}:
            continue
        dex = [e for e in f["evidence"] if e.get("source") == "dex"]
        if dex and all(e.get("library") for e in dex) and len(dex) == len(f["evidence"]):
            assert f["severity"] == "low", f
    installed = [
        f
        for f in report["findings"]
        if f["subject"]["id"] == app and "T2.installed_apps_read" in {f["rule"], *f.get("also_rules", [])}
    ]
    assert installed, "the demo's support code resolves share targets (queryIntentActivities)"
    assert all(e.get("library") == "android.support" for f in installed for e in f["evidence"] if "api" in e)
