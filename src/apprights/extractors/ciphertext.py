"""Link data an app encrypted (``crypto`` events: the input and the start of the output of ``Cipher.doFinal`` /
``update``) to the request that later carried the ciphertext.

SDKs encrypt their payloads before sending them, so an identifier found in the plaintext proves collection and
packaging, but only the ciphertext seen in a request proves the transfer, and names the host. The start of the
ciphertext (up to 48 bytes) is searched in later requests as the request matcher searches identifiers (URL,
headers, body decoded from gzip/deflate/base64): as base64 (standard and URL-safe, at each of the three byte
alignments, because SDKs often put an IV or a header before it), as hex and as raw bytes.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

from apprights.extractors.traffic import RequestText, make_finder

PREFIX_BYTES = 48  # of the ciphertext searched for
MIN_BYTES = 12  # shorter runs could match by chance (12 random bytes: 96 bits)
MAX_CIPHERTEXTS = 20_000  # ciphertexts remembered per session (only those whose plaintext held PI)

T = TypeVar("T")


def decode_b64(text: object) -> bytes:
    """Standard base64 (as the agent writes it) → bytes; empty on anything else."""
    if not isinstance(text, str) or not text:
        return b""
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        return b""


def ciphertext_variants(out: bytes) -> list[tuple[str, str]]:
    """(encoding, lower-cased searchable text) of the start of one ciphertext; empty when it is too short to
    be found safely."""
    head = out[:PREFIX_BYTES]
    if len(head) < MIN_BYTES:
        return []
    found: list[tuple[str, str]] = []

    def add(encoding: str, text: str) -> None:
        text = text.lower()
        if all(text != v for _, v in found):
            found.append((encoding, text))

    for shift in range(3):
        # base64 of bytes that start at a multiple of 3 in the request body is independent of what precedes them
        chunk = out[shift : shift + PREFIX_BYTES]
        chunk = chunk[: len(chunk) - len(chunk) % 3]
        if len(chunk) < MIN_BYTES:
            continue
        add("base64", base64.b64encode(chunk).decode("ascii"))
        add("base64url", base64.urlsafe_b64encode(chunk).decode("ascii"))
    add("hex", head[: PREFIX_BYTES // 2].hex() if len(head) >= PREFIX_BYTES // 2 else head.hex())
    add("binary", head.decode("latin-1"))  # request_text reads an undecodable body as latin-1
    return found


class CiphertextLinker(Generic[T]):
    """Ciphertexts to look for in later requests, each with what it stands for (``T``, the caller's record)."""

    def __init__(self) -> None:
        self._variants: dict[str, list[tuple[int, str]]] = {}
        self._refs: list[T] = []
        self._find: Callable[[str], Iterable[tuple[str, int, int]]] | None = None
        self._dirty = False
        self.dropped = 0

    @property
    def active(self) -> bool:
        return bool(self._refs)

    def add(self, out: bytes, ref: T) -> bool:
        """Remember one ciphertext (the start of ``Cipher`` output); False when too short or over the cap."""
        variants = ciphertext_variants(out)
        if not variants:
            return False
        if len(self._refs) >= MAX_CIPHERTEXTS:
            self.dropped += 1
            return False
        n = len(self._refs)
        self._refs.append(ref)
        for encoding, text in variants:
            self._variants.setdefault(text, []).append((n, encoding))
        self._dirty = True
        return True

    def find(self, rt: RequestText) -> list[tuple[T, str, str]]:
        """(record, ciphertext encoding, where) of each remembered ciphertext found in one request, once each."""
        if not self._refs:
            return []
        if self._dirty:
            self._find = make_finder(list(self._variants))
            self._dirty = False
        find = self._find
        if find is None:  # pragma: no cover - set whenever there is a ciphertext
            return []
        seen: dict[int, tuple[str, str]] = {}
        for where, text in rt.parts:
            for word, _start, _end in find(text):
                for n, encoding in self._variants.get(word, ()):
                    seen.setdefault(n, (encoding, where))
        return [(self._refs[n], enc, where) for n, (enc, where) in sorted(seen.items())]
