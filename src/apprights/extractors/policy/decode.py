"""Policy bytes -> text. UTF-8 (with or without BOM) and UTF-16 with a BOM first, then the charset an HTML page
or XML declaration names, then detection between GB18030 (a superset of GB2312 and GBK) and Windows-1252 with
charset-normalizer. Bad bytes give an ``InputError`` naming the file, never a guess full of replacement
characters.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

from apprights.errors import InputError

# The encodings detection chooses between: mainland policies are GB2312/GBK/GB18030 when not UTF-8, and English
# ones exported from Windows are cp1252. Big5 and others are read only when the page declares them: on short
# GBK text detection confuses the two (GB "我们" decodes as Big5 "扂蠅").
DETECT_ENCODINGS = ("gb18030", "cp1252")
# GB2312 and GBK files often carry characters only their superset maps, so a declared GB charset reads as GB18030
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "iso8859-1": "cp1252", "ascii": "cp1252"}
_DECLARED = re.compile(
    rb"""(?:<meta[^>]{0,200}?charset\s*=\s*["']?|<\?xml[^>]{0,100}?encoding\s*=\s*["'])"""
    rb"""([A-Za-z0-9._-]{2,30})""",
    re.I,
)
_SNIFF = 4096


def decode(data: bytes, source: str, max_bytes: int) -> tuple[str, str]:
    """Text and the name of the encoding it was read with."""
    if len(data) > max_bytes:
        raise InputError(source, f"policy file too large ({len(data)} bytes > {max_bytes})")
    if not data.strip():
        raise InputError(source, "policy file is empty")
    try:
        if data.startswith(codecs.BOM_UTF8):
            return data[3:].decode("utf-8"), "utf-8-sig"
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return data.decode("utf-16"), "utf-16"
    except UnicodeDecodeError as exc:
        raise InputError(source, f"cannot decode policy text ({exc.reason})") from None
    if b"\x00" in data[:_SNIFF]:
        raise InputError(source, "not a text file (NUL bytes and no UTF-16 byte-order mark)")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(data) - 3 and exc.reason == "unexpected end of data":
            return data[: exc.start].decode("utf-8"), "utf-8"  # a file cut inside its last character
    declared = declared_encoding(data)
    if declared is not None:
        try:
            return data.decode(declared), declared
        except UnicodeDecodeError:
            pass  # a wrong declaration is common; fall through to detection
    best = None
    for cut in range(4):  # a file cut inside its last (up to four-byte GB18030) character
        body = data[: len(data) - cut]
        best = from_bytes(body, cp_isolation=list(DETECT_ENCODINGS)).best()
        if best is not None:
            data = body
            break
    if best is None:
        raise InputError(
            source,
            "cannot decode policy text: not UTF-8, UTF-16 (BOM), a declared charset, GB18030/GBK or Windows-1252",
        )
    enc = codecs.lookup(best.encoding).name
    return data.decode(enc), enc


def declared_encoding(data: bytes) -> str | None:
    """The codec an HTML ``<meta charset>`` or XML declaration names in the first 4 KB, when Python knows it."""
    m = _DECLARED.search(data[:_SNIFF])
    if m is None:
        return None
    try:
        name = codecs.lookup(m.group(1).decode("ascii")).name
    except (LookupError, UnicodeDecodeError):
        return None
    return _SUPERSETS.get(name, name)
