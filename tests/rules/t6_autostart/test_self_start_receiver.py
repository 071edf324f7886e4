from __future__ import annotations

from pathlib import Path

from apprights.model.finding import Confidence, Severity, SubjectKind
from apprights.rules.t6_autostart.self_start_receiver import SelfStartReceiver
from apprights.testing.apkbuilder import build_apk
from apprights.testing.dexwriter import Code, DexClass, write_dex
from apprights.testing.factories import activity, make_facts, make_manifest, make_sdk_hit, receiver, service
from tests.rules.static_support import PUSH_SDK, facts_from_apk, only, run, static_kb

BOOT = "android.intent.action.BOOT_COMPLETED"
NET = "android.net.conn.CONNECTIVITY_CHANGE"
BOOT_PERM = "RECEIVE_BOOT_COMPLETED"


def facts(*components, perms=(BOOT_PERM,), target=30, sdks=()):  # type: ignore[no-untyped-def]
    return make_facts(
        manifest=make_manifest(
            "com.example.app", permissions=perms, components=components, target_sdk=target
        ),
        sdks=sdks,
    )


def test_triggers_boot_receiver_of_an_sdk() -> None:
    sdk = make_sdk_hit(PUSH_SDK.id, knowledge=static_kb(), components=["com.apprightstest.push.Boot"])
    f = only(run(SelfStartReceiver, facts(receiver("com.apprightstest.push.Boot", BOOT), sdks=[sdk])))
    assert f.rule == "T6.self_start_receiver" and f.problem_type == 6
    assert f.subject.kind is SubjectKind.SDK and f.subject.id == PUSH_SDK.id
    assert f.confidence is Confidence.DECLARED and f.severity is Severity.MEDIUM
    ev = f.evidence[0]
    assert ev.source == "manifest" and ev.data["component"] == "com.apprightstest.push.Boot"
    assert ev.data["matched_actions"] == [BOOT] and f.merge_key == f"T6.self_start:{PUSH_SDK.id}"


def test_triggers_one_finding_per_subject() -> None:
    found = run(
        SelfStartReceiver,
        facts(
            receiver("com.example.app.Boot", BOOT),
            receiver("com.example.app.Net", NET, "android.intent.action.USER_PRESENT"),
            receiver("com.umeng.message.Wake", BOOT),
        ),
    )
    umeng = static_kb().sdks.match_class("com.umeng.message.Wake")
    assert umeng is not None
    by = {f.subject.id: f for f in found}
    assert set(by) == {"com.example.app", umeng.id}
    assert [e.data["component"] for e in by["com.example.app"].evidence] == [
        "com.example.app.Boot",
        "com.example.app.Net",
    ]


def test_triggers_low_when_the_receiver_cannot_fire() -> None:
    no_perm = only(run(SelfStartReceiver, facts(receiver("com.example.app.Boot", BOOT), perms=())))
    assert no_perm.severity is Severity.LOW
    assert no_perm.evidence[0].data["missing_permission"] == "android.permission.RECEIVE_BOOT_COMPLETED"
    implicit = only(run(SelfStartReceiver, facts(receiver("com.example.app.Net", NET), target=30)))
    assert implicit.severity is Severity.LOW
    old = only(run(SelfStartReceiver, facts(receiver("com.example.app.Net", NET), target=25)))
    assert old.severity is Severity.MEDIUM


def test_triggers_push_wakeup_service_of_an_app_component() -> None:
    f = only(
        run(
            SelfStartReceiver,
            facts(service("com.example.app.Daemon", "cn.jpush.android.intent.DaemonService")),
        )
    )
    assert f.evidence[0].data["component_kind"] == "service"


def test_clean_sdk_component_reported_as_associated_start_and_vendor_channels() -> None:
    # regression (JBox): JPush's exported DaemonService is one finding, T6.sdk_wakeup_component, not two
    daemon = service("cn.jpush.android.service.DaemonService", "cn.jpush.android.intent.DaemonService")
    assert run(SelfStartReceiver, facts(daemon)) == []
    # regression (MobPush demo): vendor push channel receivers only the vendor's push service calls
    xiaomi = receiver("com.mob.pushsdk.plugins.xiaomi.PushXiaoMiRevicer", "com.xiaomi.mipush.RECEIVE_MESSAGE")
    assert run(SelfStartReceiver, facts(xiaomi)) == []


def test_clean_custom_actions_disabled_receivers_and_activities() -> None:
    assert run(SelfStartReceiver, facts(receiver("com.example.app.R", "com.example.app.PING"))) == []
    off = receiver("com.example.app.Boot", BOOT, enabled=False)
    assert run(SelfStartReceiver, facts(off)) == []
    assert run(SelfStartReceiver, facts(activity("com.example.app.Main", BOOT))) == []
    # a service with a system broadcast action is not started by that broadcast
    assert run(SelfStartReceiver, facts(service("com.example.app.S", BOOT))) == []


MANIFEST = """<manifest xmlns:android="http://schemas.android.com/apk/res/android" package="com.example.boot">
  <uses-sdk android:minSdkVersion="21" android:targetSdkVersion="30"/>
  <uses-permission android:name="android.permission.RECEIVE_BOOT_COMPLETED"/>
  <uses-permission android:name="android.permission.READ_PHONE_STATE"/>
  <application android:label="Boot">
    <activity android:name=".Main" android:exported="true"/>
    <receiver android:name="com.umeng.commonsdk.BootReceiver" android:exported="false">
      <intent-filter><action android:name="android.intent.action.BOOT_COMPLETED"/></intent-filter>
    </receiver>
  </application>
</manifest>"""


def umeng_dex() -> bytes:
    boot = DexClass("com.umeng.commonsdk.BootReceiver", superclass="android.content.BroadcastReceiver")
    boot.add_constructor()
    code = (
        Code()
        .const_string(0, "phone")
        .invoke_virtual(
            "Landroid/content/Context;->getSystemService(Ljava/lang/String;)Ljava/lang/Object;", [3, 0]
        )
        .move_result_object(1)
        .check_cast(1, "android.telephony.TelephonyManager")
        .invoke_virtual("Landroid/telephony/TelephonyManager;->getDeviceId()Ljava/lang/String;", [1])
        .move_result_object(1)
        .return_void()
    )
    boot.add_method("onReceive", "(Landroid/content/Context;Landroid/content/Intent;)V", code=code)
    main = DexClass("com.example.boot.Main", superclass="android.app.Activity")
    main.add_constructor()
    return write_dex([boot, main])


def test_triggers_end_to_end_umeng_boot_receiver(tmp_path: Path) -> None:
    apk = build_apk(tmp_path / "boot.apk", MANIFEST, [umeng_dex()])
    facts = facts_from_apk(apk)
    assert facts.code is not None
    assert any(
        s.api == "android.telephony.TelephonyManager.getDeviceId"
        and s.caller_class == "com.umeng.commonsdk.BootReceiver"
        for s in facts.code.call_sites
    )
    f = only(run(SelfStartReceiver, facts))
    umeng = static_kb().sdks.match_class("com.umeng.commonsdk.BootReceiver")
    assert umeng is not None and f.subject.id == umeng.id
    assert f.evidence[0].data["component"] == "com.umeng.commonsdk.BootReceiver"
