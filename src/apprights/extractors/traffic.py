"""Personal information in traffic: find the identifiers an app read in the requests it sent.

Every value a hooked API returned (IMEI, IMSI, ICCID, Android ID, MAC, OAID, phone number, serial, installed package
names, latitude/longitude) is expanded once into its encodings — raw, lower/upper case, URL-encoded, base64
(standard and URL-safe, with and without padding), hex, MAC without separators, MD5/SHA-1/SHA-256 hex — and all
encodings of all values are compiled into one trie-shaped regular expression (an Aho-Corasick-like single pass).
Each request's URL, headers and body are searched case-insensitively; bodies are base64-decoded, gunzipped or
inflated (capped) and URL-decoded first, and a body that is itself base64 is decoded once more. Values stored
masked (only ``ret_sha256``) are matched by hashing the identifier-shaped tokens of the request.

Raw values live only inside a ``PiMatcher`` during extraction; facts and evidence carry their SHA-256.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import hashlib
import re
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, unquote_plus

from apprights.model.runtime import Actor

try:  # optional accelerator (Apache-2.0); the regular-expression fallback gives the same matches
    import ahocorasick_rs as _ahocorasick
except ImportError:  # pragma: no cover - a declared dependency
    _ahocorasick = None  # type: ignore[assignment]

# PI types whose values are searched for in traffic.
TRAFFIC_PI = frozenset(
    {
        "device_id",
        "imsi",
        "iccid",
        "android_id",
        "mac",
        "oaid",
        "phone_number",
        "serial",
        "installed_apps",
        "location",
    }
)

# The one value shape per PI type that the collector's agent sends (``api_call.ret``, trace-format.md) and
# ``value_parts`` reads: location {"lat", "lng"}; installed apps a list of package names; MAC "aa:bb:cc:dd:ee:ff".
VALUE_SHAPES = {"location": "latlng", "installed_apps": "packages", "mac": "mac"}

_TRIVIAL = frozenset(
    {"unknown", "null", "none", "undefined", "02:00:00:00:00:00", "00:00:00:00:00:00", "000000000000000"}
)
_MAC = re.compile(r"^[0-9A-Fa-f]{2}([:-])(?:[0-9A-Fa-f]{2}\1){4}[0-9A-Fa-f]{2}$")
_TOKEN = re.compile(r"[0-9A-Za-z][0-9A-Za-z:_.\-]{5,63}")
_B64_BODY = re.compile(r"[A-Za-z0-9+/_\-]+={0,2}")
_WS = re.compile(r"\s+")
_HEX12 = re.compile(r"^[0-9a-fA-F]{12}$")
_LOCATION_STR = re.compile(r"(-?\d{1,3}\.\d+)\s*,\s*(-?\d{1,3}\.\d+)")
_INFO_STR = re.compile(r"^\w+Info\{[0-9a-f]+ ([A-Za-z][\w.]*)[ }]")

MIN_VALUE_LEN = 6


@dataclass
class ReadValue:
    """One identifier value read by the app."""

    pi_type: str
    value_sha256: str
    read_index: int
    read_t: float
    reader: Actor
    parts: int = 1  # how many distinct parts it has (location: 2; installed apps: package count)
    min_parts: int = 1  # how many parts a request must contain to count
    seeded: bool = False  # the device's own identifier given by the collector, not (yet) seen read by the app


@dataclass(frozen=True)
class TrafficHit:
    value: ReadValue
    encoding: str
    where: str


@dataclass
class RequestText:
    """The searchable text of one request: (where, lower-cased text) pairs."""

    parts: list[tuple[str, str]] = field(default_factory=list)
    raw_tokens: list[tuple[str, str]] = field(default_factory=list)  # (where, original-case text) for masked


# what ``collect.masking`` writes in place of an identifier: the SHA-256 of the lower-cased encoding it replaced,
# which is one of the value's ``ret_variants_sha256``
MASK_MARKER = re.compile(r"\[masked:([0-9a-f]{64})\]")


def _sha(s: str) -> str:
    return hashlib.sha256(s.encode("utf-8")).hexdigest()


def _trivial(v: str) -> bool:
    if len(v) < MIN_VALUE_LEN or v.lower() in _TRIVIAL:
        return True
    core = re.sub(r"[:\-.,\s]", "", v)
    return len(set(core)) <= 1


def _truncate_coord(v: Any) -> str | None:
    try:
        f = float(v)
    except (TypeError, ValueError, OverflowError):
        return None
    if not (-180.0 <= f <= 180.0) or f == 0.0:
        return None
    s = repr(f)
    if "e" in s or "." not in s:
        return None
    whole, frac = s.split(".")
    if len(frac) < 3:
        return None
    return f"{whole}.{frac[:4]}"


def value_parts(pi_type: str, ret: Any, own_package: str) -> list[str]:
    """The searchable parts of a returned value (empty when it is not worth searching)."""
    if ret is None:
        return []
    if pi_type == "location":
        lat = lng = None
        if isinstance(ret, dict):
            lat = ret.get("lat", ret.get("latitude"))
            lng = ret.get("lng", ret.get("lon", ret.get("long", ret.get("longitude"))))
        elif isinstance(ret, str) and (m := _LOCATION_STR.search(ret)):
            lat, lng = m.group(1), m.group(2)  # "39.9042,116.4074" or Location.toString()
        elif isinstance(ret, list) and len(ret) >= 2:
            lat, lng = ret[0], ret[1]
        la, lo = _truncate_coord(lat), _truncate_coord(lng)
        return [la, lo] if la and lo else []
    if pi_type == "installed_apps":
        items = ret if isinstance(ret, list) else []
        names: list[str] = []
        for it in items[:5000]:
            name = it.get("packageName", it.get("package")) if isinstance(it, dict) else it
            if isinstance(name, str) and (m := _INFO_STR.match(name)):
                name = m.group(1)  # "PackageInfo{4c1d2e0 com.tencent.mm}" from an older agent
            if not isinstance(name, str) or "." not in name or len(name) < MIN_VALUE_LEN:
                continue
            if name != own_package and name not in names:
                names.append(name)
        return names
    if pi_type == "mac" and _is_mac_bytes(ret):
        ret = ":".join(f"{b & 255:02x}" for b in ret)  # byte[] as an older agent sent it
    if isinstance(ret, bool) or not isinstance(ret, (str, int)):
        return []
    v = str(ret).strip()
    if len(v) > 256 or _trivial(v):
        return []
    return [v]


def _is_mac_bytes(ret: Any) -> bool:
    return (
        isinstance(ret, list)
        and len(ret) == 6
        and all(isinstance(b, int) and not isinstance(b, bool) and -128 <= b <= 255 for b in ret)
    )


def masked_variants(value: Any) -> list[str]:
    """SHA-256 of every encoding of a scalar identifier (raw, base64, hex, MD5 …, lower case), so that a trace
    stored masked still matches the encoded forms SDKs send (the matcher hashes each token of a request).
    Structured values (location, app lists) give none: they are matched raw only."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return []
    v = str(value).strip()
    if len(v) > 256 or _trivial(v):
        return []
    return sorted({_sha(x) for x in encodings(v).values()})


def encodings(value: str) -> dict[str, str]:
    """encoding name → lower-cased variant of one value."""
    out: dict[str, str] = {}

    def add(name: str, v: str) -> None:
        lv = v.lower()
        if len(lv) >= MIN_VALUE_LEN and lv not in out.values():
            out[name] = lv

    add("raw", value)
    add("url", quote(value, safe=""))
    raw = value.encode("utf-8")
    b64 = base64.b64encode(raw).decode("ascii")
    add("base64", b64)
    add("base64", b64.rstrip("="))
    b64u = base64.urlsafe_b64encode(raw).decode("ascii")
    add("base64url", b64u)
    add("base64url", b64u.rstrip("="))
    add("hex", raw.hex())
    forms = {value, value.lower(), value.upper()}
    if _MAC.match(value):
        nosep = re.sub(r"[:\-]", "", value)
        add("nosep", nosep)
        add("dashed", value.replace(":", "-"))
        forms |= {nosep.lower(), nosep.upper(), value.replace(":", "-")}
    for f in sorted(forms):
        b = f.encode("utf-8")
        add("md5", hashlib.md5(b).hexdigest())  # matching what SDKs send, not for security
        add("sha1", hashlib.sha1(b).hexdigest())
        add("sha256", hashlib.sha256(b).hexdigest())
    return out


def _trie_pattern(words: Iterable[str]) -> str:
    trie: dict[str, Any] = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, Any]) -> str:
        alts = [re.escape(ch) + build(node[ch]) for ch in sorted(node) if ch != ""]
        end = "" in node
        if not alts:
            return ""
        s = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return "(?:" + s + ")?" if end else s

    return build(trie)


def _decompress(data: bytes, cap: int, wbits: int) -> bytes | None:
    try:
        d = zlib.decompressobj(wbits)
        out = d.decompress(data, cap)
    except zlib.error:
        return None
    return out


def _b64(s: str, cap: int) -> bytes | None:
    s = s.strip()
    if len(s) > cap * 4 // 3 + 8:
        s = s[: cap * 4 // 3]
        s = s[: len(s) - len(s) % 4]
    if len(s) % 4:
        s += "=" * (-len(s) % 4)
    try:
        if "-" in s or "_" in s:
            return base64.b64decode(s, altchars=b"-_")
        return binascii.a2b_base64(s)  # what b64decode does without altchars, minus its wrappers
    except (binascii.Error, ValueError):
        return None


def _unpack(data: bytes, cap: int, content_encoding: str) -> bytes:
    if data[:2] == b"\x1f\x8b":
        out = _decompress(data, cap, 16 + zlib.MAX_WBITS)
        if out is not None:
            return out
    if "deflate" in content_encoding or data[:1] == b"\x78":
        for wbits in (zlib.MAX_WBITS, -zlib.MAX_WBITS):
            out = _decompress(data, cap, wbits)
            if out:
                return out
    elif data[:1] not in _TEXT_STARTS and not _is_text(data):
        out = _decompress(data, cap, -zlib.MAX_WBITS)  # headerless deflate, as some SDKs send it
        if out:
            return out
    return data[:cap]


_TEXT_STARTS = frozenset({b"{", b"["})  # JSON: skip the UTF-8 probe


def _is_text(data: bytes) -> bool:
    try:
        data[:4096].decode("utf-8")
    except UnicodeDecodeError as e:
        return e.start >= 4090  # a character cut at the 4096-byte boundary
    return True


def _base64_body(text: str) -> str:
    """The body without whitespace when it is one base64 blob (checked in linear time), else ""."""
    if len(text) < 16 or not text[:1].isalnum():
        return ""
    if _B64_BODY.fullmatch(text):
        return text
    if not _B64_BODY.match(text[:64]) or not _WS.search(text[:4096]):
        return ""
    compact = _WS.sub("", text)
    return compact if _B64_BODY.fullmatch(compact) else ""


def _header_text(v: Any) -> str:
    return " ".join(str(x) for x in v) if isinstance(v, list) else str(v)


def _header_parts(headers: dict[Any, Any]) -> tuple[str, list[tuple[str, str]]]:
    """(content encoding, [(where, lower-cased text)]) of a request's headers."""
    content_encoding = ""
    parts: list[tuple[str, str]] = []
    for k, v in headers.items():
        hv = v if v.__class__ is str else _header_text(v)
        key = k if k.__class__ is str else str(k)
        if len(key) == 16 and key.lower() == "content-encoding":
            content_encoding = hv.lower()
        if "%" in hv:
            hv = hv + " " + unquote_plus(hv)
        parts.append(("header:" + key, hv.lower()))
    return content_encoding, parts


def request_text(
    event: dict[str, Any],
    *,
    max_body_bytes: int = 4 * 1024 * 1024,
    masked: bool = False,
    header_cache: dict[Any, tuple[str, list[tuple[str, str]]]] | None = None,
) -> RequestText:
    """Decode a ``network`` event into searchable text: URL, headers, body (decoded, capped).
    ``header_cache`` (owned by the caller) remembers the text of header sets seen before: the same few sets
    come back in almost every request of a session."""
    rt = RequestText()
    parts = rt.parts
    url = event.get("url")
    if url and url.__class__ is str:
        parts.append(("url", url.lower()))
        if "%" in url:
            parts.append(("url", unquote_plus(url).lower()))
    headers = event.get("request_headers")
    content_encoding = ""
    if headers.__class__ is dict:
        hit = None
        hkey: Any = None
        if header_cache is not None:
            try:
                "".join(headers.values())  # only all-string header sets are cached (1 == 1.0 == True as keys)
                hkey = tuple(headers.items())
                hit = header_cache.get(hkey)
            except TypeError:  # a number or a list among the values: decode it every time
                hkey = None
        if hit is None:
            hit = _header_parts(headers)
            if hkey is not None and header_cache is not None and len(header_cache) < 10_000:
                header_cache[hkey] = hit
        content_encoding = hit[0]
        parts.extend(hit[1])
    body = event.get("request_body_b64")
    if body and body.__class__ is str:
        data = _b64(body, max_body_bytes)
        if data is None:
            text = body[:max_body_bytes]
        else:
            text = _unpack(data, max_body_bytes, content_encoding).decode("latin-1")
        parts.append(("body", text.lower()))
        if masked:
            rt.raw_tokens.append(("body", text))
        if "%" in text:
            x = unquote_plus(text)
            parts.append(("body", x.lower()))
            if masked:
                rt.raw_tokens.append(("body", x))
        compact = _base64_body(text)
        if compact:
            inner = _b64(compact, max_body_bytes)
            if inner:
                x = _unpack(inner, max_body_bytes, "").decode("latin-1")
                parts.append(("body", x.lower()))
                if masked:
                    rt.raw_tokens.append(("body", x))
    if masked:
        if isinstance(url, str):
            rt.raw_tokens.append(("url", unquote_plus(url)))
        if isinstance(headers, dict):
            rt.raw_tokens.extend((f"header:{k}", str(v)) for k, v in headers.items())
    return rt


def _finder(words: list[str]) -> Callable[[str], Iterable[tuple[str, int, int]]]:
    """A multi-string finder: Aho-Corasick (ahocorasick_rs, linear time, several times faster than the
    regular-expression engine on these texts) when installed, else one trie-shaped regular expression. Both
    report leftmost-longest, non-overlapping matches, so they find the same variants."""
    if _ahocorasick is not None:
        ac = _ahocorasick.AhoCorasick(words, matchkind=_ahocorasick.MatchKind.LeftmostLongest)

        def find_ac(text: str) -> Iterable[tuple[str, int, int]]:
            return [(words[i], a, b) for i, a, b in ac.find_matches_as_indexes(text)]

        return find_ac
    rx = re.compile(_trie_pattern(words))

    def find_re(text: str) -> Iterable[tuple[str, int, int]]:
        return [(m.group(0), m.start(), m.end()) for m in rx.finditer(text)]

    return find_re


make_finder = _finder  # the same multi-string finder for other searches of request text (ciphertexts)


class PiMatcher:
    """The identifiers read so far in one session, and the search of requests for them."""

    def __init__(self, own_package: str, *, max_body_bytes: int = 4 * 1024 * 1024) -> None:
        self._own = own_package
        self._max_body = max_body_bytes
        self._values: list[ReadValue] = []
        self._seen: dict[tuple[str, str], ReadValue] = {}
        # lower-cased variant → [(value number, part number, encoding)]
        self._variants: dict[str, list[tuple[int, int, str]]] = {}
        self._masked: dict[str, int] = {}  # sha256 of a masked value → value number
        self._finder: Callable[[str], Iterable[tuple[str, int, int]]] | None = None
        self._dirty = False
        self._known: dict[tuple[str, Any, str | None], str | None] = {}
        self._headers: dict[Any, tuple[str, list[tuple[str, str]]]] = {}

    @property
    def values(self) -> list[ReadValue]:
        return self._values

    def add_seed(
        self,
        pi_type: str,
        value: Any,
        value_sha256: str | None,
        variants: Iterable[str],
        index: int,
        reader: Actor,
    ) -> str | None:
        """Remember one of the device's own identifiers (IMEI, serial, MAC … given by the collector): found in a
        request even when the read itself was not hooked (``--no-frida``, native code). A later read of the
        same value by the app takes its place as the read the transfer points to."""
        sha = self.add_read(pi_type, value, value_sha256, index, 0.0, reader, variants)
        if sha is not None and (rv := self._seen.get((pi_type, sha))) is not None and rv.read_index == index:
            rv.seeded = True
        return sha

    def add_read(
        self,
        pi_type: str,
        ret: Any,
        ret_sha256: str | None,
        index: int,
        t: float,
        reader: Actor,
        variants: Iterable[str] = (),
    ) -> str | None:
        """Remember a value the app read; returns the SHA-256 that stands for it (None = nothing usable).
        ``variants``: SHA-256 of the encodings of a masked value (``ret_variants_sha256``)."""
        if pi_type not in TRAFFIC_PI:
            return _value_sha(ret, ret_sha256)
        # the same value is read again and again in long traces: decide once per distinct value
        key = (pi_type, _freeze(ret), ret_sha256)
        if key in self._known:
            known = self._known[key]
            if known is not None and (rv := self._seen.get((pi_type, known))) is not None:
                self._replace_seed(rv, index, t, reader)
            return known
        sha = self._add_read(pi_type, ret, ret_sha256, index, t, reader, tuple(variants))
        if len(self._known) < 100_000:
            self._known[key] = sha
        return sha

    def _add_read(
        self,
        pi_type: str,
        ret: Any,
        ret_sha256: str | None,
        index: int,
        t: float,
        reader: Actor,
        variants: tuple[str, ...] = (),
    ) -> str | None:
        parts = value_parts(pi_type, ret, self._own)
        if parts:
            sha = (
                _sha("\n".join(sorted(parts)))
                if len(parts) > 1 or pi_type == "installed_apps"
                else _sha(parts[0])
            )
            if (pi_type, sha) in self._seen:
                self._replace_seed(self._seen[(pi_type, sha)], index, t, reader)
                return sha
            n = len(self._values)
            min_parts = len(parts) if pi_type == "location" else min(3, len(parts))
            rv = ReadValue(pi_type, sha, index, t, reader, len(parts), min_parts)
            self._values.append(rv)
            self._seen[(pi_type, sha)] = rv
            for pi, part in enumerate(parts):
                encs = {"raw": part.lower()} if pi_type in ("location", "installed_apps") else encodings(part)
                for enc, variant in encs.items():
                    self._variants.setdefault(variant, []).append((n, pi, enc))
            self._dirty = True
            return sha
        if ret_sha256:
            sha = ret_sha256.lower()
            if (pi_type, sha) not in self._seen:
                n = len(self._values)
                rv = ReadValue(pi_type, sha, index, t, reader)
                self._values.append(rv)
                self._seen[(pi_type, sha)] = rv
                self._masked[sha] = n
                for v in variants:  # the value's encodings, hashed: masked traces keep encoded matches
                    if isinstance(v, str) and len(v) == 64:
                        self._masked.setdefault(v.lower(), n)
                self._variants.setdefault(sha, []).append((n, 0, "sha256"))
                self._dirty = True
            else:
                self._replace_seed(self._seen[(pi_type, sha)], index, t, reader)
            return sha
        return _value_sha(ret, None)

    @staticmethod
    def _replace_seed(rv: ReadValue, index: int, t: float, reader: Actor) -> None:
        if rv.seeded and index != rv.read_index:
            rv.read_index, rv.read_t, rv.reader, rv.seeded = index, t, reader, False

    def _compile(self) -> Callable[[str], Iterable[tuple[str, int, int]]] | None:
        """The finder of all variants: (variant, start, end) of the leftmost-longest non-overlapping matches."""
        if self._dirty:
            self._finder = _finder(list(self._variants)) if self._variants else None
            self._dirty = False
        return self._finder

    def text(self, event: dict[str, Any]) -> RequestText:
        """The searchable text of one request, decoded as ``scan`` decodes it (no masked tokens)."""
        return request_text(event, max_body_bytes=self._max_body, header_cache=self._headers)

    def scan(self, event: dict[str, Any]) -> list[TrafficHit]:
        """The read values found in one ``network`` event (each value once, at its first place)."""
        find = self._compile()
        if find is None:
            return []
        rt = request_text(
            event, max_body_bytes=self._max_body, masked=bool(self._masked), header_cache=self._headers
        )
        found: dict[int, dict[int, tuple[str, str]]] = {}
        if rt.parts:
            # one pass over all parts joined by NUL (no variant holds one); a match is mapped back to its part
            texts = [text for _, text in rt.parts]
            ends: list[int] = []
            pos = -1
            for text in texts:
                pos += len(text) + 1
                ends.append(pos)  # offset of the NUL after the part (one past its end)
            variants = self._variants
            for word, start, end in find("\x00".join(texts)):
                i = bisect.bisect_left(ends, start)
                if i >= len(ends) or end > ends[i]:
                    continue  # pragma: no cover - only a value holding a NUL could span two parts
                where = rt.parts[i][0]
                for n, part, enc in variants.get(word, ()):
                    found.setdefault(n, {}).setdefault(part, (enc, where))
        if self._masked:
            for where, text in rt.raw_tokens:
                for n in self._masked_hits(text):
                    found.setdefault(n, {}).setdefault(0, ("sha256-of-token", where))
        hits: list[TrafficHit] = []
        for n, parts in found.items():
            v = self._values[n]
            if len(parts) >= v.min_parts:
                enc, where = next(iter(parts.values()))
                hits.append(TrafficHit(v, enc, where))
        return hits

    def _masked_hits(self, text: str) -> set[int]:
        out: set[int] = set()
        if "[masked:" in text:  # a value the collector removed (--mask): the marker holds its encoding's hash
            for h in MASK_MARKER.findall(text):
                n = self._masked.get(h)
                if n is not None:
                    out.add(n)
        for tok in set(_TOKEN.findall(text)):
            forms = {tok, tok.lower(), tok.upper()}
            if _HEX12.match(tok):
                pairs = [tok[i : i + 2] for i in range(0, 12, 2)]
                forms |= {":".join(pairs).lower(), ":".join(pairs).upper()}
            for f in forms:
                n = self._masked.get(_sha(f))
                if n is not None:
                    out.add(n)
        return out


def _value_sha(ret: Any, ret_sha256: str | None) -> str | None:
    if ret_sha256:
        return ret_sha256.lower()
    if isinstance(ret, (str, int)) and not isinstance(ret, bool):
        return _sha(str(ret))
    return None


def _freeze(ret: Any) -> Any:
    """A hashable stand-in for a returned value (cheap for the usual scalars, lists of names and dicts)."""
    if ret is None or isinstance(ret, (str, int, float)):
        return ret
    frozen: tuple[Any, ...] | None = None
    if isinstance(ret, list):
        frozen = tuple(ret)
    elif isinstance(ret, dict):
        frozen = tuple(ret.items())
    if frozen is not None:
        try:
            hash(frozen)
            return frozen
        except TypeError:  # nested lists or objects
            pass
    return repr(ret)[:20000]
