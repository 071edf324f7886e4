"""adb layer: parsers of real-format outputs and device selection."""

from __future__ import annotations

import pytest

from apprights.collect.adb import (
    Adb,
    AdbError,
    CommandResult,
    NoDeviceError,
    PermissionState,
    check_package,
    parse_current_focus,
    parse_devices,
    parse_packages,
    parse_resolved_activity,
    parse_runtime_permissions,
    permission_results,
    subprocess_runner,
)
from tests.collect.replay import ReplayRunner, fixture


def test_parse_devices() -> None:
    assert parse_devices(fixture("adb", "devices_none.txt")) == []
    assert parse_devices(fixture("adb", "devices_mixed.txt")) == [
        ("emulator-5554", "device"),
        ("0123456789ABCDEF", "unauthorized"),
        ("R58M12ABCDE", "device"),
    ]


def test_select_device() -> None:
    adb = Adb(ReplayRunner([("devices", [fixture("adb", "devices_one.txt")])]))
    assert adb.select_device() == "emulator-5554" and adb.serial == "emulator-5554"
    with pytest.raises(NoDeviceError, match=r"^adb: no device connected"):
        Adb(ReplayRunner([("devices", [fixture("adb", "devices_none.txt")])])).select_device()
    with pytest.raises(NoDeviceError, match="several devices"):
        Adb(ReplayRunner([("devices", [fixture("adb", "devices_mixed.txt")])])).select_device()
    with pytest.raises(NoDeviceError, match="unauthorized"):
        Adb(
            ReplayRunner([("devices", [fixture("adb", "devices_mixed.txt")])]), serial="0123456789ABCDEF"
        ).select_device()
    adb = Adb(ReplayRunner([("devices", [fixture("adb", "devices_mixed.txt")])]), serial="R58M12ABCDE")
    assert adb.select_device() == "R58M12ABCDE"


def test_serial_and_shell_quoting_reach_the_command_line() -> None:
    runner = ReplayRunner([])
    adb = Adb(runner, adb="/opt/adb", serial="emulator-5554")
    adb.shell("am", "broadcast", "-a", "x y;reboot")
    assert runner.calls[-1] == ["/opt/adb", "-s", "emulator-5554", "shell", "am broadcast -a 'x y;reboot'"]


def test_failed_command_messages() -> None:
    adb = Adb(ReplayRunner([("shell", [CommandResult(1, "", "adb: no devices/emulators found")])]))
    with pytest.raises(NoDeviceError, match=r"^adb: no device"):
        adb.shell("id")
    adb = Adb(ReplayRunner([("shell", [CommandResult(255, "", "error: closed")])]))
    with pytest.raises(AdbError, match="failed: error: closed"):
        adb.shell("id")


def test_missing_adb_executable() -> None:
    with pytest.raises(AdbError, match=r"^adb: command not found"):
        subprocess_runner(["/nonexistent/adb", "devices"], 5)


def test_install_failure_is_reported() -> None:
    from pathlib import Path

    adb = Adb(
        ReplayRunner(
            [
                (
                    "install",
                    [
                        CommandResult(
                            1,
                            "Performing Streamed Install\n",
                            "adb: failed to install x.apk: Failure [INSTALL_FAILED_OLDER_SDK: Requires newer sdk version #33 (current version is #30)]\n",
                        )
                    ],
                )
            ]
        )
    )
    with pytest.raises(AdbError, match="INSTALL_FAILED_OLDER_SDK"):
        adb.install(Path("x.apk"))
    Adb(ReplayRunner([("install", ["Performing Streamed Install\nSuccess\n"])])).install(Path("x.apk"))


def test_small_parsers() -> None:
    assert parse_packages("package:com.a\npackage:com.b.c\nnoise\n") == {"com.a", "com.b.c"}
    assert (
        parse_resolved_activity(fixture("adb", "resolve_activity.txt")) == "com.example.news/.SplashActivity"
    )
    assert parse_resolved_activity("No activity found\n") is None
    assert (
        parse_current_focus(fixture("adb", "dumpsys_window.txt"))
        == "com.example.news/com.example.news.SplashActivity"
    )
    assert parse_current_focus("mResumedActivity: ActivityRecord{3f2 u0 com.x/.Main t5}") == "com.x/.Main"
    assert parse_current_focus("") is None
    assert check_package("com.example.news") == "com.example.news"
    for bad in ("com", "com.x;reboot", "-e.x", "com.x y"):
        with pytest.raises(AdbError):
            check_package(bad)


def test_runtime_permissions_first_user_only() -> None:
    states = parse_runtime_permissions(fixture("adb", "dumpsys_package_initial.txt"))
    assert set(states) == {
        "android.permission.READ_PHONE_STATE",
        "android.permission.ACCESS_FINE_LOCATION",
        "android.permission.ACCESS_COARSE_LOCATION",
        "android.permission.CAMERA",
    }
    assert states["android.permission.CAMERA"] == PermissionState(
        False, frozenset({"USER_SENSITIVE_WHEN_GRANTED", "USER_SENSITIVE_WHEN_DENIED"})
    )
    assert "android.permission.INTERNET" not in states  # install permission


def test_permission_results_from_state_changes() -> None:
    initial = parse_runtime_permissions(fixture("adb", "dumpsys_package_initial.txt"))
    denied = parse_runtime_permissions(fixture("adb", "dumpsys_package_phone_denied.txt"))
    allowed = parse_runtime_permissions(fixture("adb", "dumpsys_package_location_allowed.txt"))
    assert permission_results(initial, denied) == [("android.permission.READ_PHONE_STATE", "denied")]
    assert permission_results(denied, allowed) == [
        ("android.permission.ACCESS_COARSE_LOCATION", "granted"),
        ("android.permission.ACCESS_FINE_LOCATION", "granted"),
    ]
    assert permission_results(allowed, allowed) == []
    forever = {"p": PermissionState(False, frozenset({"USER_SET", "USER_FIXED"}))}
    assert permission_results({"p": PermissionState(False, frozenset({"USER_SET"}))}, forever) == [
        ("p", "denied_forever")
    ]
