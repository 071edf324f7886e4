"""SDK detection precision: an SDK is reported only where its code is; one SDK is one catalogue subject."""

from __future__ import annotations

import pytest

from apprights.extractors.sdk import detect_sdks
from apprights.knowledge import Knowledge
from apprights.model.facts import CodeFacts, Component, ManifestFacts, SdkHit
from apprights.testing.factories import activity, make_code, make_manifest


def _detect(
    knowledge: Knowledge, manifest: ManifestFacts | None, code: CodeFacts | None
) -> dict[str, SdkHit]:
    return {h.id: h for h in detect_sdks(manifest, code, knowledge.sdks, knowledge.sensitive_apis)}


def _classes(*names: str) -> CodeFacts:
    return make_code(defined_classes=list(names))


def test_meta_data_switched_off_is_no_evidence_of_use(knowledge: Knowledge) -> None:
    # regression (MobPush demo): firebase_analytics_collection_enabled=false made Firebase Analytics "used"
    code = _classes("com.google.firebase.analytics.FirebaseAnalytics", "com.example.app.Main")
    off = make_manifest("com.example.app", meta_data={"firebase_analytics_collection_enabled": "false"})
    hits = _detect(knowledge, off, code)
    assert "firebase-analytics" in hits and not hits["firebase-analytics"].used
    assert not any("meta-data" in e for e in hits["firebase-analytics"].evidence)
    on = make_manifest("com.example.app", meta_data={"firebase_analytics_collection_enabled": "true"})
    assert knowledge.sdks.match_meta_data("firebase_analytics_collection_enabled")
    assert _detect(knowledge, on, code)["firebase-analytics"].used


def test_adapter_activity_of_another_sdk_is_not_that_sdk(knowledge: Knowledge) -> None:
    # regression (SMSSDK sample): MobTech's com.mob.tools.MobUIShell activity reported ShareSDK, whose code is absent
    m = make_manifest(
        "com.example.app",
        components=[activity("com.mob.tools.MobUIShell"), activity("com.example.app.wxapi.WXEntryActivity")],
    )
    hits = _detect(
        knowledge, m, _classes("com.mob.tools.utils.DeviceHelper", "com.example.app.wxapi.WXEntryActivity")
    )
    assert "mob-sharesdk" not in hits and "wechat-sdk" not in hits
    assert "mob-common" in hits
    # with no dex to read, the manifest is all there is
    assert "mob-sharesdk" in _detect(knowledge, m, None)


def test_packed_app_keeps_manifest_evidence(knowledge: Knowledge) -> None:
    m = make_manifest(
        "com.example.app", components=[Component("service", "cn.jpush.android.service.PushService")]
    )
    m.application_class = "com.stub.StubApp"
    hits = _detect(knowledge, m, _classes("com.stub.StubApp", "com.stub.StubApp$1"))
    assert "qihoo-jiagu" in hits and "jpush" in hits and hits["jpush"].class_count == 0


def test_hidden_code_keeps_manifest_evidence(knowledge: Knowledge) -> None:
    # a packer found only by its shell library (no stub class in the catalogue): components still count
    m = make_manifest(
        "com.example.app", components=[Component("service", "cn.jpush.android.service.PushService")]
    )
    code = _classes("com.example.app.App", "a.b.c")
    assert "jpush" not in _detect(knowledge, m, code)
    hits = detect_sdks(m, code, knowledge.sdks, knowledge.sensitive_apis, code_complete=False)
    assert "jpush" in {h.id for h in hits}


def test_vendor_demo_code_is_not_the_vendors_sdk(knowledge: Knowledge) -> None:
    # regression (a JiGuang demo): the app's own cn.jiguang.* package is not the JCore SDK under cn.jiguang
    m = make_manifest(
        "cn.jiguang.demo", components=[activity("cn.jiguang.demo.MainActivity", "android.intent.action.MAIN")]
    )
    hits = _detect(knowledge, m, _classes("cn.jiguang.demo.MainActivity", "cn.jiguang.demo.ui.Home"))
    assert "jiguang-jcore" not in hits


def test_vendor_demo_code_outside_its_manifest_package_is_the_apps(knowledge: Knowledge) -> None:
    # regression (MobPush demo): package com.mob.mobpush.demo keeps its code in com.mob.demo.mobpush, which
    # MobTech's com.mob prefix counted as the SDK (61 classes, the demo's activities, its Application class)
    m = make_manifest(
        "com.mob.mobpush.demo",
        application_class="com.mob.demo.mobpush.DemoApplication",
        components=[
            activity(
                "com.mob.demo.mobpush.SplashActivity",
                "android.intent.action.MAIN",
                categories=["android.intent.category.LAUNCHER"],
            )
        ],
    )
    assert m.own_namespaces() == ["com.mob.mobpush.demo", "com.mob.demo.mobpush"]
    code = _classes(
        "com.mob.demo.mobpush.DemoApplication",
        "com.mob.demo.mobpush.SplashActivity",
        "com.mob.tools.utils.DeviceHelper",
    )
    hit = _detect(knowledge, m, code)["mob-common"]
    assert hit.class_count == 1
    assert not any("com.mob.demo" in e for e in hit.evidence)
    # a vendor-wide Application class of the SDK itself (com.mob.MobApplication) is not an own namespace
    assert make_manifest("cn.smssdk.demo", application_class="com.mob.MobApplication").own_namespaces() == [
        "cn.smssdk.demo"
    ]


def test_rules_attribute_the_demo_code_to_the_app(knowledge: Knowledge) -> None:
    from apprights.rules._static_common import SubjectResolver
    from apprights.rules.base import RuleContext
    from apprights.testing.factories import make_facts, make_sdk_hit

    m = make_manifest("com.mob.mobpush.demo", application_class="com.mob.demo.mobpush.DemoApplication")
    sdk = make_sdk_hit("mob-common", knowledge=knowledge, prefixes=["com.mob", "com.mob.tools"])
    facts = make_facts(manifest=m, code=_classes("com.mob.demo.mobpush.Main"), sdks=[sdk])
    resolve = SubjectResolver(facts, RuleContext(knowledge=knowledge))
    assert resolve("com.mob.demo.mobpush.Main")[0].id == "com.mob.mobpush.demo"
    assert resolve("com.mob.tools.utils.DeviceHelper")[0].id == "mob-common"


@pytest.mark.parametrize(
    ("class_name", "sdk_id"),
    [
        ("com.mob.moblink.MobLink", "mob-moblink"),  # not ShareSDK
        ("cn.sharesdk.framework.ShareSDK", "mob-sharesdk"),
        ("com.bytedance.sdk.account.open.aweme.api.TikTokOpenApi", "douyin-open"),  # old Douyin package
        ("com.umeng.newxp.controller.ExchangeDataService", "umeng-exchange"),
        ("com.umeng.xp.view.ExchangeViewManager", "umeng-exchange"),
        ("com.cnzz.mobile.android.sdk.MobileProbe", "cnzz"),
        ("com.apsalar.sdk.Apsalar", "apsalar"),
        ("com.tencent.mid.api.MidService", "tencent-mid"),  # the XG/MTA device-id module, named for itself
        ("com.github.gzuliyujiang.oaid.DeviceIdentifier", "android-cn-oaid"),
        ("repeackage.com.heytap.openid.IOpenID", "android-cn-oaid"),
        ("com.bun.miitmdid.core.MdidSdkHelper", "msa-oaid"),
        ("com.huawei.hms.ads.identifier.AdvertisingIdClient", "huawei-oaid"),
        ("com.hihonor.ads.identifier.AdvertisingIdClient", "honor-oaid"),
        ("com.autonavi.aps.amapapi.model.AMapLocationServer", "amap-location"),  # one SDK, one subject
        ("com.shell.SuperApplication", "ijiami"),
        ("com.baidu.protect.StubApplication", "baidu-jiagu"),
    ],
)
def test_catalogue_subjects(knowledge: Knowledge, class_name: str, sdk_id: str) -> None:
    entry = knowledge.sdks.match_class(class_name)
    assert entry is not None and entry.id == sdk_id
    assert entry.source.startswith("apprights")  # provenance kept per entry
    assert knowledge.sdks.match_component("com.tencent.mid.api.MidProvider").id == "tencent-mid"  # type: ignore[union-attr]


def test_one_product_is_one_catalogue_entry(knowledge: Knowledge) -> None:
    seen: dict[tuple[str, str, str], str] = {}
    dupes = []
    for e in knowledge.sdks.entries:
        key = (e.name_zh.strip(), e.vendor.strip(), e.category)
        if key[0] and key[1] and not e.library:
            if key in seen:
                dupes.append((seen[key], e.id))
            seen.setdefault(key, e.id)
    assert dupes == []
    # the lists' second namespaces for one product now belong to it
    feedback = knowledge.sdks.match_class("com.feedback.ui.FeedbackActivity")
    assert feedback is not None and feedback.id == "com-umeng-fb"
    assert "com.feedback.ui" in feedback.prefixes
