"""The dex string pool: MUTF-8 decoding on demand, binary search, and a vectorised pass for strings that matter.

Strings are decoded lazily: a scan decodes the few dozen it needs (target names found by binary search in the
sorted pool, caller names, interesting constants) instead of the whole pool.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from apprights.errors import InputError
from apprights.extractors.dex.format import I64, TYPE_STRING_DATA_ITEM, DexFile, uleb128_at

MAX_URLS = 5000
MAX_URL_HITS = 20000  # occurrences of "://" examined per dex
APK_MIME = "application/vnd.android.package-archive"
INTENT_ACTION_PREFIX = "android.intent.action."
# Dotted names under these prefixes belong to the platform or the language runtime, not to another app or SDK.
FRAMEWORK_PREFIXES = (
    "android.",
    "androidx.",
    "java.",
    "javax.",
    "dalvik.",
    "kotlin.",
    "kotlinx.",
    "com.android.",
    "org.json.",
    "org.xml.",
    "org.w3c.",
    "org.apache.harmony.",
    "sun.",
    "libcore.",
)
_PKG_RE = re.compile(r"[a-z][a-z0-9_]*(?:\.[A-Za-z_$][A-Za-z0-9_$]*){2,}")
_URL_RE = re.compile(r"""(?:https?|wss?)://[^\s"'<>\\^`{|}]+""", re.IGNORECASE)
_CONTENT_RE = re.compile(r"""content://[^\s"'<>\\^`{|}]*""")


def decode_mutf8(raw: bytes) -> str:
    """Modified UTF-8 (NUL as C0 80, supplementary characters as surrogate pairs) to str; never raises."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    raw = raw.replace(b"\xc0\x80", b"\x00")
    try:
        s = raw.decode("utf-8", "surrogatepass")
        return s.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    except UnicodeError:
        return raw.decode("utf-8", "replace")


def encode_mutf8(s: str) -> bytes:
    if s.isascii() and "\x00" not in s:
        return s.encode("ascii")
    out = s.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
    return out.encode("utf-8", "surrogatepass").replace(b"\x00", b"\xc0\x80")


_ENCODED: dict[str, bytes] = {}  # target and hint names are looked up in every dex: encode them once


def _encoded(s: str) -> bytes:
    b = _ENCODED.get(s)
    if b is None:
        b = encode_mutf8(s)
        if len(_ENCODED) < 1 << 16:
            _ENCODED[s] = b
    return b


class StringPool:
    """Lazily decoded view of ``string_ids``."""

    def __init__(self, dex: DexFile) -> None:
        self._dex = dex
        self._cache: dict[int, str] = {}
        # string offsets as Python ints without a numpy scalar per lookup
        self._offs: memoryview = np.ascontiguousarray(dex.string_offs, dtype=np.uint32).data
        self._extents: tuple[I64, I64, npt.NDArray[np.bool_]] | None = None
        self._lf: tuple[I64, I64, I64] | None = None

    def __len__(self) -> int:
        return len(self._dex.string_offs)

    def raw(self, idx: int) -> bytes:
        """MUTF-8 bytes of string ``idx``. The NUL is looked for only within the 3 bytes per UTF-16 unit the
        declared length allows, so a hostile pool cannot make every lookup scan the whole file."""
        data = self._dex.data
        p = self._offs[idx]
        n = data[p]  # string_offs lie inside the data (format.py): a uleb128 of one byte is the common case
        p += 1
        if n >= 0x80:
            n &= 0x7F
            shift = 7
            for _ in range(4):  # uleb128 utf16 length
                if p >= len(data):
                    raise InputError(self._dex.name, f"string {idx} runs past the end of the dex")
                b = data[p]
                p += 1
                n |= (b & 0x7F) << shift
                shift += 7
                if b < 0x80:
                    break
        if p + n < len(data) and data[p + n] == 0:  # ASCII: as many bytes as UTF-16 units
            return data[p : p + n]
        end = data.find(b"\x00", p, p + 3 * n + 1)
        if end < 0:
            raise InputError(self._dex.name, f"string {idx} is not terminated")
        return data[p:end]

    def get(self, idx: int) -> str:
        s = self._cache.get(idx)
        if s is None:
            s = self._cache[idx] = decode_mutf8(self.raw(idx))
        return s

    def bisect(self, key: bytes) -> int:
        """First index whose raw bytes are >= ``key``. The format requires string_ids sorted by content (the
        runtime's verifier rejects a dex that is not), and MUTF-8 byte order matches that order for BMP text."""
        lo, hi = 0, len(self)
        while lo < hi:
            mid = (lo + hi) // 2
            if self.raw(mid) < key:
                lo = mid + 1
            else:
                hi = mid
        return lo

    def find_many(self, values: Iterable[str]) -> dict[str, int]:
        """{value: index} for those of ``values`` in the pool.

        ASCII values (all the catalogue's class and method names) are matched without a search: the strings
        whose length and middle byte are a key's (``_length_middle``, for the whole pool at once), then whose
        signature of four more bytes is a key's (``_mix``), are the only ones read and compared. A well-formed
        pool holds each string once, so this is the index the binary search finds. Other values (non-ASCII)
        go through ``_find_sorted``."""
        keys = _key_table(values if isinstance(values, tuple) else tuple(values))
        out: dict[str, int] = {}
        if keys.by_key and len(self):
            starts, lengths, lf = self._length_middle()
            sel = np.flatnonzero(keys.length_middle[lf])  # strings with a key's length and middle byte
            if len(sel):
                s, n, u8 = starts[sel], lengths[sel], self._dex.u8
                at = [u8[s + k].astype(np.int64) for k in (0, (n - 1) // 3, (2 * n) // 3, n - 1)]
                sel = sel[keys.sig[_mix(n, *at) & (len(keys.sig) - 1)]]
            by_key, raw = keys.by_key, self.raw
            for idx in sel.tolist():
                v = by_key.get(raw(idx))
                if v is not None and v not in out:
                    out[v] = idx
        if keys.other:
            out.update(self._find_sorted(keys.other))
        return out

    def _length_middle(self) -> tuple[I64, I64, I64]:
        """(start, length, slot) of every string; slot = length (capped at 255) * 256 + middle byte for a
        non-empty ASCII string, 0 for the others (no key has that slot)."""
        if self._lf is None:
            starts, lengths, ascii_ok = self.extents()
            ok = ascii_ok & (lengths >= 1)
            middle = self._dex.u8[np.where(ok, starts + lengths // 2, 0)].astype(np.int64)
            self._lf = (starts, lengths, np.where(ok, np.minimum(lengths, 255) * 256 + middle, 0))
        return self._lf

    def _find_sorted(self, values: Iterable[str]) -> dict[str, int]:
        """{value: index} by one descent of the sorted pool for all keys, so shared upper levels of the search
        are read once."""
        by_key = {_encoded(v): v for v in values}
        keys = sorted(by_key)
        out: dict[str, int] = {}
        raw, bisect_left = self.raw, bisect.bisect_left
        stack = [(0, len(self), 0, len(keys))] if keys else []
        while stack:
            lo, hi, klo, khi = stack.pop()
            if lo >= hi:
                continue
            mid = (lo + hi) // 2
            r = raw(mid)
            a = bisect_left(keys, r, klo, khi)
            b = a
            if a < khi and keys[a] == r:
                out[by_key[r]] = mid
                b = a + 1
            if klo < a:  # ranges without keys are not pushed
                stack.append((lo, mid, klo, a))
            if b < khi:
                stack.append((mid + 1, hi, b, khi))
        return out

    def find(self, value: str) -> int | None:
        """Index of ``value`` by binary search, or None."""
        key = encode_mutf8(value)
        i = self.bisect(key)
        if i < len(self) and self.raw(i) == key:
            return i
        return None

    def extents(self) -> tuple[I64, I64, npt.NDArray[np.bool_]]:
        """(start of bytes, utf16 length, is-ASCII) for every string, vectorised. For an ASCII string the byte
        length equals the utf16 length, which is what makes the NUL check at start+length a valid test."""
        if self._extents is None:
            u8 = self._dex.u8
            lengths, starts = uleb128_at(u8, self._dex.string_offs.astype(np.int64), name=self._dex.name)
            ends = starts + lengths
            inb = ends < len(u8)
            ascii_ok = inb & (u8[np.where(inb, ends, 0)] == 0)
            self._extents = (starts, lengths, ascii_ok)
        return self._extents


def _mix(length: Any, a: Any, b: Any, c: Any, d: Any) -> Any:
    """Signature of an ASCII string from its length and four of its bytes (the first, a third in, two thirds
    in, the last), for numpy arrays and Python ints alike (no overflow either way). Collisions cost a read."""
    h = length * 0x9E3779B1 + a * 0x85EBCA77 + b * 0xC2B2AE3D + c * 0x27D4EB2F + d * 0x165667B1
    return (h ^ (h >> 17)) & 0x7FFFFFFF


@dataclass
class _KeyTable:
    """Encoded keys of one ``find_many`` call: the ASCII ones behind two lookup tables (length and middle byte,
    then a signature of four more bytes), the others apart."""

    by_key: dict[bytes, str]
    length_middle: npt.NDArray[np.bool_]
    sig: npt.NDArray[np.bool_]
    other: list[str]


_KEY_TABLES: dict[tuple[str, ...], _KeyTable] = {}  # the scan's target and hint names: built once per process


def _key_table(values: tuple[str, ...]) -> _KeyTable:
    table = _KEY_TABLES.get(values)
    if table is not None:
        return table
    by_key: dict[bytes, str] = {}
    other: list[str] = []
    for v in values:
        if v and v.isascii() and "\x00" not in v:
            by_key[_encoded(v)] = v
        else:
            other.append(v)
    length_middle = np.zeros(1 << 16, dtype=bool)
    size = 1 << max(10, min(20, (len(by_key) * 64).bit_length()))
    sig = np.zeros(size, dtype=bool)
    for k in by_key:
        n = len(k)
        length_middle[min(n, 255) * 256 + k[n // 2]] = True
        sig[int(_mix(n, k[0], k[(n - 1) // 3], k[(2 * n) // 3], k[n - 1])) & (size - 1)] = True
    table = _KeyTable(by_key, length_middle, sig, other)
    if len(values) >= 64 and len(_KEY_TABLES) < 16:  # large sets recur (the catalogue's); small ones vary
        _KEY_TABLES[values] = table
    return table


@dataclass
class PoolStrings:
    """What the string pool holds of interest: {string index: (kind, value)} for const-string tracking, and the
    URLs of the whole pool."""

    interesting: dict[int, tuple[str, str]] = field(default_factory=dict)
    urls: list[str] = field(default_factory=list)


def classify_dotted(value: str) -> str | None:
    """Kind of a dotted string: "action" (intent action), "package" (non-platform Java name), or None."""
    if not _PKG_RE.fullmatch(value):
        return None
    if value.startswith(INTENT_ACTION_PREFIX):
        return "action"
    if value.startswith(FRAMEWORK_PREFIXES):
        return None
    return "package"


def scan_pool(dex: DexFile, pool: StringPool, reflection_names: dict[int, str]) -> PoolStrings:
    """One cheap pass over the pool: URLs and content URIs (via "://" hits), the APK MIME type, candidate
    dotted names (vectorised), plus the given reflection-name strings."""
    out = PoolStrings()
    for idx, name in reflection_names.items():
        out.interesting[idx] = ("reflection", name)
    if len(pool) == 0:
        return out
    starts, lengths, ascii_ok = pool.extents()
    cand = _dotted_candidates(dex.u8, starts, lengths, ascii_ok)
    cand_l = cand.tolist()
    values = _ascii_values(dex.u8, starts[cand], lengths[cand])
    if values is None:
        values = [pool.get(i) for i in cand_l]
    for idx, value in zip(cand_l, values, strict=True):
        kind = classify_dotted(value)
        if kind is not None:
            out.interesting.setdefault(idx, (kind, value))
    lo, hi = int(starts.min()), len(dex.data)
    sec = dex.map_sections().get(TYPE_STRING_DATA_ITEM)
    if sec is not None and sec[0] <= lo:
        hi = min(hi, max(sec[1], int((starts + lengths).max()) + 1))
    data = dex.data
    url_hits = _find_all(data, b"://", lo, hi, MAX_URL_HITS)
    mime_hits = _find_all(data, APK_MIME.encode(), lo, hi, MAX_URL_HITS)
    owners = _owners(starts, np.array(url_hits + mime_hits, dtype=np.int64))
    urls: dict[str, None] = {}
    for idx in dict.fromkeys(owners[: len(url_hits)].tolist()):
        if idx < 0:
            continue
        value = pool.get(idx)
        for m in _URL_RE.finditer(value):
            if len(urls) < MAX_URLS:
                urls[m.group(0)] = None
        c = _CONTENT_RE.search(value)
        if c is not None:
            out.interesting.setdefault(idx, ("content_uri", c.group(0)))
    for idx in owners[len(url_hits) :].tolist():
        if idx >= 0 and APK_MIME in pool.get(idx):
            out.interesting.setdefault(idx, ("apk_mime", APK_MIME))
    out.urls = list(urls)
    return out


def _ascii_values(u8: npt.NDArray[np.uint8], starts: I64, lengths: I64) -> list[str] | None:
    """The strings at ``starts`` (``lengths`` bytes each, ASCII per ``StringPool.extents``) decoded in one block,
    NUL-separated (an ASCII MUTF-8 string holds no NUL); None when the block is not ASCII after all (a pool
    lying about its lengths), so the caller decodes one by one as ``StringPool.get`` does."""
    if len(starts) == 0:
        return []
    spans = lengths + 1
    first = np.cumsum(spans) - spans
    block = u8[np.repeat(starts - first, spans) + np.arange(int(spans.sum()), dtype=np.int64)]
    block[first + lengths] = 0
    try:
        parts = block.tobytes().decode("ascii").split("\x00")
    except UnicodeDecodeError:
        return None
    parts.pop()
    return parts if len(parts) == len(starts) else None


def _find_all(data: bytes, needle: bytes, lo: int, hi: int, cap: int) -> list[int]:
    found: list[int] = []
    p = data.find(needle, lo, hi)
    while p >= 0 and len(found) < cap:
        found.append(p)
        p = data.find(needle, p + len(needle), hi)
    return found


def _owners(starts: I64, positions: I64) -> I64:
    """Index of the string whose bytes contain each position (-1 before the first string)."""
    if len(starts) > 1 and not bool(np.all(starts[1:] > starts[:-1])):
        order = np.argsort(starts, kind="stable")
        k = np.searchsorted(starts[order], positions, side="right") - 1
        return np.where(k >= 0, order[np.maximum(k, 0)], -1)
    return np.searchsorted(starts, positions, side="right") - 1


def _dotted_candidates(
    u8: npt.NDArray[np.uint8], starts: I64, lengths: I64, ascii_ok: npt.NDArray[np.bool_]
) -> I64:
    """Strings that could be dotted Java names: ASCII, 5-200 chars, starting a-z, >= 2 dots, no space."""
    cand = ascii_ok & (lengths >= 5) & (lengths <= 200)
    first = u8[np.where(cand, starts, 0)]
    cand &= (first >= ord("a")) & (first <= ord("z"))
    idx = np.flatnonzero(cand)
    if len(idx) == 0:
        return idx.astype(np.int64)
    s = starts[idx]
    e = s + lengths[idx]
    lo, hi = int(s.min()), int(e.max())
    reg = u8[lo:hi]
    s, e = s - lo, e - lo
    dots = np.flatnonzero(reg == ord("."))
    spaces = np.flatnonzero(reg == ord(" "))
    n_dots = np.searchsorted(dots, e) - np.searchsorted(dots, s)
    n_spaces = np.searchsorted(spaces, e) - np.searchsorted(spaces, s)
    ok = (n_dots >= 2) & (n_spaces == 0) & (reg[e - 1] != ord("."))
    out: I64 = idx[ok].astype(np.int64)
    return out
