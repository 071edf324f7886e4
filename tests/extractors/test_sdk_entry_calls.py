"""SDK detection from entry calls: an SDK invoked from the Application class (or a provider) is used and
initialised at start-up; one invoked from other entry-class methods is only used. Also: ``pi_apis`` holds only
APIs of collecting kinds."""

from __future__ import annotations

from pathlib import Path

import pytest

from apprights.extractors.sdk import detect_sdks, startup_callers
from apprights.knowledge import Knowledge
from apprights.model.facts import CallSite, CodeFacts, Component, ManifestFacts, SdkHit

APP = "com.example.app.App"
UM_INIT = "com.umeng.commonsdk.UMConfigure.init"
JPUSH_INIT = "cn.jpush.android.api.JPushInterface.init"
BUGLY_INIT = "com.tencent.bugly.crashreport.CrashReport.initCrashReport"
SDK_CLASSES = (
    "com.umeng.commonsdk.UMConfigure",
    "cn.jpush.android.api.JPushInterface",
    "com.tencent.bugly.crashreport.CrashReport",
)
DEMO_APK = Path(__file__).resolve().parents[2] / "samples" / "demo" / "news-5.2.0.apk"


def _hits(knowledge: Knowledge, calls: list[tuple[str, str, str]], **manifest: object) -> dict[str, SdkHit]:
    m = ManifestFacts(package="com.example.app", application_class=APP, **manifest)  # type: ignore[arg-type]
    code = CodeFacts(
        defined_classes=[APP, *SDK_CLASSES],
        entry_calls=[CallSite(api=api, caller_class=c, caller_method=meth) for c, meth, api in calls],
    )
    return {h.id: h for h in detect_sdks(m, code, knowledge.sdks, knowledge.sensitive_apis)}


def test_sdks_initialised_in_application_on_create(knowledge: Knowledge) -> None:
    hits = _hits(
        knowledge,
        [(APP, "onCreate", UM_INIT), (APP, "onCreate", JPUSH_INIT), (APP, "attachBaseContext", BUGLY_INIT)],
    )
    for sdk_id, api, meth in [
        ("umeng-common", UM_INIT, "onCreate"),
        ("jpush", JPUSH_INIT, "onCreate"),
        ("tencent-bugly", BUGLY_INIT, "attachBaseContext"),
    ]:
        h = hits[sdk_id]
        assert h.used and h.init_at_startup, sdk_id
        assert f"startup: Application {APP}.{meth} calls {api}" in h.evidence


def test_without_entry_calls_the_sdk_is_present_only(knowledge: Knowledge) -> None:
    hits = _hits(knowledge, [])
    assert not hits["umeng-common"].used and not hits["umeng-common"].init_at_startup


def test_call_from_a_non_startup_method_is_use_not_startup(knowledge: Knowledge) -> None:
    # App.initAfterConsent() called from the privacy dialog, not from onCreate: the compliant pattern
    hits = _hits(knowledge, [(APP, "initAfterConsent", UM_INIT), (APP, "onCreate", "com.example.app.Util.x")])
    h = hits["umeng-common"]
    assert h.used and not h.init_at_startup
    assert f"app: {APP}.initAfterConsent calls {UM_INIT}" in h.evidence


def test_startup_reaches_same_class_helpers_and_constructed_nested_classes(knowledge: Knowledge) -> None:
    hits = _hits(
        knowledge,
        [
            (APP, "onCreate", f"{APP}.initSdks"),
            (APP, "initSdks", UM_INIT),
            (APP, "onCreate", f"{APP}$1.<init>"),
            (f"{APP}$1", "run", JPUSH_INIT),
            (f"{APP}$2", "run", BUGLY_INIT),  # never constructed from start-up code
        ],
    )
    assert hits["umeng-common"].init_at_startup
    assert hits["jpush"].init_at_startup
    assert f"startup: Application {APP}$1.run calls {JPUSH_INIT}" in hits["jpush"].evidence
    assert hits["tencent-bugly"].used and not hits["tencent-bugly"].init_at_startup


def test_provider_on_create_is_startup_and_launcher_activity_is_not(knowledge: Knowledge) -> None:
    provider = Component("provider", "com.example.app.InitProvider", authorities=["com.example.app.init"])
    main = Component("activity", "com.example.app.Main")
    hits = _hits(
        knowledge,
        [
            ("com.example.app.InitProvider", "onCreate", UM_INIT),
            ("com.example.app.Main", "onCreate", JPUSH_INIT),
        ],
        components=[provider, main],
    )
    assert hits["umeng-common"].init_at_startup
    assert (
        f"startup: Provider com.example.app.InitProvider.onCreate calls {UM_INIT}"
        in hits["umeng-common"].evidence
    )
    assert hits["jpush"].used and not hits["jpush"].init_at_startup


def test_startup_callers_handles_cycles() -> None:
    m = ManifestFacts(package="p", application_class=APP)
    code = CodeFacts(
        entry_calls=[
            CallSite(api=f"{APP}.a", caller_class=APP, caller_method="onCreate"),
            CallSite(api=f"{APP}.b", caller_class=APP, caller_method="a"),
            CallSite(api=f"{APP}.a", caller_class=APP, caller_method="b"),
            CallSite(api="x.Y.z", caller_class=APP, caller_method="unrelated"),
        ]
    )
    assert set(startup_callers(code, m)) == {(APP, "onCreate"), (APP, "a"), (APP, "b")}


def test_demo_sample_umeng_initialised_from_app_on_create(knowledge: Knowledge) -> None:
    if not DEMO_APK.is_file():
        pytest.skip("samples/demo/news-5.2.0.apk not built (tools/make_samples.py)")
    from apprights.engine.scan import ScanRequest, collect_facts

    facts = collect_facts(ScanRequest(apk=DEMO_APK), knowledge)
    assert facts.code is not None
    assert any(c.api == UM_INIT and c.caller_method == "onCreate" for c in facts.code.entry_calls)
    um = facts.sdk("umeng-common")
    assert um is not None and um.used and um.init_at_startup
    assert f"startup: Application com.example.news.App.onCreate calls {UM_INIT}" in um.evidence


def test_pi_apis_list_only_collecting_kinds(knowledge: Knowledge) -> None:
    enqueue = "android.app.DownloadManager.enqueue"  # download kind, not weak: evidence of use
    set_package = "android.content.Intent.setPackage"  # start kind, weak
    device_id = "android.telephony.TelephonyManager.getDeviceId"
    caller = "com.umeng.commonsdk.statistics.Net"
    m = ManifestFacts(package="com.example.app")

    def hit(*apis: str) -> SdkHit:
        code = CodeFacts(
            defined_classes=[caller],
            call_sites=[CallSite(api=a, caller_class=caller, caller_method="m") for a in apis],
        )
        return next(
            h
            for h in detect_sdks(m, code, knowledge.sdks, knowledge.sensitive_apis)
            if h.id == "umeng-common"
        )

    h = hit(enqueue, set_package)
    assert h.used and h.pi_apis == []
    assert f"calls {enqueue} from {caller}.m" in h.evidence
    assert not hit(set_package).used  # a weak start call alone is no evidence of use
    assert hit(enqueue, set_package, device_id).pi_apis == [device_id]
