"""Nasty input files for the end-to-end hostile-input tests. Each builder writes into ``d`` and returns the path
to hand to the CLI; big files are made sparse (truncate) or streamed, never held in memory."""

from __future__ import annotations

import gzip
import os
import random
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

MiB = 1 << 20


def empty(d: Path, suffix: str) -> Path:
    p = d / f"empty{suffix}"
    p.write_bytes(b"")
    return p


def random_bytes(d: Path, suffix: str) -> Path:
    p = d / f"random{suffix}"
    p.write_bytes(random.Random(164).randbytes(64 * 1024))
    return p


def directory(d: Path, suffix: str) -> Path:
    p = d / f"a-directory{suffix}"
    p.mkdir()
    return p


def missing(d: Path, suffix: str) -> Path:
    return d / f"does-not-exist{suffix}"


def _zeros_deflated(size: int) -> tuple[bytes, int]:
    """A raw deflate stream of ``size`` zero bytes, built from one compressed MiB repeated (full-flush blocks
    are independent), and the CRC-32 of the plain data. Fast, and never holds the plain data."""
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    seg = comp.compress(bytes(MiB)) + comp.flush(zlib.Z_FULL_FLUSH)
    tail = zlib.compressobj(9, zlib.DEFLATED, -15).flush(zlib.Z_FINISH)
    crc = 0
    chunk = bytes(MiB)
    for _ in range(size // MiB):
        crc = zlib.crc32(chunk, crc)
    return seg * (size // MiB) + tail, crc


def _raw_zip(path: Path, entries: list[tuple[bytes, bytes, int, int]]) -> None:
    """Write a zip of (name, deflated data, crc, declared uncompressed size) entries."""
    with path.open("wb") as fh:
        central = b""
        for name, blob, crc, usize in entries:
            off = fh.tell()
            sizes = (crc, len(blob), usize, len(name))
            fh.write(struct.pack("<4s5H3I2H", b"PK\x03\x04", 20, 0, 8, 0, 0, *sizes, 0) + name + blob)
            central += struct.pack(
                "<4s6H3I5H2I", b"PK\x01\x02", 20, 20, 0, 8, 0, 0, *sizes, 0, 0, 0, 0, 0, off
            )
            central += name
        n, cd_off = len(entries), fh.tell()
        fh.write(central + struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, n, n, len(central), cd_off, 0))


def zip_bomb(d: Path, suffix: str) -> Path:
    """classes.dex and AndroidManifest.xml each inflate ~1000:1 to 256 MiB (honest sizes in the headers)."""
    p = d / f"bomb{suffix}"
    blob, crc = _zeros_deflated(256 * MiB)
    _raw_zip(p, [(b"AndroidManifest.xml", blob, crc, 256 * MiB), (b"classes.dex", blob, crc, 256 * MiB)])
    return p


def lying_zip_bomb(d: Path, suffix: str) -> Path:
    """The headers declare 1 KiB entries whose deflate streams inflate to 64 MiB."""
    p = d / f"liar{suffix}"
    blob, _crc = _zeros_deflated(64 * MiB)
    _raw_zip(p, [(b"AndroidManifest.xml", blob, 0, 1024), (b"classes.dex", blob, 0, 1024)])
    return p


def zip_slip(d: Path, suffix: str) -> Path:
    """Entry names that escape an extraction directory; the only manifest is outside the root."""
    p = d / f"slip{suffix}"
    with zipfile.ZipFile(p, "w") as zf:
        for name in (
            "../AndroidManifest.xml",
            "../../../../../../tmp/apprights-zipslip-evil.txt",
            "/etc/evil",
            "C:\\Windows\\evil.dll",
            "a/../../classes.dex",
        ):
            zf.writestr(name, b"evil")
    return p


def sparse_zeros(d: Path, suffix: str) -> Path:
    """200 MB of zero bytes, sparse on disk."""
    p = d / f"zeros{suffix}"
    with p.open("wb") as fh:
        fh.truncate(200 * 1000 * 1000)
    return p


def deep_json(d: Path, suffix: str) -> Path:
    p = d / f"deep{suffix}"
    n = 200_000
    p.write_text('{"a":' * n + "1" + "}" * n + "\n" + "[" * n + "]" * n + "\n", encoding="ascii")
    return p


def _gzip_member(plain: bytes, level: int) -> bytes:
    return gzip.compress(plain, compresslevel=level, mtime=0)


def gzip_bomb(d: Path, suffix: str) -> Path:
    """1 GiB of newline-free zeros (~1000:1): one gzip member of 1 MiB repeated (a valid multi-member gzip)."""
    p = d / f"gzbomb{suffix}.gz"
    member = _gzip_member(bytes(MiB), 9)
    with p.open("wb") as fh:
        for _ in range(1024):
            fh.write(member)
    return p


def gzip_line_bomb(d: Path, suffix: str) -> Path:
    """A session line then 1 GiB of short valid event lines, compressed only ~170:1 (under a 200:1 ratio cap)."""
    p = d / f"gzlines{suffix}.gz"
    line = b'{"type":"app_state","t":1,"state":"foreground"}\n'
    member = _gzip_member(line * (MiB // len(line)), 1)
    with p.open("wb") as fh:
        fh.write(_gzip_member(b'{"type":"session","t":0,"format":"apprights-trace/1","package":"a.b"}\n', 9))
        for _ in range(1024):
            fh.write(member)
    return p


def invalid_utf8(d: Path, suffix: str) -> Path:
    p = d / f"latin1{suffix}"
    p.write_bytes(
        b'{"format":"apprights-trace/1","type":"session","t":0,"package":"\xff\xfe\xe9t\xe9"}\n'
        b"\xc3\x28 \xa0\xa1 \xe2\x28\xa1 \xf0\x28\x8c\xbc \x80\x81\x82\n" * 20
    )
    return p


def binary_file(d: Path, suffix: str) -> Path:
    """An ELF-looking binary full of NUL bytes and control characters."""
    p = d / f"binary{suffix}"
    rnd = random.Random(2020)
    p.write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(rnd.randrange(0, 32) for _ in range(32 * 1024)))
    return p


def symlink_loop(d: Path, suffix: str) -> Path:
    a, b = d / f"loop-a{suffix}", d / f"loop-b{suffix}"
    os.symlink(b, a)
    os.symlink(a, b)
    return a


def fifo(d: Path, suffix: str) -> Path:
    """A named pipe nobody writes to: opening it for reading would block forever."""
    p = d / f"fifo{suffix}"
    os.mkfifo(p)
    return p


BUILDERS: dict[str, Callable[[Path, str], Path]] = {
    "empty": empty,
    "random": random_bytes,
    "directory": directory,
    "missing": missing,
    "zip-bomb": zip_bomb,
    "lying-zip-bomb": lying_zip_bomb,
    "zip-slip": zip_slip,
    "sparse-200MB": sparse_zeros,
    "deep-json": deep_json,
    "gzip-bomb": gzip_bomb,
    "gzip-line-bomb": gzip_line_bomb,
    "invalid-utf8": invalid_utf8,
    "binary": binary_file,
    "symlink-loop": symlink_loop,
    "fifo": fifo,
}
