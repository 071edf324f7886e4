"""Signer certificates of an APK: v1 (JAR signature files) and v2/v3/v3.1 (APK Signing Block).

Extraction: the certificate identifies the developer, which is what the regulator needs. Whether the digests
and signatures are valid is checked in ``verify.py`` (as apksigner does), when the scan asks for it.
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
    except (
        ValueError,
        x509.InvalidVersion,
    ) as e:  # encodings cryptography refuses; the hash still identifies
        warnings.append(f"{scheme} certificate {sha[:16]}… could not be decoded: {e}")
        return SignerCert(scheme=scheme, sha256=sha)


def v1_signers(name: str, data: bytes, warnings: list[str]) -> list[SignerCert]:
    """The signer certificate(s) of one PKCS#7 signature block file (META-INF/X.RSA|DSA|EC)."""
    try:
        ders = pkcs7_signer_certificates(data)
    except DerError as e:
        # Our walk did not find the structure; let OpenSSL (which knows more BER oddities) try.
        try:
            ders = [c.public_bytes(Encoding.DER) for c in pkcs7.load_der_pkcs7_certificates(data)][:1]
        except ValueError:
            warnings.append(f"{name}: not a readable PKCS#7 signature block: {e}")
            return []
    if not ders:
        warnings.append(f"{name}: PKCS#7 signature block without certificates")
    return [cert_from_der(d, "v1", warnings) for d in ders if d]


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


class DerError(ValueError):
    """Not the ASN.1 structure expected."""


_MAX_DEPTH = 32


def _tlv(buf: bytes, off: int, end: int, depth: int = 0) -> tuple[int, int, int, int]:
    """(tag, content start, content end, next offset) of the BER/DER element at ``off``.

    Indefinite lengths (BER, written by some old jarsigner versions) are followed to their end-of-contents.
    """
    if depth > _MAX_DEPTH or off + 2 > end:
        raise DerError("truncated or too deeply nested ASN.1")
    tag = buf[off]
    if tag & 0x1F == 0x1F:
        raise DerError("multi-byte ASN.1 tags are not used in PKCS#7 signature blocks")
    first = buf[off + 1]
    pos = off + 2
    if first == 0x80:
        if not tag & 0x20:
            raise DerError("indefinite length on a primitive element")
        child = pos
        while True:
            if child + 2 > end:
                raise DerError("indefinite-length element without end-of-contents")
            if buf[child] == 0 and buf[child + 1] == 0:
                return tag, pos, child, child + 2
            child = _tlv(buf, child, end, depth + 1)[3]
    if first & 0x80:
        n = first & 0x7F
        if n > 4 or pos + n > end:
            raise DerError("bad ASN.1 length")
        length = int.from_bytes(buf[pos : pos + n], "big")
        pos += n
    else:
        length = first
    if pos + length > end:
        raise DerError("ASN.1 element runs past its container")
    return tag, pos, pos + length, pos + length


def _children(buf: bytes, start: int, end: int) -> list[tuple[int, int, int, int]]:
    """(tag, element start, content start, content end) of each child element."""
    out: list[tuple[int, int, int, int]] = []
    off = start
    while off < end and len(out) < _MAX_ITEMS:
        tag, cs, ce, nxt = _tlv(buf, off, end)
        out.append((tag, off, cs, ce))
        off = nxt
    return out


def pkcs7_signer_certificates(data: bytes) -> list[bytes]:
    """The signer certificates of a PKCS#7 SignedData block, as the exact bytes stored.

    A certificate chain may come along; the signer's certificate is the one whose issuer and serial
    number a SignerInfo names (what apksigner does). Raises DerError when the structure is not there.
    """
    tag, cs, ce, _ = _tlv(data, 0, len(data))
    content_info = _children(data, cs, ce) if tag == 0x30 else []
    explicit = [c for c in content_info if c[0] == 0xA0]
    if not explicit:
        raise DerError("not a PKCS#7 ContentInfo")
    signed = _children(data, explicit[0][2], explicit[0][3])
    if not signed or signed[0][0] != 0x30:
        raise DerError("no SignedData")
    parts = _children(data, signed[0][2], signed[0][3])
    cert_sets = [p for p in parts if p[0] == 0xA0]
    if not cert_sets:
        return []
    certs = []
    for _tag, start, c_cs, c_ce in _children(data, cert_sets[0][2], cert_sets[0][3]):
        certs.append((data[start:c_ce] if c_ce <= len(data) else b"", _issuer_serial(data, c_cs, c_ce)))
    wanted: set[tuple[bytes, bytes]] = set()
    if parts[-1][0] == 0x31:  # signerInfos: SET OF SignerInfo {version, sid (issuer, serial), …}
        for _t, _s, si_cs, si_ce in _children(data, parts[-1][2], parts[-1][3]):
            fields = _children(data, si_cs, si_ce)
            if len(fields) >= 2 and fields[1][0] == 0x30:
                sid = _children(data, fields[1][2], fields[1][3])
                if len(sid) == 2:
                    wanted.add((data[sid[0][1] : sid[0][3]], data[sid[1][2] : sid[1][3]]))
    chosen = [der for der, ids in certs if ids in wanted]
    return chosen or [der for der, _ in certs[:1]]


def _issuer_serial(buf: bytes, start: int, end: int) -> tuple[bytes, bytes]:
    cert = _children(buf, start, end)
    if not cert or cert[0][0] != 0x30:
        return b"", b""
    tbs = _children(buf, cert[0][2], cert[0][3])
    if tbs and tbs[0][0] == 0xA0:
        tbs = tbs[1:]
    if len(tbs) < 3:
        return b"", b""
    serial, issuer = tbs[0], tbs[2]
    return buf[issuer[1] : issuer[3]], buf[serial[2] : serial[3]]


def manifest_mf_names(data: bytes) -> set[str]:
    """Entry names listed in a JAR ``META-INF/MANIFEST.MF`` (``Name:`` headers, 72-byte continuation lines)."""
    names: set[str] = set()
    current: str | None = None
    for raw in data.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n"):
        line = raw.decode("utf-8", errors="replace")
        if line.startswith(" ") and current is not None:
            current += line[1:]
            continue
        if current is not None:
            names.add(current)
            current = None
        if line.startswith("Name: "):
            current = line[6:]
    if current is not None:
        names.add(current)
    return names


def v1_unsigned_entries(entries: list[str], manifest_mf: bytes | None) -> list[str]:
    """Entries a v1 (JAR) signature does not cover: Android's JarVerifier refuses an APK with any of them.
    ``META-INF/`` and directory entries are exempt."""
    listed = manifest_mf_names(manifest_mf) if manifest_mf is not None else set()
    return [n for n in entries if not n.startswith("META-INF/") and not n.endswith("/") and n not in listed]
