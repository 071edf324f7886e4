from __future__ import annotations

from pathlib import Path

from apprights.model.finding import Confidence, SubjectKind
from apprights.rules.t5_permissions.unused_dangerous_permission import UnusedDangerousPermission
from apprights.testing.apkbuilder import build_apk
from apprights.testing.dexwriter import Code, DexClass, write_dex
from apprights.testing.factories import make_code, make_facts, make_manifest, make_sdk_hit
from tests.rules.static_support import (
    CONTACTS_API,
    DEVICE_ID_API,
    PUSH_SDK,
    P,
    facts_from_apk,
    run,
    static_kb,
)


def facts(perms, call_sites=(), strings=(), sdks=()):  # type: ignore[no-untyped-def]
    return make_facts(
        manifest=make_manifest("com.example.app", permissions=perms, knowledge=static_kb()),
        code=make_code(call_sites, strings=strings),
        sdks=sdks,
    )


def test_triggers_for_contacts_permission_without_contacts_code() -> None:
    found = run(
        UnusedDangerousPermission,
        facts(["READ_CONTACTS", "READ_PHONE_STATE"], [(DEVICE_ID_API, "com.example.app.Main", "onCreate")]),
    )
    assert [f.key for f in found] == [P + "READ_CONTACTS"]
    f = found[0]
    assert f.rule == "T5.unused_dangerous_permission" and f.severity.value == "low"
    assert f.confidence is Confidence.DECLARED and f.subject.kind is SubjectKind.APP
    assert f.evidence[0].data["permission"] == P + "READ_CONTACTS"
    assert CONTACTS_API in f.evidence[0].data["looked_for_apis"]


def test_clean_when_code_uses_the_permission() -> None:
    used = facts(
        ["READ_CONTACTS"],
        [(CONTACTS_API, "com.example.app.Contacts", "load")],
        strings=[("content://com.android.contacts/data", "content_uri", "com.example.app.Contacts", "load")],
    )
    assert run(UnusedDangerousPermission, used) == []


def test_clean_when_a_detected_sdk_is_known_to_need_it() -> None:
    sdk = make_sdk_hit(PUSH_SDK.id, knowledge=static_kb())  # catalogue: collects device_id
    assert run(UnusedDangerousPermission, facts(["READ_PHONE_STATE"], sdks=[sdk])) == []


def test_clean_for_skipped_and_normal_permissions() -> None:
    assert run(UnusedDangerousPermission, facts(["WRITE_EXTERNAL_STORAGE", "INTERNET"])) == []


MANIFEST = """<manifest xmlns:android="http://schemas.android.com/apk/res/android" package="com.example.app">
  <uses-sdk android:minSdkVersion="21" android:targetSdkVersion="30"/>
  <uses-permission android:name="android.permission.READ_CONTACTS"/>
  <uses-permission android:name="android.permission.READ_PHONE_STATE"/>
  <application android:label="App"><activity android:name=".Main" android:exported="true"/></application>
</manifest>"""


def test_triggers_end_to_end_on_a_built_apk(tmp_path: Path) -> None:
    main = DexClass("com.example.app.Main", superclass="android.app.Activity")
    main.add_constructor()
    code = (
        Code()
        .invoke_virtual("Landroid/telephony/TelephonyManager;->getDeviceId()Ljava/lang/String;", [1])
        .return_void()
    )
    main.add_method("imei", "(Landroid/telephony/TelephonyManager;)V", code=code)
    apk = build_apk(tmp_path / "app.apk", MANIFEST, [write_dex([main])])
    found = run(UnusedDangerousPermission, facts_from_apk(apk))
    assert [f.key for f in found] == [P + "READ_CONTACTS"]


def test_clean_when_code_the_scan_cannot_see_could_use_it() -> None:
    # regression: a packed app (加固) or one with native code was told READ_CONTACTS is unused
    for hidden, native in ((["packer:360加固 (Qihoo Jiagu)"], []), ([], ["lib/arm64-v8a/libnative.so"])):
        f = facts(["READ_CONTACTS"])
        assert f.apk is not None
        f.apk.hidden_code, f.apk.native_libs = hidden, native
        assert run(UnusedDangerousPermission, f) == []


def test_clean_when_reflection_names_an_api_needing_it() -> None:
    f = facts(["READ_PHONE_STATE"], strings=[("getDeviceId", "reflection", "com.example.app.Util", "id")])
    assert run(UnusedDangerousPermission, f) == []
    assert run(UnusedDangerousPermission, facts(["READ_PHONE_STATE"]))  # it does fire without the reflection
