from __future__ import annotations

from pathlib import Path

from apprights.model.finding import Confidence, SubjectKind
from apprights.rules.t5_permissions.target_sdk_below_23 import TargetSdkBelow23
from apprights.testing.apkbuilder import build_apk
from apprights.testing.dexwriter import DexClass, write_dex
from apprights.testing.factories import make_facts, make_manifest
from tests.rules.static_support import P, facts_from_apk, only, run, static_kb


def manifest(target: int, *perms: str, min_sdk: int = 19):  # type: ignore[no-untyped-def]
    return make_manifest(
        "com.example.old", permissions=perms, target_sdk=target, min_sdk=min_sdk, knowledge=static_kb()
    )


def test_triggers_for_target_22_with_a_dangerous_permission() -> None:
    f = only(run(TargetSdkBelow23, make_facts(manifest=manifest(22, "READ_CONTACTS", "INTERNET"))))
    assert f.rule == "T5.target_sdk_below_23" and f.problem_type == 5
    assert f.confidence is Confidence.DECLARED
    assert f.subject.kind is SubjectKind.APP and f.subject.id == "com.example.old"
    assert f.evidence[0].source == "manifest"
    assert f.evidence[0].data["dangerous_permissions"] == [P + "READ_CONTACTS"]
    assert f.evidence[0].data["effective_target_sdk"] == 22


def test_triggers_when_target_undeclared_and_min_sdk_low() -> None:
    f = only(run(TargetSdkBelow23, make_facts(manifest=manifest(0, "READ_PHONE_STATE", min_sdk=15))))
    assert f.evidence[0].data["effective_target_sdk"] == 15


def test_key_is_stable_across_versions() -> None:
    a = only(run(TargetSdkBelow23, make_facts(manifest=manifest(21, "READ_CONTACTS"))))
    b = only(run(TargetSdkBelow23, make_facts(manifest=manifest(22, "READ_CONTACTS", "CAMERA"))))
    assert a.fingerprint == b.fingerprint


def test_clean_target_23_or_no_dangerous_permission() -> None:
    assert run(TargetSdkBelow23, make_facts(manifest=manifest(23, "READ_CONTACTS"))) == []
    assert run(TargetSdkBelow23, make_facts(manifest=manifest(22, "INTERNET"))) == []


def test_clean_below_a_lowered_threshold_option() -> None:
    facts = make_facts(manifest=manifest(22, "READ_CONTACTS"))
    assert run(TargetSdkBelow23, facts, **{"T5.target_sdk_below_23": {"min_target_sdk": 21}}) == []


MANIFEST_22 = """<manifest xmlns:android="http://schemas.android.com/apk/res/android" package="com.example.old"
    android:versionCode="3" android:versionName="1.0">
  <uses-sdk android:minSdkVersion="16" android:targetSdkVersion="22"/>
  <uses-permission android:name="android.permission.READ_CONTACTS"/>
  <uses-permission android:name="android.permission.INTERNET"/>
  <application android:label="Old"><activity android:name=".Main"/></application>
</manifest>"""


def test_triggers_end_to_end_on_a_built_apk(tmp_path: Path) -> None:
    main = DexClass("com.example.old.Main", superclass="android.app.Activity")
    main.add_constructor()
    apk = build_apk(tmp_path / "old.apk", MANIFEST_22, [write_dex([main])])
    facts = facts_from_apk(apk)
    f = only(run(TargetSdkBelow23, facts))
    assert f.subject.id == "com.example.old"
    assert f.evidence[0].data["dangerous_permissions"] == [P + "READ_CONTACTS"]


def test_triggers_on_permissions_granted_implicitly_to_a_very_old_target(tmp_path: Path) -> None:
    # targetSdk 3 and only INTERNET requested: Android still grants READ_PHONE_STATE and storage at install
    xml = (
        '<manifest xmlns:android="http://schemas.android.com/apk/res/android" package="com.example.old">'
        '<uses-sdk android:minSdkVersion="3" android:targetSdkVersion="3"/>'
        '<uses-permission android:name="android.permission.INTERNET"/>'
        '<application android:label="Old"><activity android:name=".Main" android:exported="true"/></application>'
        "</manifest>"
    )
    main = DexClass("com.example.old.Main", superclass="android.app.Activity")
    main.add_constructor()
    facts = facts_from_apk(build_apk(tmp_path / "old.apk", xml, [write_dex([main])]))
    f = only(run(TargetSdkBelow23, facts))
    data = f.evidence[0].data
    assert P + "READ_PHONE_STATE" in data["dangerous_permissions"]
    assert P + "READ_PHONE_STATE" in data["implicit_permissions"]
