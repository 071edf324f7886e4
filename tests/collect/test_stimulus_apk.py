"""The stimulus APK the driver installs and removes (PACKAGE_ADDED / PACKAGE_REMOVED without root) is a real,
installable APK: the platform tools read and verify it, and a changed byte breaks its signature."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from apprights.collect.stimulus_apk import STIMULUS_PACKAGE, build_stimulus_apk
from apprights.extractors.apk import open_apk


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed")
    return path


def test_aapt_reads_it(tmp_path: Path) -> None:
    apk = build_stimulus_apk(tmp_path / "s.apk")
    r = subprocess.run(
        [_tool("aapt"), "dump", "badging", str(apk)], capture_output=True, text=True, timeout=60
    )
    assert r.returncode == 0, r.stderr
    assert f"package: name='{STIMULUS_PACKAGE}' versionCode='1' versionName='1.0'" in r.stdout
    assert "sdkVersion:'24'" in r.stdout and "targetSdkVersion:'28'" in r.stdout
    assert "ERROR" not in r.stdout + r.stderr
    with zipfile.ZipFile(apk) as zf:
        assert zf.namelist() == ["AndroidManifest.xml"]  # dex-less: android:hasCode="false"


def test_apksigner_verifies_it_and_rejects_a_changed_byte(tmp_path: Path) -> None:
    apksigner = _tool("apksigner")
    apk = build_stimulus_apk(tmp_path / "s.apk")
    r = subprocess.run([apksigner, "verify", "-v", str(apk)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Verified using v2 scheme (APK Signature Scheme v2): true" in r.stdout
    bad = tmp_path / "bad.apk"
    data = bytearray(apk.read_bytes())
    data[40] ^= 0x01  # inside the manifest entry's compressed data
    bad.write_bytes(bytes(data))
    r = subprocess.run([apksigner, "verify", str(bad)], capture_output=True, text=True, timeout=120)
    assert r.returncode != 0


def test_our_extractor_reads_it_and_each_build_has_its_own_key(tmp_path: Path) -> None:
    a = build_stimulus_apk(tmp_path / "a.apk")
    b = build_stimulus_apk(tmp_path / "b.apk")
    assert a.read_bytes() != b.read_bytes()  # a fresh throw-away key each time
    with open_apk(a) as apk:
        manifest = apk.manifest()
    assert manifest.package == STIMULUS_PACKAGE and manifest.components == []
