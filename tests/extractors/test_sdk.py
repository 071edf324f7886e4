"""SDK detection: presence by class prefix or manifest component; use only with evidence."""

from __future__ import annotations

import struct
import time
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apprights.extractors.sdk import detect_sdks
from apprights.knowledge import Knowledge
from apprights.knowledge.sdks import SdkCatalogue, SdkEntry
from apprights.model.facts import CallSite, CodeFacts, Component, ManifestFacts, SdkHit, StringRef
from tests.conftest import shared_path


def _detect(
    knowledge: Knowledge, manifest: ManifestFacts | None, code: CodeFacts | None
) -> dict[str, SdkHit]:
    hits = detect_sdks(manifest, code, knowledge.sdks, knowledge.sensitive_apis)
    ids = [h.id for h in hits]
    assert len(ids) == len(set(ids))
    return {h.id: h for h in hits}


def _code(*classes: str, calls: list[CallSite] | None = None, hosts: list[str] | None = None) -> CodeFacts:
    return CodeFacts(defined_classes=list(classes), call_sites=calls or [], hosts=hosts or [])


# ------------------------------------------------------------------ facts-level


def test_present_but_unused(knowledge: Knowledge) -> None:
    hits = _detect(
        knowledge,
        ManifestFacts(package="com.example.app"),
        _code("com.umeng.analytics.MobclickAgent", "com.umeng.analytics.a$b", "com.example.app.Main"),
    )
    h = hits["umeng-analytics"]
    assert h.used is False
    assert h.class_count == 2
    assert h.matched_prefixes == ["com.umeng.analytics"]
    assert h.evidence == ["code: 2 classes under com.umeng.analytics"]
    assert h.name == "友盟统计" and h.name_en and h.vendor and h.category == "analytics"
    assert h.init_at_startup is False and h.source == "catalogue"
    assert set(hits) == {"umeng-analytics"}


def test_manifest_component_makes_present_and_used(knowledge: Knowledge) -> None:
    m = ManifestFacts(
        package="com.example.app",
        components=[
            Component(kind="receiver", name="com.xiaomi.push.service.receivers.NetworkStatusReceiver")
        ],
    )
    hits = _detect(knowledge, m, None)  # no code at all
    h = hits["xiaomi-push"]
    assert h.used is True
    assert h.class_count == 0
    assert h.components == ["com.xiaomi.push.service.receivers.NetworkStatusReceiver"]
    assert "manifest: receiver com.xiaomi.push.service.receivers.NetworkStatusReceiver" in h.evidence


def test_sensitive_call_makes_used(knowledge: Knowledge) -> None:
    call = CallSite(
        api="android.telephony.TelephonyManager.getDeviceId",
        caller_class="com.umeng.commonsdk.statistics.common.DeviceConfig",
        caller_method="getImeiNew",
    )
    hits = _detect(knowledge, None, _code("com.umeng.commonsdk.statistics.common.DeviceConfig", calls=[call]))
    h = hits["umeng-common"]
    assert h.used is True
    assert h.pi_apis == ["android.telephony.TelephonyManager.getDeviceId"]
    assert (
        "calls android.telephony.TelephonyManager.getDeviceId from "
        "com.umeng.commonsdk.statistics.common.DeviceConfig.getImeiNew"
    ) in h.evidence


def test_weak_calls_alone_do_not_make_used(knowledge: Knowledge) -> None:
    call = CallSite(
        api="android.net.NetworkInfo.getType", caller_class="com.tendcloud.tenddata.ab", caller_method="a"
    )
    h = _detect(knowledge, None, _code("com.tendcloud.tenddata.ab", calls=[call]))["talkingdata"]
    assert h.used is False
    assert h.pi_apis == ["android.net.NetworkInfo.getType"]


def test_calls_from_other_code_are_not_attributed(knowledge: Knowledge) -> None:
    call = CallSite(
        api="android.telephony.TelephonyManager.getDeviceId",
        caller_class="com.example.app.A",
        caller_method="x",
    )
    h = _detect(knowledge, None, _code("com.igexin.sdk.PushManager", "com.example.app.A", calls=[call]))[
        "getui-push"
    ]
    assert h.used is False and h.pi_apis == []


def test_meta_data_key_makes_used(knowledge: Knowledge) -> None:
    m = ManifestFacts(package="com.example.app", meta_data={"UMENG_APPKEY": "5f…", "JPUSH_APPKEY": "abc"})
    hits = _detect(
        knowledge, m, _code("com.umeng.commonsdk.UMConfigure", "cn.jpush.android.api.JPushInterface")
    )
    assert hits["umeng-common"].used and "manifest: meta-data UMENG_APPKEY" in hits["umeng-common"].evidence
    assert hits["jpush"].used and "manifest: meta-data JPUSH_APPKEY" in hits["jpush"].evidence
    # configured but with no class of it inside: not present
    assert "umeng-analytics" not in hits


def test_nested_prefixes_are_not_double_counted(knowledge: Knowledge) -> None:
    code = _code(
        "com.tencent.bugly.crashreport.CrashReport",
        "com.tencent.bugly.proguard.a",
        "com.tencent.bugly.beta.Beta",
        "com.tencent.bugly.beta.tinker.TinkerManager",
        "com.tencent.tinker.loader.TinkerLoader",
    )
    hits = _detect(knowledge, None, code)
    assert hits["tencent-bugly"].class_count == 2
    assert hits["tencent-bugly-upgrade"].class_count == 1
    assert hits["tencent-tinker"].class_count == 2
    assert hits["tencent-tinker"].matched_prefixes == ["com.tencent.bugly.beta.tinker", "com.tencent.tinker"]
    assert sum(h.class_count for h in hits.values()) == 5


def test_init_at_startup(knowledge: Knowledge) -> None:
    m = ManifestFacts(
        package="com.example.app",
        application_class="com.stub.StubApp",
        components=[
            Component(kind="provider", name="com.google.firebase.provider.FirebaseInitProvider"),
            Component(kind="provider", name="com.tencent.bugly.beta.utils.BuglyFileProvider"),
            Component(
                kind="provider",
                name="androidx.startup.InitializationProvider",
                meta_data={"com.umeng.commonsdk.UMInitializer": "androidx.startup"},
            ),
        ],
    )
    code = _code(
        "com.google.firebase.provider.FirebaseInitProvider",
        "com.stub.StubApp",
        "com.umeng.commonsdk.UMInitializer",
        "com.tencent.bugly.beta.Beta",
    )
    hits = _detect(knowledge, m, code)
    assert hits["firebase-core"].init_at_startup and hits["firebase-core"].used
    assert (
        hits["qihoo-jiagu"].init_at_startup
        and "app: application class com.stub.StubApp" in hits["qihoo-jiagu"].evidence
    )
    assert hits["umeng-common"].init_at_startup and hits["umeng-common"].used
    # a file provider is present in the manifest (so used) but does not initialise the SDK
    assert hits["tencent-bugly-upgrade"].used and not hits["tencent-bugly-upgrade"].init_at_startup


def test_app_code_reference_by_string(knowledge: Knowledge) -> None:
    code = _code("com.example.app.Boot", "com.ishumei.smantifraud.SmAntiFraud")
    code.strings = [
        StringRef(
            value="com.ishumei.smantifraud.SmAntiFraud",
            kind="reflection",
            caller_class="com.example.app.Boot",
        )
    ]
    h = _detect(knowledge, ManifestFacts(package="com.example.app"), code)["shumei"]
    assert h.used and any(e.startswith("app: com.example.app.Boot") for e in h.evidence)


def test_hosts_found_in_code(knowledge: Knowledge) -> None:
    code = _code(
        "com.umeng.commonsdk.UMConfigure", hosts=["ulogs.umeng.com", "example.org", "ULOGS.UMENG.COM"]
    )
    h = _detect(knowledge, None, code)["umeng-common"]
    assert h.hosts == ["ulogs.umeng.com"]
    assert "code: hosts ulogs.umeng.com" in h.evidence
    assert h.used is False  # a URL inside the SDK is not a use


def test_vendor_app_is_not_its_own_sdk(knowledge: Knowledge) -> None:
    m = ManifestFacts(
        package="com.mob.demo", components=[Component(kind="activity", name="com.mob.demo.Main")]
    )
    hits = _detect(knowledge, m, _code("com.mob.demo.Main", "com.mob.demo.ui.X"))
    assert "mob-common" not in hits
    # with the real SDK inside too, the app's own calls are not the SDK's
    call = CallSite(
        api="android.telephony.TelephonyManager.getDeviceId",
        caller_class="com.mob.demo.Main",
        caller_method="a",
    )
    hits = _detect(knowledge, m, _code("com.mob.demo.Main", "com.mob.tools.utils.DH", calls=[call]))
    assert hits["mob-common"].class_count == 1 and hits["mob-common"].pi_apis == []


def test_wechat_callback_activity_in_app_package(knowledge: Knowledge) -> None:
    m = ManifestFacts(
        package="com.example.app",
        components=[Component(kind="activity", name="com.example.app.wxapi.WXEntryActivity", exported=True)],
    )
    hits = _detect(knowledge, m, _code("com.tencent.mm.opensdk.openapi.WXAPIFactory"))
    assert hits["wechat-sdk"].used
    assert hits["wechat-sdk"].components == ["com.example.app.wxapi.WXEntryActivity"]


def test_exodus_entries_are_marked(knowledge: Knowledge) -> None:
    extra = SdkEntry(id="exodus-1", name_zh="", name_en="Teemo", vendor="", category="analytics",
                     prefixes=("com.databerries",), source="exodus-file")  # fmt: skip
    cat = SdkCatalogue(version="x", entries=[*knowledge.sdks.entries, extra])
    hits = {h.id: h for h in detect_sdks(None, _code("com.databerries.A"), cat, knowledge.sensitive_apis)}
    assert hits["exodus-1"].source == "exodus-file" and hits["exodus-1"].name == "Teemo"


def test_ordering_used_first(knowledge: Knowledge) -> None:
    m = ManifestFacts(package="p.q", meta_data={"JPUSH_APPKEY": "k"})
    hits = detect_sdks(m, _code("com.google.gson.Gson", "com.google.gson.a", "cn.jpush.android.api.A"),
                       knowledge.sdks, knowledge.sensitive_apis)  # fmt: skip
    assert [h.used for h in hits] == sorted((h.used for h in hits), reverse=True)
    assert hits[0].id == "jpush"


def test_fast_on_100k_classes(knowledge: Knowledge) -> None:
    prefixes = [p for e in knowledge.sdks.entries for p in e.prefixes]
    classes = [f"{prefixes[i % len(prefixes)]}.p{i % 97}.C{i}" for i in range(60_000)]
    classes += [f"com.example.app.m{i % 500}.K{i}" for i in range(40_000)]
    calls = [
        CallSite(api="android.telephony.TelephonyManager.getDeviceId", caller_class=c, caller_method="m")
        for c in classes[::50]
    ]
    t0 = time.perf_counter()
    hits = detect_sdks(None, _code(*classes, calls=calls), knowledge.sdks, knowledge.sensitive_apis)
    elapsed = time.perf_counter() - t0
    assert sum(h.class_count for h in hits) == 60_000
    assert elapsed < 2.0, elapsed


# ------------------------------------------------------------------ real APKs


def _uleb(b: bytes, o: int) -> tuple[int, int]:
    r = s = 0
    while True:
        x = b[o]
        o += 1
        r |= (x & 0x7F) << s
        s += 7
        if x < 0x80:
            return r, o


def _class_defs(data: bytes) -> list[str]:
    """Defined class names of one dex (header → class_defs → type_ids → string_ids); test-only reader."""
    sids_off = struct.unpack_from("<I", data, 0x3C)[0]
    tids_off = struct.unpack_from("<I", data, 0x44)[0]
    cd_n, cd_off = struct.unpack_from("<2I", data, 0x60)
    out = []
    for i in range(cd_n):
        tidx = struct.unpack_from("<I", data, cd_off + 32 * i)[0]
        sidx = struct.unpack_from("<I", data, tids_off + 4 * tidx)[0]
        _, o = _uleb(data, struct.unpack_from("<I", data, sids_off + 4 * sidx)[0])
        desc = data[o : data.index(b"\0", o)].decode("utf-8", "replace")
        out.append(desc[1:-1].replace("/", "."))
    return out


def _facts(path: Path, knowledge: Knowledge) -> tuple[ManifestFacts | None, CodeFacts]:
    try:
        from apprights.extractors.apk import open_apk
        from apprights.extractors.dex import DexTargets, extract_code
    except Exception:  # the APK/DEX extractors are developed separately: fall back to class names only
        with zipfile.ZipFile(path) as z:
            classes = [c for n in z.namelist() if n.endswith(".dex") for c in _class_defs(z.read(n))]
        return None, CodeFacts(defined_classes=classes)
    with open_apk(path) as apk:
        manifest = apk.manifest()
        code = extract_code(
            apk.iter_dex(), DexTargets.from_catalogue(knowledge.sensitive_apis), own_package=manifest.package
        )
    return manifest, code


def test_own_reader_agrees_with_zip(knowledge: Knowledge) -> None:
    path = shared_path("apks", "cn-bugly__demo.apk")
    with zipfile.ZipFile(path) as z:
        classes = _class_defs(z.read("classes.dex"))
    assert "com.tencent.bugly.crashreport.CrashReport" in classes


def test_bugly_demo(knowledge: Knowledge) -> None:
    manifest, code = _facts(shared_path("apks", "cn-bugly__demo.apk"), knowledge)
    hits = _detect(knowledge, manifest, code)
    assert {"tencent-bugly", "tencent-tinker"} <= set(hits)
    assert hits["tencent-bugly"].class_count > 100
    assert hits["tencent-bugly"].vendor.startswith("深圳市腾讯")
    # the demo app's own package (com.bugly.upgrade.demo) is no SDK
    assert all(not p.startswith("com.bugly") for h in hits.values() for p in h.matched_prefixes)
    if manifest is not None:
        assert "com.tencent.bugly.beta.tinker.TinkerResultService" in hits["tencent-tinker"].components
        assert hits["tencent-tinker"].used


def test_instapaper_western_sdks(knowledge: Knowledge) -> None:
    manifest, code = _facts(shared_path("apks", "exodus-core__instapaper.apk"), knowledge)
    hits = _detect(knowledge, manifest, code)
    assert "facebook-sdk" in hits and "crashlytics" in hits
    assert any(i.startswith("firebase-") for i in hits)
    assert hits["crashlytics"].matched_prefixes == ["com.crashlytics.android", "io.fabric.sdk.android"]
    if manifest is not None:
        assert hits["facebook-sdk"].used and hits["facebook-sdk"].init_at_startup
        assert hits["firebase-core"].init_at_startup
        assert "manifest: meta-data io.fabric.ApiKey" in hits["crashlytics"].evidence


@pytest.mark.parametrize("apk", ["androguard__com.politedroid_4.apk", "droidbench__IMEI1.apk"])
def test_apps_without_sdks(knowledge: Knowledge, apk: str) -> None:
    manifest, code = _facts(shared_path("apks", apk), knowledge)
    hits = _detect(knowledge, manifest, code)
    assert not [h for h in hits.values() if h.category in {"push", "ads", "analytics"}]


def test_app_calling_sdk_entry_point_makes_used(knowledge: Knowledge) -> None:
    call = CallSite(
        api="com.amap.api.location.AMapLocationClient.startLocation",
        caller_class="com.example.app.map.LocateActivity",
        caller_method="onResume",
    )
    code = _code(
        "com.amap.api.location.AMapLocationClient", "com.example.app.map.LocateActivity", calls=[call]
    )
    h = _detect(knowledge, ManifestFacts(package="com.example.app"), code)["amap-location"]
    assert h.used
    assert (
        "app: com.example.app.map.LocateActivity.onResume calls com.amap.api.location.AMapLocationClient.startLocation"
        in h.evidence
    )
    assert h.pi_apis == []  # the SDK's own classes made no sensitive call


def test_content_query_needs_a_matching_uri(knowledge: Knowledge) -> None:
    query = "android.content.ContentResolver.query"
    call = CallSite(api=query, caller_class="com.igexin.push.core.a", caller_method="b")
    bare = _code("com.igexin.push.core.a", calls=[call])
    h = _detect(knowledge, None, bare)["getui-push"]
    assert not h.used and h.pi_apis == [query]
    with_uri = _code("com.igexin.push.core.a", calls=[call])
    with_uri.strings = [
        StringRef(
            value="content://com.android.contacts/data",
            kind="content_uri",
            caller_class="com.igexin.push.core.a",
        )
    ]
    h = _detect(knowledge, None, with_uri)["getui-push"]
    assert h.used
    assert f"calls {query} from com.igexin.push.core.a.b (content://com.android.contacts/data)" in h.evidence
    own_uri = _code("com.igexin.push.core.a", calls=[call])
    own_uri.strings = [
        StringRef(
            value="content://com.example.app.provider/x",
            kind="content_uri",
            caller_class="com.igexin.push.core.a",
        )
    ]
    assert not _detect(knowledge, None, own_uri)["getui-push"].used


_NAME = st.text(alphabet="abcmnoqtuxz.$_", max_size=40)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    classes=st.lists(
        st.one_of(_NAME, st.sampled_from(["com.umeng.analytics.A", "com.qq.e.comm.B", "", "."])), max_size=40
    ),
    comps=st.lists(_NAME, max_size=5),
    meta=st.dictionaries(_NAME, _NAME, max_size=4),
)
def test_arbitrary_names_never_crash(
    knowledge: Knowledge, classes: list[str], comps: list[str], meta: dict[str, str]
) -> None:
    m = ManifestFacts(
        package="com.x",
        meta_data=meta,
        components=[Component(kind="provider", name=c, meta_data=meta) for c in comps],
    )
    calls = [
        CallSite(api="android.telephony.TelephonyManager.getDeviceId", caller_class=c, caller_method="m")
        for c in classes
    ]
    hits = detect_sdks(m, _code(*classes, calls=calls), knowledge.sdks, knowledge.sensitive_apis)
    assert sum(h.class_count for h in hits) <= len(classes)
    for h in hits:
        assert h.class_count > 0 or h.components
        # used exactly when there is evidence of use (manifest reference, app reference or a strong call)
        assert h.used == any(
            e.startswith(("manifest:", "app:", "calls android.telephony")) for e in h.evidence
        )
