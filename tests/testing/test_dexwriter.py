"""The DEX writer: dexdump (the platform's verifier) and androguard must parse what it writes."""

from __future__ import annotations

import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apprights.testing.dexwriter import (
    ACC_ABSTRACT,
    ACC_INTERFACE,
    ACC_PRIVATE,
    ACC_PUBLIC,
    ACC_STATIC,
    DEFAULT_BIG_DEX_APIS,
    Code,
    DexClass,
    MethodRef,
    Proto,
    big_dex,
    big_dex_classes,
    call_sites_of,
    descriptor,
    dex_with_calls,
    mutf8,
    uleb128,
    write_dex,
)

GET_DEVICE_ID = "Landroid/telephony/TelephonyManager;->getDeviceId()Ljava/lang/String;"
START_ACTIVITY = "Landroid/content/Context;->startActivity(Landroid/content/Intent;)V"


def umeng_classes() -> list[DexClass]:
    cfg = DexClass("com.umeng.commonsdk.DeviceConfig")
    cfg.add_constructor()
    code = (
        Code()
        .const_string(0, "com.other.app")
        .invoke_virtual(GET_DEVICE_ID, [2])
        .move_result_object(1)
        .return_object(1)
    )
    cfg.add_method("getImei", "(Landroid/telephony/TelephonyManager;)Ljava/lang/String;", code=code)
    cfg.add_field("sCache", "java.lang.String", ACC_PRIVATE | ACC_STATIC)
    cfg.add_field("count", "int")
    sub = DexClass(
        "com.umeng.commonsdk.Sub",
        superclass="com.umeng.commonsdk.DeviceConfig",
        interfaces=["java.lang.Runnable"],
    )
    sub.add_constructor()
    wide = Code().const_string(0, "中文 \x00 \U0001f600").new_instance(1, "android.content.Intent")
    wide.invoke_static("Lcom/umeng/commonsdk/Sub;->many(IJLjava/lang/String;II)V", [2, 3, 4, 5, 6, 7])
    wide.return_void()
    sub.add_method("run", code=wide, registers=8)
    sub.add_method("many", "(IJLjava/lang/String;II)V", access=ACC_PUBLIC | ACC_STATIC)
    sub.add_method("wide", "()D")
    iface = DexClass("com.umeng.IFace", access=ACC_PUBLIC | ACC_INTERFACE | ACC_ABSTRACT)
    iface.add_method("go", "(I)V", access=ACC_PUBLIC | ACC_ABSTRACT)
    return [sub, iface, cfg]  # deliberately not in hierarchy order


def dexdump(path: Path) -> str:
    if shutil.which("dexdump") is None:
        pytest.skip("dexdump not installed")
    proc = subprocess.run(
        ["dexdump", "-d", str(path)], capture_output=True, text=True, errors="replace", timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert "Failure" not in proc.stderr
    return proc.stdout


def test_dexdump_verifies_and_disassembles(tmp_path: Path) -> None:
    p = tmp_path / "classes.dex"
    p.write_bytes(write_dex(umeng_classes()))
    out = dexdump(p)
    assert "DEX version '035'" in out
    assert "invoke-virtual {v2}, Landroid/telephony/TelephonyManager;.getDeviceId:()Ljava/lang/String;" in out
    assert 'const-string v0, "com.other.app"' in out
    assert (
        "invoke-static/range {v2, v3, v4, v5, v6, v7}, Lcom/umeng/commonsdk/Sub;.many:(IJLjava/lang/String;II)V"
        in out
    )
    assert "new-instance v1, Landroid/content/Intent;" in out
    # superclass precedes subclass, interfaces listed
    assert out.index("Class descriptor  : 'Lcom/umeng/commonsdk/DeviceConfig;'") < out.index(
        "Class descriptor  : 'Lcom/umeng/commonsdk/Sub;'"
    )
    assert "'Ljava/lang/Runnable;'" in out


def test_dexdump_rejects_a_corrupted_file(tmp_path: Path) -> None:
    """The verification above means something: one flipped byte fails the checksum."""
    data = bytearray(write_dex(umeng_classes()))
    data[0x90] ^= 0xFF
    p = tmp_path / "bad.dex"
    p.write_bytes(bytes(data))
    if shutil.which("dexdump") is None:
        pytest.skip("dexdump not installed")
    proc = subprocess.run(["dexdump", str(p)], capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0


def test_header_checksum_signature_and_map() -> None:
    import hashlib

    data = write_dex(umeng_classes())
    assert data[:8] == b"dex\n035\x00"
    (checksum,) = struct.unpack_from("<I", data, 8)
    assert checksum == zlib.adler32(data[12:]) & 0xFFFFFFFF
    assert data[12:32] == hashlib.sha1(data[32:]).digest()
    file_size, header_size, endian = struct.unpack_from("<III", data, 32)
    assert (file_size, header_size, endian) == (len(data), 0x70, 0x12345678)
    (map_off,) = struct.unpack_from("<I", data, 52)
    (n,) = struct.unpack_from("<I", data, map_off)
    items = [struct.unpack_from("<HHII", data, map_off + 4 + 12 * i) for i in range(n)]
    offsets = [i[3] for i in items]
    assert offsets == sorted(offsets)
    types = {i[0] for i in items}
    assert {0x0000, 0x0001, 0x0002, 0x0003, 0x0005, 0x0006, 0x1000, 0x2001, 0x2002, 0x2000} <= types
    for t, _, _count, off in items:
        if t in (0x2001, 0x1001, 0x1000):
            assert off % 4 == 0


def test_string_ids_sorted_by_utf16_code_units() -> None:
    cls = DexClass("a.B")
    cls.add_method(
        "m",
        code=Code()
        .const_string(0, "\uffff")
        .const_string(0, "\U0001f600")
        .const_string(0, "z")
        .return_void(),
    )
    data = write_dex([cls])
    n, off = struct.unpack_from("<II", data, 56)
    values = []
    for i in range(n):
        (soff,) = struct.unpack_from("<I", data, off + 4 * i)
        # skip the uleb length, read up to NUL, decode MUTF-8 via surrogatepass
        p = soff
        while data[p] & 0x80:
            p += 1
        end = data.index(b"\x00", p + 1)
        raw = data[p + 1 : end].replace(b"\xc0\x80", b"\x00")
        values.append(raw.decode("utf-8", "surrogatepass"))
    keys = [v.encode("utf-16-be", "surrogatepass") for v in values]
    assert keys == sorted(keys)
    # a supplementary character sorts before U+FFFF in UTF-16 order (surrogates are D800-DFFF)
    assert values.index("\ud83d\ude00") < values.index("\uffff")


def test_androguard_finds_the_call_site() -> None:
    pytest.importorskip("androguard")
    from androguard.core.analysis.analysis import Analysis
    from androguard.core.dex import DEX

    d = DEX(write_dex(umeng_classes()))
    assert {c.get_name() for c in d.get_classes()} == {
        "Lcom/umeng/commonsdk/DeviceConfig;",
        "Lcom/umeng/commonsdk/Sub;",
        "Lcom/umeng/IFace;",
    }
    a = Analysis(d)
    a.create_xref()
    callers = {
        (c.name, m.name)
        for ma in a.find_methods(classname="Landroid/telephony/TelephonyManager;", methodname="getDeviceId")
        for c, m, _ in ma.get_xref_from()
    }
    assert callers == {("Lcom/umeng/commonsdk/DeviceConfig;", "getImei")}
    strings = {s.get_value() for s in a.get_strings()}
    assert "com.other.app" in strings


def test_call_sites_of_reports_the_ground_truth() -> None:
    sites = call_sites_of(umeng_classes())
    assert (
        "com.umeng.commonsdk.DeviceConfig",
        "getImei",
        "android.telephony.TelephonyManager.getDeviceId",
    ) in sites


def test_descriptors_and_refs() -> None:
    assert descriptor("com.a.B") == "Lcom/a/B;"
    assert descriptor("int[][]") == "[[I"
    assert descriptor("Ljava/lang/String;") == "Ljava/lang/String;"
    ref = MethodRef.parse(GET_DEVICE_ID)
    assert ref.dotted_api == "android.telephony.TelephonyManager.getDeviceId"
    assert str(ref) == GET_DEVICE_ID
    assert Proto.parse("(IJ[Ljava/lang/String;)V").shorty == "VIJL"
    assert uleb128(0) == b"\x00" and uleb128(128) == b"\x80\x01" and uleb128(624485) == b"\xe5\x8e\x26"
    assert mutf8("\x00") == (1, b"\xc0\x80")
    assert mutf8("\U0001f600")[0] == 2 and len(mutf8("\U0001f600")[1]) == 6


@pytest.mark.parametrize(
    "bad",
    [
        lambda: Code().invoke_virtual(GET_DEVICE_ID, []),  # missing the receiver register
        lambda: Code().invoke_virtual(START_ACTIVITY, [1]),
        lambda: Code().const4(0, 9),
        lambda: Code().return_value(300),
        lambda: MethodRef.parse("not a method"),
        lambda: Proto.parse("(Q)V"),
    ],
)
def test_bad_descriptions_raise_value_error(bad) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError):
        bad()


def test_hierarchy_cycle_and_duplicates_raise() -> None:
    a = DexClass("x.A", superclass="x.B")
    b = DexClass("x.B", superclass="x.A")
    with pytest.raises(ValueError, match="cycle"):
        write_dex([a, b])
    with pytest.raises(ValueError, match="twice"):
        write_dex([DexClass("x.C"), DexClass("x.C")])


def test_big_dex_is_valid_and_has_the_planned_sensitive_calls(tmp_path: Path) -> None:
    classes = big_dex_classes(3000, sensitive_every=100)
    expected = [s for s in call_sites_of(classes) if s[2].startswith("android.")]
    assert len(expected) == 30
    assert {s[0].split(".p")[0] for s in expected} == {"com.umeng.commonsdk.bench", "com.bench.app"}
    p = tmp_path / "big.dex"
    p.write_bytes(write_dex(classes))
    if shutil.which("dexdump") is None:
        pytest.skip("dexdump not installed")
    proc = subprocess.run(["dexdump", "-f", str(p)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "class_defs_size     : 3000" in proc.stdout


@pytest.mark.slow
def test_big_dex_20k_classes_under_budget() -> None:
    import time

    t0 = time.perf_counter()
    data = big_dex(20000)
    elapsed = time.perf_counter() - t0
    (n_classes,) = struct.unpack_from("<I", data, 96)
    assert n_classes == 20000
    assert elapsed < 20, elapsed


def test_project_dex_extractor_finds_exactly_the_planned_call_sites() -> None:
    """Cross-check of writer and extractor: the ground truth comes from the description."""
    dex_mod = pytest.importorskip("apprights.extractors.dex", reason="DEX extractor not available yet")
    classes = big_dex_classes(600, sensitive_every=20)
    expected = sorted(s for s in call_sites_of(classes) if s[2].startswith("android."))
    refs = {MethodRef.parse(a) for a in DEFAULT_BIG_DEX_APIS}
    targets = dex_mod.DexTargets((r.cls, r.name) for r in refs)
    code = dex_mod.extract_code([("classes.dex", write_dex(classes))], targets)
    found = sorted((c.caller_class, c.caller_method, c.api) for c in code.call_sites)
    assert found == expected
    assert code.class_count == 600


def test_const_string_jumbo_beyond_65535_strings(tmp_path: Path) -> None:
    cls = DexClass("a.Big")
    code = Code()
    for i in range(66000):
        code.const_string(0, f"s{i:05d}")
    code.const_string(0, "zzz_last").return_void()
    cls.add_method("m", code=code, registers=1)
    p = tmp_path / "jumbo.dex"
    p.write_bytes(write_dex([cls]))
    out = dexdump(p)
    assert 'const-string/jumbo v0, "zzz_last"' in out
    assert 'const-string v0, "s00000"' in out


_names = st.from_regex(
    r"[a-z][a-z0-9]{0,6}(\.[a-z][a-z0-9]{0,6}){1,3}\.[A-Z][A-Za-z0-9_$]{0,8}", fullmatch=True
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    names=st.lists(_names, min_size=1, max_size=6, unique=True),
    texts=st.lists(st.text(max_size=12), max_size=6),
)
def test_random_descriptions_verify(tmp_path: Path, names: list[str], texts: list[str]) -> None:
    classes = []
    for n in names:
        c = DexClass(n)
        c.add_constructor()
        code = Code()
        for t in texts:
            code.const_string(0, t)
        code.invoke_virtual(GET_DEVICE_ID, [1]).return_void()
        c.add_method("run", code=code, registers=3)
        classes.append(c)
    p = tmp_path / "h.dex"
    p.write_bytes(write_dex(classes))
    out = dexdump(p)
    assert out.count("TelephonyManager;.getDeviceId") == len(names)


def test_dex_with_calls_holds_exactly_the_given_sites(tmp_path: Path) -> None:
    data = dex_with_calls(
        [
            ("com.x.Boot", "onReceive", GET_DEVICE_ID),
            ("com.x.Boot", "onReceive", START_ACTIVITY),
            ("com.x.Other", "run", GET_DEVICE_ID),
        ],
        strings=[("com.x.Boot", "onReceive", "com.other.app")],
        superclasses={"com.x.Boot": "android.content.BroadcastReceiver", "com.x.Empty": "java.lang.Object"},
    )
    p = tmp_path / "calls.dex"
    p.write_bytes(data)
    out = dexdump(p)
    assert out.count("TelephonyManager;.getDeviceId") == 2
    assert "Landroid/content/Context;.startActivity:(Landroid/content/Intent;)V" in out
    assert "Superclass        : 'Landroid/content/BroadcastReceiver;'" in out
    assert "Class descriptor  : 'Lcom/x/Empty;'" in out
    assert 'const-string v0, "com.other.app"' in out
