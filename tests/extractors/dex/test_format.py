"""Low-level pieces checked against androguard and the format rules."""

from __future__ import annotations

import numpy as np

from apprights.extractors.dex.format import DexFile, uleb128_at
from apprights.extractors.dex.scan import _WIDTH, _sweep
from apprights.extractors.dex.strings import StringPool, decode_mutf8, encode_mutf8
from tests.conftest import shared_path
from tests.extractors.dex.helpers import dex_blobs


def test_instruction_widths_match_androguard() -> None:
    from androguard.core.dex import DALVIK_OPCODES_FORMAT

    for op, (cls, _info) in DALVIK_OPCODES_FORMAT.items():
        assert cls.length // 2 == _WIDTH[op], hex(op)


def test_sweep_skips_payloads_and_operands() -> None:
    # const/16 v0, #0x006e ; packed-switch-payload whose target looks like an invoke ; invoke-static at the end
    code = [0x0013, 0x006E, 0x0100, 0x0001, 0x0000, 0x0000, 0x0070, 0x0005, 0x0071, 0x0005, 0x0000]
    units = memoryview(np.array(code, dtype="<u2").tobytes()).cast("H")
    assert _sweep(units, 0, len(code), {1, 6, 8}) == [8]
    # an invoke that would run past the end of the method does not count
    assert _sweep(units, 0, 9, {8}) == []


def test_mutf8_round_trip() -> None:
    for s in ["", "abc", "a\x00b", "中文", "emoji \U0001f600 x"]:
        raw = encode_mutf8(s)
        assert b"\x00" not in raw
        assert decode_mutf8(raw) == s
    assert decode_mutf8(b"\xff\xfe") == "\ufffd\ufffd"


def test_uleb128_vectorised() -> None:
    u8 = np.frombuffer(bytes([0x00, 0x7F, 0x80, 0x01, 0xE5, 0x8E, 0x26]), dtype=np.uint8)
    vals, nxt = uleb128_at(u8, np.array([0, 1, 2, 4]), name="t")
    assert vals.tolist() == [0, 127, 128, 624485]
    assert nxt.tolist() == [1, 2, 4, 7]


def test_tables_and_strings_match_androguard() -> None:
    from androguard.core.dex import DEX

    data = dex_blobs(shared_path("apks", "fdroid__souch.smsbypass_9.apk"))[0][1]
    d = DEX(data)
    dex = DexFile("classes.dex", data)
    pool = StringPool(dex)
    strings = list(d.get_strings())
    assert [pool.get(i) for i in range(len(pool))] == strings
    assert all(pool.find(s) == i for i, s in enumerate(strings[:200]))
    assert pool.find("no such string \u2603") is None
    assert dex.method_count == len(d.get_methods_id_item().method_id_items)
    m = dex.methods()
    ours = sorted(
        (int(dex.class_idx[c]), int(i), int(o))
        for c, i, o in zip(m.class_def.tolist(), m.method_idx.tolist(), m.code_off.tolist(), strict=True)
    )
    assert len(ours) == len(list(d.get_encoded_methods()))
    assert sorted(o for *_, o in ours) == sorted(em.get_code_off() for em in d.get_encoded_methods())


def test_owner_of_position_with_string_data_out_of_index_order() -> None:
    from apprights.extractors.dex.strings import _owners

    starts = np.array([300, 100, 200], dtype=np.int64)  # string data laid out in another order than the ids
    got = _owners(starts, np.array([50, 100, 150, 250, 310], dtype=np.int64)).tolist()
    assert got == [-1, 1, 1, 2, 0]
    assert _owners(np.array([100, 200]), np.array([99, 150, 250])).tolist() == [-1, 0, 1]
