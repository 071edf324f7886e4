"""A defensive read-only view of a ZIP archive (APK, JAR, nested APK) on top of :mod:`zipfile`.

Nothing is ever extracted to disk: entries are read into memory under the caps of :class:`ApkLimits`.
Every problem with the archive becomes either an :class:`~apprights.errors.InputError` (Android would
refuse the file, or we cannot read what we must) or a warning string (Android would accept it; the
oddity is still worth telling an analyst, e.g. a zip-slip name or the "fake encryption" flag).
"""

from __future__ import annotations

import io
import logging
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from apprights.errors import InputError

log = logging.getLogger(__name__)

MiB = 1024 * 1024


@dataclass(frozen=True)
class ApkLimits:
    """Caps that keep a hostile archive from exhausting memory or time."""

    max_file_size: int = 4 * 1024 * MiB  # the APK file itself
    max_entries: int = 200_000  # central-directory records
    max_entry_size: int = 512 * MiB  # uncompressed size of one entry we read
    max_total_size: int = 2 * 1024 * MiB  # uncompressed bytes read from one archive, all reads together
    max_ratio: float = 200.0  # uncompressed / compressed …
    ratio_min_size: int = 4 * MiB  # … only checked above this size: small, very repetitive files are normal
    max_manifest_size: int = 16 * MiB  # AndroidManifest.xml (real ones are < 1 MiB)
    max_arsc_size: int = 128 * MiB  # resources.arsc (large games reach tens of MiB)
    max_nested_size: int = 64 * MiB  # a nested .apk/.jar we open to look for dex (one level deep)
    max_nested_archives: int = 256  # nested .apk/.jar opened per APK (big SDK-laden apps ship a few dozen)
    max_signature_file_size: int = 1 * MiB  # META-INF/*.RSA|DSA|EC
    max_signing_block_size: int = 64 * MiB  # APK Signing Block (v2/v3)


_EOCD_SIG = b"PK\x05\x06"
_EOCD_MIN = 22
_ENCRYPTED_FLAG = 0x1
_DRIVE_RE = re.compile(r"^[A-Za-z]:")
_MAX_ENTRY_WARNINGS = 20  # a hostile archive can have 100 000 odd names; the first few tell the story


def name_warnings(name: str) -> list[str]:
    """Warnings for an entry name that would escape an extraction directory (zip-slip) or is odd."""
    out: list[str] = []
    if ".." not in name and "\x00" not in name and not name.startswith(("/", "\\")) and name[1:2] != ":":
        return out  # the common case, checked cheaply: thousands of names per APK
    parts = re.split(r"[\\/]", name)
    if name.startswith(("/", "\\")) or _DRIVE_RE.match(name):
        out.append(f"entry {name!r} has an absolute path (zip-slip); it is never extracted")
    elif ".." in parts:
        out.append(f"entry {name!r} climbs out of the archive with '..' (zip-slip); it is never extracted")
    if "\x00" in name:
        out.append(f"entry {name!r} contains a NUL byte")
    return out


def find_central_directory(fp: IO[bytes], file_size: int) -> tuple[int, int]:
    """(offset of the End of Central Directory record, offset of the central directory).

    Read directly because the APK Signing Block sits right before the central directory and
    :mod:`zipfile` does not expose where that is. Raises ``ValueError`` when there is no EOCD.
    """
    tail_len = min(file_size, _EOCD_MIN + 0xFFFF)
    fp.seek(file_size - tail_len)
    tail = fp.read(tail_len)
    pos = tail.rfind(_EOCD_SIG)
    while pos >= 0:
        if pos + _EOCD_MIN <= len(tail):
            comment_len = struct.unpack_from("<H", tail, pos + 20)[0]
            # The comment must end exactly at the end of the file, as Android's libziparchive requires.
            if pos + _EOCD_MIN + comment_len == len(tail):
                cd_offset = struct.unpack_from("<I", tail, pos + 16)[0]
                return file_size - tail_len + pos, cd_offset
        pos = tail.rfind(_EOCD_SIG, 0, pos)
    raise ValueError("no End of Central Directory record")


class SafeZip:
    """Entries of one ZIP archive, read under :class:`ApkLimits`.

    ``label`` names the archive in messages (the file path, or ``"outer.apk!assets/x.apk"``).
    """

    def __init__(self, fp: IO[bytes], label: str, limits: ApkLimits) -> None:
        self.label = label
        self.limits = limits
        self.warnings: list[str] = []
        self._read_total = 0
        self._kept: dict[tuple[str, int], bytes] = {}  # (name, cap) read with keep=True, for one more read
        try:
            self._zf = zipfile.ZipFile(fp)
            infos = self._zf.infolist()
        except zipfile.BadZipFile as e:
            raise InputError(
                label, f"not a ZIP archive (APK) or its central directory is damaged: {e}"
            ) from e
        # zipfile is stdlib code fed with hostile bytes: any failure while reading the central directory
        # (struct.error, ValueError, OverflowError, UnicodeDecodeError, …) means the same thing to us.
        except Exception as e:
            raise InputError(label, f"unreadable ZIP central directory: {type(e).__name__}: {e}") from e
        if len(infos) > limits.max_entries:
            raise InputError(label, f"too many ZIP entries ({len(infos)} > {limits.max_entries})")
        self._entries: dict[str, zipfile.ZipInfo] = {}
        self._order: list[str] = []
        encrypted = 0
        entry_warnings: list[str] = []
        for info in infos:
            name = info.filename
            if name in self._entries:
                # Android 4.4+ (libziparchive, the fix for the "master key" bug 8219321) refuses such an
                # APK outright. Before that, signature checks saw the LAST entry while the code that ran
                # came from the FIRST one: the first is what an attacker wants executed, so we analyse it.
                entry_warnings.append(
                    f"duplicate ZIP entry {name!r}: the first one is used (Android 4.4+ refuses to install this)"
                )
                continue
            self._entries[name] = info
            self._order.append(name)
            entry_warnings.extend(name_warnings(name))
            if info.flag_bits & _ENCRYPTED_FLAG:
                encrypted += 1
        self.warnings.extend(entry_warnings[:_MAX_ENTRY_WARNINGS])
        if len(entry_warnings) > _MAX_ENTRY_WARNINGS:
            self.warnings.append(
                f"… and {len(entry_warnings) - _MAX_ENTRY_WARNINGS} more entry-name warnings"
            )
        # Bytes before the first entry: harmless padding, or a dex smuggled in front (Janus, CVE-2017-13156).
        self.prefix_size = min((i.header_offset for i in infos), default=0)
        if encrypted:
            # The "fake encryption" trick: the general-purpose bit 0 is set but the data is not encrypted.
            # Android's zip reader ignores the bit and reads the data as is, so do we.
            self.warnings.append(
                f"{encrypted} ZIP entries have the encryption flag set; ignored as Android does (fake encryption)"
            )

    @classmethod
    def from_bytes(cls, data: bytes, label: str, limits: ApkLimits) -> SafeZip:
        return cls(io.BytesIO(data), label, limits)

    def close(self) -> None:
        self._kept.clear()
        self._zf.close()

    def names(self) -> list[str]:
        """Entry names in central-directory order, first occurrence of each name only."""
        return list(self._order)

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def info(self, name: str) -> zipfile.ZipInfo | None:
        return self._entries.get(name)

    def uncompressed_size(self, name: str) -> int:
        info = self._entries.get(name)
        return info.file_size if info is not None else 0

    def read(self, name: str, cap: int | None = None, *, keep: bool = False) -> bytes:
        """The bytes of one entry, or InputError (missing, too large, bomb-like, corrupt, bad CRC).

        ``keep=True``: the next read of ``name`` with the same cap returns these bytes without inflating the
        entry again (the v1 signature check reads every dex that the code scan reads next). Every check of a
        read, the total of bytes read included, applies to that second read as to any other."""
        info = self._entries.get(name)
        if info is None:
            raise InputError(self.label, f"no entry {name!r} in the archive")
        limit = self.limits.max_entry_size if cap is None else min(cap, self.limits.max_entry_size)
        declared = info.file_size
        if declared > limit:
            raise InputError(self.label, f"entry {name!r} is too large ({declared} bytes > cap {limit})")
        kept = self._kept.pop((name, limit), None)
        if kept is not None:  # read and checked before: the checks below depend on nothing that changed since
            if self._read_total + declared > self.limits.max_total_size:
                raise InputError(
                    self.label, f"total uncompressed bytes read exceed {self.limits.max_total_size}"
                )
            self._read_total += len(kept)
            return kept
        if declared > self.limits.ratio_min_size and declared > self.limits.max_ratio * max(
            info.compress_size, 1
        ):
            raise InputError(
                self.label,
                f"entry {name!r} looks like a zip bomb ({declared} bytes from {info.compress_size} compressed)",
            )
        if self._read_total + declared > self.limits.max_total_size:
            raise InputError(self.label, f"total uncompressed bytes read exceed {self.limits.max_total_size}")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            # libziparchive only knows stored and deflated; anything else fails to install.
            raise InputError(
                self.label, f"entry {name!r} uses unsupported compression method {info.compress_type}"
            )
        plain = info
        if info.flag_bits & _ENCRYPTED_FLAG:
            plain = _copy_info(info)
            plain.flag_bits &= ~_ENCRYPTED_FLAG
        try:
            with self._zf.open(plain) as f:
                # zipfile stops at the declared size and checks the CRC at the end of the stream.
                data = f.read(declared + 1)
        except zipfile.BadZipFile as e:
            raise InputError(self.label, f"entry {name!r} is corrupt: {e}") from e
        except (zlib.error, EOFError, OSError, ValueError, struct.error, OverflowError) as e:
            raise InputError(
                self.label, f"entry {name!r} cannot be decompressed: {type(e).__name__}: {e}"
            ) from e
        except (NotImplementedError, RuntimeError) as e:
            raise InputError(self.label, f"entry {name!r} cannot be read: {e}") from e
        if len(data) != declared:
            raise InputError(self.label, f"entry {name!r} is truncated ({len(data)} of {declared} bytes)")
        self._read_total += len(data)
        if keep:
            self._kept[(name, limit)] = data
        return data


def _copy_info(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    clone = zipfile.ZipInfo(info.filename, info.date_time)
    for slot in zipfile.ZipInfo.__slots__:
        try:
            setattr(clone, slot, getattr(info, slot))
        except AttributeError:
            continue
    return clone


def open_file(path: Path, limits: ApkLimits) -> tuple[IO[bytes], int]:
    """Open ``path`` for reading; InputError when it is missing, not a file, empty or over the size cap."""
    label = str(path)
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise InputError(label, "not a regular file")
        if size == 0:
            raise InputError(label, "empty file, not an APK")
        if size > limits.max_file_size:
            raise InputError(label, f"file too large ({size} bytes > cap {limits.max_file_size})")
        return path.open("rb"), size
    except FileNotFoundError as e:
        raise InputError(label, "file not found") from e
    except OSError as e:
        raise InputError(label, f"cannot read file: {e.strerror or e}") from e
