"""False positives found judging the unjudged findings of the MobPush demo (regression tests built with
``apprights.testing``):

- HMS's ``AaidUtils.getSign`` calls ``getInstalledPackages`` and walks the list only to find its own package's
  signing certificate: not evidence that the list is collected. A method that also reads package signatures
  (``Signature.toCharsString``/``toByteArray``) gives a low finding noted ``signature_lookup`` (never none: a
  collector could hide behind the pattern).
- An SDK whose only reads are catalogue ``weak`` APIs (the external-storage path, the operator's country) is a
  lead: low, noted ``weak_only``.
- ``T1.pi_read_at_startup`` without a call path from start-up code to a read (``present``) is low: its claim
  is about *when* the SDK reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from apprights.knowledge import Knowledge
from apprights.model.facts import CallSite
from apprights.model.finding import Confidence, Severity
from apprights.rules.base import RuleContext
from apprights.rules.t1_collect.pi_read_at_startup import PiReadAtStartup
from apprights.rules.t3_misuse.sdk_pi_to_third_party import SdkPiToThirdParty
from apprights.testing.apkbuilder import build_apk
from apprights.testing.dexwriter import ACC_PUBLIC, ACC_STATIC, Code, DexClass, write_dex
from apprights.testing.factories import make_code, make_facts, make_manifest, make_sdk_hit

STATIC = ACC_PUBLIC | ACC_STATIC
INSTALLED = "Landroid/content/pm/PackageManager;->getInstalledPackages(I)Ljava/util/List;"
TO_CHARS = "Landroid/content/pm/Signature;->toCharsString()Ljava/lang/String;"
APP = "com.example.app"
MANIFEST = """<manifest xmlns:android="http://schemas.android.com/apk/res/android" package="com.example.app"
  android:versionCode="1" android:versionName="1.0">
  <uses-sdk android:minSdkVersion="21" android:targetSdkVersion="30"/>
  <application android:label="Demo">
    <activity android:name="com.example.app.Main" android:exported="true">
      <intent-filter><action android:name="android.intent.action.MAIN"/>
        <category android:name="android.intent.category.LAUNCHER"/></intent-filter>
    </activity>
  </application>
</manifest>"""


def _apk(tmp: Path) -> Path:
    # HMS: the list walked to find a signature (as com.huawei.hms.aaid.c.a.a does in the MobPush demo)
    hms = DexClass("com.huawei.hms.aaid.c.a")
    hms.add_method(
        "a",
        "(Landroid/content/pm/PackageManager;Landroid/content/pm/Signature;)V",
        code=Code().invoke_virtual(INSTALLED, [0, 2]).invoke_virtual(TO_CHARS, [1]).return_void(),
        access=STATIC,
    )
    # the app itself collecting the list: stays medium
    apps = DexClass("com.example.app.Apps")
    apps.add_method(
        "all", "(Landroid/content/pm/PackageManager;)V", code=Code().invoke_virtual(INSTALLED, [0, 1]).return_void(), access=STATIC
    )  # fmt: skip
    main = DexClass("com.example.app.Main", superclass="android.app.Activity")
    main.add_constructor()
    return build_apk(tmp / "sig.apk", MANIFEST, [write_dex([hms, apps, main])])


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict:  # type: ignore[type-arg]
    from apprights.engine.scan import ScanRequest, scan

    path = _apk(tmp_path_factory.mktemp("apk"))
    return scan(ScanRequest(apk=path, category="新闻资讯类"), Knowledge.load()).report


def test_a_walk_over_the_packages_for_a_signature_is_low(report: dict) -> None:  # type: ignore[type-arg]
    found = {f["subject"]["id"]: f for f in report["findings"] if f["rule"] == "T2.installed_apps_read"}
    hms = [f for sid, f in found.items() if sid.startswith("huawei")]
    assert len(hms) == 1, sorted(found)
    assert hms[0]["severity"] == "low"
    (site,) = [e for e in hms[0]["evidence"] if e.get("api", "").endswith("getInstalledPackages")]
    assert "signing certificate" in site["signature_lookup"]
    assert found[APP]["severity"] == "medium"  # the same call without a signature read: the list
    assert not any("signature_lookup" in e for e in found[APP]["evidence"])
    # the scanner found the signature read it judged by, as a call site of its own
    sites = {(c["api"], c["caller_class"]) for c in report["code"]["call_sites"]}
    assert ("android.content.pm.Signature.toCharsString", "com.huawei.hms.aaid.c.a") in sites


def _ctx() -> RuleContext:
    return RuleContext(Knowledge.load(), {})


def test_an_sdk_reading_only_weak_apis_is_a_low_lead() -> None:
    kb = Knowledge.load()
    vivo = make_sdk_hit("vivo-push", knowledge=kb)
    storage = CallSite(
        "android.os.Environment.getExternalStorageDirectory", "com.vivo.push.util.t", "<clinit>"
    )
    facts = make_facts(manifest=make_manifest(APP), code=make_code([storage]), sdks=[vivo])
    [f] = list(SdkPiToThirdParty().check(facts, _ctx()))
    assert f.severity is Severity.LOW and "weak_only" in f.evidence[0].data
    # one read that is evidence on its own makes it medium again
    imei = CallSite("android.telephony.TelephonyManager.getDeviceId", "com.vivo.push.util.t", "id")
    facts = make_facts(manifest=make_manifest(APP), code=make_code([storage, imei]), sdks=[vivo])
    [f] = list(SdkPiToThirdParty().check(facts, _ctx()))
    assert f.severity is Severity.MEDIUM and "weak_only" not in f.evidence[0].data


def test_startup_read_without_a_call_path_is_low() -> None:
    kb = Knowledge.load()
    mobpush = make_sdk_hit("mob-push", knowledge=kb, init_at_startup=True)
    loc = "android.location.LocationManager.getLastKnownLocation"

    def run(site: CallSite) -> tuple[Confidence, Severity]:
        code = make_code([site])
        code.reach_depth = 4
        [f] = list(
            PiReadAtStartup().check(
                make_facts(manifest=make_manifest(APP), code=code, sdks=[mobpush]), _ctx()
            )
        )
        return f.confidence, f.severity

    assert run(CallSite(loc, "com.mob.pushsdk.biz.a$1", "a", entry="")) == (Confidence.PRESENT, Severity.LOW)
    reached = CallSite(
        loc, "com.mob.pushsdk.biz.a$1", "a", entry="com.example.app.App.onCreate", startup=True
    )
    assert run(reached) == (Confidence.REACHABLE, Severity.MEDIUM)
