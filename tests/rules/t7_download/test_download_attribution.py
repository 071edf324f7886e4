"""T7 download/install capability is the owning ad/distribution SDK's, and one permission is one finding."""

from __future__ import annotations

from apprights.model.finding import Confidence, Severity
from apprights.rules.t7_download.download_install import DownloadInstallCapability
from apprights.testing.factories import make_code, make_facts, make_manifest, make_sdk_hit, service
from tests.rules.static_support import only, run, static_kb

MIME = "application/vnd.android.package-archive"
PERM = "REQUEST_INSTALL_PACKAGES"


def facts(sites=(), strings=(), perms=(), sdks=(), components=(), classes=None):  # type: ignore[no-untyped-def]
    return make_facts(
        manifest=make_manifest("com.example.app", permissions=perms, components=components),
        code=make_code(sites, strings=strings, defined_classes=classes),
        sdks=sdks,
    )


def test_permission_goes_to_the_sdk_that_installs_not_also_to_the_app() -> None:
    # regression (Bugly demo): the upgrade SDK's install and the permission gave a second, app-level finding
    sdk = make_sdk_hit("tencent-bugly-upgrade", knowledge=static_kb())
    f = only(
        run(
            DownloadInstallCapability,
            facts(
                strings=[(MIME, "apk_mime", "com.tencent.bugly.beta.global.a", "a")], perms=[PERM], sdks=[sdk]
            ),
        )
    )
    assert f.subject.id == "tencent-bugly-upgrade" and f.severity is Severity.MEDIUM
    assert any(e.data.get("permission") for e in f.evidence)


def test_install_action_string_of_a_distribution_sdk() -> None:
    # regression (MobPush demo): Huawei's update SDK installs with the INSTALL_PACKAGE action, not the MIME type
    sdk = make_sdk_hit("huawei-updatesdk", knowledge=static_kb())
    cls = "com.huawei.updatesdk.support.pm.PackageInstallerActivity"
    f = only(
        run(
            DownloadInstallCapability,
            facts(
                strings=[("android.intent.action.INSTALL_PACKAGE", "action", cls, "a")],
                perms=[PERM],
                sdks=[sdk],
            ),
        )
    )
    assert f.subject.id == "huawei-updatesdk"


def test_hms_ads_download_button_is_the_ad_sdks() -> None:
    sdk = make_sdk_hit("huawei-ads", knowledge=static_kb())
    button = "com.huawei.hms.ads.AppDownloadButton"
    f = only(run(DownloadInstallCapability, facts(sdks=[sdk], classes=[button, "com.example.app.Main"])))
    assert f.subject.id == "huawei-ads" and f.evidence[0].data["class"] == button


def test_download_services_of_umeng_exchange_and_xg() -> None:
    kb = static_kb()
    umeng = make_sdk_hit(
        "umeng-exchange", knowledge=kb, components=["com.umeng.common.net.DownloadingService"]
    )
    xg = make_sdk_hit("tencent-tpns", knowledge=kb)
    found = run(
        DownloadInstallCapability,
        facts(
            sdks=[umeng, xg],
            components=[
                service("com.umeng.common.net.DownloadingService"),
                service("com.tencent.android.tpush.XGDownloadService"),
            ],
        ),
    )
    assert sorted(f.subject.id for f in found) == ["tencent-tpns", "umeng-exchange"]
    assert all(f.confidence is Confidence.DECLARED for f in found)


def test_permission_alone_stays_a_low_app_finding() -> None:
    f = only(run(DownloadInstallCapability, facts(perms=[PERM])))
    assert f.subject.id == "com.example.app" and f.severity is Severity.LOW
