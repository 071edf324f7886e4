"""Android binary XML (AXML), written from the format in AOSP ``ResourceTypes.h``.

Layout: a ``ResChunk_header`` (u16 type, u16 headerSize, u32 size) opens every chunk. The file is one
RES_XML_TYPE chunk holding a string pool, a resource map (resource id of each attribute-name string) and
a stream of nodes: start/end namespace, start/end element, CDATA.

Tolerant like Android's ``ResXMLTree``: unknown chunks are skipped, the tree header's size only limits what
is read, attribute names are resolved by their resource id (so obfuscated name strings do not matter),
strings out of range come back as ``None``. Where Android itself would refuse but the bytes still make
sense (a chunk size running past the end, a bad attribute stride, a damaged string) we read on and record
a warning. Every loop advances by at least 4 bytes over a buffer of known size, so parsing cannot hang.
Anything that cannot be read raises :class:`AxmlError`.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

ANDROID_NS = "http://schemas.android.com/apk/res/android"

RES_STRING_POOL_TYPE = 0x0001
RES_XML_TYPE = 0x0003
RES_XML_START_NAMESPACE_TYPE = 0x0100
RES_XML_END_NAMESPACE_TYPE = 0x0101
RES_XML_START_ELEMENT_TYPE = 0x0102
RES_XML_END_ELEMENT_TYPE = 0x0103
RES_XML_CDATA_TYPE = 0x0104
RES_XML_RESOURCE_MAP_TYPE = 0x0180

TYPE_NULL = 0x00
TYPE_REFERENCE = 0x01
TYPE_ATTRIBUTE = 0x02
TYPE_STRING = 0x03
TYPE_FLOAT = 0x04
TYPE_DYNAMIC_REFERENCE = 0x07
TYPE_INT_DEC = 0x10
TYPE_INT_HEX = 0x11
TYPE_INT_BOOLEAN = 0x12

_UTF8_FLAG = 0x100
_NO_INDEX = 0xFFFFFFFF

# Framework attribute resource ids (android.R.attr) the manifest reader needs. Android resolves manifest
# attributes by these ids, not by their name strings, which obfuscators rename.
ANDROID_ATTRS: dict[int, str] = {
    0x01010000: "theme",
    0x01010001: "label",
    0x01010002: "icon",
    0x01010003: "name",
    0x01010006: "permission",
    0x01010007: "readPermission",
    0x01010008: "writePermission",
    0x01010009: "protectionLevel",
    0x0101000A: "permissionGroup",
    0x0101000B: "sharedUserId",
    0x0101000E: "enabled",
    0x0101000F: "debuggable",
    0x01010010: "exported",
    0x01010011: "process",
    0x01010018: "authorities",
    0x0101001B: "grantUriPermissions",
    0x0101001C: "priority",
    0x01010024: "value",
    0x01010025: "resource",
    0x01010026: "mimeType",
    0x01010027: "scheme",
    0x01010028: "host",
    0x01010029: "port",
    0x0101002A: "path",
    0x0101002B: "pathPrefix",
    0x0101002C: "pathPattern",
    0x01010202: "targetActivity",
    0x0101020C: "minSdkVersion",
    0x0101021B: "versionCode",
    0x0101021C: "versionName",
    0x01010270: "targetSdkVersion",
    0x01010271: "maxSdkVersion",
    0x01010280: "allowBackup",
    0x01010281: "glEsVersion",
    0x0101028E: "required",
    0x010102B7: "installLocation",
    0x010104EC: "usesCleartextTraffic",
    0x01010505: "directBootAware",
    0x01010527: "networkSecurityConfig",
    0x01010576: "versionCodeMajor",
}


class AxmlError(Exception):
    """The binary XML cannot be read at all."""


@dataclass(frozen=True)
class Value:
    """A typed attribute or resource value (``Res_value``) plus its string when it has one."""

    type: int
    data: int
    string: str | None = None  # TYPE_STRING: the string; otherwise the raw string aapt kept, if any

    @property
    def signed(self) -> int:
        return self.data - (1 << 32) if self.data & 0x80000000 else self.data


@dataclass
class Element:
    tag: str
    attrs: dict[str, Value] = field(default_factory=dict)  # "android:name", "package", "{uri}local"
    children: list[Element] = field(default_factory=list)
    line: int = 0

    def get(self, key: str) -> Value | None:
        return self.attrs.get(key)


def chunk_header(data: bytes, off: int, end: int) -> tuple[int, int, int] | None:
    """(type, headerSize, size) of the chunk at ``off``, or None when fewer than 8 bytes remain."""
    if off < 0 or off + 8 > end:
        return None
    t, hs, size = struct.unpack_from("<HHI", data, off)
    return t, hs, size


class StringPool:
    """A ``ResStringPool`` chunk; strings are decoded on demand (an ARSC pool may hold 100 000)."""

    def __init__(self, data: bytes, off: int, end: int, warnings: list[str], where: str) -> None:
        self._data = data
        self._warnings = warnings
        self._where = where
        self._cache: dict[int, str | None] = {}
        self._bad_reported = False
        hdr = chunk_header(data, off, end)
        if hdr is None or off + 28 > end:
            raise AxmlError(f"{where}: string pool header truncated")
        _, hs, size = hdr
        count, _styles, flags, strings_start, styles_start = struct.unpack_from("<IIIII", data, off + 8)
        chunk_end = min(off + size, end) if size >= 28 else end
        if off + size > end:
            warnings.append(f"{where}: string pool size runs past the end; read what is there")
        self.utf8 = bool(flags & _UTF8_FLAG)
        idx_start = off + max(hs, 28)
        max_count = max(0, (chunk_end - idx_start) // 4)
        if count > max_count:
            warnings.append(f"{where}: string pool claims {count} strings, only {max_count} offsets fit")
            count = max_count
        self._offsets = struct.unpack_from(f"<{count}I", data, idx_start) if count else ()
        self._strings = off + strings_start
        self._strings_end = chunk_end
        if styles_start and off + styles_start > self._strings:
            self._strings_end = min(chunk_end, off + styles_start)

    def __len__(self) -> int:
        return len(self._offsets)

    def get(self, idx: int) -> str | None:
        if idx < 0 or idx >= len(self._offsets):
            if idx != _NO_INDEX and not self._bad_reported:
                self._bad_reported = True
                self._warnings.append(f"{self._where}: string #{idx} lies outside the string pool")
            return None
        if idx in self._cache:
            return self._cache[idx]
        s = self._decode(self._strings + self._offsets[idx])
        if s is None and not self._bad_reported:
            self._bad_reported = True
            self._warnings.append(f"{self._where}: string #{idx} lies outside the string pool")
        self._cache[idx] = s
        return s

    def _decode(self, pos: int) -> str | None:
        d, end = self._data, self._strings_end
        if pos < self._strings or pos >= end:
            return None
        if self.utf8:
            # u16 length (1-2 bytes), then the UTF-8 byte length (1-2 bytes), then the bytes.
            _, pos = _len8(d, pos, end)
            n, pos = _len8(d, pos, end)
            if pos < 0:
                return None
            raw = d[pos : min(pos + n, end)]
            return raw.decode("utf-8", errors="replace")
        if pos + 2 > end:
            return None
        n = struct.unpack_from("<H", d, pos)[0]
        pos += 2
        if n & 0x8000:
            if pos + 2 > end:
                return None
            n = ((n & 0x7FFF) << 16) | struct.unpack_from("<H", d, pos)[0]
            pos += 2
        raw = d[pos : min(pos + 2 * n, end)]
        if len(raw) % 2:
            raw = raw[:-1]
        return raw.decode("utf-16-le", errors="replace")


def _len8(d: bytes, pos: int, end: int) -> tuple[int, int]:
    if pos < 0 or pos >= end:
        return 0, -1
    n = d[pos]
    if n & 0x80:
        if pos + 1 >= end:
            return 0, -1
        return ((n & 0x7F) << 8) | d[pos + 1], pos + 2
    return n, pos + 1


def read_value(data: bytes, off: int, strings: StringPool, raw_idx: int = _NO_INDEX) -> Value:
    """The ``Res_value`` at ``off`` (u16 size, u8 res0, u8 dataType, u32 data)."""
    _, _, dtype, d = struct.unpack_from("<HBBI", data, off)
    if dtype == TYPE_STRING:
        s = strings.get(d)
        if s is None and raw_idx != _NO_INDEX:
            s = strings.get(raw_idx)
        return Value(dtype, d, s)
    return Value(dtype, d, strings.get(raw_idx) if raw_idx != _NO_INDEX else None)


class _Builder:
    def __init__(self, max_elements: int) -> None:
        self.root: Element | None = None
        self.stack: list[Element] = []
        self.count = 0
        self.max_elements = max_elements
        self.done = False  # the root element was closed: Android's parser stops there


def parse_axml(
    data: bytes, warnings: list[str], *, where: str = "AndroidManifest.xml", max_elements: int = 200_000
) -> Element:
    """The root element of a binary XML document; tolerated anomalies go to ``warnings``."""
    end = len(data)
    hdr = chunk_header(data, 0, end)
    if hdr is None:
        raise AxmlError(f"{where}: too short for binary XML ({end} bytes)")
    t, hs, size = hdr
    if t != RES_XML_TYPE:
        if data[:1] == b"<" or data[:5] == b"\xef\xbb\xbf<?x":
            raise AxmlError(f"{where}: is plain-text XML, not compiled binary XML")
        warnings.append(f"{where}: first chunk type 0x{t:04x} is not RES_XML_TYPE; read on as Android does")
    declared_end = end
    if 8 <= size < end:
        declared_end = size  # Android reads only as far as the tree header says; trailing bytes are ignored
    elif size > end:
        warnings.append(f"{where}: header size {size} exceeds the data ({end} bytes); read what is there")
    off = hs if 8 <= hs < declared_end else 8
    first: list[str] = []
    b = _walk(data, off, declared_end, first, where, max_elements)
    if declared_end < end and (b.root is None or not b.done):
        # The header's size cuts the document short. Android would give up; the bytes hold more, so read on.
        second: list[str] = [f"{where}: header size {size} cuts the document short; read all {end} bytes"]
        retry = _walk(data, off, end, second, where, max_elements)
        if retry.root is not None and (b.root is None or retry.done):
            b, first = retry, second
    warnings.extend(first)
    if b.root is None:
        raise AxmlError(f"{where}: no XML element found")
    if b.stack and not b.done:
        warnings.append(f"{where}: document ends with {len(b.stack)} unclosed element(s)")
    return b.root


def _walk(data: bytes, off: int, end: int, warnings: list[str], where: str, max_elements: int) -> _Builder:
    """Read chunks from ``off`` to ``end``: the string pool, the resource map and the nodes."""
    strings: StringPool | None = None
    resmap: tuple[int, ...] = ()
    namespaces: dict[str, str] = {}
    b = _Builder(max_elements)
    while not b.done:
        hdr = chunk_header(data, off, end)
        if hdr is None:
            break
        t, hs, size = hdr
        bad_size = size < 8 or size < hs
        if bad_size or off + size > end:
            warnings.append(f"{where}: chunk 0x{t:04x} at {off} has a bad size {size}; read what is there")
        chunk_end = end if bad_size else min(off + size, end)
        if t == RES_STRING_POOL_TYPE:
            if strings is None:
                strings = StringPool(data, off, chunk_end, warnings, where)
            else:
                warnings.append(f"{where}: extra string pool ignored")
        elif t == RES_XML_RESOURCE_MAP_TYPE:
            start = off + (hs if 8 <= hs <= chunk_end - off else 8)
            n = max(0, (chunk_end - start) // 4)
            resmap = struct.unpack_from(f"<{n}I", data, start) if n else ()
        elif RES_XML_START_NAMESPACE_TYPE <= t <= RES_XML_CDATA_TYPE:
            if strings is None:
                raise AxmlError(f"{where}: XML node before any string pool")
            _node(data, off, hs, chunk_end, t, strings, resmap, namespaces, b, warnings, where)
        elif t not in (RES_XML_TYPE, 0):
            warnings.append(f"{where}: unknown chunk type 0x{t:04x} at {off} skipped")
        if bad_size:
            break  # no trustworthy way to find the next chunk
        off += max(size, 8)
    return b


def _node(
    data: bytes,
    off: int,
    hs: int,
    end: int,
    t: int,
    strings: StringPool,
    resmap: tuple[int, ...],
    namespaces: dict[str, str],
    b: _Builder,
    warnings: list[str],
    where: str,
) -> None:
    line = struct.unpack_from("<I", data, off + 8)[0] if off + 12 <= end else 0
    ext = off + (hs if 16 <= hs <= end - off else 16)
    if t == RES_XML_START_NAMESPACE_TYPE:
        if ext + 8 <= end:
            prefix, uri = struct.unpack_from("<II", data, ext)
            namespaces[strings.get(uri) or ""] = strings.get(prefix) or ""
        return
    if t == RES_XML_END_ELEMENT_TYPE:
        if b.stack:
            b.stack.pop()
            if not b.stack:
                b.done = True
        else:
            warnings.append(f"{where}: end tag without a start tag at line {line}")
        return
    if t != RES_XML_START_ELEMENT_TYPE or ext + 20 > end:
        return
    b.count += 1
    if b.count > b.max_elements:
        raise AxmlError(f"{where}: more than {b.max_elements} elements")
    _ns, name_idx, a_start, a_size, a_count = struct.unpack_from("<IIHHH", data, ext)
    tag = strings.get(name_idx)
    if tag is None:
        warnings.append(f"{where}: element at line {line} has no readable name")
        tag = ""
    elem = Element(tag=tag, line=line)
    stride = a_size
    if stride < 20:
        warnings.append(f"{where}: <{tag}> attribute size {a_size} < 20; using 20")
        stride = 20
    pos = ext + a_start
    if a_count and pos + 20 > end:
        warnings.append(f"{where}: <{tag}> attributes lie outside the node")
    by_name: dict[str, Value] = {}
    for _ in range(a_count):
        if pos + 20 > end:
            break
        ns_idx, an_idx, raw_idx = struct.unpack_from("<III", data, pos)
        value = read_value(data, pos + 12, strings, raw_idx)
        pos += stride
        resid = resmap[an_idx] if an_idx < len(resmap) else 0
        if resid in ANDROID_ATTRS:
            key = "android:" + ANDROID_ATTRS[resid]
            if key in elem.attrs:
                warnings.append(f"{where}: <{tag}> repeats attribute {key}; the first is kept")
                continue
            elem.attrs[key] = value
            continue
        aname = strings.get(an_idx) or ""
        uri = strings.get(ns_idx) if ns_idx != _NO_INDEX else None
        if resid >> 24 == 0x01:
            key = f"android:@0x{resid:08x}"  # a framework attribute we do not need, whatever its name says
        elif uri == ANDROID_NS or (uri is not None and namespaces.get(uri) == "android"):
            key = "android:" + aname  # no resource id: only the name is left to go by
        elif uri is None or uri == "":
            key = aname
        else:
            key = f"{{{uri}}}{aname}"
        by_name.setdefault(key, value)
    for key, value in by_name.items():
        if key in elem.attrs:
            if key.startswith("android:") and elem.attrs[key] != value:
                warnings.append(f"{where}: <{tag}> attribute name {key!r} disagrees with its resource id")
            continue
        elem.attrs[key] = value
    if b.done:
        return
    if b.stack:
        b.stack[-1].children.append(elem)
    elif b.root is None:
        b.root = elem
    else:
        warnings.append(f"{where}: second root element <{tag}> ignored")
        return
    b.stack.append(elem)


def value_str(v: Value) -> str:
    """A value as the text aapt would have printed (references as ``@0x7f…``)."""
    if v.type == TYPE_STRING:
        return v.string or ""
    if v.type in (TYPE_REFERENCE, TYPE_DYNAMIC_REFERENCE):
        return f"@0x{v.data:08x}"
    if v.type == TYPE_ATTRIBUTE:
        return f"?0x{v.data:08x}"
    if v.type == TYPE_INT_BOOLEAN:
        return "true" if v.data else "false"
    if v.type == TYPE_INT_HEX:
        return f"0x{v.data:x}"
    if v.type == TYPE_FLOAT:
        return repr(struct.unpack("<f", struct.pack("<I", v.data))[0])
    if v.type == TYPE_INT_DEC or 0x1C <= v.type <= 0x1F:
        return str(v.signed)
    return v.string if v.string is not None else str(v.data)


def value_int(v: Value | None) -> int | None:
    if v is None:
        return None
    if v.type in (TYPE_INT_DEC, TYPE_INT_HEX, TYPE_INT_BOOLEAN):
        return v.signed
    if v.type == TYPE_FLOAT:
        f = struct.unpack("<f", struct.pack("<I", v.data))[0]
        return int(f) if f == f and abs(f) < 2**63 else None
    if v.type == TYPE_STRING and v.string is not None:
        s = v.string.strip()
        try:
            return int(s, 16) if s.lower().startswith("0x") else int(s)
        except ValueError:
            return None
    return None


def value_bool(v: Value | None) -> bool | None:
    if v is None:
        return None
    if v.type in (TYPE_INT_BOOLEAN, TYPE_INT_DEC, TYPE_INT_HEX):
        return v.data != 0
    if v.type == TYPE_STRING and v.string is not None:
        s = v.string.strip().lower()
        if s in ("true", "false"):
            return s == "true"
    return None
