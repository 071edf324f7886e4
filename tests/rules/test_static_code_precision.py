"""Code-level precision in the static rules (issue 8, part A), each noise case as a regression test built with
``apprights.testing``: the Settings key decides the Android ID, content URIs from platform fields are reads,
running processes are not the installed-app list, a reflective read is ``present`` at most, and start-up
reachability needs a call path when the dex scanner computed the call graph."""

from __future__ import annotations

from pathlib import Path

import pytest

from apprights.knowledge import Knowledge
from apprights.model.facts import CallSite
from apprights.model.finding import Confidence
from apprights.rules._static_common import pi_reads_by_subject
from apprights.rules.base import RuleContext
from apprights.rules.t1_collect.pi_read_at_startup import PiReadAtStartup
from apprights.rules.t2_overreach.installed_apps import InstalledAppsRead
from apprights.rules.t2_overreach.pi_outside_category import PiOutsideCategory
from apprights.testing.apkbuilder import build_apk
from apprights.testing.dexwriter import ACC_PUBLIC, ACC_STATIC, Code, DexClass, write_dex
from apprights.testing.factories import make_code, make_facts, make_manifest

SECURE = "android.provider.Settings$Secure.getString"
QUERY = "android.content.ContentResolver.query"
RUNNING = "android.app.ActivityManager.getRunningAppProcesses"
IMEI = "android.telephony.TelephonyManager.getDeviceId"
APP = "com.example.app"


def _ctx() -> RuleContext:
    return RuleContext(Knowledge.load(), {})


def _types(*sites: CallSite) -> dict[str, set[str]]:
    facts = make_facts(manifest=make_manifest(APP), code=make_code(sites))
    return {k: r.pi_types for k, r in pi_reads_by_subject(facts, _ctx()).items()}


def test_settings_key_decides_android_id() -> None:
    read = CallSite(SECURE, "com.example.app.Ids", "androidId", args=["android_id"])
    other = CallSite(SECURE, "com.example.app.Ui", "listeners", args=["enabled_notification_listeners"])
    unknown = CallSite(SECURE, "com.example.app.Cfg", "get", args=[])  # key not a constant: not claimed
    assert _types(read) == {APP: {"android_id"}}
    assert _types(other) == {} and _types(unknown) == {}
    # facts without the scanner's argument (built by hand): the former class-level judgement
    assert _types(CallSite(SECURE, "com.example.app.Old", "get")) == {APP: {"android_id"}}


def test_content_uri_argument_gives_the_pi_type() -> None:
    contacts = CallSite(QUERY, "cn.smssdk.contact.Reader", "phones", args=["content://com.android.contacts/data/phones"])  # fmt: skip
    sms = CallSite(QUERY, "com.example.app.Sms", "inbox", args=["content://sms/inbox"])
    own = CallSite(QUERY, "com.example.app.Db", "load", args=["content://com.example.app.provider/items"])
    oaid = CallSite(QUERY, "com.example.app.Oaid", "vivo", args=["content://com.vivo.vms.IdProvider/IdentifierId/OAID"])  # fmt: skip
    got = _types(contacts, sms, own, oaid)
    assert got["mob-smssdk"] == {"contacts"}
    assert got[APP] == {"sms", "oaid"}


def test_running_processes_are_not_the_installed_app_list() -> None:
    facts = make_facts(
        manifest=make_manifest(APP),
        code=make_code([(RUNNING, "com.example.app.Proc", "isMainProcess")]),
        category="新闻资讯类",
    )
    assert list(InstalledAppsRead().check(facts, _ctx())) == []
    found = [f for f in PiOutsideCategory().check(facts, _ctx()) if "installed_apps" in f.key]
    assert found == []


def test_reflective_read_is_present_at_most() -> None:
    site = CallSite(IMEI, "com.example.app.App", "onCreate", reflective=True)
    facts = make_facts(
        manifest=make_manifest(APP, application_class="com.example.app.App"),
        code=make_code([site]),
        category="新闻资讯类",
    )
    [f] = [f for f in PiOutsideCategory().check(facts, _ctx()) if f.key.endswith(":device_id")]
    assert f.confidence is Confidence.PRESENT
    assert f.evidence[0].data["reflective"] is True


# ---------------------------------------------------------------------------------------------------------
# end to end: an APK built with apprights.testing, scanned by the engine (extract_code with the call graph)

STATIC = ACC_PUBLIC | ACC_STATIC
GET_DEVICE_ID = "Landroid/telephony/TelephonyManager;->getDeviceId()Ljava/lang/String;"
QUERY_REF = (
    "Landroid/content/ContentResolver;->query(Landroid/net/Uri;[Ljava/lang/String;Ljava/lang/String;"
    "[Ljava/lang/String;Ljava/lang/String;)Landroid/database/Cursor;"
)
PHONE_URI = "Landroid/provider/ContactsContract$CommonDataKinds$Phone;->CONTENT_URI:Landroid/net/Uri;"
MANIFEST = """<manifest xmlns:android="http://schemas.android.com/apk/res/android" package="com.example.app"
  android:versionCode="1" android:versionName="1.0">
  <uses-sdk android:minSdkVersion="21" android:targetSdkVersion="30"/>
  <uses-permission android:name="android.permission.READ_PHONE_STATE"/>
  <uses-permission android:name="android.permission.READ_CONTACTS"/>
  <application android:name="com.example.app.App" android:label="Demo">
    <activity android:name="com.example.app.Main" android:exported="true">
      <intent-filter><action android:name="android.intent.action.MAIN"/>
        <category android:name="android.intent.category.LAUNCHER"/></intent-filter>
    </activity>
  </application>
</manifest>"""


def _apk(tmp: Path) -> Path:
    app = DexClass("com.example.app.App", superclass="android.app.Application")
    app.add_method(
        "onCreate", "()V", code=Code().invoke_static("Lcom/example/app/Boot;->start()V", []).return_void()
    )
    boot = DexClass("com.example.app.Boot")
    boot.add_method("start", "()V", code=Code().invoke_static("Lcom/example/app/Ids;->imei()V", []).return_void(), access=STATIC)  # fmt: skip
    ids = DexClass("com.example.app.Ids")  # the app's own helper, two calls below Application.onCreate
    ids.add_method("imei", "()V", code=Code().invoke_virtual(GET_DEVICE_ID, [0]).return_void(), access=STATIC)
    # SMSSDK reading contacts through the platform field, from a method nothing calls
    reader = DexClass("cn.smssdk.contact.Reader")
    reader.add_method(
        "phones",
        "(Landroid/content/ContentResolver;)V",
        code=Code().sget_object(1, PHONE_URI).invoke_virtual(QUERY_REF, [0, 1, 2, 3, 4, 5]).return_void(),
        access=STATIC,
    )
    main = DexClass("com.example.app.Main", superclass="android.app.Activity")
    main.add_constructor()
    return build_apk(tmp / "demo.apk", MANIFEST, [write_dex([app, boot, ids, reader, main])])


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict:  # type: ignore[type-arg]
    from apprights.engine.scan import ScanRequest, scan

    path = _apk(tmp_path_factory.mktemp("apk"))
    return scan(ScanRequest(apk=path, category="新闻资讯类"), Knowledge.load()).report


def _findings(report: dict, rule: str) -> list[dict]:  # type: ignore[type-arg]
    return [f for f in report["findings"] if rule in {f["rule"], *f.get("also_rules", [])}]


def test_startup_read_through_own_helpers_is_reachable(report: dict) -> None:  # type: ignore[type-arg]
    [f] = [f for f in _findings(report, PiReadAtStartup.id) if f["subject"]["id"] == APP]
    assert f["confidence"] == "reachable"
    why = f["evidence"][0]
    assert why["startup"] == "startup_path:com.example.app.App.onCreate"
    assert why["call_path"] == ["com.example.app.App.onCreate", "com.example.app.Boot.start", "com.example.app.Ids.imei"]  # fmt: skip


def test_contacts_read_from_platform_field_without_entry_path_is_present(report: dict) -> None:  # type: ignore[type-arg]
    found = [
        f
        for f in report["findings"]
        if f["subject"]["id"] == "mob-smssdk" and any(e.get("pi_type") == "contacts" for e in f["evidence"])
    ]
    assert found, [(f["rule"], f["subject"]["id"]) for f in report["findings"]]
    for f in found:
        assert f["confidence"] in ("present", "declared"), f
        site = next(e for e in f["evidence"] if e.get("api") == QUERY)
        assert site["args"] == ["content://com.android.contacts/data/phones"]


def test_sms_message_is_an_sms_read() -> None:
    pdu = CallSite("android.telephony.SmsMessage.createFromPdu", "cn.smssdk.gui.SmsReceiver", "onReceive")
    assert _types(pdu) == {"mob-smssdk": {"sms"}}


def test_sdk_read_without_entry_path_is_present_even_when_initialised_at_startup() -> None:
    from apprights.rules.t3_misuse.sdk_pi_to_third_party import SdkPiToThirdParty
    from apprights.testing.factories import make_sdk_hit

    kb = Knowledge.load()
    jpush = make_sdk_hit("jpush", knowledge=kb, init_at_startup=True)

    def run(site: CallSite, depth: int) -> Confidence:
        code = make_code([site])
        code.reach_depth = depth
        facts = make_facts(manifest=make_manifest(APP), code=code, sdks=[jpush])
        [f] = list(SdkPiToThirdParty().check(facts, _ctx()))
        return f.confidence

    orphan = CallSite(IMEI, "cn.jpush.android.util.b", "j", entry="")
    reached = CallSite(
        IMEI, "cn.jpush.android.util.b", "j", entry="com.example.app.App.onCreate", startup=True
    )
    assert run(orphan, 4) is Confidence.PRESENT
    assert run(reached, 4) is Confidence.REACHABLE
    # facts without the call graph keep the start-up judgement
    assert run(CallSite(IMEI, "cn.jpush.android.util.b", "j"), 0) is Confidence.REACHABLE


def test_policy_side_ignores_platform_library_reads_but_not_wrapper_callers() -> None:
    from apprights.rules._pol_common import static_pi_reads

    gms = CallSite(IMEI, "com.google.android.gms.common.util.DeviceInfo", "id")
    kotlin = CallSite(IMEI, "kotlinx.coroutines.internal.Probe", "id")
    via = CallSite(
        IMEI, "com.example.app.Ids", "imei", via="androidx.core.telephony.TelephonyManagerCompat.getImei"
    )
    facts = make_facts(manifest=make_manifest(APP), code=make_code([gms, kotlin]))
    assert static_pi_reads(facts, _ctx(), set()) == {}
    facts = make_facts(manifest=make_manifest(APP), code=make_code([gms, via]))
    reads = static_pi_reads(facts, _ctx(), set())
    assert [s.caller_class for s in reads["device_id"].sites] == ["com.example.app.Ids"]
