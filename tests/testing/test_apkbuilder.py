"""build_apk: a zip Android tools accept; signing with a throw-away key when the JDK tools are present."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from apprights.testing.apkbuilder import build_apk, signing_tools_available
from apprights.testing.dexwriter import DexClass, write_dex

MANIFEST = (
    '<manifest xmlns:android="http://schemas.android.com/apk/res/android" package="com.example.b">'
    '<uses-sdk android:minSdkVersion="21" android:targetSdkVersion="30"/><application/></manifest>'
)


def one_dex(name: str) -> bytes:
    c = DexClass(name)
    c.add_constructor()
    return write_dex([c])


def test_entries_and_dex_naming(tmp_path: Path) -> None:
    apk = build_apk(
        tmp_path / "x.apk",
        MANIFEST,
        [one_dex("com.example.b.A"), one_dex("com.example.b.B")],
        extra={"assets/readme.txt": b"hi", "lib/arm64-v8a/libx.so": b"\x7fELF"},
    )
    with zipfile.ZipFile(apk) as zf:
        names = zf.namelist()
        assert names[0] == "AndroidManifest.xml"
        assert {"classes.dex", "classes2.dex", "assets/readme.txt", "lib/arm64-v8a/libx.so"} <= set(names)
        assert zf.getinfo("lib/arm64-v8a/libx.so").compress_type == zipfile.ZIP_STORED
        assert zf.read("assets/readme.txt") == b"hi"
    named = build_apk(tmp_path / "y.apk", MANIFEST, {"classes3.dex": one_dex("a.b.C")})
    assert "classes3.dex" in zipfile.ZipFile(named).namelist()


def test_same_inputs_same_bytes(tmp_path: Path) -> None:
    a = build_apk(tmp_path / "a.apk", MANIFEST, [one_dex("com.example.b.A")]).read_bytes()
    b = build_apk(tmp_path / "b.apk", MANIFEST, [one_dex("com.example.b.A")]).read_bytes()
    assert a == b


def test_duplicate_entry_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        build_apk(tmp_path / "d.apk", MANIFEST, [one_dex("a.b.C")], extra={"classes.dex": b""})


def test_androguard_opens_the_apk(tmp_path: Path) -> None:
    pytest.importorskip("androguard")
    from androguard.core.apk import APK

    apk = APK(str(build_apk(tmp_path / "g.apk", MANIFEST, [one_dex("com.example.b.A")])))
    assert apk.get_package() == "com.example.b"
    assert apk.get_target_sdk_version() == "30"
    assert list(apk.get_dex_names()) == ["classes.dex"]


def test_signed_apk_verifies(tmp_path: Path) -> None:
    if not signing_tools_available():
        pytest.skip("keytool/apksigner not installed: signing cannot be tested here")
    apk = build_apk(tmp_path / "s.apk", MANIFEST, [one_dex("com.example.b.A")], sign=True)
    proc = subprocess.run(
        [shutil.which("apksigner") or "apksigner", "verify", "--verbose", str(apk)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Verified using v2 scheme (APK Signature Scheme v2): true" in proc.stdout
