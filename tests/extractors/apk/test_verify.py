"""Issue 8: digests and signatures are verified as Android and apksigner do (v1, v2, v3).

APKs are built with ``apprights.testing`` and signed by the real ``apksigner``; tampered copies (a byte flipped in
an entry, in the APK Signing Block, in the central directory, or in a v1-only APK's entry) must be reported
("Android would refuse to install this") and the untouched ones must not. Each tampered copy is also checked
against ``apksigner verify`` so both agree.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import zipfile
from pathlib import Path

import pytest

from apprights.extractors.apk import open_apk
from apprights.extractors.apk.signing import _lp_first, _lp_items, find_signing_block
from apprights.extractors.apk.zipsafe import find_central_directory
from apprights.testing.apkbuilder import build_apk, sign_apk, signing_tools_available
from apprights.testing.dexwriter import DexClass, write_dex

pytestmark = pytest.mark.skipif(not signing_tools_available(), reason="keytool/apksigner not installed")

MANIFEST = (
    '<manifest xmlns:android="http://schemas.android.com/apk/res/android" package="com.example.v">'
    '<uses-sdk android:minSdkVersion="21" android:targetSdkVersion="30"/><application/></manifest>'
)
MANIFEST_29 = MANIFEST.replace('targetSdkVersion="30"', 'targetSdkVersion="29"')
REFUSE = "Android would refuse to install this"
V1_ONLY = ("--v2-signing-enabled", "false", "--v3-signing-enabled", "false")


def _dex() -> bytes:
    c = DexClass("com.example.v.Main")
    c.add_constructor()
    return write_dex([c])


@pytest.fixture(scope="module")
def signed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """v1+v2+v3 (RSA), v1+v2+v3 (EC) and v1-only (RSA) signed APKs, built once for the module."""
    d = tmp_path_factory.mktemp("signed")
    out = {}
    for name, alg, opts, manifest in (
        ("rsa", "RSA", (), MANIFEST),
        ("ec", "EC", (), MANIFEST),
        ("v1", "RSA", V1_ONLY, MANIFEST_29),  # Android 11 refuses v1-only for targetSdk 30+
    ):
        apk = build_apk(d / f"{name}.apk", manifest, [_dex()], extra={"assets/data.txt": b"hello " * 4000})
        sign_apk(apk, key_dir=d, key_alg=alg, options=opts)
        out[name] = apk
    return out


def _refusals(apk: Path) -> list[str]:
    with open_apk(apk) as a:
        return [w for w in a.facts().warnings if REFUSE in w]


def _apksigner_ok(apk: Path) -> bool:
    return subprocess.run(["apksigner", "verify", str(apk)], capture_output=True).returncode == 0


def _flip(src: Path, dst: Path, offset: int) -> Path:
    shutil.copyfile(src, dst)
    data = bytearray(dst.read_bytes())
    data[offset] ^= 0x01
    dst.write_bytes(bytes(data))
    return dst


def _entry_data_offset(apk: Path, name: str) -> int:
    with zipfile.ZipFile(apk) as zf:
        info = zf.getinfo(name)
    raw = apk.read_bytes()
    n, m = struct.unpack_from("<HH", raw, info.header_offset + 26)
    return info.header_offset + 30 + n + m


def test_untouched_signed_apks_verify(signed: dict[str, Path]) -> None:
    for name, apk in signed.items():
        assert _apksigner_ok(apk), name
        assert _refusals(apk) == [], name


def test_the_dex_read_for_the_v1_check_is_the_one_the_code_scan_gets(signed: dict[str, Path]) -> None:
    # minSdk 21: Android before 7 checks v1, so every entry is inflated and digested, the dex included
    for name, apk in signed.items():
        with zipfile.ZipFile(apk) as zf:
            want = [("classes.dex", zf.read("classes.dex"))]
        with open_apk(apk) as a:
            assert [w for w in a.facts().warnings if REFUSE in w] == [], name
            assert list(a._zip._kept) == [("classes.dex", a.limits.max_entry_size)], name
            assert list(a.iter_dex()) == want, name
            assert a._zip._kept == {}, name
        with open_apk(apk, verify_signatures=False) as a:
            a.facts()
            assert a._zip._kept == {} and list(a.iter_dex()) == want, name


@pytest.mark.parametrize("key", ["rsa", "ec"])
def test_a_byte_flipped_inside_an_entry_is_refused(signed: dict[str, Path], tmp_path: Path, key: str) -> None:
    apk = signed[key]
    bad = _flip(apk, tmp_path / "entry.apk", _entry_data_offset(apk, "assets/data.txt") + 5)
    assert not _apksigner_ok(bad)
    (w,) = _refusals(bad)
    assert "does not match" in w and "changed after signing" in w


def test_a_byte_flipped_in_the_signing_block_is_refused(signed: dict[str, Path], tmp_path: Path) -> None:
    apk = signed["rsa"]
    with apk.open("rb") as fp:
        size = apk.stat().st_size
        _, cd = find_central_directory(fp, size)
        pairs = find_signing_block(fp, cd, 1 << 26)
    assert pairs is not None
    start = cd - len(pairs) - 32 + 8  # the pairs start after the block's leading u64 size
    # first pair: u64 length, u32 id (v2), then the v2 value; flip the last byte of its first signature
    value = (12, 8 + struct.unpack_from("<Q", pairs, 0)[0])
    signers = _lp_first(pairs, *value)
    assert signers is not None
    signer = next(iter(_lp_items(pairs, *signers)))
    items = list(_lp_items(pairs, *signer))
    sig_seq = items[1]
    first = next(iter(_lp_items(pairs, *sig_seq)))
    bad = _flip(apk, tmp_path / "block.apk", start + first[1] - 1)
    assert not _apksigner_ok(bad)
    (w,) = _refusals(bad)
    assert "does not verify with the signer's key" in w


def test_a_byte_flipped_in_the_central_directory_is_refused(signed: dict[str, Path], tmp_path: Path) -> None:
    apk = signed["rsa"]
    with apk.open("rb") as fp:
        _, cd = find_central_directory(fp, apk.stat().st_size)
    bad = _flip(apk, tmp_path / "cd.apk", cd + 12)  # the first record's modification date
    assert not _apksigner_ok(bad)
    (w,) = _refusals(bad)
    assert "APK contents digest" in w


def test_a_v1_only_apk_with_a_changed_entry_is_refused(signed: dict[str, Path], tmp_path: Path) -> None:
    apk = signed["v1"]
    bad = tmp_path / "v1.apk"
    # rewrite one entry with other content (a valid ZIP: only the JAR digest can tell)
    with zipfile.ZipFile(apk) as src, zipfile.ZipFile(bad, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "assets/data.txt":
                data = b"HELLO " * 4000
            dst.writestr(info, data)
    assert not _apksigner_ok(bad)
    (w,) = _refusals(bad)
    assert "assets/data.txt does not match its MANIFEST.MF digest" in w


def test_v2_signature_block_stripped_from_a_v1_v2_apk_is_refused(
    signed: dict[str, Path], tmp_path: Path
) -> None:
    """X-Android-APK-Signed in the .SF says v2/v3 signatures existed: removing the block is detected."""
    apk = signed["rsa"]
    raw = apk.read_bytes()
    with apk.open("rb") as fp:
        eocd, cd = find_central_directory(fp, len(raw))
        pairs = find_signing_block(fp, cd, 1 << 26)
    assert pairs is not None
    block_start = cd - len(pairs) - 32
    stripped = bytearray(raw[:block_start] + raw[cd:])
    struct.pack_into("<I", stripped, eocd - (cd - block_start) + 16, block_start)
    bad = tmp_path / "stripped.apk"
    bad.write_bytes(bytes(stripped))
    assert not _apksigner_ok(bad)
    (w,) = _refusals(bad)
    assert "stripped" in w


def test_v1_only_for_target_sdk_30_is_refused(tmp_path: Path) -> None:
    apk = build_apk(tmp_path / "t30.apk", MANIFEST, [_dex()])
    sign_apk(apk, key_dir=tmp_path, options=V1_ONLY)
    assert not _apksigner_ok(apk)
    (w,) = _refusals(apk)
    assert "target SDK 30 requires APK Signature Scheme v2" in w


def test_cli_scan_reports_a_tampered_apk_and_the_library_default_skips_the_check(
    signed: dict[str, Path], tmp_path: Path
) -> None:
    """``apprights scan`` verifies by default (report warning, still a scan, exit 0); ``--no-verify-signature``
    and the library's ``ScanRequest`` default skip the check (it costs ~40 % of a scan's CPU)."""
    import json
    import sys

    from apprights.engine.scan import ScanRequest, scan
    from apprights.knowledge import Knowledge

    apk = signed["rsa"]
    with apk.open("rb") as fp:
        _, cd = find_central_directory(fp, apk.stat().st_size)
    bad = _flip(apk, tmp_path / "cd.apk", cd + 12)

    def cli(*extra: str) -> list[str]:
        r = subprocess.run(
            [sys.executable, "-m", "apprights.cli.main", "scan", str(bad), "--format", "json", "--fail-on", "none",
             *extra],
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert r.returncode == 0, r.stderr
        return [w for w in json.loads(r.stdout).get("apk_warnings", []) if REFUSE in w]

    assert len(cli()) == 1
    assert cli("--no-verify-signature") == []
    facts = scan(ScanRequest(apk=bad), Knowledge.load()).facts
    assert facts.apk is not None and not [w for w in facts.apk.warnings if REFUSE in w]
    facts = scan(ScanRequest(apk=bad, verify_signature=True), Knowledge.load()).facts
    assert facts.apk is not None and [w for w in facts.apk.warnings if REFUSE in w]


def test_damaged_signature_data_never_crashes(signed: dict[str, Path], tmp_path: Path) -> None:
    """Hostile bytes in the signing block or the PKCS#7 block: a warning at most, never an exception."""
    import random

    rng = random.Random(8)
    apk = signed["rsa"]
    raw = apk.read_bytes()
    with apk.open("rb") as fp:
        _, cd = find_central_directory(fp, len(raw))
        pairs = find_signing_block(fp, cd, 1 << 26)
    assert pairs is not None
    lo = cd - len(pairs) - 24
    cert = _entry_data_offset(apk, "META-INF/TEST.RSA")
    for n in range(40):
        at = rng.randrange(lo, cd - 24) if n % 2 else rng.randrange(cert, cert + 1000)
        bad = _flip(apk, tmp_path / f"f{n}.apk", at)
        with open_apk(bad) as a:
            a.facts()  # must not raise


def test_mutated_pkcs7_blocks_give_problems_not_exceptions(signed: dict[str, Path]) -> None:
    import random

    from apprights.extractors.apk import verify

    with zipfile.ZipFile(signed["v1"]) as zf:
        block, sf = zf.read("META-INF/TEST.RSA"), zf.read("META-INF/TEST.SF")
    assert verify._verify_pkcs7("TEST.RSA", block, sf) == []
    assert verify._verify_pkcs7("TEST.RSA", block, sf + b"x") != []  # the .SF changed: the signature fails
    rng = random.Random(8)
    for _ in range(300):
        b = bytearray(block)
        for _ in range(rng.randint(1, 4)):
            b[rng.randrange(len(b))] = rng.randrange(256)
        assert isinstance(verify._verify_pkcs7("TEST.RSA", bytes(b), sf), list)
    assert verify._verify_pkcs7("TEST.RSA", block[: len(block) // 2], sf)


def test_mutated_signing_blocks_give_problems_not_exceptions(signed: dict[str, Path]) -> None:
    import random

    from apprights.extractors.apk.verify import ContentDigests, verify_signing_block

    apk = signed["ec"]
    size = apk.stat().st_size
    with apk.open("rb") as fp:
        eocd, cd = find_central_directory(fp, size)
        pairs = find_signing_block(fp, cd, 1 << 26)
        assert pairs is not None
        digests = ContentDigests(fp, cd - len(pairs) - 32, cd, eocd, size)
        assert verify_signing_block(pairs, digests) == []
        rng = random.Random(8)
        for _ in range(300):
            b = bytearray(pairs)
            for _ in range(rng.randint(1, 4)):
                b[rng.randrange(len(b))] = rng.randrange(256)
            assert isinstance(verify_signing_block(bytes(b), digests), list)
