"""Which package strings count as another app's package or component in T6.starts_other_apps (pattern b)."""

from __future__ import annotations

import pytest

from apprights.rules.t6_autostart.starts_other_apps import StartsOtherApps
from apprights.testing.factories import activity, make_code, make_facts, make_manifest
from tests.rules.static_support import run

SET_PACKAGE = "android.content.Intent.setPackage"
CALLER = ("com.example.app.Share", "open")


def _findings(value: str, components=()):  # type: ignore[no-untyped-def]
    facts = make_facts(
        manifest=make_manifest("com.example.app", components=components),
        code=make_code([(SET_PACKAGE, *CALLER)], strings=[(value, "package", *CALLER)]),
    )
    return run(StartsOtherApps, facts)


@pytest.mark.parametrize(
    "value",
    [
        "com.chrome.beta",
        "com.other.app.ui.Home",
        "cn.other.vendor.MainActivity",
        "air.com.game.Main",
        "tv.other.player",
    ],
)
def test_other_apps_count(value: str) -> None:
    [f] = _findings(value)
    assert value in f.detail_en


@pytest.mark.parametrize(
    "value",
    [
        "com.example.app.ui.Main",  # the app's own package
        "com.google.android.gms",  # Play services: a platform service every GMS client binds to
        "com.google.android.gms.common.stats.GmsCoreStatsService",
        "com.google.android.gms.measurement.START",  # action constant
        "com.greenaddress.intent.action.RPC_PROCESSED",
        "com.facebook.platform.protocol.BRIDGE_ARGS",  # extra key
        "com.vendor.sdk.permission.MESSAGE",
        "com.vendor.intent.extra.payload",
        "com.google.android.apps.chrome.Main",  # Google's own apps and services
        "com.google.android.wearable.app",
        "com.xiaomi.xmsf",  # vendor push services an SDK binds to
        "com.huawei.hwid",
        "com.oppo.unsettledevent",
        "com.tencent.mm",  # share/login target the user picks, started from a screen
        "gcm.n.title",  # not package-shaped: a message key
        "google.c.a.e",
    ],
)
def test_own_platform_and_constant_strings_do_not_count(value: str) -> None:
    assert _findings(value) == []


def test_own_manifest_component_does_not_count() -> None:
    comp = activity("com.vendor.sdk.PushActivity")
    assert _findings("com.vendor.sdk.PushActivity", components=[comp]) == []
    assert len(_findings("com.vendor.sdk.PushActivity")) == 1  # not declared here: another app's component


def test_strings_in_platform_library_code_do_not_count() -> None:
    caller = ("com.google.firebase.iid.zzau", "zza")
    facts = make_facts(
        manifest=make_manifest("com.example.app"),
        code=make_code(
            [(SET_PACKAGE, *caller)], strings=[("com.google.example.invalidpackage", "package", *caller)]
        ),
    )
    assert run(StartsOtherApps, facts) == []
    other = make_facts(
        manifest=make_manifest("com.example.app"),
        code=make_code([(SET_PACKAGE, *caller)], strings=[("com.other.app", "package", *caller)]),
    )
    assert run(StartsOtherApps, other) == []


def test_classes_defined_in_the_apk_do_not_count() -> None:
    facts = make_facts(
        manifest=make_manifest("com.example.app"),
        code=make_code(
            [(SET_PACKAGE, *CALLER)],
            strings=[("com.vendor.sdk.Helper", "package", *CALLER)],
            defined_classes=[CALLER[0], "com.vendor.sdk.Helper"],
        ),
    )
    assert run(StartsOtherApps, facts) == []
