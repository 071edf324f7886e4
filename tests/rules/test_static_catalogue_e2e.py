"""Built APKs through the real engine with the packaged catalogue: the APIs the static rules look for are found
by the real DEX scan (no test-only scanner targets), and SDK initialisation from Application.onCreate is seen."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from apprights.engine.scan import ScanRequest, scan
from apprights.knowledge import Knowledge
from apprights.testing.apkbuilder import build_apk
from apprights.testing.dexwriter import dex_with_calls

PKG = "com.example.e2e"
SET_PERSISTED = "Landroid/app/job/JobInfo$Builder;->setPersisted(Z)Landroid/app/job/JobInfo$Builder;"
SET_PERIODIC = "Landroid/app/job/JobInfo$Builder;->setPeriodic(J)Landroid/app/job/JobInfo$Builder;"
ENQUEUE_JOB = (
    "Landroid/app/job/JobScheduler;->enqueue(Landroid/app/job/JobInfo;Landroid/app/job/JobWorkItem;)I"
)
SET_PACKAGE = "Landroid/content/Intent;->setPackage(Ljava/lang/String;)Landroid/content/Intent;"
SEND_BROADCAST = "Landroid/content/Context;->sendBroadcast(Landroid/content/Intent;)V"
COMPONENT = "Landroid/content/ComponentName;-><init>(Ljava/lang/String;Ljava/lang/String;)V"
FOR_RESULT = "Landroid/app/Activity;->startActivityForResult(Landroid/content/Intent;I)V"
INSTALL = "Landroid/content/pm/PackageManager;->installPackage(Landroid/net/Uri;Ljava/lang/Object;ILjava/lang/String;)V"
GET_DEVICE_ID = "Landroid/telephony/TelephonyManager;->getDeviceId()Ljava/lang/String;"
UM_INIT = "Lcom/umeng/commonsdk/UMConfigure;->init(Landroid/content/Context;)V"


def _manifest(app_class: str | None = None) -> str:
    app = f' android:name="{app_class}"' if app_class else ""
    return f"""<manifest xmlns:android="http://schemas.android.com/apk/res/android" package="{PKG}">
      <uses-sdk android:minSdkVersion="21" android:targetSdkVersion="30"/>
      <uses-permission android:name="android.permission.READ_PHONE_STATE"/>
      <application android:label="E2E"{app}>
        <activity android:name=".Main" android:exported="true">
          <intent-filter>
            <action android:name="android.intent.action.MAIN"/>
            <category android:name="android.intent.category.LAUNCHER"/>
          </intent-filter>
        </activity>
      </application>
    </manifest>"""


def _scan(tmp_path: Path, dex: bytes, app_class: str | None = None) -> dict[str, Any]:
    apk = build_apk(tmp_path / "e2e.apk", _manifest(app_class), [dex])
    result = scan(ScanRequest(apk=apk, category="新闻资讯类"), Knowledge.load())
    report: dict[str, Any] = json.loads(json.dumps(result.report, ensure_ascii=False))
    assert not report["errors"], report["errors"]
    return report


def _found(report: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for f in report["findings"]:
        for rule in [f["rule"], *f.get("also_rules", [])]:
            out.setdefault((rule, f["subject"]["id"]), f)
    return out


def _apis(finding: dict[str, Any]) -> set[str]:
    return {str(e["api"]) for e in finding["evidence"] if e.get("api")}


def test_catalogue_apis_reach_the_rules(tmp_path: Path) -> None:
    dex = dex_with_calls(
        [
            (f"{PKG}.Sync", "schedule", SET_PERSISTED),
            (f"{PKG}.Sync", "schedule", SET_PERIODIC),
            (f"{PKG}.Sync", "schedule", ENQUEUE_JOB),
            (f"{PKG}.Waker", "wake", SET_PACKAGE),
            (f"{PKG}.Waker", "wake", SEND_BROADCAST),
            (f"{PKG}.Waker", "open", COMPONENT),
            (f"{PKG}.Main", "pick", FOR_RESULT),
            (f"{PKG}.Updater", "install", INSTALL),
        ],
        strings=[
            (f"{PKG}.Waker", "wake", "com.other.shopping"),
            (f"{PKG}.Waker", "open", "com.other.video"),
            (f"{PKG}.Main", "pick", "com.other.gallery"),
        ],
        superclasses={f"{PKG}.Main": "android.app.Activity"},
    )
    report = _scan(tmp_path, dex)
    found = _found(report)

    job = found.get(("T6.persisted_job", PKG))
    assert job is not None, sorted(found)
    assert {
        "android.app.job.JobInfo$Builder.setPersisted",
        "android.app.job.JobInfo$Builder.setPeriodic",
        "android.app.job.JobScheduler.enqueue",
    } <= _apis(job)

    starts = found.get(("T6.starts_other_apps", PKG))
    assert starts is not None, sorted(found)
    assert {
        "android.content.Intent.setPackage",
        "android.content.Context.sendBroadcast",
        "android.content.ComponentName.<init>",
        "android.app.Activity.startActivityForResult",
    } <= _apis(starts)
    strings = {e.get("string") for e in starts["evidence"]}
    assert {"com.other.shopping", "com.other.video", "com.other.gallery"} <= strings
    assert starts["confidence"] == "reachable"  # Main is a manifest component

    install = found.get(("T7.download_install_capability", PKG))
    assert install is not None, sorted(found)
    assert "android.content.pm.PackageManager.installPackage" in _apis(install)

    # the new start/schedule/download entries never count as collecting PI
    assert not any(rule == "T1.pi_read_at_startup" for rule, _ in found)
    assert not any(rule == "T2.installed_apps_read" for rule, _ in found)


def _umeng_dex(init_method: str) -> bytes:
    return dex_with_calls(
        [
            (f"{PKG}.App", init_method, UM_INIT),
            ("com.umeng.commonsdk.UMConfigure", "init", GET_DEVICE_ID),
        ],
        superclasses={f"{PKG}.App": "android.app.Application", f"{PKG}.Main": "android.app.Activity"},
    )


def test_sdk_initialised_in_application_on_create_reads_pi_at_startup(tmp_path: Path) -> None:
    report = _scan(tmp_path, _umeng_dex("onCreate"), app_class=".App")
    um = next(s for s in report["sdks"] if s["id"] == "umeng-common")
    assert um["used"] and um["init_at_startup"]
    t1 = _found(report).get(("T1.pi_read_at_startup", "umeng-common"))
    assert t1 is not None, sorted(_found(report))
    assert t1["confidence"] == "reachable"
    why = t1["evidence"][0]
    assert why["startup"] == "init_at_startup"
    assert why["startup_calls"] == [
        f"Application {PKG}.App.onCreate calls com.umeng.commonsdk.UMConfigure.init"
    ]


def test_sdk_initialised_after_consent_is_not_a_startup_read(tmp_path: Path) -> None:
    report = _scan(tmp_path, _umeng_dex("initAfterConsent"), app_class=".App")
    um = next(s for s in report["sdks"] if s["id"] == "umeng-common")
    assert um["used"] and not um["init_at_startup"]
    assert ("T1.pi_read_at_startup", "umeng-common") not in _found(report)
