"""Hostile input: mutated real dex bytes give a result or InputError, never another exception or a hang."""

from __future__ import annotations

import struct
from functools import cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apprights.errors import InputError
from apprights.extractors.dex import DexTargets, extract_code, scan_dex
from tests.conftest import SHARED_DATA
from tests.extractors.dex.helpers import LOCAL_TARGETS, dex_blobs

TARGETS = DexTargets([*LOCAL_TARGETS, ("Landroid/telephony/TelephonyManager;", "getDeviceId")])
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@cache
def _seed() -> bytes:
    path = SHARED_DATA / "apks" / "droidbench__ArrayCopy1.apk"  # 3.5 KB dex with a getDeviceId call
    if not path.exists():
        pytest.skip(f"shared data not available: {path}")
    return dex_blobs(path)[0][1]


ENTRY = {"edu.mit.array_copy.MainActivity"}  # the seed's activity: entry calls are swept too


def _run(data: bytes) -> None:
    try:
        scan = scan_dex("fuzz.dex", data, TARGETS, entry_classes=ENTRY)
    except InputError as e:
        assert e.path == "fuzz.dex" and e.problem
        return
    assert scan.class_count >= 0 and all(c.count >= 1 for c in scan.call_sites)
    assert all(c.count >= 1 and c.caller_class for c in scan.entry_calls)


def test_seed_has_entry_calls() -> None:
    assert scan_dex("seed.dex", _seed(), TARGETS, entry_classes=ENTRY).entry_calls


@pytest.mark.timeout(120)
@SETTINGS
@given(
    st.lists(
        st.tuples(st.integers(min_value=0, max_value=1 << 20), st.integers(0, 255)), min_size=1, max_size=8
    )
)
def test_random_byte_mutations(muts: list[tuple[int, int]]) -> None:
    data = bytearray(_seed())
    for pos, val in muts:
        data[pos % len(data)] = val
    _run(bytes(data))


@pytest.mark.timeout(120)
@SETTINGS
@given(
    st.integers(min_value=8, max_value=0x6C).map(lambda x: x & ~3),
    st.sampled_from([0, 1, 2, 0x70, 0xFFFF, 0x7FFFFFFF, 0xFFFFFFFF]),
    st.integers(min_value=0, max_value=1 << 20),
)
def test_header_field_mutations(field_off: int, value: int, extra: int) -> None:
    data = bytearray(_seed())
    struct.pack_into("<I", data, field_off, value)
    data[extra % len(data)] ^= 0xFF
    _run(bytes(data))


@pytest.mark.timeout(120)
@SETTINGS
@given(st.integers(min_value=0, max_value=1 << 20), st.binary(max_size=64))
def test_truncation_and_garbage_tail(cut: int, tail: bytes) -> None:
    seed = _seed()
    _run(seed[: cut % (len(seed) + 1)] + tail)


@pytest.mark.timeout(60)
@settings(max_examples=50, deadline=None)
@given(st.binary(max_size=512))
def test_extract_code_never_raises(blob: bytes) -> None:
    code = extract_code([("a.dex", blob), ("b.dex", _seed())], TARGETS)
    assert "b.dex" in code.dex_files


@cache
def _precision_seed() -> bytes:
    """A built dex exercising the argument decoder, reflection and the reachability search."""
    from apprights.testing.dexwriter import write_dex
    from tests.extractors.dex.test_detail import _helper_classes
    from tests.extractors.dex.test_reach import _app_classes

    return write_dex([*_app_classes(), *_helper_classes()])


@cache
def _full_targets() -> DexTargets:
    from apprights.knowledge import Knowledge

    return DexTargets.from_catalogue(Knowledge.load().sensitive_apis)


ROOTS = {"com.example.app.App": True, "com.example.app.Main": False}


def test_precision_seed_is_annotated() -> None:
    code = extract_code([("p.dex", _precision_seed())], _full_targets(), reach_roots=ROOTS)
    assert (
        code.reach_depth and any(s.startup for s in code.call_sites) and any(s.via for s in code.call_sites)
    )


@pytest.mark.timeout(120)
@SETTINGS
@given(
    st.lists(
        st.tuples(st.integers(min_value=0, max_value=1 << 20), st.integers(0, 255)), min_size=1, max_size=8
    )
)
def test_argument_decoder_and_reach_survive_mutations(muts: list[tuple[int, int]]) -> None:
    data = bytearray(_precision_seed())
    for pos, val in muts:
        data[pos % len(data)] = val
    code = extract_code([("p.dex", bytes(data))], _full_targets(), reach_roots=ROOTS)
    assert all(c.count >= 1 for c in code.call_sites)
    assert all(c.entry is None or isinstance(c.entry, str) for c in code.call_sites)
