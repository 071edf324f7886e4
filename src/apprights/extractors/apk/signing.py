"""Signer certificates of an APK: v1 (JAR signature files) and v2/v3/v3.1 (APK Signing Block).

Extraction only, no verification: the certificate identifies the developer, which is what the regulator
needs; whether the signature is valid is apksigner's job.
"""

from __future__ import annotations

import hashlib
import re
import struct
import warnings as warnings_module
from collections.abc import Iterator
from typing import IO

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, pkcs7

from apprights.model.facts import SignerCert

SIG_BLOCK_MAGIC = b"APK Sig Block 42"
SCHEME_IDS = {0x7109871A: "v2", 0xF05368C0: "v3", 0x1B93AD61: "v31"}
V1_SIGNATURE_RE = re.compile(r"^META-INF/[^/]+\.(RSA|DSA|EC)$", re.IGNORECASE)
_MAX_ITEMS = 10_000


def cert_from_der(der: bytes, scheme: str, warnings: list[str]) -> SignerCert:
    """SignerCert of one DER certificate; the hash is over the bytes exactly as stored (as apksigner does)."""
    sha = hashlib.sha256(der).hexdigest()
    try:
        with warnings_module.catch_warnings():
            # cryptography warns about attributes of unusual length (a 5-letter country); harmless here.
            warnings_module.simplefilter("ignore")
            cert = x509.load_der_x509_certificate(der)
            return SignerCert(
                scheme=scheme,
                sha256=sha,
                subject=cert.subject.rfc4514_string(),
                issuer=cert.issuer.rfc4514_string(),
                not_before=cert.not_valid_before_utc.isoformat(),
                not_after=cert.not_valid_after_utc.isoformat(),
            )
    except ValueError as e:  # unusual encodings cryptography refuses; the hash still identifies the signer
        warnings.append(f"{scheme} certificate {sha[:16]}… could not be decoded: {e}")
        return SignerCert(scheme=scheme, sha256=sha)


def v1_signers(name: str, data: bytes, warnings: list[str]) -> list[SignerCert]:
    """Certificates of one PKCS#7 signature block file (META-INF/X.RSA); the signer's first when a chain."""
    try:
        certs = pkcs7.load_der_pkcs7_certificates(data)
    except ValueError as e:
        warnings.append(f"{name}: not a readable PKCS#7 signature block: {e}")
        return []
    ders = [c.public_bytes(Encoding.DER) for c in certs]
    if len(certs) > 1:
        # A chain: keep the leaf, i.e. a certificate that issued none of the others.
        issuers = {c.issuer.public_bytes() for c in certs}
        leaves = [d for c, d in zip(certs, ders, strict=True) if c.subject.public_bytes() not in issuers]
        ders = leaves or ders[:1]
    return [cert_from_der(d, "v1", warnings) for d in ders]


def find_signing_block(fp: IO[bytes], cd_offset: int, max_size: int) -> bytes | None:
    """The pairs region of the APK Signing Block that ends right before the central directory, if any."""
    if cd_offset < 32:
        return None
    fp.seek(cd_offset - 24)
    footer = fp.read(24)
    if len(footer) != 24 or footer[8:] != SIG_BLOCK_MAGIC:
        return None
    size = struct.unpack_from("<Q", footer, 0)[0]
    if size < 24 or size > max_size or size + 8 > cd_offset:
        return None
    start = cd_offset - size - 8
    fp.seek(start)
    block = fp.read(size + 8)
    if len(block) != size + 8 or struct.unpack_from("<Q", block, 0)[0] != size:
        return None
    return block[8:-24]


def _lp_items(buf: bytes, off: int, end: int) -> Iterator[tuple[int, int]]:
    """(start, end) of each u32-length-prefixed item in buf[off:end]."""
    n = 0
    while off + 4 <= end and n < _MAX_ITEMS:
        ln = struct.unpack_from("<I", buf, off)[0]
        off += 4
        if off + ln > end:
            return
        yield off, off + ln
        off += ln
        n += 1


def _lp_first(buf: bytes, off: int, end: int) -> tuple[int, int] | None:
    for item in _lp_items(buf, off, end):
        return item
    return None


def block_signers(pairs: bytes, warnings: list[str]) -> list[SignerCert]:
    """Signer certificates of every v2/v3/v3.1 scheme block in the signing block's ID-value pairs."""
    out: list[SignerCert] = []
    off, end, n = 0, len(pairs), 0
    while off + 12 <= end and n < _MAX_ITEMS:
        ln = struct.unpack_from("<Q", pairs, off)[0]
        if ln < 4 or off + 8 + ln > end:
            warnings.append("APK Signing Block: malformed ID-value pair; rest ignored")
            break
        pid = struct.unpack_from("<I", pairs, off + 8)[0]
        vstart, vend = off + 12, off + 8 + ln
        scheme = SCHEME_IDS.get(pid)
        if scheme is not None:
            out.extend(_scheme_signers(pairs, vstart, vend, scheme, warnings))
        off = vend
        n += 1
    return out


def _scheme_signers(buf: bytes, off: int, end: int, scheme: str, warnings: list[str]) -> list[SignerCert]:
    # value = lp(sequence of lp(signer)); signer = lp(signed data) …; signed data = lp(digests),
    # lp(certificates: sequence of lp(DER)), …
    out: list[SignerCert] = []
    signers = _lp_first(buf, off, end)
    if signers is None:
        warnings.append(f"{scheme} signature block is empty or malformed")
        return out
    for s_start, s_end in _lp_items(buf, *signers):
        signed = _lp_first(buf, s_start, s_end)
        if signed is None:
            continue
        items = list(_lp_items(buf, *signed))
        if len(items) < 2:
            warnings.append(f"{scheme} signer without certificates")
            continue
        certs = list(_lp_items(buf, *items[1]))
        if certs:
            c_start, c_end = certs[0]  # the first certificate is the signer's; others are its chain
            out.append(cert_from_der(buf[c_start:c_end], scheme, warnings))
    return out
