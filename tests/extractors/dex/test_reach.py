"""Reachability from entry points through the app's and SDKs' own methods (the bounded reverse call graph), with
platform-library wrappers attributed to their callers; on dex files built with ``apprights.testing`` and on the
real APKs of the shared corpus."""

from __future__ import annotations

from apprights.extractors.dex import reach_roots_of
from apprights.model.facts import CodeFacts, Component
from apprights.testing.dexwriter import Code, DexClass
from apprights.testing.factories import make_manifest
from tests.conftest import shared_path
from tests.extractors.dex.test_detail import SECURE_GET, STATIC, _scan, _sites, _static

GET_IMEI = "Landroid/telephony/TelephonyManager;->getImei()Ljava/lang/String;"
COMPAT = "androidx.core.telephony.TelephonyManagerCompat"
COMPAT_GET_IMEI = (
    "Landroidx/core/telephony/TelephonyManagerCompat;->getImei(Landroid/telephony/TelephonyManager;)"
    "Ljava/lang/String;"
)


def _app_classes() -> list[DexClass]:
    app = DexClass("com.example.app.App", superclass="android.app.Application")
    app.add_method(
        "onCreate", "()V", code=Code().invoke_static("Lcom/example/app/Boot;->start()V", []).return_void()
    )
    boot = DexClass("com.example.app.Boot")
    _static(boot, "start", Code().invoke_static("Lcom/sdk/push/Core;->init()V", []), "()V")
    core = DexClass("com.sdk.push.Core")
    _static(core, "init", Code().invoke_static("Lcom/sdk/push/Ids;->collect(Landroid/content/ContentResolver;)V", [0]), "()V")  # fmt: skip
    ids = DexClass("com.sdk.push.Ids")
    _static(ids, "collect", Code().const_string(1, "android_id").invoke_static(SECURE_GET, [0, 1]))
    _static(ids, "orphan", Code().const_string(1, "android_id").invoke_static(SECURE_GET, [0, 1]))
    # a Runnable built in Activity code: its run() is reached from the component
    task = DexClass("com.example.app.Task", interfaces=["java.lang.Runnable"])
    task.add_constructor()
    task.add_method("run", "()V", code=Code().invoke_static(COMPAT_GET_IMEI, [0]).return_void())
    main = DexClass("com.example.app.Main", superclass="android.app.Activity")
    main.add_method(
        "onResume", "()V", code=Code().new_instance(0, "com.example.app.Task").invoke_direct("Lcom/example/app/Task;-><init>()V", [0]).return_void()
    )  # fmt: skip
    compat = DexClass(COMPAT)
    compat.add_method(
        "getImei",
        "(Landroid/telephony/TelephonyManager;)Ljava/lang/String;",
        code=Code().invoke_virtual(GET_IMEI, [0]).return_void(),
        access=STATIC,
    )
    return [app, boot, core, ids, task, main, compat]


def test_reach_from_application_through_own_and_sdk_methods() -> None:
    manifest = make_manifest("com.example.app", application_class="com.example.app.App")
    manifest.components.append(Component(kind="activity", name="com.example.app.Main"))
    roots = reach_roots_of(manifest)
    assert roots == {"com.example.app.App": True, "com.example.app.Main": False}
    code = _scan(*_app_classes(), roots=roots)
    assert code.reach_depth > 0
    s = _sites(code)
    collect = s[("collect", "getString")]
    assert collect.startup and collect.entry == "com.example.app.App.onCreate"
    assert collect.path == [
        "com.example.app.App.onCreate",
        "com.example.app.Boot.start",
        "com.sdk.push.Core.init",
        "com.sdk.push.Ids.collect",
    ]
    orphan = s[("orphan", "getString")]
    assert orphan.entry == "" and not orphan.startup  # no path from any entry point


def test_wrapper_read_is_attributed_to_its_caller() -> None:
    manifest = make_manifest("com.example.app", application_class="com.example.app.App")
    manifest.components.append(Component(kind="activity", name="com.example.app.Main"))
    code = _scan(*_app_classes(), roots=reach_roots_of(manifest))
    imei = [s for s in code.call_sites if s.api == "android.telephony.TelephonyManager.getImei"]
    by_caller = {(s.caller_class, s.caller_method): s for s in imei}
    assert set(by_caller) == {(COMPAT, "getImei"), ("com.example.app.Task", "run")}
    wrapped = by_caller[("com.example.app.Task", "run")]
    assert wrapped.via == f"{COMPAT}.getImei"
    # reached from the activity (component entry) through the Runnable's constructor, not at start-up
    assert wrapped.entry == "com.example.app.Main.onResume" and not wrapped.startup
    assert wrapped.path == [
        "com.example.app.Main.onResume",
        "com.example.app.Task.<init>",
        "com.example.app.Task.run",
    ]


def test_without_roots_nothing_is_annotated() -> None:
    code = _scan(*_app_classes())
    assert code.reach_depth == 0
    assert all(s.entry is None and not s.via for s in code.call_sites)


def _real(rel: str) -> CodeFacts:
    from apprights.extractors.apk import open_apk
    from apprights.extractors.dex import DexTargets, entry_classes_of, extract_code
    from apprights.knowledge import Knowledge

    targets = DexTargets.from_catalogue(Knowledge.load().sensitive_apis)
    with open_apk(shared_path(*rel.split("/"))) as apk:
        m = apk.manifest()
        return extract_code(
            apk.iter_dex(),
            targets,
            own_package=m.package,
            entry_classes=entry_classes_of(m),
            reach_roots=reach_roots_of(m),
        )


def test_jpush_reads_reached_from_application_on_create() -> None:
    code = _real("apks-cn/jiguang-jbox.apk")
    [imei] = [
        s
        for s in code.call_sites
        if s.api == "android.telephony.TelephonyManager.getDeviceId"
        and s.caller_class == "cn.jpush.android.util.b"
    ]
    assert imei.startup and imei.entry == "com.jiguang.jbox.AppApplication.onCreate"
    assert imei.path[:2] == [
        "com.jiguang.jbox.AppApplication.onCreate",
        "cn.jpush.android.api.JPushInterface.init",
    ]
    assert imei.path[-1] == f"cn.jpush.android.util.b.{imei.caller_method}"


def test_x5_android_id_key_and_startup_path() -> None:
    code = _real("apks-cn/tencent-x5-tbs-demo.apk")
    reads = [s for s in code.call_sites if s.api == "android.provider.Settings$Secure.getString"]
    aid = [s for s in reads if s.args == ["android_id"]]
    assert aid and all(s.startup for s in aid)
    assert aid[0].path[:2] == [
        "com.example.test_webview_demo.APPAplication.onCreate",
        "com.tencent.smtt.sdk.QbSdk.initX5Environment",
    ]


def test_support_library_reads_are_not_reached_through_the_library() -> None:
    # the support library's own call chains are not followed: its reads are nobody's until an app or SDK
    # method calls the wrapper directly
    code = _real("apks/cn-bugly__demo.apk")
    lib = [
        s for s in code.call_sites if s.caller_class.startswith("android.support.") and s.entry is not None
    ]
    assert lib and all(len(s.path) <= 2 for s in lib)


def test_smssdk_contacts_query_helper_resolved_from_its_callers() -> None:
    # SMSSDK reads the address book through a helper c.a(Uri, …) called with ContactsContract URIs
    code = _real("apks-cn/mob-smssdk-sample.apk")
    [q] = [
        s
        for s in code.call_sites
        if s.api == "android.content.ContentResolver.query" and s.caller_class == "cn.smssdk.contact.c"
    ]
    assert q.args is not None and any(a.startswith("content://com.android.contacts") for a in q.args)
