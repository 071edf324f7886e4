from __future__ import annotations

from apprights.model.finding import Confidence, Severity, SubjectKind
from apprights.rules.t6_autostart.starts_other_apps import StartsOtherApps
from apprights.testing.factories import activity, make_code, make_facts, make_manifest, make_sdk_hit
from tests.rules.static_support import only, run

START = "android.content.Context.startActivity"
LAUNCH = "android.content.pm.PackageManager.getLaunchIntentForPackage"


def facts(sites=(), strings=(), sdks=(), components=()):  # type: ignore[no-untyped-def]
    return make_facts(
        manifest=make_manifest("com.example.app", components=components),
        code=make_code(sites, strings=strings),
        sdks=sdks,
    )


def test_triggers_launch_intent_for_another_package() -> None:
    f = only(run(StartsOtherApps, facts([(LAUNCH, "com.example.app.Jump", "go")])))
    assert f.rule == "T6.starts_other_apps" and f.subject.kind is SubjectKind.APP
    assert f.confidence is Confidence.PRESENT and f.severity is Severity.MEDIUM
    assert f.merge_key == "T6.associated_start:com.example.app"


def test_triggers_foreign_package_and_start_in_one_method() -> None:
    f = only(
        run(
            StartsOtherApps,
            facts(
                [(START, "com.example.app.Main", "wake")],
                strings=[("com.example.sister", "package", "com.example.app.Main", "wake")],
                components=[activity("com.example.app.Main")],
            ),
        )
    )
    assert f.confidence is Confidence.REACHABLE
    assert {e.data.get("string") for e in f.evidence} >= {"com.example.sister"}
    assert "com.example.sister" in f.detail_en


def test_triggers_low_for_a_known_wakeup_sdk() -> None:
    sdk = make_sdk_hit("getui-test", name="个推", category="push", prefixes=["com.igexin"])
    f = only(run(StartsOtherApps, facts(sdks=[sdk])))
    assert f.subject.id == "getui-test" and f.severity is Severity.LOW


def test_clean_own_package_or_unrelated_methods() -> None:
    own = facts(
        [(START, "com.example.app.Main", "open")],
        strings=[("com.example.app", "package", "com.example.app.Main", "open")],
    )
    assert run(StartsOtherApps, own) == []
    apart = facts(
        [(START, "com.example.app.Main", "open")],
        strings=[("com.example.sister", "package", "com.example.app.Main", "check")],
    )
    assert run(StartsOtherApps, apart) == []
    analytics = make_sdk_hit("umeng-test", category="analytics", prefixes=["com.umeng"])
    assert run(StartsOtherApps, facts(sdks=[analytics])) == []
