from __future__ import annotations

from pathlib import Path

from apprights.engine.runner import merge_findings
from apprights.model.finding import Confidence, Evidence, Finding, Severity, Subject, SubjectKind
from apprights.rules.t1_collect.pi_read_at_startup import PiReadAtStartup
from apprights.testing.apkbuilder import build_apk
from apprights.testing.dexwriter import Code, DexClass, write_dex
from apprights.testing.factories import make_code, make_facts, make_manifest, make_sdk_hit, provider
from tests.rules.static_support import (
    DEVICE_ID_API,
    LOCATION_API,
    PUSH_SDK,
    facts_from_apk,
    only,
    run,
    static_kb,
)

PUSH_CLASS = "com.apprightstest.push.core.DeviceInfo"


def facts(sites=(), sdks=(), app_class=None, components=()):  # type: ignore[no-untyped-def]
    return make_facts(
        manifest=make_manifest("com.example.app", application_class=app_class, components=components),
        code=make_code(sites),
        sdks=sdks,
    )


def test_triggers_sdk_initialised_at_startup_reading_device_id() -> None:
    sdk = make_sdk_hit(PUSH_SDK.id, knowledge=static_kb(), init_at_startup=True)
    f = only(run(PiReadAtStartup, facts([(DEVICE_ID_API, PUSH_CLASS, "imei")], sdks=[sdk])))
    assert f.rule == "T1.pi_read_at_startup" and f.problem_type == 1
    assert f.subject == Subject(SubjectKind.SDK, PUSH_SDK.id, PUSH_SDK.name_zh)
    assert f.confidence is Confidence.REACHABLE
    assert f.merge_key == f"T1.pre_consent:{PUSH_SDK.id}"
    assert f.evidence[0].data == {"startup": "init_at_startup", "pi_types": ["device_id"]}
    assert f.evidence[1].data["caller_class"] == PUSH_CLASS and f.evidence[1].data["api"] == DEVICE_ID_API


def test_triggers_from_sdk_pi_apis_and_own_provider() -> None:
    sdk = make_sdk_hit(PUSH_SDK.id, knowledge=static_kb(), pi_apis=[LOCATION_API])
    fx = facts(sdks=[sdk], components=[provider("com.apprightstest.push.InitProvider")])
    f = only(run(PiReadAtStartup, fx))
    assert f.evidence[0].data["startup"] == "provider:com.apprightstest.push.InitProvider"
    assert f.evidence[1].data == {"sdk": PUSH_SDK.id, "api": LOCATION_API, "pi_type": "location"}


def test_triggers_app_reading_pi_in_its_application_class() -> None:
    f = only(
        run(
            PiReadAtStartup,
            facts([(DEVICE_ID_API, "com.example.app.App", "onCreate")], app_class="com.example.app.App"),
        )
    )
    assert f.subject.kind is SubjectKind.APP and f.merge_key == "T1.pre_consent:com.example.app"
    assert "Application or content provider class com.example.app.App" in f.detail_en
    assert "设备识别码" in f.detail_zh


def test_merges_with_a_runtime_confirmation() -> None:
    sdk = make_sdk_hit(PUSH_SDK.id, knowledge=static_kb(), init_at_startup=True)
    static = only(run(PiReadAtStartup, facts([(DEVICE_ID_API, PUSH_CLASS, "imei")], sdks=[sdk])))
    runtime = Finding(
        rule="T1.collect_before_consent",
        problem_type=1,
        title_zh="同意前收集",
        title_en="collected before consent",
        severity=Severity.HIGH,
        confidence=Confidence.OBSERVED_IN_VIOLATION,
        subject=static.subject,
        legal_basis=["164号文 一(1)"],
        evidence=[Evidence("trace", {"event": 3})],
        key="device_id",
        merge_key=f"T1.pre_consent:{PUSH_SDK.id}",
    )
    merged = only(merge_findings([static, runtime]))
    assert merged.rule == "T1.collect_before_consent" and "T1.pi_read_at_startup" in merged.also_rules


def test_clean_sdk_not_started_early_or_reading_nothing() -> None:
    late = make_sdk_hit(PUSH_SDK.id, knowledge=static_kb(), init_at_startup=False)
    assert run(PiReadAtStartup, facts([(DEVICE_ID_API, PUSH_CLASS, "imei")], sdks=[late])) == []
    early = make_sdk_hit(PUSH_SDK.id, knowledge=static_kb(), init_at_startup=True)
    assert (
        run(PiReadAtStartup, facts([("android.os.Build.getRadioVersion", PUSH_CLASS, "x")], sdks=[early]))
        == []
    )


MANIFEST = """<manifest xmlns:android="http://schemas.android.com/apk/res/android" package="com.example.early">
  <uses-sdk android:minSdkVersion="21" android:targetSdkVersion="30"/>
  <uses-permission android:name="android.permission.READ_PHONE_STATE"/>
  <application android:name="com.example.early.App" android:label="Early">
    <activity android:name=".Main" android:exported="true"/>
    <provider android:name="com.umeng.commonsdk.UMInitProvider" android:authorities="com.example.early.um"
        android:exported="false"/>
  </application>
</manifest>"""


def test_triggers_end_to_end_umeng_with_an_auto_init_provider(tmp_path: Path) -> None:
    cfg = DexClass("com.umeng.commonsdk.DeviceConfig")
    cfg.add_constructor()
    cfg.add_method(
        "getImei",
        "(Landroid/telephony/TelephonyManager;)Ljava/lang/String;",
        code=Code()
        .invoke_virtual("Landroid/telephony/TelephonyManager;->getDeviceId()Ljava/lang/String;", [1])
        .move_result_object(0)
        .return_object(0),
    )
    app = DexClass("com.example.early.App", superclass="android.app.Application")
    app.add_constructor()
    app.add_method(
        "onCreate",
        code=Code()
        .invoke_super("Landroid/app/Application;->onCreate()V", [1])
        .invoke_static("Lcom/umeng/commonsdk/UMConfigure;->init(Landroid/content/Context;)V", [1])
        .return_void(),
    )
    init = DexClass("com.umeng.commonsdk.UMInitProvider", superclass="android.content.ContentProvider")
    init.add_constructor()
    apk = build_apk(tmp_path / "early.apk", MANIFEST, [write_dex([cfg, app, init])])
    fx = facts_from_apk(apk, need_sdks=True)
    umeng = static_kb().sdks.match_class("com.umeng.commonsdk.DeviceConfig")
    assert umeng is not None
    hit = fx.sdk(umeng.id)
    assert hit is not None and hit.init_at_startup, [s.id for s in fx.sdks]
    f = only([x for x in run(PiReadAtStartup, fx) if x.subject.id == umeng.id])
    assert f.confidence is Confidence.REACHABLE


def test_clean_sdk_with_only_a_file_provider() -> None:
    sdk = make_sdk_hit(PUSH_SDK.id, knowledge=static_kb())
    fx = facts(
        [(DEVICE_ID_API, PUSH_CLASS, "imei")],
        sdks=[sdk],
        components=[provider("com.apprightstest.push.PushFileProvider")],
    )
    assert run(PiReadAtStartup, fx) == []
