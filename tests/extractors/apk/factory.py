"""Test factories: a tiny binary-XML writer and APK (ZIP) builder, so hostile cases are precise."""

from __future__ import annotations

import io
import struct
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

ANDROID_NS = "http://schemas.android.com/apk/res/android"
T_STRING, T_INT, T_BOOL, T_REF = 0x03, 0x10, 0x12, 0x01


@dataclass
class Attr:
    name: str
    value: str | int | bool
    resid: int | None = None  # framework attribute id, e.g. 0x0101021B versionCode
    ns: str | None = ANDROID_NS
    vtype: int | None = None  # override the typed value type (e.g. T_REF)


@dataclass
class El:
    tag: str
    attrs: list[Attr] = field(default_factory=list)
    children: list[El] = field(default_factory=list)


def axml(root: El, *, utf8: bool = False, extra_chunks: bytes = b"") -> bytes:
    """Binary XML for ``root``; ``extra_chunks`` are inserted between the start namespace and the root."""
    res_names: list[tuple[str, int]] = []
    res_index: dict[tuple[str, int], int] = {}
    others: list[str] = []

    def walk(el: El) -> None:
        others.append(el.tag)
        for a in el.attrs:
            if a.resid is not None:
                if (a.name, a.resid) not in res_index:
                    res_index[(a.name, a.resid)] = len(res_names)
                    res_names.append((a.name, a.resid))
            else:
                others.append(a.name)
            if isinstance(a.value, str):
                others.append(a.value)
        for c in el.children:
            walk(c)

    walk(root)
    others += [ANDROID_NS, "android"]
    strings = [n for n, _ in res_names]
    seen = set(strings)
    for s in others:
        if s not in seen:
            seen.add(s)
            strings.append(s)
    other_set = set(others)
    strings += [n for n, _ in res_names if n in other_set]  # a name used with and without a resource id
    n_res = len(res_names)
    idx = {s: i for i, s in reversed(list(enumerate(strings))) if i >= n_res}
    idx.update({s: i for i, s in reversed(list(enumerate(strings[:n_res]))) if s not in idx})

    def res_idx(a: Attr) -> int:
        if a.resid is not None:
            return res_index[(a.name, a.resid)]
        return idx[a.name]

    nodes = bytearray()
    nodes += _node(0x0100, struct.pack("<II", idx["android"], idx[ANDROID_NS]))
    nodes += extra_chunks

    def emit(el: El) -> None:
        attrs = b""
        for a in el.attrs:
            ns = idx[a.ns] if a.ns else 0xFFFFFFFF
            if isinstance(a.value, bool):
                vt, data, raw = T_BOOL, 0xFFFFFFFF if a.value else 0, 0xFFFFFFFF
            elif isinstance(a.value, int):
                vt, data, raw = T_INT, a.value & 0xFFFFFFFF, 0xFFFFFFFF
            else:
                vt, data, raw = T_STRING, idx[a.value], idx[a.value]
            if a.vtype is not None:
                vt = a.vtype
            attrs += struct.pack("<IIIHBBI", ns, res_idx(a), raw, 8, 0, vt, data)
        ext = struct.pack("<IIHHHHHH", 0xFFFFFFFF, idx[el.tag], 20, 20, len(el.attrs), 0, 0, 0)
        nodes.extend(_node(0x0102, ext + attrs))
        for c in el.children:
            emit(c)
        nodes.extend(_node(0x0103, struct.pack("<II", 0xFFFFFFFF, idx[el.tag])))

    emit(root)
    nodes += _node(0x0101, struct.pack("<II", idx["android"], idx[ANDROID_NS]))
    pool = string_pool(strings, utf8=utf8)
    resmap = struct.pack("<HHI", 0x0180, 8, 8 + 4 * len(res_names)) + b"".join(
        struct.pack("<I", r) for _, r in res_names
    )
    body = pool + resmap + bytes(nodes)
    return struct.pack("<HHI", 0x0003, 8, 8 + len(body)) + body


def _node(t: int, ext: bytes) -> bytes:
    return struct.pack("<HHIII", t, 16, 16 + len(ext), 1, 0xFFFFFFFF) + ext


def string_pool(strings: list[str], *, utf8: bool = False) -> bytes:
    data = bytearray()
    offsets = []
    for s in strings:
        offsets.append(len(data))
        if utf8:
            b = s.encode("utf-8")
            data += _len8(len(s)) + _len8(len(b)) + b + b"\0"
        else:
            u = s.encode("utf-16-le")
            data += struct.pack("<H", len(u) // 2) + u + b"\0\0"
    while len(data) % 4:
        data += b"\0"
    start = 28 + 4 * len(strings)
    head = struct.pack(
        "<HHIIIIII", 0x0001, 28, start + len(data), len(strings), 0, 0x100 if utf8 else 0, start, 0
    )
    return head + b"".join(struct.pack("<I", o) for o in offsets) + bytes(data)


def _len8(n: int) -> bytes:
    return bytes([n]) if n < 0x80 else bytes([0x80 | (n >> 8), n & 0xFF])


def simple_manifest(
    package: str = "com.example.app", *, version_code: int = 7, extra: list[El] | None = None
) -> El:
    return El(
        "manifest",
        [
            Attr("versionCode", version_code, 0x0101021B),
            Attr("versionName", "1.2.3", 0x0101021C),
            Attr("package", package, None, ns=None),
        ],
        [
            El("uses-sdk", [Attr("minSdkVersion", 21, 0x0101020C), Attr("targetSdkVersion", 30, 0x01010270)]),
            El("uses-permission", [Attr("name", "android.permission.CAMERA", 0x01010003)]),
            El(
                "application",
                [Attr("name", ".App", 0x01010003), Attr("label", "Demo", 0x01010001)],
                [
                    El(
                        "activity",
                        [Attr("name", ".Main", 0x01010003)],
                        [
                            El(
                                "intent-filter",
                                [],
                                [
                                    El("action", [Attr("name", "android.intent.action.MAIN", 0x01010003)]),
                                    El(
                                        "category",
                                        [Attr("name", "android.intent.category.LAUNCHER", 0x01010003)],
                                    ),
                                ],
                            )
                        ],
                    ),
                ],
            ),
            *(extra or []),
        ],
    )


def zip_bytes(entries: list[tuple[str, bytes]], *, compress: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A ZIP with the entries in order (duplicates allowed)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=compress) as z:
        for name, data in entries:
            info = zipfile.ZipInfo(name, (2020, 1, 1, 0, 0, 0))
            info.compress_type = compress
            z.writestr(info, data)
    return buf.getvalue()


def write_apk(path: Path, entries: list[tuple[str, bytes]], **kw: int) -> Path:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about duplicate names, which some tests want
        path.write_bytes(zip_bytes(entries, **kw))
    return path


@dataclass
class ResEntry:
    index: int
    key: str
    vtype: int
    data: int | str  # a str is put in the global string pool


def arsc(
    configs: list[tuple[bytes, list[ResEntry]]],
    *,
    type_name: str = "string",
    type_id: int = 1,
    encoding: str = "offset32",  # offset32 | offset16 | sparse | compact
    package_id: int = 0x7F,
) -> bytes:
    """A resources.arsc with one package, one type and one type chunk per (locale, entries) config."""
    values = [e.data for _, es in configs for e in es if isinstance(e.data, str)]
    global_strings = list(dict.fromkeys(values))
    keys = list(dict.fromkeys(e.key for _, es in configs for e in es))
    type_names = [f"t{i}" for i in range(1, type_id)] + [type_name]
    chunks = b""
    for locale, entries in configs:
        chunks += _type_chunk(type_id, locale, entries, global_strings, keys, encoding)
    type_pool = string_pool(type_names)
    key_pool = string_pool(keys)
    pkg_header = 288
    name = "com.example.app".encode("utf-16-le").ljust(256, b"\0")
    body = type_pool + key_pool + chunks
    pkg = struct.pack("<HHII", 0x0200, pkg_header, pkg_header + len(body), package_id) + name
    pkg += struct.pack("<IIIII", pkg_header, len(type_names), pkg_header + len(type_pool), len(keys), 0)
    pkg += body
    gpool = string_pool(global_strings)
    return struct.pack("<HHII", 0x0002, 12, 12 + len(gpool) + len(pkg), 1) + gpool + pkg


def _type_chunk(
    type_id: int, locale: bytes, entries: list[ResEntry], gstrings: list[str], keys: list[str], encoding: str
) -> bytes:
    config = struct.pack("<I", 64) + b"\0" * 4 + locale.ljust(4, b"\0") + b"\0" * 52
    count = max(e.index for e in entries) + 1 if entries else 0
    blobs: dict[int, bytes] = {}
    for e in entries:
        data = gstrings.index(e.data) if isinstance(e.data, str) else e.data
        if encoding == "compact":
            blobs[e.index] = struct.pack("<HHI", keys.index(e.key), 0x8 | (e.vtype << 8), data)
        else:
            blobs[e.index] = struct.pack("<HHI", 8, 0, keys.index(e.key)) + struct.pack(
                "<HBBI", 8, 0, e.vtype, data
            )
    payload = b""
    offsets: dict[int, int] = {}
    for i in sorted(blobs):
        offsets[i] = len(payload)
        payload += blobs[i]
    if encoding == "sparse":
        table = b"".join(struct.pack("<HH", i, offsets[i] // 4) for i in sorted(offsets))
        flags, n = 0x01, len(offsets)
    elif encoding == "offset16":
        table = b"".join(struct.pack("<H", offsets[i] // 4 if i in offsets else 0xFFFF) for i in range(count))
        flags, n = 0x02, count
    else:
        table = b"".join(struct.pack("<I", offsets.get(i, 0xFFFFFFFF)) for i in range(count))
        flags, n = 0x00, count
    while len(table) % 4:
        table += b"\0"
    header_size = 20 + len(config)
    entries_start = header_size + len(table)
    head = struct.pack(
        "<HHIBBHII", 0x0201, header_size, entries_start + len(payload), type_id, flags, 0, n, entries_start
    )
    return head + config + table + payload
