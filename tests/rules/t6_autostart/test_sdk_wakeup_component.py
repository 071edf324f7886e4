from __future__ import annotations

from pathlib import Path

from apprights.model.finding import Confidence, Severity, SubjectKind
from apprights.rules.t6_autostart.sdk_wakeup_component import SdkWakeupComponent
from apprights.testing.apkbuilder import build_apk
from apprights.testing.dexwriter import DexClass, write_dex
from apprights.testing.factories import (
    make_component,
    make_facts,
    make_manifest,
    provider,
    receiver,
    service,
)
from tests.rules.static_support import facts_from_apk, only, run


def facts(*components):  # type: ignore[no-untyped-def]
    return make_facts(manifest=make_manifest("com.example.app", components=components))


def test_triggers_mobtech_services_in_their_own_process() -> None:
    guard = make_component(
        "service",
        "com.mob.guard.MobGuardService",
        actions=["com.mob.intent.MOB_GUARD_SERVICE"],
        exported=True,
    )
    guard.process = "com.example.app:mobguardservice"
    f = only(run(SdkWakeupComponent, facts(guard)))
    assert f.rule == "T6.sdk_wakeup_component" and f.subject.kind is SubjectKind.SDK
    assert f.confidence is Confidence.DECLARED and f.severity is Severity.MEDIUM
    assert f.merge_key == f"T6.associated_start:{f.subject.id}"
    assert f.evidence[0].data["why"] == "known_wakeup_component"
    assert f.evidence[0].data["process"] == "com.example.app:mobguardservice"


def test_triggers_xg_components_and_mid_provider_sharing_the_device_id() -> None:
    xg = make_component("service", "com.tencent.android.tpush.service.XGPushServiceV4", exported=True)
    xg.process = ":xg_vip_service"
    prov = provider("com.tencent.android.tpush.XGPushProvider", "com.example.app.AUTH_XGPUSH", exported=True)
    mid = provider("com.tencent.mid.api.MidProvider", "com.example.app.TENCENT.MID.V3", exported=True)
    found = run(SdkWakeupComponent, facts(xg, prov, mid))
    comps = {str(e.data["component"]) for f in found for e in f.evidence}
    assert comps == {
        "com.tencent.android.tpush.service.XGPushServiceV4",
        "com.tencent.android.tpush.XGPushProvider",
        "com.tencent.mid.api.MidProvider",
    }
    shared = [e for f in found for e in f.evidence if e.data.get("shares")]
    assert [e.data["component"] for e in shared] == ["com.tencent.mid.api.MidProvider"]
    assert any("device id" in f.detail_en for f in found)


def test_triggers_unlisted_sdk_component_answering_its_own_action() -> None:
    comp = service("cn.jpush.android.service.OtherService", "cn.jpush.android.intent.CUSTOM")
    assert only(run(SdkWakeupComponent, facts(comp))).evidence[0].data["why"] == "custom_action"


def test_clean_protected_private_vendor_and_own_components() -> None:
    protected = make_component(
        "service", "com.mob.pushsdk.MobService", exported=True, permission="com.example.app.permission.X"
    )
    private = make_component("service", "com.mob.pushsdk.MobService", exported=False)
    vendor = service("com.xiaomi.mipush.sdk.PushMessageHandler", "com.xiaomi.mipush.RECEIVE_MESSAGE")
    channel = receiver("com.mob.pushsdk.plugins.vivo.PushVivoReceiver", "com.vivo.pushclient.action.RECEIVE")
    own = service("com.example.app.Sync", "com.example.app.SYNC")
    unknown = service("org.unlisted.vendor.Thing", "org.unlisted.vendor.PING")  # no SDK owns it
    for comp in (protected, private, vendor, channel, own, unknown):
        assert run(SdkWakeupComponent, facts(comp)) == [], comp.name
    # a receiver of system broadcasts is a self-start receiver first (T6.self_start_receiver)
    boot = receiver(
        "cn.jpush.android.service.PushReceiver", "android.intent.action.USER_PRESENT", "cn.jpush.X"
    )
    assert run(SdkWakeupComponent, facts(boot)) == []


MANIFEST = """<manifest xmlns:android="http://schemas.android.com/apk/res/android" package="com.example.wake">
  <uses-sdk android:minSdkVersion="21" android:targetSdkVersion="30"/>
  <application android:label="Wake">
    <activity android:name=".Main" android:exported="true"/>
    <service android:name="com.mob.guard.MobGuardService" android:exported="true"
             android:process=":mobguardservice">
      <intent-filter><action android:name="com.mob.intent.MOB_GUARD_SERVICE"/></intent-filter>
    </service>
    <service android:name="com.mob.pushsdk.plugins.oppo.PushOppoReceiver" android:exported="true">
      <intent-filter><action android:name="com.coloros.mcs.action.RECEIVE_MCS_MESSAGE"/></intent-filter>
    </service>
  </application>
</manifest>"""


def test_triggers_end_to_end_on_a_built_apk(tmp_path: Path) -> None:
    classes = []
    for name, sup in (
        ("com.mob.guard.MobGuardService", "android.app.Service"),
        ("com.mob.pushsdk.plugins.oppo.PushOppoReceiver", "android.app.Service"),
        ("com.example.wake.Main", "android.app.Activity"),
    ):
        c = DexClass(name, superclass=sup)
        c.add_constructor()
        classes.append(c)
    apk = build_apk(tmp_path / "wake.apk", MANIFEST, [write_dex(classes)])
    f = only(run(SdkWakeupComponent, facts_from_apk(apk)))
    assert [e.data["component"] for e in f.evidence] == ["com.mob.guard.MobGuardService"]
    assert str(f.evidence[0].data["process"]).endswith(":mobguardservice")


def test_clean_component_whose_class_is_not_in_the_dex() -> None:
    from apprights.testing.factories import make_code

    guard = make_component("service", "com.mob.guard.MobGuardService", exported=True)
    guard.process = ":mobguardservice"
    m = make_manifest("com.example.app", components=[guard])
    absent = make_facts(manifest=m, code=make_code(defined_classes=["com.example.app.Main"]))
    assert run(SdkWakeupComponent, absent) == []
    present = make_facts(manifest=m, code=make_code(defined_classes=["com.mob.guard.MobGuardService"]))
    assert len(run(SdkWakeupComponent, present)) == 1
