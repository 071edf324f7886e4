"""``--mask``: no raw identifier in any field of the trace, in any encoding the matcher knows.

Hashing a hooked API's return value (``ret_sha256``) is not enough: the same IMEI is in the request the SDK sends
(URL, headers, body, gzip'ed or base64'ed), in the plaintext the TLS and Cipher hooks see, in API arguments and on
screen. The ``Redactor`` learns every raw value the collector hashed (the phone's identifiers, the values hooked
APIs returned) and, when the trace is written, replaces each encoding of each value (raw, URL-encoded, base64,
hex, MD5, SHA-1, SHA-256, MAC forms: ``extractors.traffic.encodings``) in every string of every event by a marker
``[masked:<sha256 of the lower-cased encoding>]``. That hash is one of the value's ``ret_variants_sha256``, so the
traffic matcher still links the request to the read (``TrafficIndex`` looks the marker up like a hashed token).

Bodies (``*_b64``) are redacted as bytes, after the decompression the matcher applies (gzip, deflate) and inside a
body that is one base64 blob; a body that had to be decoded to be redacted is stored decoded, with
``masked_decoded`` naming what was undone. Limits: location and app lists are structured values and are not
redacted (nor matched) when masked; screenshots are images and are kept as taken.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import json
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

from apprights.extractors.traffic import (
    MASK_MARKER,
    _base64_body,
    _sha,
    _trivial,
    _unpack,
    encodings,
    request_text,
)

MARKER = MASK_MARKER
MAX_BODY = 16 * 1024 * 1024  # a body is decoded for redaction up to this size (the matcher reads 4 MiB)
# Fields that are hashes the trace keeps by design (the SHA-256 of a value is one of its encodings) or structure.
_KEEP = frozenset({"type", "t", "api", "stack", "format", "package", "process", "pid", "thread", "wall"})


def _kept(key: str) -> bool:
    return key in _KEEP or key.endswith("sha256")


class Redactor:
    """The raw values seen in one session, and their removal from events (``redact``)."""

    def __init__(self) -> None:
        self._markers: dict[str, str] = {}  # lower-cased encoding -> marker
        self._text: re.Pattern[str] | None = None
        self._bytes: re.Pattern[bytes] | None = None

    def __len__(self) -> int:
        return len(self._markers)

    def add(self, value: Any) -> None:
        """Learn a raw identifier (structured values and trivial strings are ignored, as ``masked_variants``
        ignores them)."""
        if isinstance(value, bool) or not isinstance(value, str | int):
            return
        v = str(value).strip()
        if len(v) > 256 or _trivial(v):
            return
        for enc in encodings(v).values():
            if enc not in self._markers:
                self._markers[enc] = f"[masked:{_sha(enc)}]"
                self._text = self._bytes = None

    def _patterns(self) -> tuple[re.Pattern[str], re.Pattern[bytes]]:
        if self._text is None or self._bytes is None:
            words = sorted(
                self._markers, key=len, reverse=True
            )  # longest first: a hex form before its prefix
            self._text = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
            self._bytes = re.compile(b"|".join(re.escape(w.encode("utf-8")) for w in words), re.IGNORECASE)
        return self._text, self._bytes

    def text(self, s: str) -> str:
        if not self._markers or not s:
            return s
        pattern, _ = self._patterns()
        markers = self._markers
        return pattern.sub(lambda m: markers[m.group(0).lower()], s)

    def data(self, b: bytes) -> bytes:
        if not self._markers or not b:
            return b
        _, pattern = self._patterns()
        markers = self._markers
        return pattern.sub(lambda m: markers[m.group(0).decode("utf-8").lower()].encode("ascii"), b)

    def redact(self, event: dict[str, Any]) -> dict[str, Any]:
        """The event without any learned value (a new dict; the input is not changed)."""
        if not self._markers:
            return event
        encoding = ""
        headers = event.get("request_headers")
        if isinstance(headers, dict):
            for k, v in headers.items():
                if str(k).lower() == "content-encoding":
                    encoding = str(v).lower()
        out: dict[str, Any] = {}
        for key, value in event.items():
            if _kept(key):
                out[key] = value
            elif key.endswith("_b64") and isinstance(value, str):
                body, undone = self._body(value, encoding)
                out[key] = body
                if undone:
                    out.setdefault("masked_decoded", []).append(f"{key}: {undone}")
            else:
                out[key] = self._walk(value)
        return out

    def redact_file(self, path: Path) -> None:
        """Redact a JSON-Lines file in place, line by line (a line that is not a JSON object as text): for a
        capture fragment the trace could not take, which stays on disk."""
        lines = []
        for line in path.read_bytes().decode("utf-8", errors="replace").splitlines():
            try:
                event = json.loads(line)
            except ValueError:
                event = None
            if isinstance(event, dict):
                lines.append(json.dumps(self.redact(event), ensure_ascii=False))
            else:
                lines.append(self.text(line))
        tmp = path.with_name(path.name + ".masking")
        tmp.write_text("".join(x + "\n" for x in lines), encoding="utf-8")
        tmp.replace(path)

    def _walk(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self._walk(v) for v in value]
        if isinstance(value, dict):
            return {self.text(k) if isinstance(k, str) else k: self._walk(v) for k, v in value.items()}
        return value

    def _body(self, b64: str, content_encoding: str) -> tuple[str, str]:
        """(redacted base64, what had to be decoded to redact it: "" when nothing)."""
        try:
            data = base64.b64decode(b64, validate=False)
        except (binascii.Error, ValueError):
            return self.text(b64), ""
        if len(data) > MAX_BODY:
            return base64.b64encode(self.data(data)).decode("ascii"), ""
        red = self.data(data)
        undone = ""
        plain = _unpack(data, MAX_BODY, content_encoding)
        if plain != data[:MAX_BODY]:  # compressed: what the matcher reads is the decompressed bytes
            red_plain = self.data(plain)
            if red_plain != plain:
                red, undone = red_plain, "decompressed"
        inner = _base64_body(red.decode("latin-1"))
        if inner:  # one base64 blob (as the matcher decodes it): redact what it holds
            decoded = _decode(inner)
            if decoded is not None:
                inner_plain = _unpack(decoded, MAX_BODY, "")
                red_inner = self.data(inner_plain)
                if red_inner != inner_plain:
                    red, undone = red_inner, (undone + ", " if undone else "") + "base64 body decoded"
        return base64.b64encode(red).decode("ascii"), undone


def _decode(compact: str) -> bytes | None:
    decoders: tuple[Callable[[str], bytes], ...] = (
        lambda s: base64.b64decode(s + "=" * (-len(s) % 4)),
        lambda s: base64.urlsafe_b64decode(s + "=" * (-len(s) % 4)),
    )
    for decode in decoders:
        try:
            return decode(compact)
        except (binascii.Error, ValueError):
            continue
    return None


def find_leaks(path: Path, values: Iterable[str]) -> list[str]:
    """Where a trace file still holds one of ``values`` in an encoding the matcher knows: one line per place
    (``event 12 request_body_b64: value 1 as md5``), read as the matcher reads (URL-decoded, bodies decoded,
    decompressed, a base64 body unwrapped). An empty list for a trace written with ``--mask``. The SHA-256 of a
    value that the trace keeps by design (``*sha256`` fields, and inside the markers) is not a leak."""
    forms: list[tuple[int, str, str]] = []
    for i, value in enumerate(values):
        for enc, variant in encodings(str(value).strip()).items():
            forms.append((i, enc, variant))
    out: list[str] = []
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        for n, line in enumerate(f):
            event = json.loads(line)
            headers = event.get("request_headers")
            headers = headers if isinstance(headers, dict) else {}
            kept = {k: v for k, v in event.items() if not k.endswith("sha256")}  # hashes kept by design
            for where, text in _texts(kept, headers):
                low = MARKER.sub("", text).lower()  # a marker holds a hash, as ret_sha256 does
                for i, enc, variant in forms:
                    if variant in low:
                        out.append(f"event {n} {where}: value {i} as {enc}")
    return out


def _texts(value: Any, headers: dict[Any, Any], where: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for k, v in value.items():
            key = str(k)
            yield f"{where}{key} (key)", key
            if key.endswith("_b64") and isinstance(v, str):
                yield where + key, v
                # the body as the matcher decodes it (decompressed, URL-decoded, a base64 body unwrapped)
                rt = request_text(
                    {"request_body_b64": v, "request_headers": headers}, max_body_bytes=MAX_BODY, masked=True
                )
                yield from ((f"{where}{key} (decoded)", t) for w, t in rt.raw_tokens if w == "body")
            else:
                yield from _texts(v, headers, f"{where}{key}.")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _texts(v, headers, f"{where}{i}.")
    elif isinstance(value, str):
        yield where.rstrip("."), value
        if "%" in value:
            yield where.rstrip(".") + " (URL-decoded)", unquote_plus(value)
