from __future__ import annotations

from pathlib import Path

from apprights.model.finding import Confidence, Severity, SubjectKind
from apprights.rules.t7_download.download_install import DownloadInstallCapability
from apprights.testing.apkbuilder import build_apk
from apprights.testing.dexwriter import Code, DexClass, write_dex
from apprights.testing.factories import make_code, make_facts, make_manifest, make_sdk_hit
from tests.rules.static_support import ADS_SDK, LOCAL_SDK, facts_from_apk, only, run, static_kb

ENQUEUE = "android.app.DownloadManager.enqueue"
MIME = "application/vnd.android.package-archive"


def facts(sites=(), strings=(), perms=(), sdks=()):  # type: ignore[no-untyped-def]
    return make_facts(
        manifest=make_manifest("com.example.app", permissions=perms),
        code=make_code(sites, strings=strings),
        sdks=sdks,
    )


def test_triggers_ad_sdk_download() -> None:
    sdk = make_sdk_hit(ADS_SDK.id, knowledge=static_kb())
    f = only(
        run(
            DownloadInstallCapability,
            facts([(ENQUEUE, "com.apprightstest.ads.dl.Loader", "start")], sdks=[sdk]),
        )
    )
    assert f.rule == "T7.download_install_capability" and f.problem_type == 7
    assert f.subject.kind is SubjectKind.SDK and f.subject.id == ADS_SDK.id
    assert f.confidence is Confidence.PRESENT and f.severity is Severity.MEDIUM
    assert f.evidence[0].data["api"] == ENQUEUE


def test_triggers_app_install_capability_low() -> None:
    f = only(
        run(
            DownloadInstallCapability,
            facts(
                strings=[(MIME, "apk_mime", "com.example.app.Update", "install")],
                perms=["REQUEST_INSTALL_PACKAGES"],
            ),
        )
    )
    assert f.subject.kind is SubjectKind.APP and f.severity is Severity.LOW
    assert {e.source for e in f.evidence} == {"dex", "manifest"}


def test_triggers_declared_permission_only() -> None:
    f = only(run(DownloadInstallCapability, facts(perms=["REQUEST_INSTALL_PACKAGES"])))
    assert f.confidence is Confidence.DECLARED


def test_clean_plain_downloads_and_non_ad_sdks() -> None:
    assert run(DownloadInstallCapability, facts([(ENQUEUE, "com.example.app.Files", "save")])) == []
    local = make_sdk_hit(LOCAL_SDK.id, knowledge=static_kb())
    assert (
        run(DownloadInstallCapability, facts([(ENQUEUE, "com.apprightstest.local.D", "get")], sdks=[local]))
        == []
    )


MANIFEST = """<manifest xmlns:android="http://schemas.android.com/apk/res/android" package="com.example.game">
  <uses-sdk android:minSdkVersion="21" android:targetSdkVersion="30"/>
  <uses-permission android:name="android.permission.INTERNET"/>
  <application android:label="Game"><activity android:name=".Main" android:exported="true"/></application>
</manifest>"""


def test_triggers_end_to_end_ad_sdk_download_manager(tmp_path: Path) -> None:
    loader = DexClass("com.apprightstest.ads.dl.Loader")
    loader.add_constructor()
    loader.add_method(
        "start",
        "(Landroid/app/DownloadManager;Landroid/app/DownloadManager$Request;)V",
        code=Code()
        .const_string(0, MIME)
        .invoke_virtual(
            "Landroid/app/DownloadManager;->enqueue(Landroid/app/DownloadManager$Request;)J", [2, 3]
        )
        .return_void(),
    )
    main = DexClass("com.example.game.Main", superclass="android.app.Activity")
    main.add_constructor()
    apk = build_apk(tmp_path / "game.apk", MANIFEST, [write_dex([loader, main])])
    fx = facts_from_apk(apk)
    f = only(run(DownloadInstallCapability, fx))
    assert f.subject.id == ADS_SDK.id
    assert {e.data.get("api") or e.data.get("string") for e in f.evidence} == {ENQUEUE, MIME}
