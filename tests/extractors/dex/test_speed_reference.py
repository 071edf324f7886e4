"""The pieces rewritten for speed in issue 8 against the previous implementations kept here as references, on
random code and on real dex files: the candidate search (``_Scanner._candidates``), the block decode of type
names and of dotted-name candidates, the linear sweep done by a regex (``_sweep_many``), the signature lookup of
``StringPool.find_many``, the one-dex filter of the reverse-call index; and the pause of the cyclic GC."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apprights.extractors.dex.scan import (
    _IS_INVOKE,
    OP_CONST_STRING,
    OP_CONST_STRING_JUMBO,
    _Scanner,
)
from apprights.extractors.dex.strings import PoolStrings
from tests.conftest import SHARED_DATA
from tests.extractors.dex.golden import golden_apks
from tests.extractors.dex.helpers import dex_blobs


def reference_candidates(data: bytes, lo: int, hi: int, mids: set[int], keys: set[int]) -> list[int]:
    """The candidate search before issue 8's speed work (one 64K lookup table over every unit)."""
    n = (hi - lo) // 2
    if n < 2:
        return []
    units = np.frombuffer(data, dtype="<u2", count=n, offset=lo)
    u8 = np.frombuffer(data, dtype=np.uint8)
    lut = np.zeros(1 << 16, dtype=np.uint8)
    m = np.array(sorted(mids), dtype=np.int64)
    lut[m[m < (1 << 16)]] = 1
    k = np.array(sorted(keys), dtype=np.int64)
    lut[k[k < (1 << 16)]] |= 2
    flagged = np.flatnonzero(np.take(lut, units[1 : n - 1])) + 1
    op = units[flagged - 1] & 0xFF
    f = lut[units[flagged]]
    is_str = (f & 2).astype(bool)
    hit = ((f & 1).astype(bool) & _IS_INVOKE[op]) | (is_str & (op == OP_CONST_STRING))
    hit |= is_str & (op == OP_CONST_STRING_JUMBO) & (units[flagged + 1] == 0)
    found = [flagged[hit] - 1]
    big = k[k >= (1 << 16)]
    if len(big):
        pos = np.flatnonzero(u8[lo : lo + 2 * (n - 2) : 2] == OP_CONST_STRING_JUMBO)
        val = units[pos + 1].astype(np.int64) | (units[pos + 2].astype(np.int64) << 16)
        found.append(pos[np.isin(val, big)])
    out: list[int] = (np.sort(np.concatenate(found)).astype(np.int64) * 2 + lo).tolist()
    return out


def _scanner(data: bytes) -> _Scanner:
    s = _Scanner.__new__(_Scanner)  # only the dex bytes are read by _candidates
    s.dex = type("D", (), {"data": data})()  # type: ignore[assignment]
    s._inv = None
    return s


def _new(data: bytes, lo: int, hi: int, mids: set[int], keys: set[int]) -> list[int]:
    pool = PoolStrings(interesting={k: ("x", "x") for k in keys})
    out: list[int] = _scanner(data)._candidates(lo, hi, dict.fromkeys(mids, "api"), pool).tolist()
    return out


# units drawn from a small alphabet so that opcodes and operands collide often
UNIT = st.sampled_from(
    [0x006E, 0x1072, 0x2074, 0x0073, 0x011A, 0x021B, 0x0000, 0x0001, 0x0002, 0x0003, 0xFFFF]
)


@settings(max_examples=300, deadline=None)
@given(
    units=st.lists(UNIT, min_size=0, max_size=64),
    mids=st.sets(st.sampled_from([0, 1, 2, 3, 0x73, 0xFFFF]), max_size=3),
    keys=st.sets(st.sampled_from([0, 1, 2, 3, 0x11A, 0x10002, 0x30000]), max_size=3),
    skip=st.integers(min_value=0, max_value=3),
)
def test_candidates_equal_reference_on_random_code(
    units: list[int], mids: set[int], keys: set[int], skip: int
) -> None:
    data = np.array(units, dtype="<u2").tobytes()
    lo = 2 * min(skip, len(units))
    assert _new(data, lo, len(data), mids, keys) == reference_candidates(data, lo, len(data), mids, keys)


def test_candidates_equal_reference_on_real_dex() -> None:
    apks = golden_apks()
    if not apks:
        pytest.skip(f"shared data not available: {SHARED_DATA}")
    rng = np.random.default_rng(8)
    checked = 0
    for path in apks[:8]:
        for _name, data in dex_blobs(path):
            if len(data) < 0x1000:
                continue
            n_str = int.from_bytes(data[0x38:0x3C], "little")
            n_meth = int.from_bytes(data[0x58:0x5C], "little")
            mids = set(rng.integers(0, max(n_meth, 1), 40).tolist())
            keys = set(rng.integers(0, max(n_str, 1), 200).tolist()) | {n_str - 1}
            lo, hi = 0x70, len(data) // 2 * 2
            got = _new(data, lo, hi, mids, keys)
            assert got == reference_candidates(data, lo, hi, mids, keys)
            checked += len(got)
    assert checked > 1000


def test_type_names_equal_one_by_one_decoding_on_real_dex() -> None:
    """The block decode of type names (``L`` and ``;`` left out in the gather) gives what decoding each
    descriptor alone gives, for every type of real dex files (arrays and primitives included)."""
    from apprights.extractors.dex.scan import DexTargets as Targets
    from apprights.extractors.dex.scan import dotted_class, scan_dex_keep

    apks = golden_apks()
    if not apks:
        pytest.skip(f"shared data not available: {SHARED_DATA}")
    checked = 0
    for path in apks[:6]:
        for name, data in dex_blobs(path):
            _scan, s = scan_dex_keep(name, data, Targets([]))
            sidx = s.dex.type_desc.astype(np.int64)
            assert s.type_names(sidx) == [dotted_class(s.pool.get(int(i))) for i in sidx.tolist()]
            # a subset (not every name is wanted): the same names at the same places
            sub = sidx[::3]
            assert s.type_names(sub) == [dotted_class(s.pool.get(int(i))) for i in sub.tolist()]
            checked += len(sidx)
    assert checked > 10000


def reference_sweep(units: memoryview, start: int, end: int, cands: list[int]) -> list[int]:
    """The linear sweep before the regex one: one Python step per instruction (androguard's algorithm)."""
    from apprights.extractors.dex.scan import _UNIT_WIDTH_L, _WIDTH, INVALID, PAYLOAD, payload_width

    found: list[int] = []
    i = start
    for c in cands:
        while i < c:
            w = _UNIT_WIDTH_L[units[i]]
            if w == PAYLOAD:
                w = payload_width(units, i, end)
            i += w
        if i == c and c + _WIDTH[units[c] & 0xFF] <= end and _UNIT_WIDTH_L[units[c]] != INVALID:
            found.append(c)
        elif i >= end:
            break
    return found


# opcodes of every width, nop and the three payload idents, invalid units, 0xff with and without a high byte
SWEEP_UNIT = st.sampled_from(
    [0x0000, 0x0100, 0x0200, 0x0300, 0x0400, 0x0001, 0x0012, 0x006E, 0x0074, 0x001A, 0x001B, 0x0018, 0x00FA,
     0x003E, 0x0073, 0x00FF, 0x01FF, 0x0002, 0x0003, 0x0004, 0xFFFF]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(
    units=st.lists(SWEEP_UNIT, min_size=1, max_size=48),
    picks=st.lists(st.integers(min_value=0, max_value=47), max_size=8),
    cut=st.integers(min_value=0, max_value=4),
)
def test_regex_sweep_equals_reference_on_random_code(units: list[int], picks: list[int], cut: int) -> None:
    from apprights.extractors.dex.scan import _sweep_many

    view = memoryview(np.array(units, dtype="<u2").tobytes()).cast("H")
    end = max(1, len(units) - cut)
    cands = sorted({p for p in picks if p < end})
    if not cands:
        return
    assert _sweep_many(view, [(0, end, cands)]) == [reference_sweep(view, 0, end, cands)]


def test_regex_sweep_equals_reference_on_real_dex() -> None:
    """Every method of real dex files, with every 7th unit as a candidate (boundaries or not), and the invoke
    units found by the scan."""
    from apprights.extractors.dex.scan import DexTargets as Targets
    from apprights.extractors.dex.scan import _sweep_many, scan_dex_keep

    apks = golden_apks()
    if not apks:
        pytest.skip(f"shared data not available: {SHARED_DATA}")
    checked = 0
    for path in apks[:8]:
        for name, data in dex_blobs(path):
            _scan, s = scan_dex_keep(name, data, Targets([]))
            code = np.unique(s._methods().code_off)
            code = code[code > 0]
            units = memoryview(data)[: len(data) // 2 * 2].cast("H")
            segs = []
            for off in code.tolist()[:3000]:
                start = off // 2 + 8
                end = start + int.from_bytes(data[off + 12 : off + 16], "little")
                cands = list(range(start, end, 7))
                if cands:
                    segs.append((start, end, cands))
            got = _sweep_many(units, segs)
            assert got == [reference_sweep(units, st_, en, cs) for st_, en, cs in segs]
            checked += sum(map(len, got))
    assert checked > 10000


def test_find_many_equals_sorted_descent_on_real_dex() -> None:
    """The signature lookup of ``StringPool.find_many`` finds what the binary descent finds: the catalogue's
    names, strings of the pool itself (non-ASCII and long ones included), and near misses (a byte changed, one
    more byte, the empty string)."""
    from apprights.extractors.dex.format import DexFile
    from apprights.extractors.dex.scan import DexTargets as Targets
    from apprights.extractors.dex.strings import StringPool
    from apprights.knowledge import Knowledge

    apks = golden_apks()
    if not apks:
        pytest.skip(f"shared data not available: {SHARED_DATA}")
    t = Targets.from_catalogue(Knowledge.load().sensitive_apis)
    catalogue = [*t.by_class, *t.names, *t.reflection_hints]
    rng = np.random.default_rng(8)
    found = non_ascii = 0
    for path in apks[:10]:
        for name, data in dex_blobs(path):
            pool = StringPool(DexFile(name, data))
            if not len(pool):
                continue
            picked = [pool.get(int(i)) for i in rng.integers(0, len(pool), 300)]
            near = (
                [s[:-1] + "\x7f" for s in picked if s] + [s + "x" for s in picked] + ["", "L", "\u4e2d\u6587"]
            )
            for keys in (catalogue, picked + near, picked[:5]):
                got = pool.find_many(keys)
                assert got == pool._find_sorted(keys)
                found += len(got)
            non_ascii += sum(not s.isascii() for s in picked)
    assert found > 3000 and non_ascii > 0


def test_instruction_run_pattern_takes_whole_runs() -> None:
    """The regexes themselves, not only the Python fallback around them: a run of 1, 2, 5 instructions is taken
    whole, stops before a payload and before an instruction cut by ``endpos``."""
    from apprights.extractors.dex.scan import _RUN

    def code(*units: int) -> bytes:
        return np.array(units, dtype="<u2").tobytes()

    assert _RUN.match(code(0x0000)).end() == 2  # type: ignore[union-attr]
    assert _RUN.match(code(0x0012, 0x0000)).end() == 4  # type: ignore[union-attr]
    five = code(0x0012, 0x001A, 0x0001, 0x0000, 0x006E, 0x1000, 0x0000, 0x0012, 0x0012)
    assert _RUN.match(five).end() == len(five)  # type: ignore[union-attr]
    assert _RUN.match(five, 0, len(five) - 6).end() == 8  # type: ignore[union-attr]  # the invoke is cut
    assert _RUN.match(code(0x0012, 0x0100, 0x0001)).end() == 2  # type: ignore[union-attr]  # payload


def test_block_decode_of_dotted_candidates_equals_pool_get() -> None:
    """``scan_pool`` decodes its dotted-name candidates in one block: the same strings as ``StringPool.get``."""
    from apprights.extractors.dex.format import DexFile
    from apprights.extractors.dex.strings import StringPool, _ascii_values, _dotted_candidates

    apks = golden_apks()
    if not apks:
        pytest.skip(f"shared data not available: {SHARED_DATA}")
    checked = 0
    for path in apks[:10]:
        for name, data in dex_blobs(path):
            dex = DexFile(name, data)
            pool = StringPool(dex)
            if not len(pool):
                continue
            starts, lengths, ascii_ok = pool.extents()
            cand = _dotted_candidates(dex.u8, starts, lengths, ascii_ok)
            assert _ascii_values(dex.u8, starts[cand], lengths[cand]) == [pool.get(i) for i in cand.tolist()]
            every = np.flatnonzero(ascii_ok)  # all ASCII strings, not only dotted names
            assert _ascii_values(dex.u8, starts[every], lengths[every]) == [
                pool.get(i) for i in every.tolist()
            ]
            checked += len(every)
    assert checked > 10000


def test_keeping_only_defined_callees_changes_no_caller() -> None:
    """``CallIndex.keep_defined_callees`` (one-dex apps) drops only invokes no search key can name: the
    callers of every call site, and of those callers, are the same with and without it."""
    from apprights.extractors.dex.reach import CallIndex
    from apprights.extractors.dex.scan import DexTargets as Targets
    from apprights.extractors.dex.scan import scan_dex_keep
    from apprights.knowledge import Knowledge

    apks = golden_apks()
    if not apks:
        pytest.skip(f"shared data not available: {SHARED_DATA}")
    targets = Targets.from_catalogue(Knowledge.load().sensitive_apis)
    compared = 0
    for path in apks[:8]:
        blobs = dex_blobs(path)
        if len(blobs) != 1:
            continue
        scan, scanner = scan_dex_keep(*blobs[0], targets)
        full, kept = CallIndex(scanner), CallIndex(scanner)
        kept.keep_defined_callees()
        keys = sorted({(c.caller_class, c.caller_method) for c in scan.call_sites})
        for _level in range(2):
            got = kept.callers(keys)
            assert sorted(got) == sorted(full.callers(keys))
            compared += len(got)
            keys = sorted({caller for caller, _ in got} - set(keys))
        assert len(kept.inv_pos) <= len(full.inv_pos)
    assert compared > 100


def test_extract_code_pauses_the_cyclic_gc_and_restores_it() -> None:
    """The collector is off during a scan, on again after it (also when a dex is malformed), and left off when
    the caller had turned it off."""
    import gc

    from apprights.extractors.dex import DexTargets as Targets
    from apprights.extractors.dex import extract_code

    seen: list[bool] = []

    def blobs() -> Iterator[tuple[str, bytes]]:
        seen.append(gc.isenabled())
        yield "classes.dex", b"not a dex"

    assert gc.isenabled()
    facts = extract_code(blobs(), Targets([]))
    assert seen == [False] and gc.isenabled() and facts.warnings
    gc.disable()
    try:
        extract_code(blobs(), Targets([]))
        assert not gc.isenabled()
    finally:
        gc.enable()
