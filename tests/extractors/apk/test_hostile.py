"""Hostile archives built in the test: only InputError or a warning may come out, never another exception."""

from __future__ import annotations

import os
import re
import struct
import zipfile
from pathlib import Path

import pytest

from apprights.errors import InputError
from apprights.extractors.apk import ApkLimits, open_apk
from tests.conftest import shared_path
from tests.extractors.apk.factory import axml, simple_manifest, write_apk, zip_bytes

MANIFEST = axml(simple_manifest())
DEX = b"dex\n035\x00" + bytes(200)


def exercise(path: Path, limits: ApkLimits | None = None) -> list[str]:
    """Everything the API offers; returns the warnings. Only InputError may escape."""
    with open_apk(path, limits) as apk:
        warnings = list(apk.facts().warnings)
        try:
            warnings += apk.manifest().warnings
        except InputError as e:
            assert "parser fault" not in e.problem
        for _ in apk.iter_dex():
            pass
        return warnings


def cd_records(data: bytes) -> list[int]:
    """Offsets of the central-directory file headers."""
    return [m.start() for m in re.finditer(rb"PK\x01\x02", data)]


def test_zip_bomb_entry_is_refused_by_ratio(tmp_path: Path) -> None:
    limits = ApkLimits(ratio_min_size=1 << 20)
    path = write_apk(
        tmp_path / "bomb.apk", [("AndroidManifest.xml", MANIFEST), ("assets/b.bin", bytes(8 << 20))]
    )
    with open_apk(path, limits) as apk:
        assert apk.manifest().package == "com.example.app"
        with pytest.raises(InputError, match="zip bomb"):
            apk.read("assets/b.bin")


def test_manifest_as_zip_bomb_is_an_input_error(tmp_path: Path) -> None:
    limits = ApkLimits(ratio_min_size=1 << 20)
    path = write_apk(tmp_path / "bomb.apk", [("AndroidManifest.xml", MANIFEST + bytes(4 << 20))])
    with open_apk(path, limits) as apk, pytest.raises(InputError, match="zip bomb"):
        apk.manifest()


def test_entry_and_total_caps(tmp_path: Path) -> None:
    path = write_apk(
        tmp_path / "big.apk",
        [("AndroidManifest.xml", MANIFEST), ("a", os.urandom(5000)), ("b", os.urandom(5000))],
    )
    with open_apk(path, ApkLimits(max_entry_size=4000)) as apk, pytest.raises(InputError, match="too large"):
        apk.read("a")
    with open_apk(path, ApkLimits(max_total_size=8000)) as apk:
        apk.read("a")
        with pytest.raises(InputError, match="total"):
            apk.read("b")


def test_an_entry_kept_for_one_more_read_counts_against_the_total(tmp_path: Path) -> None:
    data = os.urandom(5000)
    path = write_apk(tmp_path / "kept.apk", [("AndroidManifest.xml", MANIFEST), ("classes.dex", data)])
    with open_apk(path, ApkLimits(max_total_size=12000)) as apk:
        zf = apk._zip
        first = zf.read("classes.dex", keep=True)
        again = zf.read("classes.dex")
        assert again is first and again == data  # handed out, not inflated again
        with pytest.raises(InputError, match="total"):  # 5000 + 5000 + 5000 > 12000: the kept read counted
            zf.read("classes.dex")
    with open_apk(path, ApkLimits(max_total_size=9999)) as apk:
        apk._zip.read("classes.dex", keep=True)
        with pytest.raises(InputError, match="total"):
            apk._zip.read("classes.dex")
    with open_apk(path) as apk:  # another cap: read afresh
        apk._zip.read("classes.dex", keep=True)
        assert apk._zip.read("classes.dex", cap=6000) == data
        assert apk._zip._kept


def test_lying_uncompressed_size_is_caught_by_crc(tmp_path: Path) -> None:
    data = bytearray(zip_bytes([("AndroidManifest.xml", MANIFEST), ("x", bytes(100_000))]))
    rec = cd_records(bytes(data))[1]
    struct.pack_into("<I", data, rec + 24, 1000)  # claims 1000 bytes, inflates to 100 000
    path = tmp_path / "lie.apk"
    path.write_bytes(bytes(data))
    with open_apk(path) as apk, pytest.raises(InputError, match="corrupt"):
        apk.read("x")


def test_zip_slip_names_are_warnings(tmp_path: Path) -> None:
    path = write_apk(
        tmp_path / "slip.apk",
        [("AndroidManifest.xml", MANIFEST), ("../../etc/evil.so", b"x"), ("/abs/path", b"y")],
    )
    warnings = exercise(path)
    assert sum("zip-slip" in w for w in warnings) == 2
    assert not (tmp_path.parent / "etc").exists()


def test_duplicate_entries_first_wins_with_warning(tmp_path: Path) -> None:
    other = axml(simple_manifest(package="com.evil.second"))
    path = write_apk(
        tmp_path / "dup.apk", [("AndroidManifest.xml", MANIFEST), ("AndroidManifest.xml", other)]
    )
    with open_apk(path) as apk:
        assert apk.manifest().package == "com.example.app"
        assert any("duplicate ZIP entry" in w for w in apk.facts().warnings)


def test_fake_encryption_flag_is_ignored_like_android(tmp_path: Path) -> None:
    data = bytearray(zip_bytes([("AndroidManifest.xml", MANIFEST), ("classes.dex", DEX)]))
    for m in re.finditer(rb"PK\x03\x04", bytes(data)):
        data[m.start() + 6] |= 1
    for rec in cd_records(bytes(data)):
        data[rec + 8] |= 1
    path = tmp_path / "fake-enc.apk"
    path.write_bytes(bytes(data))
    with open_apk(path) as apk:
        assert apk.manifest().package == "com.example.app"
        assert dict(apk.iter_dex()) == {"classes.dex": DEX}
        assert any("fake encryption" in w for w in apk.facts().warnings)


def test_crc_error_is_an_input_error(tmp_path: Path) -> None:
    data = bytearray(zip_bytes([("AndroidManifest.xml", MANIFEST)], compress=zipfile.ZIP_STORED))
    data[30 + len("AndroidManifest.xml") + 40] ^= 0xFF
    path = tmp_path / "crc.apk"
    path.write_bytes(bytes(data))
    with open_apk(path) as apk, pytest.raises(InputError, match=r"corrupt|CRC"):
        apk.manifest()


def test_unknown_compression_method_is_an_input_error(tmp_path: Path) -> None:
    data = bytearray(zip_bytes([("AndroidManifest.xml", MANIFEST)]))
    struct.pack_into("<H", data, cd_records(bytes(data))[0] + 10, 99)
    path = tmp_path / "method.apk"
    path.write_bytes(bytes(data))
    with open_apk(path) as apk, pytest.raises(InputError, match="compression method 99"):
        apk.manifest()


@pytest.mark.parametrize(
    ("content", "problem"),
    [(b"", "empty"), (os.urandom(3000), "not a ZIP"), (b"PK\x05\x06" + bytes(18), "AndroidManifest")],
)
def test_not_an_apk(tmp_path: Path, content: bytes, problem: str) -> None:
    path = tmp_path / "x.apk"
    path.write_bytes(content)
    with pytest.raises(InputError, match=problem) as e:
        open_apk(path)
    assert e.value.path == str(path)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        open_apk(tmp_path / "nope.apk")
    with pytest.raises(InputError, match="not a regular file"):
        open_apk(tmp_path)


def test_truncated_real_apk(tmp_path: Path) -> None:
    src = shared_path("apks", "androguard__com.politedroid_4.apk").read_bytes()
    for cut in range(1, len(src), max(1, len(src) // 40)):
        path = tmp_path / "cut.apk"
        path.write_bytes(src[:cut])
        with pytest.raises(InputError):
            exercise(path)


@pytest.mark.parametrize("seed", range(5))
def test_manifest_of_random_bytes(tmp_path: Path, seed: int) -> None:
    rnd = bytes((seed * 7919 + i * 104729) % 251 for i in range(2000))
    path = write_apk(tmp_path / "r.apk", [("AndroidManifest.xml", rnd)])
    with open_apk(path) as apk, pytest.raises(InputError):
        apk.manifest()


def test_manifest_truncated_at_every_97th_byte(tmp_path: Path) -> None:
    import zipfile as zf

    real = zf.ZipFile(shared_path("apks", "exodus-core__instapaper.apk")).read("AndroidManifest.xml")
    parsed = 0
    for cut in range(0, len(real), 97):
        path = write_apk(tmp_path / "t.apk", [("AndroidManifest.xml", real[:cut])])
        with open_apk(path) as apk:
            try:
                m = apk.manifest()
            except InputError as e:
                assert "parser fault" not in e.problem
                continue
            parsed += 1
            assert m.package == "com.olivierpayen.leaninstapaper"
            assert any("unclosed" in w or "past the end" in w or "bad size" in w for w in m.warnings)
    assert parsed > 0  # cuts after the <manifest> start tag still give the package


def test_nested_apk_dex_is_listed_and_iterated(tmp_path: Path) -> None:
    inner = zip_bytes([("classes.dex", DEX), ("classes2.dex", DEX)])
    lib_jar = zip_bytes([("a/B.class", b"\xca\xfe\xba\xbe")])
    path = write_apk(
        tmp_path / "outer.apk",
        [
            ("AndroidManifest.xml", MANIFEST),
            ("classes.dex", DEX),
            ("assets/plugin.apk", inner),
            ("libs/x.jar", lib_jar),
            ("assets/broken.apk", b"PK\x03\x04junk"),
            ("lib/arm64-v8a/libfoo.so", b"\x7fELF"),
        ],
    )
    with open_apk(path) as apk:
        facts = apk.facts()
        assert facts.nested_apks == ["assets/plugin.apk"]
        assert facts.native_libs == ["lib/arm64-v8a/libfoo.so"]
        assert facts.assets_of_interest == ["assets/plugin.apk", "assets/broken.apk"]
        assert [n for n, _ in apk.iter_dex()] == [
            "classes.dex",
            "assets/plugin.apk!classes.dex",
            "assets/plugin.apk!classes2.dex",
        ]
        assert any("broken.apk" in w for w in facts.warnings)


def test_corrupt_dex_is_skipped_with_warning(tmp_path: Path) -> None:
    data = bytearray(
        zip_bytes(
            [("AndroidManifest.xml", MANIFEST), ("classes.dex", DEX), ("classes2.dex", DEX)],
            compress=zipfile.ZIP_STORED,
        )
    )
    rec = cd_records(bytes(data))[1]
    struct.pack_into("<I", data, rec + 16, 0x12345678)  # wrong CRC for classes.dex
    path = tmp_path / "dex.apk"
    path.write_bytes(bytes(data))
    with open_apk(path) as apk:
        assert [n for n, _ in apk.iter_dex()] == ["classes2.dex"]
        assert any("classes.dex skipped" in w for w in apk.warnings)


def test_plain_text_manifest(tmp_path: Path) -> None:
    path = write_apk(tmp_path / "p.apk", [("AndroidManifest.xml", b'<manifest package="a.b"/>')])
    with open_apk(path) as apk, pytest.raises(InputError, match="plain-text"):
        apk.manifest()


def test_many_bad_names_give_a_bounded_number_of_warnings(tmp_path: Path) -> None:
    entries = [("AndroidManifest.xml", MANIFEST)] + [(f"../x{i}", b"") for i in range(500)]
    warnings = exercise(write_apk(tmp_path / "many.apk", entries))
    assert 20 <= sum("zip-slip" in w for w in warnings) <= 21
    assert any("480 more" in w for w in warnings)


def test_manifest_warnings_are_capped(tmp_path: Path) -> None:
    from tests.extractors.apk.factory import Attr, El

    hidden = [El("uses-permission", [Attr("name", f"p.P{i}", 0x01010003)]) for i in range(300)]
    root = simple_manifest()
    root.children[2].children.extend(hidden)  # misplaced inside <application>: one warning each
    path = write_apk(tmp_path / "w.apk", [("AndroidManifest.xml", axml(root))])
    with open_apk(path) as apk:
        warnings = apk.manifest().warnings
    assert len(warnings) == 101 and warnings[-1].startswith("… and 200 more")


@pytest.mark.parametrize(
    ("name", "bad"),
    [
        ("..\\..\\win.dll", True),
        ("C:\\x.so", True),
        ("/etc/x", True),
        ("a/../../b", True),
        ("assets/..hidden", False),
        ("lib/arm64-v8a/libx.so", False),
        ("res/a..b.png", False),
    ],
)
def test_zip_slip_name_rules(name: str, bad: bool) -> None:
    from apprights.extractors.apk.zipsafe import name_warnings

    assert bool(name_warnings(name)) is bad


def test_huge_manifest_parses_in_linear_time(tmp_path: Path) -> None:
    import time

    from tests.extractors.apk.factory import Attr, El

    perms = [El("uses-permission", [Attr("name", f"p.P{i}", 0x01010003)]) for i in range(20_000)]
    actions = [El("action", [Attr("name", f"a.A{i}", 0x01010003)]) for i in range(10_000)]
    root = simple_manifest(extra=perms)
    root.children[2].children[0].children[0].children.extend(actions)
    path = write_apk(tmp_path / "huge.apk", [("AndroidManifest.xml", axml(root))])
    start = time.perf_counter()
    with open_apk(path) as apk:
        m = apk.manifest()
    assert len(m.permissions) == 20_001 and len(m.components[0].actions) == 10_001
    assert time.perf_counter() - start < 15  # quadratic behaviour would take minutes


def test_number_of_nested_archives_is_capped(tmp_path: Path) -> None:
    inner = zip_bytes([("classes.dex", DEX)])
    entries = [("AndroidManifest.xml", MANIFEST)] + [(f"assets/p{i}.jar", inner) for i in range(5)]
    with open_apk(write_apk(tmp_path / "n.apk", entries), ApkLimits(max_nested_archives=3)) as apk:
        assert apk.facts().nested_apks == ["assets/p0.jar", "assets/p1.jar", "assets/p2.jar"]
        assert any("only the first 3" in w for w in apk.warnings)
        assert len(list(apk.iter_dex())) == 3
