"""One built APK with several problems, through the real engine (extractors, packaged knowledge, every rule)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from apprights.knowledge import Knowledge
from apprights.testing.apkbuilder import build_apk
from apprights.testing.dexwriter import dex_with_calls

GET_DEVICE_ID = "Landroid/telephony/TelephonyManager;->getDeviceId()Ljava/lang/String;"
ENQUEUE = "Landroid/app/DownloadManager;->enqueue(Landroid/app/DownloadManager$Request;)J"


def test_triggers_static_rules_through_the_engine(tmp_path: Path) -> None:
    scan_mod = pytest.importorskip("apprights.engine.scan", reason="engine not available yet")
    pytest.importorskip("apprights.extractors.sdk", reason="SDK detector not available yet")
    kb = Knowledge.load()
    umeng = kb.sdks.match_class("com.umeng.commonsdk.DeviceConfig")
    ads = next((e for e in kb.sdks.entries if e.category == "ads" and e.prefixes), None)
    if umeng is None or ads is None:
        pytest.skip("the packaged SDK catalogue has no Umeng or ad SDK entry")
    ad_class = ads.prefixes[0].rstrip(".") + ".download.ApkLoader"
    manifest = """<manifest xmlns:android="http://schemas.android.com/apk/res/android" package="com.example.bad">
      <uses-sdk android:minSdkVersion="16" android:targetSdkVersion="22"/>
      <uses-permission android:name="android.permission.READ_CONTACTS"/>
      <uses-permission android:name="android.permission.READ_PHONE_STATE"/>
      <uses-permission android:name="android.permission.RECEIVE_BOOT_COMPLETED"/>
      <application android:label="Bad">
        <activity android:name=".Main" android:exported="true"/>
        <receiver android:name="com.umeng.commonsdk.BootReceiver">
          <intent-filter><action android:name="android.intent.action.BOOT_COMPLETED"/></intent-filter>
        </receiver>
        <provider android:name="com.umeng.commonsdk.UMInitProvider" android:authorities="com.example.bad.um"/>
      </application>
    </manifest>"""
    dex = dex_with_calls(
        [
            ("com.umeng.commonsdk.BootReceiver", "onReceive", GET_DEVICE_ID),
            (ad_class, "start", ENQUEUE),
        ],
        strings=[(ad_class, "start", "application/vnd.android.package-archive")],
        superclasses={
            "com.umeng.commonsdk.BootReceiver": "android.content.BroadcastReceiver",
            "com.umeng.commonsdk.UMInitProvider": "android.content.ContentProvider",
            "com.example.bad.Main": "android.app.Activity",
        },
    )
    apk = build_apk(tmp_path / "bad.apk", manifest, [dex])
    result = scan_mod.scan(scan_mod.ScanRequest(apk=apk, category="新闻资讯类"), kb)
    report = json.loads(json.dumps(result.report, ensure_ascii=False))
    assert not report["errors"], report["errors"]
    found = {(f["rule"], f["subject"]["id"]) for f in report["findings"]}
    for also in report["findings"]:
        found |= {(r, also["subject"]["id"]) for r in also.get("also_rules", [])}
    umeng_hit = next(s["id"] for s in report["sdks"] if s["id"].startswith("umeng"))
    expected = {
        ("T5.target_sdk_below_23", "com.example.bad"),
        ("T6.self_start_receiver", umeng_hit),
        ("T1.pi_read_at_startup", umeng_hit),
        ("T3.sdk_pi_to_third_party", umeng_hit),
        ("T2.pi_outside_category", umeng_hit),
        ("T7.download_install_capability", ads.id),
    }
    assert expected <= found, sorted(found)
    unused = [f for f in report["findings"] if f["rule"] == "T5.unused_dangerous_permission"]
    assert [f["key"] for f in unused] == ["android.permission.READ_CONTACTS"]


def _scan_shared(name: str, category: str | None = "新闻资讯类"):  # type: ignore[no-untyped-def]
    from tests.conftest import shared_path

    path = shared_path("apks", name)
    scan_mod = pytest.importorskip("apprights.engine.scan", reason="engine not available yet")
    pytest.importorskip("apprights.extractors.sdk", reason="SDK detector not available yet")
    return scan_mod.scan(scan_mod.ScanRequest(apk=path, category=category), Knowledge.load())


def test_triggers_on_real_droidbench_imei_leak() -> None:
    """DroidBench IMEI1 reads the IMEI in its main activity: outside any category's necessary set."""
    result = _scan_shared("droidbench__IMEI1.apk")
    hits = [
        f for f in result.run.findings if f.rule == "T2.pi_outside_category" and f.key.endswith(":device_id")
    ]
    assert hits and hits[0].subject.kind.value == "app"
    assert any(e.data.get("api", "").endswith("TelephonyManager.getDeviceId") for e in hits[0].evidence)
    assert any(f.rule == "T5.target_sdk_below_23" for f in result.run.findings)


def test_clean_real_apps_raise_no_rule_errors() -> None:
    from tests.conftest import shared_path

    folder = shared_path("apks")
    scan_mod = pytest.importorskip("apprights.engine.scan", reason="engine not available yet")
    pytest.importorskip("apprights.extractors.sdk", reason="SDK detector not available yet")
    from apprights.errors import InputError

    kb = Knowledge.load()
    scanned = 0
    for apk in sorted(folder.glob("*.apk")):
        try:
            result = scan_mod.scan(scan_mod.ScanRequest(apk=apk, category="地图导航类"), kb)
        except InputError:
            continue  # the corpus holds deliberately invalid APKs
        scanned += 1
        assert result.run.errors == [], (apk.name, result.run.errors)
        for f in result.run.findings:  # no trace given: nothing may claim to be observed
            assert f.confidence.value not in ("observed", "observed_in_violation"), (apk.name, f.rule)
    assert scanned >= 10
