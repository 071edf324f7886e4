"""DEX container layout: the header, the id tables and the class data, read with struct + numpy.

Every table is a zero-copy ``np.frombuffer`` view over the dex bytes; every index read from the file is checked
against the table it points into before it is used, so a malformed file raises ``InputError`` instead of an
``IndexError`` deep inside a scan. Layout reference: https://source.android.com/docs/core/runtime/dex-format.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from apprights.errors import InputError

HEADER_SIZE = 0x70
ENDIAN_CONSTANT = 0x12345678
NO_INDEX = 0xFFFFFFFF
TYPE_CLASS_DATA_ITEM = 0x2000
TYPE_STRING_DATA_ITEM = 0x2002
# A dex file is limited to 4 GiB by its u32 offsets; the 64K method limit bounds method ids per dex, but
# nothing stops a hostile file from claiming more, so counts are checked against the bytes really present.
MAX_DEX_BYTES = 1 << 31

U8 = npt.NDArray[np.uint8]
U32 = npt.NDArray[np.uint32]
I64 = npt.NDArray[np.int64]

_HEADER = struct.Struct("<8sI20sIIIIIIIIIIIIIIIIIIII")
_METHOD_ID = np.dtype([("class_idx", "<u2"), ("proto_idx", "<u2"), ("name_idx", "<u4")])
_CLASS_DEF = np.dtype(
    [
        ("class_idx", "<u4"),
        ("access_flags", "<u4"),
        ("superclass_idx", "<u4"),
        ("interfaces_off", "<u4"),
        ("source_file_idx", "<u4"),
        ("annotations_off", "<u4"),
        ("class_data_off", "<u4"),
        ("static_values_off", "<u4"),
    ]
)


@dataclass(frozen=True)
class DexHeader:
    version: str
    file_size: int
    map_off: int
    string_ids: tuple[int, int]  # (size, offset)
    type_ids: tuple[int, int]
    proto_ids: tuple[int, int]
    field_ids: tuple[int, int]
    method_ids: tuple[int, int]
    class_defs: tuple[int, int]
    data: tuple[int, int]


def parse_header(name: str, data: bytes) -> DexHeader:
    if len(data) < HEADER_SIZE:
        raise InputError(name, f"truncated dex: {len(data)} bytes, the header alone is {HEADER_SIZE}")
    if len(data) > MAX_DEX_BYTES:
        raise InputError(name, f"dex too large: {len(data)} bytes")
    f = _HEADER.unpack_from(data, 0)
    magic: bytes = f[0]
    if magic[:4] != b"dex\n" or magic[7] != 0 or not magic[4:7].isdigit():
        raise InputError(name, f"not a dex file (magic {magic[:8]!r})")
    endian = f[5]
    if endian != ENDIAN_CONSTANT:
        raise InputError(name, f"unsupported dex endian tag 0x{endian:08x}")
    file_size = f[3]
    if file_size > len(data):
        raise InputError(name, f"truncated dex: header says {file_size} bytes, got {len(data)}")
    return DexHeader(
        version=magic[4:7].decode("ascii"),
        file_size=file_size,
        map_off=f[8],
        string_ids=(f[9], f[10]),
        type_ids=(f[11], f[12]),
        proto_ids=(f[13], f[14]),
        field_ids=(f[15], f[16]),
        method_ids=(f[17], f[18]),
        class_defs=(f[19], f[20]),
        data=(f[21], f[22]),
    )


def uleb128_at(u8: U8, offs: I64, *, name: str) -> tuple[I64, I64]:
    """Decode one uleb128 at each offset in ``offs`` (vectorised); returns (values, offsets after them)."""
    n = len(u8)
    vals = np.zeros(len(offs), dtype=np.int64)
    pos = offs.astype(np.int64, copy=True)
    active = np.ones(len(offs), dtype=bool)
    for k in range(5):
        if not active.any():
            break
        if int(pos[active].max(initial=0)) >= n or int(pos.min(initial=0)) < 0:
            raise InputError(name, "uleb128 value runs past the end of the dex")
        b = u8[pos].astype(np.int64)
        vals |= np.where(active, (b & 0x7F) << (7 * k), 0)
        pos += active
        active &= b >= 0x80
    if active.any():
        raise InputError(name, "uleb128 value longer than 5 bytes")
    return vals, pos


def u32_at(u8: U8, offs: I64) -> I64:
    """Little-endian u32 at arbitrary (possibly unaligned) offsets; offsets must be in bounds."""

    def at(k: int) -> I64:
        return u8[offs + k].astype(np.int64)

    return at(0) | (at(1) << 8) | (at(2) << 16) | (at(3) << 24)


@dataclass
class MethodTable:
    """One row per encoded method (direct and virtual) of every class that has class data."""

    class_def: I64  # index into class_defs
    method_idx: I64  # index into method_ids
    code_off: I64  # 0 for abstract/native


class DexFile:
    """The raw tables of one dex file; nothing is decoded until asked for."""

    def __init__(self, name: str, data: bytes) -> None:
        self.name = name
        self.data = data
        self.header = h = parse_header(name, data)
        self.u8: U8 = np.frombuffer(data, dtype=np.uint8)
        self.string_offs: U32 = self._table(h.string_ids, 4, "string_ids", "<u4")
        self.type_desc: U32 = self._table(h.type_ids, 4, "type_ids", "<u4")
        mids: Any = self._table(h.method_ids, 8, "method_ids", _METHOD_ID)
        self.method_class: npt.NDArray[np.uint16] = mids["class_idx"]
        self.method_name: U32 = mids["name_idx"]
        cdefs: Any = self._table(h.class_defs, 32, "class_defs", _CLASS_DEF)
        self.class_idx: U32 = cdefs["class_idx"]
        self.class_data_off: U32 = cdefs["class_data_off"]
        self._sections: dict[int, tuple[int, int]] | None = None
        self._check_indexes()

    def _table(self, size_off: tuple[int, int], item: int, what: str, dtype: Any) -> Any:
        size, off = size_off
        if size == 0:
            return np.zeros(0, dtype=dtype)
        if off < HEADER_SIZE or off + size * item > len(self.data):
            raise InputError(self.name, f"{what} table ({size} items at 0x{off:x}) lies outside the dex")
        return np.frombuffer(self.data, dtype=dtype, count=size, offset=off)

    def _check_indexes(self) -> None:
        n_str, n_typ = len(self.string_offs), len(self.type_desc)
        if len(self.string_offs) and int(self.string_offs.max()) >= len(self.data):
            raise InputError(self.name, "string_ids point outside the dex")
        if len(self.type_desc) and int(self.type_desc.max()) >= n_str:
            raise InputError(self.name, "type_ids refer to a missing string")
        if len(self.method_class) and (
            int(self.method_class.max()) >= n_typ or int(self.method_name.max()) >= n_str
        ):
            raise InputError(self.name, "method_ids refer to a missing type or string")
        if len(self.class_idx) and int(self.class_idx.max()) >= n_typ:
            raise InputError(self.name, "class_defs refer to a missing type")

    @property
    def class_count(self) -> int:
        return len(self.class_idx)

    @property
    def method_count(self) -> int:
        return len(self.method_class)

    def field_ref(self, idx: int) -> tuple[int, int] | None:
        """(class type index, name string index) of field id ``idx``, or None when out of range. Read on demand:
        only the few ``sget-object`` fields of analysed methods are ever looked up."""
        size, off = self.header.field_ids
        if not 0 <= idx < size or off < HEADER_SIZE or off + 8 * (idx + 1) > len(self.data):
            return None
        cls, _typ, name = struct.unpack_from("<HHI", self.data, off + 8 * idx)
        if cls >= len(self.type_desc) or name >= len(self.string_offs):
            return None
        return cls, name

    def map_sections(self) -> dict[int, tuple[int, int]]:
        """map_list as {type: (offset, end)}; end is the next section's offset (or file size). Empty if absent."""
        if self._sections is None:
            self._sections = self._read_map()
        return self._sections

    def _read_map(self) -> dict[int, tuple[int, int]]:
        off = self.header.map_off
        if off == 0 or off + 4 > len(self.data):
            return {}
        (count,) = struct.unpack_from("<I", self.data, off)
        if count > 64 or off + 4 + 12 * count > len(self.data):
            return {}
        entries = [struct.unpack_from("<HHII", self.data, off + 4 + 12 * i) for i in range(count)]
        starts = sorted({e[3] for e in entries} | {len(self.data)})
        out: dict[int, tuple[int, int]] = {}
        for typ, _unused, _size, start in entries:
            later = [s for s in starts if s > start]
            out[typ] = (start, later[0] if later else len(self.data))
        return out

    def methods(self) -> MethodTable:
        """Decode every class_data_item at once: uleb128 decoding of the whole class-data section is vectorised,
        then each class's method block is located by offset arithmetic (no per-method Python loop)."""
        cdo = self.class_data_off.astype(np.int64)
        has = np.flatnonzero(cdo)
        if len(has) == 0:
            empty = np.zeros(0, dtype=np.int64)
            return MethodTable(empty, empty, empty)
        offs = cdo[has]
        lo = int(offs.min())
        if lo < HEADER_SIZE or int(offs.max()) >= len(self.data):
            raise InputError(self.name, "class_data_off points outside the dex")
        hi = len(self.data)
        sec = self.map_sections().get(TYPE_CLASS_DATA_ITEM)
        if sec is not None and sec[0] == lo and int(offs.max()) < sec[1]:
            hi = sec[1]
        vstart, values = _uleb_stream(self.u8[lo:hi])
        vstart += lo
        nvals = len(values)
        vi = np.searchsorted(vstart, offs)
        if int(vi.max()) + 4 > nvals or not np.array_equal(vstart[vi], offs):
            raise InputError(self.name, "class_data_item is malformed or truncated")
        sf, inf, dm, vm = values[vi], values[vi + 1], values[vi + 2], values[vi + 3]
        mstart = vi + 4 + 2 * (sf + inf)
        nm = dm + vm
        total = int(nm.sum())
        if total > nvals or int((mstart + 3 * nm).max()) > nvals:
            raise InputError(self.name, "class_data_item is malformed or truncated")
        first = np.cumsum(nm) - nm  # position of each class's first method in the flat method arrays
        rows = np.arange(total, dtype=np.int64)
        vidx = np.repeat(mstart, nm) + 3 * (rows - np.repeat(first, nm))
        diffs = values[vidx]
        code_off = values[vidx + 2]
        # method_idx_diff restarts at the start of each class's direct list and again at its virtual list.
        seg_len = np.empty(2 * len(has), dtype=np.int64)
        seg_len[0::2], seg_len[1::2] = dm, vm
        seg_start = np.cumsum(seg_len) - seg_len
        cs = np.cumsum(diffs)
        base = np.concatenate(([0], cs))[seg_start]
        method_idx = cs - np.repeat(base, seg_len)
        if total and (int(method_idx.max()) >= self.method_count or int(method_idx.min()) < 0):
            raise InputError(self.name, "class_data_item refers to a missing method id")
        return MethodTable(np.repeat(has.astype(np.int64), nm), method_idx, code_off)


def _uleb_stream(region: U8) -> tuple[I64, I64]:
    """All uleb128 values in ``region`` back to back: (start offset in region, value) for each. Most values
    are one byte, so later bytes are folded in only for the shrinking set of longer values."""
    ends = np.flatnonzero(region < 0x80)
    if len(ends) == 0:
        z = np.zeros(0, dtype=np.int64)
        return z, z
    starts = np.empty(len(ends), dtype=np.int64)
    starts[0] = 0
    starts[1:] = ends[:-1] + 1
    lengths = ends - starts + 1
    values = (region[starts] & 0x7F).astype(np.int64)
    longer = np.flatnonzero(lengths > 1)
    for k in range(1, 5):  # a dex uleb128 has at most 5 bytes; extra bytes of a malformed one are ignored
        if len(longer) == 0:
            break
        values[longer] |= (region[starts[longer] + k] & 0x7F).astype(np.int64) << (7 * k)
        longer = longer[lengths[longer] > k + 1]
    return starts, values
