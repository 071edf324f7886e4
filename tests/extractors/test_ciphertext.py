"""The ciphertext linker: the start of a Cipher output is found again in requests however it is framed."""

from __future__ import annotations

import base64
import random

from apprights.extractors import ciphertext
from apprights.extractors.ciphertext import CiphertextLinker, ciphertext_variants, decode_b64
from apprights.extractors.traffic import request_text

_RNG = random.Random(164)  # fixed bytes: a random binary body can look like raw deflate to the decoder


def _rand(n: int) -> bytes:
    return _RNG.randbytes(n)


def _body(data: bytes) -> dict[str, str]:
    return {"request_body_b64": base64.b64encode(data).decode()}


def test_found_at_every_alignment_and_encoding() -> None:
    ct = _rand(64)
    linker: CiphertextLinker[str] = CiphertextLinker()
    assert linker.add(ct, "x")
    for prefix in (b"", b"a", b"ab", b"abc", _rand(16)):
        framed = prefix + ct
        for body in (
            base64.b64encode(framed),
            base64.urlsafe_b64encode(framed).rstrip(b"="),
            b"k=" + framed.hex().encode(),
            framed,
        ):
            found = linker.find(request_text(_body(body)))
            assert [r for r, _, _ in found] == ["x"], (prefix, body[:20])


def test_short_or_foreign_ciphertexts_do_not_link() -> None:
    assert ciphertext_variants(_rand(ciphertext.MIN_BYTES - 1)) == []
    linker: CiphertextLinker[int] = CiphertextLinker()
    assert not linker.add(b"\x00" * 5, 1) and not linker.active
    linker.add(_rand(32), 1)
    assert linker.find(request_text(_body(base64.b64encode(_rand(32))))) == []


def test_cap_and_bad_base64() -> None:
    linker: CiphertextLinker[int] = CiphertextLinker()
    old = ciphertext.MAX_CIPHERTEXTS
    ciphertext.MAX_CIPHERTEXTS = 2
    try:
        assert linker.add(_rand(16), 1) and linker.add(_rand(16), 2)
        assert not linker.add(_rand(16), 3) and linker.dropped == 1
    finally:
        ciphertext.MAX_CIPHERTEXTS = old
    assert decode_b64("not base64!") == b"" and decode_b64(None) == b""
    assert decode_b64("AAEC") == b"\x00\x01\x02"
