"""A minimal ``resources.arsc`` reader: enough to resolve ``@string/app_name`` and to name a resource id.

Layout (AOSP ``ResourceTypes.h``): RES_TABLE_TYPE header, the global string pool (values), then one
RES_TABLE_PACKAGE_TYPE chunk per package with its type-name and key-name pools, type specs and one
RES_TABLE_TYPE_TYPE chunk per (type, configuration). Only chunk headers are indexed up front; entries are
read when asked for, so a 20 MiB table costs a few milliseconds.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from apprights.extractors.apk.axml import (
    TYPE_DYNAMIC_REFERENCE,
    TYPE_REFERENCE,
    TYPE_STRING,
    AxmlError,
    StringPool,
    Value,
    chunk_header,
    value_str,
)

RES_TABLE_TYPE = 0x0002
RES_TABLE_PACKAGE_TYPE = 0x0200
RES_TABLE_TYPE_TYPE = 0x0201

_FLAG_COMPLEX = 0x0001
_FLAG_COMPACT = 0x0008
_TYPE_FLAG_SPARSE = 0x01
_TYPE_FLAG_OFFSET16 = 0x02
_MAX_CHUNKS = 1_000_000
_MAX_CONFIGS_PER_TYPE = 4096  # real apps have a few hundred configurations per type at most
_LOOKUP_BUDGET = 2_000_000  # entry look-ups per table: a hostile table cannot make resolving hang


@dataclass
class _TypeChunk:
    off: int
    end: int
    language: bytes
    country: bytes
    default_config: bool  # every qualifier zero: the "res/values" configuration


@dataclass
class _Package:
    type_names: StringPool | None
    key_names: StringPool | None
    type_id_offset: int = 0
    types: dict[int, list[_TypeChunk]] = field(default_factory=dict)


class ResourceTable:
    def __init__(self, data: bytes, warnings: list[str], where: str = "resources.arsc") -> None:
        self._data = data
        self._warnings = warnings
        self._where = where
        self.strings: StringPool | None = None
        self.packages: dict[int, _Package] = {}
        self._budget = _LOOKUP_BUDGET
        self._resolved: dict[int, Value | None] = {}
        self._preference: dict[
            int, list[_TypeChunk]
        ] = {}  # (package << 8 | type) -> chunks in preference order
        hdr = chunk_header(data, 0, len(data))
        if hdr is None or hdr[0] != RES_TABLE_TYPE:
            raise AxmlError(f"{where}: not a resource table")
        _, hs, size = hdr
        end = min(size, len(data)) if size >= 12 else len(data)
        off = hs if 12 <= hs < end else 12
        for _ in range(_MAX_CHUNKS):
            h = chunk_header(data, off, end)
            if h is None:
                break
            t, chs, csize = h
            if csize < 8:
                warnings.append(f"{where}: chunk at {off} has a bad size {csize}; stop")
                break
            cend = min(off + csize, end)
            if t == 0x0001 and self.strings is None:
                self.strings = StringPool(data, off, cend, warnings, where)
            elif t == RES_TABLE_PACKAGE_TYPE:
                self._package(off, chs, cend)
            off += csize

    def _package(self, off: int, hs: int, end: int) -> None:
        d = self._data
        if off + 284 > end:
            self._warnings.append(f"{self._where}: package header truncated")
            return
        pkg_id = struct.unpack_from("<I", d, off + 8)[0]
        type_strings, _last_type, key_strings = struct.unpack_from("<III", d, off + 268)
        type_id_offset = struct.unpack_from("<I", d, off + 284)[0] if hs >= 288 and off + 288 <= end else 0
        pkg = _Package(
            type_names=self._pool(off + type_strings, end),
            key_names=self._pool(off + key_strings, end),
            type_id_offset=type_id_offset,
        )
        self.packages.setdefault(pkg_id & 0xFF, pkg)
        pos = off + (hs if 284 <= hs < end - off else 288)
        for _ in range(_MAX_CHUNKS):
            h = chunk_header(d, pos, end)
            if h is None:
                break
            t, _chs, csize = h
            if csize < 8:
                break
            if t == RES_TABLE_TYPE_TYPE and pos + 28 <= end:
                type_id = d[pos + 8]
                cfg = pos + 20
                cfg_size = struct.unpack_from("<I", d, cfg)[0]
                cfg_bytes = d[cfg + 4 : min(cfg + max(cfg_size, 4), end)]
                lang = d[cfg + 8 : cfg + 10] if cfg + 12 <= end else b"\0\0"
                country = d[cfg + 10 : cfg + 12] if cfg + 12 <= end else b"\0\0"
                chunk = _TypeChunk(pos, min(pos + csize, end), lang, country, not any(cfg_bytes))
                chunks = pkg.types.setdefault(type_id, [])
                if len(chunks) < _MAX_CONFIGS_PER_TYPE:
                    chunks.append(chunk)
                elif len(chunks) == _MAX_CONFIGS_PER_TYPE:
                    chunks.append(chunk)
                    self._warnings.append(
                        f"{self._where}: type {type_id} has too many configurations; rest ignored"
                    )
            pos += csize

    def _pool(self, off: int, end: int) -> StringPool | None:
        try:
            return StringPool(self._data, off, end, self._warnings, self._where)
        except AxmlError:
            return None

    def _ordered(self, chunks: list[_TypeChunk]) -> list[_TypeChunk]:
        def rank(c: _TypeChunk) -> int:
            if c.default_config:
                return 0
            if c.language == b"\0\0":
                return 1
            if c.language == b"zh" and c.country == b"CN":
                return 2
            if c.language == b"zh":
                return 3
            return 4

        return sorted(chunks, key=rank)  # stable: file order within a rank

    def _entry(self, c: _TypeChunk, index: int) -> tuple[int, Value | None] | None:
        """(key index, value) of entry ``index`` in one type chunk; value None for complex (bag) entries."""
        if self._budget <= 0:
            return None
        self._budget -= 1
        if self._budget == 0:
            self._warnings.append(f"{self._where}: look-up budget spent; further references stay unresolved")
        d, end = self._data, c.end
        flags = d[c.off + 9]
        count, entries_start = struct.unpack_from("<II", d, c.off + 12)
        hs = struct.unpack_from("<H", d, c.off + 2)[0]
        table = c.off + hs
        if flags & _TYPE_FLAG_SPARSE:
            # Sparse: (entry index, offset / 4) pairs sorted by index, as Android requires; binary search.
            lo, hi = 0, min(count, max(0, (end - table) // 4))
            eoff = None
            while lo < hi:
                mid = (lo + hi) // 2
                idx, off16 = struct.unpack_from("<HH", d, table + 4 * mid)
                if idx == index:
                    eoff = off16 * 4
                    break
                if idx < index:
                    lo = mid + 1
                else:
                    hi = mid
            if eoff is None:
                return None
        elif flags & _TYPE_FLAG_OFFSET16:
            if index >= count or table + 2 * index + 2 > end:
                return None
            v16 = struct.unpack_from("<H", d, table + 2 * index)[0]
            if v16 == 0xFFFF:
                return None
            eoff = v16 * 4
        else:
            if index >= count or table + 4 * index + 4 > end:
                return None
            eoff = struct.unpack_from("<I", d, table + 4 * index)[0]
            if eoff == 0xFFFFFFFF:
                return None
        pos = c.off + entries_start + eoff
        if pos + 8 > end:
            return None
        esize, eflags, key = struct.unpack_from("<HHI", d, pos)
        if eflags & _FLAG_COMPACT:
            # Compact entry: the key sits in the size field, the value type in the high byte of flags.
            return esize, Value(eflags >> 8, key, None)
        if eflags & _FLAG_COMPLEX:
            return key, None
        vpos = pos + esize
        if vpos + 8 > end or esize < 8:
            return None
        _, _, dtype, data = struct.unpack_from("<HBBI", d, vpos)
        s = self.strings.get(data) if (dtype == TYPE_STRING and self.strings is not None) else None
        return key, Value(dtype, data, s)

    def _lookup(self, resid: int) -> tuple[_Package, list[_TypeChunk], int] | None:
        pkg = self.packages.get(resid >> 24)
        if pkg is None:
            return None
        chunks = pkg.types.get((resid >> 16) & 0xFF)
        if not chunks:
            return None
        return pkg, chunks, resid & 0xFFFF

    def resolve(self, resid: int) -> Value | None:
        """The value of a resource: default configuration first, then zh-CN, zh, any other."""
        if resid not in self._resolved:
            self._resolved[resid] = self._resolve(resid, 0)
        return self._resolved[resid]

    def _resolve(self, resid: int, depth: int) -> Value | None:
        found = self._lookup(resid)
        if found is None or depth > 8:
            return None
        _, chunks, index = found
        key = resid >> 16
        if key not in self._preference:
            self._preference[key] = self._ordered(chunks[:_MAX_CONFIGS_PER_TYPE])
        for c in self._preference[key]:
            e = self._entry(c, index)
            if e is None or e[1] is None:
                continue
            v = e[1]
            if v.type == TYPE_STRING and v.string is None and self.strings is not None:
                v = Value(v.type, v.data, self.strings.get(v.data))
            if v.type in (TYPE_REFERENCE, TYPE_DYNAMIC_REFERENCE) and v.data:
                inner = self._resolve(v.data, depth + 1)
                if inner is not None:
                    return inner
            return v
        return None

    def resolve_text(self, resid: int) -> str | None:
        v = self.resolve(resid)
        if v is None or v.type in (TYPE_REFERENCE, TYPE_DYNAMIC_REFERENCE):
            return None
        return value_str(v)

    def name_of(self, resid: int) -> str | None:
        """``@type/key`` of a resource id, or None when the table does not define it."""
        found = self._lookup(resid)
        if found is None:
            return None
        pkg, chunks, index = found
        if pkg.type_names is None or pkg.key_names is None:
            return None
        type_name = pkg.type_names.get(((resid >> 16) & 0xFF) - 1 - pkg.type_id_offset)
        for c in chunks[:_MAX_CONFIGS_PER_TYPE]:
            e = self._entry(c, index)
            if e is not None:
                key = pkg.key_names.get(e[0])
                if type_name and key:
                    return f"@{type_name}/{key}"
        return None
