"""Write binary Android XML (AXML, as in AndroidManifest.xml inside an APK) from an element tree.

Chunks: ``RES_XML_TYPE`` file header, a string pool (UTF-16 or UTF-8), a resource map giving the ``android:``
attribute names their framework resource ids (the names with ids come first in the pool, as aapt does), then
namespace and element nodes. Attribute values are typed like aapt types them: booleans, decimal integers,
``@0x7f…`` references and strings. ``aapt dump xmltree`` and androguard's ``AXMLPrinter`` read the output.

Example::

    data = write_axml('<manifest xmlns:android="http://schemas.android.com/apk/res/android" package="a.b"/>')
"""

from __future__ import annotations

import struct
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass

ANDROID_NS = "http://schemas.android.com/apk/res/android"

# Framework attribute resource ids (android.R.attr, from the AOSP public.xml of the platform).
ANDROID_ATTR_IDS: dict[str, int] = {
    "theme": 0x01010000,
    "label": 0x01010001,
    "icon": 0x01010002,
    "name": 0x01010003,
    "allowClearUserData": 0x01010005,
    "permission": 0x01010006,
    "readPermission": 0x01010007,
    "writePermission": 0x01010008,
    "protectionLevel": 0x01010009,
    "permissionGroup": 0x0101000A,
    "sharedUserId": 0x0101000B,
    "persistent": 0x0101000D,
    "enabled": 0x0101000E,
    "debuggable": 0x0101000F,
    "exported": 0x01010010,
    "process": 0x01010011,
    "taskAffinity": 0x01010012,
    "multiprocess": 0x01010013,
    "excludeFromRecents": 0x01010017,
    "authorities": 0x01010018,
    "syncable": 0x01010019,
    "grantUriPermissions": 0x0101001B,
    "priority": 0x0101001C,
    "launchMode": 0x0101001D,
    "screenOrientation": 0x0101001E,
    "configChanges": 0x0101001F,
    "description": 0x01010020,
    "value": 0x01010024,
    "resource": 0x01010025,
    "mimeType": 0x01010026,
    "scheme": 0x01010027,
    "host": 0x01010028,
    "port": 0x01010029,
    "path": 0x0101002A,
    "pathPrefix": 0x0101002B,
    "pathPattern": 0x0101002C,
    "targetActivity": 0x01010202,
    "minSdkVersion": 0x0101020C,
    "versionCode": 0x0101021B,
    "versionName": 0x0101021C,
    "windowSoftInputMode": 0x0101022B,
    "targetSdkVersion": 0x01010270,
    "maxSdkVersion": 0x01010271,
    "allowBackup": 0x01010280,
    "glEsVersion": 0x01010281,
    "required": 0x0101028E,
    "accountType": 0x0101028F,
    "contentAuthority": 0x01010290,
    "installLocation": 0x010102B7,
    "logo": 0x010102BE,
    "hardwareAccelerated": 0x010102D3,
    "largeHeap": 0x0101035A,
    "isolatedProcess": 0x010103A9,
    "supportsRtl": 0x010103AF,
    "banner": 0x010103F2,
    "extractNativeLibs": 0x010104EA,
    "usesCleartextTraffic": 0x010104EC,
    "directBootAware": 0x01010505,
    "networkSecurityConfig": 0x01010527,
    "roundIcon": 0x0101052C,
}

# Attributes aapt writes as integers / booleans (everything else is a string unless it looks like @0x…).
_INT_ATTRS = {
    "versionCode",
    "minSdkVersion",
    "targetSdkVersion",
    "maxSdkVersion",
    "priority",
    "installLocation",
    "port",
    "glEsVersion",
}
_BOOL_VALUES = {"true": 0xFFFFFFFF, "false": 0}

RES_NULL = 0x00
RES_REFERENCE = 0x01
RES_STRING = 0x03
RES_INT_DEC = 0x10
RES_INT_HEX = 0x11
RES_INT_BOOLEAN = 0x12

_NO = 0xFFFFFFFF


@dataclass(frozen=True)
class _Attr:
    ns: str | None
    name: str
    raw: str
    res_id: int | None


def _split(tag: str) -> tuple[str | None, str]:
    if tag.startswith("{"):
        ns, _, local = tag[1:].partition("}")
        return ns, local
    return None, tag


def _typed(attr: _Attr) -> tuple[int, int, bool]:
    """(dataType, data, keep the raw string) for an attribute value."""
    v = attr.raw.strip()
    if v.startswith("@0x") or v.startswith("@+0x"):
        return RES_REFERENCE, int(v.split("0x", 1)[1], 16), False
    if attr.ns == ANDROID_NS:
        if v in _BOOL_VALUES and attr.name not in _INT_ATTRS:
            return RES_INT_BOOLEAN, _BOOL_VALUES[v], False
        if attr.name in _INT_ATTRS:
            try:
                n = int(v, 0)
            except ValueError:
                return RES_STRING, 0, True  # e.g. a codename targetSdkVersion="Q"
            return (RES_INT_HEX if v.lower().startswith("0x") else RES_INT_DEC), n & 0xFFFFFFFF, False
    return RES_STRING, 0, True


class _StringPool:
    def __init__(self) -> None:
        self.strings: list[str] = []
        self.index: dict[str, int] = {}

    def add(self, s: str) -> int:
        if s not in self.index:
            self.index[s] = len(self.strings)
            self.strings.append(s)
        return self.index[s]

    def add_unmapped(self, s: str, mapped: int) -> int:
        """An attribute name that has no resource id: it must not share an entry covered by the resource map
        (indexes below ``mapped``), or readers would take it for the framework attribute."""
        idx = self.index.get(s)
        if idx is not None and idx >= mapped:
            return idx
        key = "\x00unmapped:" + s
        if key not in self.index:
            self.index[key] = len(self.strings)
            self.strings.append(s)
        return self.index[key]

    def encode(self, utf8: bool) -> bytes:
        body = bytearray()
        offsets: list[int] = []
        for s in self.strings:
            offsets.append(len(body))
            if utf8:
                raw = s.encode("utf-8")
                body += (
                    _len8(len(s.encode("utf-16-le", "surrogatepass")) // 2) + _len8(len(raw)) + raw + b"\x00"
                )
            else:
                raw = s.encode("utf-16-le", "surrogatepass")
                body += _len16(len(raw) // 2) + raw + b"\x00\x00"
        while len(body) % 4:
            body.append(0)
        header_size = 28
        strings_start = header_size + 4 * len(offsets)
        size = strings_start + len(body)
        head = struct.pack(
            "<HHIIIIII",
            0x0001,
            header_size,
            size,
            len(self.strings),
            0,
            0x100 if utf8 else 0,
            strings_start,
            0,
        )
        return head + struct.pack(f"<{len(offsets)}I", *offsets) + bytes(body)


def _len8(n: int) -> bytes:
    if n > 0x7FFF:
        raise ValueError("string too long for an AXML UTF-8 pool")
    return bytes((n,)) if n < 0x80 else bytes((0x80 | (n >> 8), n & 0xFF))


def _len16(n: int) -> bytes:
    if n > 0x7FFFFFFF:
        raise ValueError("string too long")
    if n < 0x8000:
        return struct.pack("<H", n)
    return struct.pack("<HH", 0x8000 | (n >> 16), n & 0xFFFF)


def _walk(el: ET.Element) -> Iterator[tuple[str, ET.Element]]:
    yield "start", el
    for child in el:
        yield from _walk(child)
    yield "end", el


def write_axml(
    root: ET.Element | str,
    *,
    utf8: bool = False,
    namespaces: dict[str, str] | None = None,
    attr_ids: dict[str, int] | None = None,
) -> bytes:
    """Binary XML of ``root`` (an Element or textual XML).

    ``namespaces`` maps prefix → URI for the namespace nodes (default: ``android`` when the tree uses it);
    ``attr_ids`` adds resource ids for ``android:`` attributes missing from ``ANDROID_ATTR_IDS``.
    """
    if isinstance(root, str):
        root = ET.fromstring(root)
    ids = {**ANDROID_ATTR_IDS, **(attr_ids or {})}

    elements = [el for kind, el in _walk(root) if kind == "start"]
    used_ns: set[str] = set()
    for el in elements:
        ns, _ = _split(el.tag)
        if ns:
            used_ns.add(ns)
        for k in el.attrib:
            ans, _ = _split(k)
            if ans:
                used_ns.add(ans)
    if namespaces is None:
        namespaces = {"android": ANDROID_NS} if ANDROID_NS in used_ns else {}
        for i, uri in enumerate(sorted(used_ns - {ANDROID_NS})):
            namespaces[f"ns{i}"] = uri
    prefix_of = {uri: p for p, uri in namespaces.items()}

    # attributes per element, sorted as aapt sorts them: by resource id, then unmapped by name
    el_attrs: dict[int, list[_Attr]] = {}
    for el in elements:
        attrs: list[_Attr] = []
        for k, v in el.attrib.items():
            ns, name = _split(k)
            res_id = ids.get(name) if ns == ANDROID_NS else None
            attrs.append(_Attr(ns, name, v, res_id))
        attrs.sort(key=lambda a: (a.res_id is None, a.res_id or 0, a.name))
        el_attrs[id(el)] = attrs

    # string pool: attribute names with resource ids first, in resource-id order (the resource map indexes them)
    pool = _StringPool()
    mapped = sorted(
        {(a.res_id, a.name) for attrs in el_attrs.values() for a in attrs if a.res_id is not None}
    )
    for _, name in mapped:
        pool.add(name)
    res_map = [rid for rid, _ in mapped]
    for p, uri in namespaces.items():
        pool.add(p)
        pool.add(uri)
    for uri in sorted(used_ns):
        pool.add(uri)
    name_idx: dict[tuple[int, int], int] = {}  # (element id, attribute position) -> name string index
    for el in elements:
        ns, name = _split(el.tag)
        pool.add(name)
        for i, a in enumerate(el_attrs[id(el)]):
            if a.res_id is not None:
                name_idx[(id(el), i)] = pool.index[a.name]
            else:
                name_idx[(id(el), i)] = pool.add_unmapped(a.name, len(res_map))
            if _typed(a)[2]:
                pool.add(a.raw)

    nodes = bytearray()
    line = 1
    for p, uri in namespaces.items():
        nodes += _node(0x0100, line, struct.pack("<II", pool.index[p], pool.index[uri]))
    for kind, el in _walk(root):
        ns, name = _split(el.tag)
        ns_idx = pool.index[ns] if ns else _NO
        if ns and ns not in prefix_of:
            raise ValueError(f"element namespace {ns} has no prefix")
        if kind == "end":
            nodes += _node(0x0103, line, struct.pack("<II", ns_idx, pool.index[name]))
            continue
        attrs = el_attrs[id(el)]
        body = bytearray(struct.pack("<IIHHHHHH", ns_idx, pool.index[name], 20, 20, len(attrs), 0, 0, 0))
        for i, a in enumerate(attrs):
            dtype, data, keep_raw = _typed(a)
            raw_idx = pool.index[a.raw] if keep_raw else _NO
            if dtype == RES_STRING:
                data = pool.index[a.raw]
            body += struct.pack(
                "<IIIHBBI",
                pool.index[a.ns] if a.ns else _NO,
                name_idx[(id(el), i)],
                raw_idx,
                8,
                0,
                dtype,
                data,
            )
        nodes += _node(0x0102, line, bytes(body))
        line += 1
    for p, uri in reversed(namespaces.items()):
        nodes += _node(0x0101, line, struct.pack("<II", pool.index[p], pool.index[uri]))

    pool_bytes = pool.encode(utf8)
    resmap = struct.pack(f"<HHI{len(res_map)}I", 0x0180, 8, 8 + 4 * len(res_map), *res_map)
    total = 8 + len(pool_bytes) + len(resmap) + len(nodes)
    return struct.pack("<HHI", 0x0003, 8, total) + pool_bytes + resmap + bytes(nodes)


def _node(chunk_type: int, line: int, body: bytes) -> bytes:
    return struct.pack("<HHIII", chunk_type, 16, 16 + len(body), line, _NO) + body
