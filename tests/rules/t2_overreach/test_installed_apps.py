from __future__ import annotations

from apprights.model.finding import Confidence, Severity, SubjectKind
from apprights.rules.t2_overreach.installed_apps import InstalledAppsRead
from apprights.testing.factories import make_code, make_facts, make_manifest, make_sdk_hit
from tests.rules.static_support import ADS_SDK, INSTALLED_API, P, only, run, static_kb

QUERY = "android.content.pm.PackageManager.queryIntentActivities"


def facts(sites=(), perms=(), sdks=()):  # type: ignore[no-untyped-def]
    return make_facts(
        manifest=make_manifest("com.example.app", permissions=perms), code=make_code(sites), sdks=sdks
    )


def test_triggers_sdk_reading_the_app_list() -> None:
    sdk = make_sdk_hit(ADS_SDK.id, knowledge=static_kb(), init_at_startup=True)
    f = only(
        run(InstalledAppsRead, facts([(INSTALLED_API, "com.apprightstest.ads.core.Env", "apps")], sdks=[sdk]))
    )
    assert f.rule == "T2.installed_apps_read" and f.severity is Severity.MEDIUM
    assert f.subject.kind is SubjectKind.SDK and f.subject.id == ADS_SDK.id
    assert f.confidence is Confidence.REACHABLE  # the SDK starts with the app
    assert f.evidence[0].data["caller_class"] == "com.apprightstest.ads.core.Env"


def test_triggers_low_for_query_intent_activities_only() -> None:
    f = only(run(InstalledAppsRead, facts([(QUERY, "com.example.app.Share", "targets")])))
    assert (
        f.severity is Severity.LOW
        and f.subject.kind is SubjectKind.APP
        and f.confidence is Confidence.PRESENT
    )


def test_triggers_declared_for_query_all_packages() -> None:
    f = only(run(InstalledAppsRead, facts(perms=["QUERY_ALL_PACKAGES"])))
    assert f.confidence is Confidence.DECLARED and f.evidence[0].data == {
        "permission": P + "QUERY_ALL_PACKAGES"
    }


def test_clean_own_package_queries() -> None:
    fx = facts([("android.content.pm.PackageManager.getPackageInfo", "com.example.app.About", "version")])
    assert run(InstalledAppsRead, fx) == []
