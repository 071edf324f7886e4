"""``apprights collect`` at its boundaries: help documents the setup; no device or no adb exits 2 cleanly."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from apprights.cli.collect_cmd import collect_cmd

runner = CliRunner()
app = typer.Typer()
app.command()(collect_cmd)
FIXTURES = Path(__file__).resolve().parents[1] / "collect" / "fixtures" / "adb"


def _fake_adb(tmp_path: Path, devices_fixture: str) -> Path:
    """An executable that answers ``adb devices`` with a recorded output (and fails anything else)."""
    exe = tmp_path / "adb"
    exe.write_text(
        "#!/bin/sh\n"
        f'if [ "$1" = devices ]; then cat "{FIXTURES / devices_fixture}"; exit 0; fi\n'
        'echo "unexpected adb call: $*" >&2; exit 1\n',
        encoding="utf-8",
    )
    exe.chmod(exe.stat().st_mode | stat.S_IEXEC)
    return exe


@pytest.fixture
def apk(tmp_path: Path) -> Path:
    p = tmp_path / "app.apk"
    p.write_bytes(b"PK\x03\x04")
    return p


def test_help_documents_setup() -> None:
    r = runner.invoke(app, ["--help"], terminal_width=200)
    assert r.exit_code == 0
    text = " ".join(r.output.split())
    for needle in (
        "adb devices",
        "frida-server",
        "frida>=16.2,<17",
        "mitmdump",
        "mitmproxy",
        "CA",
        "cryptography",
        "--serial",
        "--no-frida",
        "--no-reboot",
        "install and removal of a tiny APK",
        "docs/collect.md",
    ):
        assert needle in text, needle


def test_no_device_exits_2(tmp_path: Path, apk: Path) -> None:
    r = runner.invoke(
        app, [str(apk), "--adb", str(_fake_adb(tmp_path, "devices_none.txt")), "--out", str(tmp_path)]
    )
    assert r.exit_code == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "adb: no device" in lines[0]
    assert "Traceback" not in r.output


def test_unauthorized_only_device_exits_2(tmp_path: Path, apk: Path) -> None:
    exe = _fake_adb(tmp_path, "devices_mixed.txt")
    r = runner.invoke(app, [str(apk), "--adb", str(exe), "--serial", "0123456789ABCDEF"])
    assert r.exit_code == 2 and "unauthorized" in r.stderr


def test_adb_missing_exits_2(tmp_path: Path, apk: Path) -> None:
    r = runner.invoke(app, [str(apk), "--adb", str(tmp_path / "no-such-adb")])
    assert r.exit_code == 2
    assert r.stderr.startswith("error: adb: command not found")


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        ([], "give an APK"),
        (["missing.apk"], "no such APK"),
        (["--no-install"], "--no-install needs --package"),
        (["--no-install", "--package", "bad;pkg"], "not a valid Android package"),
        (["--no-install", "--package", "com.x.y", "--path", "sideways"], "--path"),
        (["--no-install", "--package", "com.x.y", "--path", "refuse,sideways"], "--path"),
        # lab paths are accepted: the run gets as far as looking for the device
        (["--no-install", "--package", "com.x.y", "--path", "deny-all,relaunch"], "no device connected"),
        (["--no-install", "--package", "com.x.y", "--path", "all"], "no device connected"),
    ],
)
def test_bad_arguments_exit_2(args: list[str], fragment: str, tmp_path: Path) -> None:
    r = runner.invoke(app, [*args, "--adb", str(_fake_adb(tmp_path, "devices_none.txt"))])
    assert r.exit_code == 2 and fragment in r.stderr, r.stderr


def test_mounted_in_the_main_cli(tmp_path: Path, apk: Path) -> None:
    from apprights.cli.main import app as main_app

    r = runner.invoke(main_app, ["collect", str(apk), "--adb", str(_fake_adb(tmp_path, "devices_none.txt"))])
    assert r.exit_code == 2 and "adb: no device" in r.stderr
    r = runner.invoke(main_app, ["collect", "--help"], terminal_width=200)
    assert r.exit_code == 0 and "frida-server" in r.output


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("{", "not UTF-8 JSON"),
        ('["861234567890123"]', "JSON object"),
        ('{"imei": "861234567890123"}', "unknown identifier types ['imei']"),
    ],
)
def test_bad_device_ids_file_exits_2(tmp_path: Path, apk: Path, content: str, fragment: str) -> None:
    ids = tmp_path / "ids.json"
    ids.write_text(content, encoding="utf-8")
    r = runner.invoke(
        app, [str(apk), "--device-ids", str(ids), "--adb", str(_fake_adb(tmp_path, "devices_none.txt"))]
    )
    assert r.exit_code == 2 and fragment in r.stderr and str(ids) in r.stderr, r.stderr
