from __future__ import annotations

from apprights.model.finding import Confidence, Severity, SubjectKind
from apprights.rules.t6_autostart.starts_other_apps import StartsOtherApps
from apprights.testing.factories import (
    activity,
    make_code,
    make_facts,
    make_manifest,
    make_sdk_hit,
    receiver,
    service,
)
from tests.rules.static_support import only, run, static_kb

START = "android.content.Context.startActivity"
START_SERVICE = "android.content.Context.startService"
BROADCAST = "android.content.Context.sendBroadcast"
SET_PACKAGE = "android.content.Intent.setPackage"
LAUNCH = "android.content.pm.PackageManager.getLaunchIntentForPackage"


def facts(sites=(), strings=(), sdks=(), components=(), application_class=None):  # type: ignore[no-untyped-def]
    return make_facts(
        manifest=make_manifest("com.example.app", components=components, application_class=application_class),
        code=make_code(sites, strings=strings),
        sdks=sdks,
    )


def test_triggers_medium_for_a_start_of_another_app_from_a_receiver() -> None:
    f = only(
        run(
            StartsOtherApps,
            facts(
                [(START_SERVICE, "com.example.app.Wake", "onReceive")],
                strings=[("com.example.sister", "package", "com.example.app.Wake", "onReceive")],
                components=[receiver("com.example.app.Wake", "android.intent.action.USER_PRESENT")],
            ),
        )
    )
    assert f.rule == "T6.starts_other_apps" and f.subject.kind is SubjectKind.APP
    assert f.severity is Severity.MEDIUM and f.confidence is Confidence.REACHABLE
    assert f.merge_key == "T6.associated_start:com.example.app"
    assert "com.example.sister" in f.detail_en
    assert any(e.data.get("background") for e in f.evidence)


def test_triggers_medium_from_the_application_class_and_launch_intent() -> None:
    f = only(
        run(
            StartsOtherApps,
            facts(
                [(LAUNCH, "com.example.app.App", "onCreate")],
                strings=[("com.example.sister", "package", "com.example.app.App", "onCreate")],
                application_class="com.example.app.App",
            ),
        )
    )
    assert f.severity is Severity.MEDIUM


def test_triggers_low_for_a_start_from_a_screen() -> None:
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
    assert f.confidence is Confidence.REACHABLE and f.severity is Severity.LOW


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


def test_clean_launch_intent_without_another_package_is_the_app_opening_itself() -> None:
    # regression (JBox): JPush's PushActivity opens the app itself on a notification tap
    f = facts(
        [(LAUNCH, "cn.jpush.android.ui.PushActivity", "c")],
        components=[activity("cn.jpush.android.ui.PushActivity")],
    )
    assert run(StartsOtherApps, f) == []


def test_clean_sdk_binding_its_vendor_services() -> None:
    # regression (MobPush demo): Xiaomi push binds com.xiaomi.xmsf, HMS binds com.huawei.hwid from services
    xiaomi = make_sdk_hit("xiaomi-test", vendor="小米", category="push", prefixes=["com.xiaomi.mipush.sdk"])
    cls = "com.xiaomi.mipush.sdk.aw"
    f = facts(
        [(START_SERVICE, cls, "b")],
        strings=[("com.xiaomi.xmsf", "package", cls, "b"), ("com.miui.hybrid", "package", cls, "b")],
        sdks=[xiaomi],
        components=[service(cls)],
    )
    assert run(StartsOtherApps, f) == []


def test_clean_broadcast_to_an_action_of_the_sdks_own_vendor() -> None:
    # regression (SMSSDK sample): MobTech's com.mob log collector broadcasts ShareSDK's cn.sharesdk.log action
    cls = "com.mob.commons.logcollector.DefaultLogsCollector"
    sdk = make_sdk_hit("mob-common", knowledge=static_kb())
    f = facts(
        [(BROADCAST, cls, "a"), (SET_PACKAGE, cls, "a")],
        strings=[("cn.sharesdk.log", "package", cls, "a")],
        sdks=[sdk],
        application_class=cls,
    )
    assert sdk.vendor and run(StartsOtherApps, f) == []


def test_clean_user_chosen_share_target_from_a_screen_but_medium_from_a_service() -> None:
    cls = "com.example.app.ShareActivity"
    share = facts(
        [(START, cls, "share")],
        strings=[("com.tencent.mm", "package", cls, "share")],
        components=[activity(cls)],
    )
    assert run(StartsOtherApps, share) == []
    bg = "com.example.app.KeepAlive"
    wake = facts(
        [(START_SERVICE, bg, "run")],
        strings=[("com.tencent.mm", "package", bg, "run")],
        components=[service(bg)],
    )
    assert only(run(StartsOtherApps, wake)).severity is Severity.MEDIUM
