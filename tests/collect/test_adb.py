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


@pytest.mark.parametrize(
    ("fragment", "output", "message"),
    [
        (
            "am start",
            "Starting: Intent { cmp=com.x/.Main }\nError: Activity class {com.x/com.x.Main} does not exist.\n",
            "Error: Activity class",
        ),
        (
            "am force-stop",
            "Security exception: Permission Denial: forceStopPackage() from pid=1, uid=2000 requires "
            "android.permission.FORCE_STOP_PACKAGES\n",
            "Security exception: Permission Denial",
        ),
        ("input keyevent", "/system/bin/sh: input: not found\n", "input: not found"),
        (
            "settings put",
            "java.lang.SecurityException: Permission denial: writing to settings\n",
            "SecurityException",
        ),
    ],
)
def test_device_tools_that_fail_with_exit_code_zero_are_errors(
    fragment: str, output: str, message: str
) -> None:
    adb = Adb(ReplayRunner([(fragment, [output])]))
    with pytest.raises(AdbError, match=message):
        if fragment == "am start":
            adb.shell("am", "start", "-W", "-n", "com.x/.Main")
        elif fragment == "am force-stop":
            adb.force_stop("com.x.y")
        elif fragment == "input keyevent":
            adb.keyevent("KEYCODE_HOME")
        else:
            adb.set_http_proxy("127.0.0.1:8080")
    # reading tools are not judged by their content
    assert "Error:" in Adb(ReplayRunner([("dumpsys", ["  Error: a line of dumpsys text\n"])])).shell(
        "dumpsys", "x"
    )


def test_tap_returns_the_device_time_it_was_sent() -> None:
    runner = ReplayRunner([("input tap", ["1764300012.345678901\n"])])
    assert Adb(runner).tap(10, 20) == pytest.approx(1764300012.345678901)
    assert runner.calls[-1][-1] == "date +%s.%N; input tap 10 20"
    # an old toolbox prints %N literally: whole seconds
    assert Adb(ReplayRunner([("input tap", ["1764300012.%N\n"])])).tap(1, 2) == 1764300012.0
    assert Adb(ReplayRunner([("input tap", ["\n"])])).tap(1, 2) is None
    with pytest.raises(AdbError, match="input tap 1 2 failed"):
        Adb(ReplayRunner([("input tap", ["1764300012.1\nError: Unknown command: tap\n"])])).tap(1, 2)
    with pytest.raises(AdbError, match="cannot read the device clock"):
        Adb(ReplayRunner([("date", ["date: bad format\n"])])).device_epoch()


def test_broadcast_to_stopped_packages_and_refusals() -> None:
    ok = "Broadcasting: Intent { act=a.B flg=0x400010 pkg=com.x.y }\nBroadcast completed: result=0\n"
    runner = ReplayRunner([("am broadcast", [ok])])
    assert Adb(runner).broadcast("a.B", "com.x.y").endswith("result=0")
    assert runner.calls[-1][-1] == "am broadcast --include-stopped-packages -a a.B -p com.x.y"
    runner = ReplayRunner([("su -c", [ok])])
    Adb(runner).broadcast("a.B", "com.x.y", root="su")
    assert runner.calls[-1][-1] == "su -c 'am broadcast --include-stopped-packages -a a.B -p com.x.y'"
    refused = (
        "Security exception: Permission Denial: not allowed to send broadcast a.B from pid=1, uid=2000\n"
    )
    with pytest.raises(AdbError, match="Permission Denial"):
        Adb(ReplayRunner([("am broadcast", [refused])])).broadcast("a.B", "com.x.y")
    with pytest.raises(AdbError, match="no output"):
        Adb(ReplayRunner([("am broadcast", [""])])).broadcast("a.B", "com.x.y")


def test_window_dump_retries_compressed_when_the_ui_never_idles() -> None:
    runner = ReplayRunner(
        [
            ("dump --compressed", ["UI hierchary dumped to: /sdcard/apprights_window_dump.xml\n"]),
            ("uiautomator dump", ["ERROR: could not get idle state.\n"]),
            ("exec-out cat", ['<hierarchy rotation="0"/>']),
        ]
    )
    assert Adb(runner).dump_ui() == '<hierarchy rotation="0"/>'
    assert any("uiautomator dump --compressed" in c for c in runner.commands())


def test_receiver_actions_from_dumpsys_package() -> None:
    from apprights.collect.adb import parse_receiver_actions

    got = parse_receiver_actions(fixture("adb", "dumpsys_package_receivers.txt"), "com.example.news")
    assert got == {
        "com.example.news/com.umeng.message.UmengPackageReceiver": {
            "android.intent.action.PACKAGE_ADDED",
            "android.intent.action.PACKAGE_REMOVED",
        },
        "com.example.news/com.example.news.push.BootReceiver": {
            "android.intent.action.BOOT_COMPLETED",
            "android.intent.action.LOCKED_BOOT_COMPLETED",
        },
        "com.example.news/cn.jpush.android.service.PushReceiver": {
            "android.net.conn.CONNECTIVITY_CHANGE",
            "android.intent.action.USER_PRESENT",
        },
    }  # another app's receiver and the service table are left out
    assert parse_receiver_actions(fixture("adb", "dumpsys_package_initial.txt"), "com.example.news") == {}


def test_system_log_dump_and_reboot_commands_are_checked() -> None:
    runner = ReplayRunner(
        [
            (
                "logcat -b events -d",
                ["1764300000.402   612   640 I am_proc_start: [0,1,2,a.b,service,{a.b/.S}]\n"],
            ),
            (
                "logcat -b system -d",
                [
                    "1764300001.000   612   640 I ActivityManager: Start proc 9:a.b/u0a1 for broadcast {a.b/.R}\n"
                ],
            ),
            ("wait-for-device", [CommandResult(1, "", "error: no devices/emulators found\n")]),
            ("reboot", [CommandResult(0, "")]),
            ("svc data", [CommandResult(0, "Error: radio not available\n")]),
        ]
    )
    adb = Adb(runner)
    assert "am_proc_start" in adb.dump_event_log() and "Start proc 9" in adb.dump_system_log()
    assert "logcat -b system -d -v epoch ActivityManager:I *:S" in runner.commands()[-1]
    failing = Adb(ReplayRunner([("logcat -b system", [CommandResult(1, "", "Unable to open log device\n")])]))
    with pytest.raises(AdbError, match="Unable to open log device"):
        failing.dump_system_log()
    adb.reboot()
    with pytest.raises(AdbError, match="no device"):
        adb.wait_for_device(timeout=5)
    with pytest.raises(AdbError, match="radio not available"):
        adb.svc("data", "disable")  # exit code 0, error on stdout: still a failure
