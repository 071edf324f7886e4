"""Edge cases built with the project's DEX writer, where the ground truth is known by construction."""

from __future__ import annotations

from apprights.extractors.dex import DexTargets, extract_code, scan_dex
from apprights.extractors.dex.format import DexFile
from apprights.extractors.dex.strings import StringPool
from apprights.testing.dexwriter import Code, DexClass, big_dex_classes, call_sites_of, write_dex

GET_DEVICE_ID = "Landroid/telephony/TelephonyManager;->getDeviceId()Ljava/lang/String;"
TARGETS = DexTargets(
    [
        ("Landroid/telephony/TelephonyManager;", "getDeviceId"),
        ("Landroid/location/LocationManager;", "getLastKnownLocation"),
        ("Landroid/net/wifi/WifiInfo;", "getMacAddress"),
        ("Landroid/provider/Settings$Secure;", "getString"),
    ]
)


def _method_index(data: bytes, cls: str, name: str) -> int:
    dex = DexFile("t.dex", data)
    pool = StringPool(dex)
    for i in range(dex.method_count):
        if (
            pool.get(int(dex.type_desc[dex.method_class[i]])) == cls
            and pool.get(int(dex.method_name[i])) == name
        ):
            return i
    raise AssertionError("method id not found")


def _classes(literal: int = 0) -> list[DexClass]:
    caller = DexClass("com.example.app.Caller")
    caller.add_method(
        "imei",
        "(Landroid/telephony/TelephonyManager;)V",
        code=Code().invoke_virtual(GET_DEVICE_ID, [1]).return_void(),
        registers=2,
    )
    # const v0, #literal: when literal = (method index << 16) | 0x6e, its operand units read as an invoke
    lit = Code().raw(0x0014, literal & 0xFFFF, literal >> 16).return_void()
    caller.add_method("decoy", "()V", code=lit, registers=1)
    return [caller]


def test_invoke_pattern_inside_operands_is_not_a_call() -> None:
    idx = _method_index(write_dex(_classes()), "Landroid/telephony/TelephonyManager;", "getDeviceId")
    data = write_dex(_classes(literal=(idx << 16) | 0x6E))
    assert _method_index(data, "Landroid/telephony/TelephonyManager;", "getDeviceId") == idx
    scan = scan_dex("classes.dex", data, TARGETS)
    assert [(c.caller_class, c.caller_method, c.count) for c in scan.call_sites] == [
        ("com.example.app.Caller", "imei", 1)
    ]


def test_large_generated_dex_matches_ground_truth() -> None:
    classes = big_dex_classes(1500, sensitive_every=7)
    code = extract_code([("classes.dex", write_dex(classes))], TARGETS)
    expected = {t for t in call_sites_of(classes) if t[2].rsplit(".", 1)[1] in TARGETS.names}
    assert expected
    assert {(c.caller_class, c.caller_method, c.api) for c in code.call_sites} == expected
    assert code.class_count == 1500 and len(code.defined_classes) == 1500


def test_array_receiver_is_attributed_like_androguard() -> None:
    cls = DexClass("com.example.app.Arrays")
    arr = "[Landroid/telephony/TelephonyManager;->getDeviceId()Ljava/lang/String;"
    cls.add_method("odd", "()V", code=Code().const4(0, 0).invoke_virtual(arr, [0]).return_void(), registers=1)
    data = write_dex([cls])
    scan = scan_dex("classes.dex", data, TARGETS)
    assert [(c.api, c.caller_method) for c in scan.call_sites] == [
        ("android.telephony.TelephonyManager.getDeviceId", "odd")
    ]
    from androguard.misc import AnalyzeDex
    from loguru import logger

    logger.remove()
    _h, _d, dx = AnalyzeDex(data, raw=True)
    (m,) = dx.find_methods(classname="Landroid/telephony/TelephonyManager;", methodname="^getDeviceId$")
    assert [(c.name, mm.name) for c, mm, _ in m.get_xref_from()] == [("Lcom/example/app/Arrays;", "odd")]


def test_non_ascii_class_names_and_strings() -> None:
    cls = DexClass("com.例子.应用.Main")
    code = Code().const_string(0, "android.intent.action.BOOT_COMPLETED").const_string(1, "com.tencent.mm")
    code.const_string(2, "https://例子.cn/api?q=1").const_string(3, "getDeviceId").return_void()
    cls.add_method("go", "()V", code=code, registers=4)
    code = extract_code([("classes.dex", write_dex([cls]))], TARGETS, own_package="com.例子")
    assert code.defined_classes == ["com.例子.应用.Main"]
    assert {(s.kind, s.value) for s in code.strings} == {
        ("action", "android.intent.action.BOOT_COMPLETED"),
        ("package", "com.tencent.mm"),
        ("reflection", "getDeviceId"),
    }
    assert all(s.caller_class == "com.例子.应用.Main" and s.caller_method == "go" for s in code.strings)
    assert code.urls == ["https://例子.cn/api?q=1"] and code.hosts == ["例子.cn"]


def test_const_string_jumbo_beyond_65536_strings() -> None:
    cls = DexClass("com.example.app.Many")
    for m in range(67):
        code = Code()
        for i in range(1000):
            code.const_string(0, f"a{m:02d}{i:04d}")  # sorts before every interesting string below
        cls.add_method(f"fill{m}", "()V", code=code.return_void(), registers=1)
    late = Code().const_string(0, "com.tencent.mm").const_string(1, "android.intent.action.BOOT_COMPLETED")
    cls.add_method("late", "()V", code=late.return_void(), registers=2)
    data = write_dex([cls])
    pool = StringPool(DexFile("t.dex", data))
    assert len(pool) > 0x10000 and pool.find("com.tencent.mm") is not None
    assert pool.find("com.tencent.mm") > 0xFFFF  # type: ignore[operator]
    scan = scan_dex("classes.dex", data, TARGETS)
    assert {(s.kind, s.value, s.caller_method) for s in scan.strings} == {
        ("package", "com.tencent.mm", "late"),
        ("action", "android.intent.action.BOOT_COMPLETED", "late"),
    }
