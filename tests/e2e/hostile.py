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


def _deflated_zeros_entry(zf: zipfile.ZipFile, name: str, size: int) -> None:
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    chunk = bytes(MiB)
    with zf.open(info, "w", force_zip64=True) as fh:
        for _ in range(size // MiB):
            fh.write(chunk)


def zip_bomb(d: Path, suffix: str) -> Path:
    """A zip whose classes.dex and AndroidManifest.xml each inflate ~1000:1 to 256 MiB (honest sizes)."""
    p = d / f"bomb{suffix}"
    with zipfile.ZipFile(p, "w", compresslevel=1) as zf:
        _deflated_zeros_entry(zf, "AndroidManifest.xml", 256 * MiB)
        _deflated_zeros_entry(zf, "classes.dex", 256 * MiB)
    return p


def lying_zip_bomb(d: Path, suffix: str) -> Path:
    """A zip whose central directory declares 1 KiB entries whose deflate streams inflate to 64 MiB."""
    p = d / f"liar{suffix}"
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    blob = b"".join(comp.compress(bytes(MiB)) for _ in range(64)) + comp.flush()
    with p.open("wb") as fh:
        central = b""
        for name in (b"AndroidManifest.xml", b"classes.dex"):
            off = fh.tell()
            header = struct.pack("<4s5H3I2H", b"PK\x03\x04", 20, 0, 8, 0, 0, 0, len(blob), 1024, len(name), 0)
            fh.write(header + name + blob)
            central += struct.pack(
                "<4s6H3I5H2I", b"PK\x01\x02", 20, 20, 0, 8, 0, 0, 0, len(blob), 1024, len(name), 0, 0, 0, 0, 0, off
            ) + name
        cd_off = fh.tell()
        fh.write(central)
        fh.write(struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, 2, 2, len(central), cd_off, 0))
    return p


def zip_slip(d: Path, suffix: str) -> Path:
    """Entry names that escape an extraction directory; the only manifest is outside the root."""
    p = d / f"slip{suffix}"
    with zipfile.ZipFile(p, "w") as zf:
        for name in ("../AndroidManifest.xml", "../../../../../../tmp/apprights-zipslip-evil.txt", "/etc/evil",
                     "C:\\Windows\\evil.dll", "a/../../classes.dex"):
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


def gzip_bomb(d: Path, suffix: str) -> Path:
    """A .gz of 1 GiB of newline-free zeros then valid-looking lines (~1000:1)."""
    p = d / f"gzbomb{suffix}.gz"
    with gzip.open(p, "wb", compresslevel=1) as fh:
        chunk = bytes(MiB)
        for _ in range(1024):
            fh.write(chunk)
    return p


def gzip_line_bomb(d: Path, suffix: str) -> Path:
    """A .gz of a valid session line then 1 GiB of short, valid-JSON but meaningless lines."""
    p = d / f"gzlines{suffix}.gz"
    line = b'{"type":"app_state","t":1,"state":"foreground"}\n'
    block = line * (MiB // len(line))
    with gzip.open(p, "wb", compresslevel=1) as fh:
        fh.write(b'{"type":"session","t":0,"format":"apprights-trace/1","package":"a.b"}\n')
        for _ in range(1024):
            fh.write(block)
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
