"""Signature verification as Android and apksigner do it: APK Signature Scheme v2/v3/v3.1 and v1 (JAR).

v2/v3 (https://source.android.com/docs/security/features/apksigning/v2): the APK is three sections — ZIP entries
(up to the APK Signing Block), central directory, End of Central Directory (with its CD offset field taken to
point at the signing block). Each is cut into 1 MiB chunks; a chunk's digest is H(0xa5 ‖ u32 length ‖ chunk),
the content digest H(0x5a ‖ u32 chunk count ‖ chunk digests). The signer's signed data lists these digests per
signature algorithm and is signed with the key of its first certificate. v1: every ``MANIFEST.MF`` section's
digest matches its entry, the ``.SF`` file's digest of the manifest (or of each section) matches, and the PKCS#7
block holds a signature over the ``.SF`` made with the signer certificate's key.

Each function returns problems as one-line messages (empty = verified); nothing here raises on hostile bytes.
"""

from __future__ import annotations

import base64
import hashlib
import re
import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import dsa, ec, padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat, load_der_public_key

from apprights.errors import InputError
from apprights.extractors.apk.signing import (
    SCHEME_IDS,
    DerError,
    _children,
    _lp_first,
    _lp_items,
    _tlv,
    pkcs7_signer_certificates,
)

CHUNK = 1 << 20
_MAX_SECTIONS_BYTES = 1 << 40


@dataclass(frozen=True)
class _Algo:
    digest: str  # hashlib name of the content digest
    key: str  # rsa-pss | rsa-pkcs1 | ecdsa | dsa
    hash: Callable[[], hashes.HashAlgorithm]


# Signature algorithm ids of the APK Signing Block (apksigner's SignatureAlgorithm); the verity variants
# (0x0421-0x0423) digest a Merkle tree instead and are not needed when a plain one is present.
ALGORITHMS: dict[int, _Algo] = {
    0x0101: _Algo("sha256", "rsa-pss", hashes.SHA256),
    0x0102: _Algo("sha512", "rsa-pss", hashes.SHA512),
    0x0103: _Algo("sha256", "rsa-pkcs1", hashes.SHA256),
    0x0104: _Algo("sha512", "rsa-pkcs1", hashes.SHA512),
    0x0201: _Algo("sha256", "ecdsa", hashes.SHA256),
    0x0202: _Algo("sha512", "ecdsa", hashes.SHA512),
    0x0301: _Algo("sha256", "dsa", hashes.SHA256),
}


def _verify(
    public_key: object, key_kind: str, hash_cls: Callable[[], hashes.HashAlgorithm], sig: bytes, data: bytes
) -> bool:
    h = hash_cls()
    try:
        if isinstance(public_key, rsa.RSAPublicKey):
            if key_kind == "rsa-pss":
                pad: padding.AsymmetricPadding = padding.PSS(
                    mgf=padding.MGF1(hash_cls()), salt_length=h.digest_size
                )
            elif key_kind in ("rsa-pkcs1", "any"):
                pad = padding.PKCS1v15()
            else:
                return False
            public_key.verify(sig, data, pad, h)
        elif isinstance(public_key, ec.EllipticCurvePublicKey) and key_kind in ("ecdsa", "any"):
            public_key.verify(sig, data, ec.ECDSA(h))
        elif isinstance(public_key, dsa.DSAPublicKey) and key_kind in ("dsa", "any"):
            public_key.verify(sig, data, h)
        else:
            return False
    except (InvalidSignature, ValueError, UnsupportedAlgorithm, TypeError):
        return False
    return True


# -- v2 / v3 ----------------------------------------------------------------------------------------


class ContentDigests:
    """The chunked content digests of one APK, computed once per digest algorithm (v2 and v3 share them)."""

    def __init__(self, fp: IO[bytes], block_start: int, cd_offset: int, eocd_offset: int, size: int) -> None:
        self._fp = fp
        self._sections = (block_start, cd_offset, eocd_offset, size)
        self._cache: dict[str, bytes] = {}

    def get(self, algo: str) -> bytes:
        if algo not in self._cache:
            self._cache[algo] = self._compute(algo)
        return self._cache[algo]

    def _compute(self, algo: str) -> bytes:
        block_start, cd_offset, eocd_offset, size = self._sections
        fp = self._fp
        fp.seek(eocd_offset)
        eocd = bytearray(fp.read(size - eocd_offset))
        struct.pack_into("<I", eocd, 16, block_start)  # the CD offset as if there were no signing block
        chunk_digests: list[bytes] = []

        def digest_range(start: int, end: int) -> None:
            fp.seek(start)
            pos = start
            while pos < end:
                n = min(CHUNK, end - pos)
                data = fp.read(n)
                if len(data) != n:
                    raise ValueError("APK shorter than its central directory says")
                h = hashlib.new(algo, b"\xa5" + struct.pack("<I", n))
                h.update(data)
                chunk_digests.append(h.digest())
                pos += n

        digest_range(0, block_start)
        digest_range(cd_offset, eocd_offset)
        for i in range(0, len(eocd), CHUNK):
            part = bytes(eocd[i : i + CHUNK])
            chunk_digests.append(hashlib.new(algo, b"\xa5" + struct.pack("<I", len(part)) + part).digest())
        top = hashlib.new(algo, b"\x5a" + struct.pack("<I", len(chunk_digests)))
        for d in chunk_digests:
            top.update(d)
        return top.digest()


def verify_signing_block(pairs: bytes, digests: ContentDigests) -> list[str]:
    """Problems with every v2/v3/v3.1 scheme block among the signing block's ID-value pairs."""
    problems: list[str] = []
    off, end = 0, len(pairs)
    while off + 12 <= end:
        ln = struct.unpack_from("<Q", pairs, off)[0]
        if ln < 4 or off + 8 + ln > end:
            break  # block_signers already warned
        pid = struct.unpack_from("<I", pairs, off + 8)[0]
        scheme = SCHEME_IDS.get(pid)
        if scheme is not None:
            problems.extend(_verify_scheme(pairs, off + 12, off + 8 + ln, scheme, digests))
        off += 8 + ln
    return problems


def _verify_scheme(buf: bytes, off: int, end: int, scheme: str, digests: ContentDigests) -> list[str]:
    signers = _lp_first(buf, off, end)
    if signers is None:
        return [f"{scheme} signature block is malformed"]
    items = list(_lp_items(buf, *signers))
    if not items:
        return [f"{scheme} signature block has no signer"]
    problems: list[str] = []
    for n, (s_start, s_end) in enumerate(items, 1):
        try:
            problems.extend(
                f"{scheme} signer #{n}: {p}" for p in _verify_signer(buf, s_start, s_end, scheme, digests)
            )
        except (ValueError, struct.error) as e:
            problems.append(f"{scheme} signer #{n}: malformed ({e})")
    return problems


def _verify_signer(buf: bytes, start: int, end: int, scheme: str, digests: ContentDigests) -> list[str]:
    signed = _lp_first(buf, start, end)
    if signed is None:
        return ["no signed data"]
    pos = signed[1]
    if scheme != "v2":
        pos += 8  # minSdkVersion, maxSdkVersion
    rest = list(_lp_items(buf, pos, end))
    if len(rest) < 2:
        return ["no signatures or public key"]
    sigs, key_item = rest[0], rest[1]
    signed_data = buf[signed[0] : signed[1]]
    fields = list(_lp_items(buf, *signed))
    if len(fields) < 2:
        return ["signed data without digests or certificates"]
    certs = list(_lp_items(buf, *fields[1]))
    if not certs:
        return ["no certificate"]
    key_der = buf[key_item[0] : key_item[1]]
    try:
        public_key = load_der_public_key(key_der)
        cert = x509.load_der_x509_certificate(buf[certs[0][0] : certs[0][1]])
        cert_key = cert.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    except (ValueError, UnsupportedAlgorithm, x509.InvalidVersion) as e:
        return [f"public key or certificate unreadable ({e})"]
    if cert_key != public_key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo):
        return ["public key does not match the first certificate"]
    signatures: dict[int, bytes] = {}
    for a, b in _lp_items(buf, *sigs):
        if b - a >= 8:
            algo_id = struct.unpack_from("<I", buf, a)[0]
            span = _lp_first(buf, a + 4, b)
            if span is not None:
                signatures[algo_id] = buf[span[0] : span[1]]
    supported = {a: s for a, s in signatures.items() if a in ALGORITHMS}
    if not supported:
        return [f"no supported signature algorithm ({', '.join(hex(a) for a in signatures) or 'none'})"]
    problems: list[str] = []
    for algo_id, sig in sorted(supported.items()):
        al = ALGORITHMS[algo_id]
        if not _verify(public_key, al.key, al.hash, sig, signed_data):
            problems.append(f"signature (algorithm {algo_id:#06x}) does not verify with the signer's key")
    listed: dict[int, bytes] = {}
    for a, b in _lp_items(buf, *fields[0]):
        if b - a >= 8:
            algo_id = struct.unpack_from("<I", buf, a)[0]
            d = _lp_first(buf, a + 4, b)
            if d is not None:
                listed[algo_id] = buf[d[0] : d[1]]
    if set(listed) != set(signatures):
        problems.append("the digests and signatures name different algorithms")
    for algo_id in sorted(supported):
        want = listed.get(algo_id)
        if want is not None and want != digests.get(ALGORITHMS[algo_id].digest):
            problems.append(
                f"APK contents digest ({ALGORITHMS[algo_id].digest}) does not match: the APK was changed after signing"
            )
    return problems


# -- v1 (JAR) ------------------------------------------------------------------------------------------

_DIGEST_NAMES = {
    "SHA1": "sha1",
    "SHA-1": "sha1",
    "SHA-256": "sha256",
    "SHA-384": "sha384",
    "SHA-512": "sha512",
}
# DER contents of the digest algorithm OIDs a SignerInfo names
_OID_HASH: dict[bytes, Callable[[], hashes.HashAlgorithm]] = {
    bytes.fromhex("2b0e03021a"): hashes.SHA1,
    bytes.fromhex("608648016503040201"): hashes.SHA256,
    bytes.fromhex("608648016503040202"): hashes.SHA384,
    bytes.fromhex("608648016503040203"): hashes.SHA512,
    bytes.fromhex("608648016503040204"): hashes.SHA224,
}
_OID_MESSAGE_DIGEST = bytes.fromhex("2a864886f70d010904")


def jar_sections(data: bytes) -> tuple[dict[str, str], list[tuple[str, dict[str, str], bytes]]]:
    """Main attributes and (name, attributes, raw bytes) of each named section of a MANIFEST.MF/.SF file. A
    section's raw bytes run to and include the blank line ending it: what the .SF's section digests cover."""
    raws: list[bytes] = []
    cur = bytearray()
    for raw_line in data.splitlines(keepends=True):
        cur += raw_line
        if raw_line in (b"\r\n", b"\n", b"\r"):
            raws.append(bytes(cur))
            cur = bytearray()
    if cur:
        raws.append(bytes(cur))
    parsed: list[tuple[dict[str, str], bytes]] = []
    for raw in raws:
        attrs: dict[str, str] = {}
        key: str | None = None
        for bline in raw.splitlines():
            line = bline.decode("utf-8", errors="replace")
            if line.startswith(" ") and key is not None:
                attrs[key] += line[1:]
            elif ":" in line:
                key, _, val = line.partition(":")
                attrs[key] = val.strip()
        if attrs:
            parsed.append((attrs, raw))
    main = parsed[0][0] if parsed else {}
    sections = [(a["Name"], a, raw) for a, raw in parsed[1:] if "Name" in a]
    return main, sections


def _digests_of(attrs: dict[str, str], suffix: str = "") -> list[tuple[str, str]]:
    """(hashlib name, base64 value) of each ``<ALG>-Digest<suffix>`` attribute with a known algorithm."""
    tail = "-Digest" + suffix
    out = []
    for k, v in attrs.items():
        alg = _DIGEST_NAMES.get(k[: -len(tail)].upper()) if k.endswith(tail) else None
        if alg is not None:
            out.append((alg, v))
    return out


def verify_jar(
    names: list[str],
    read: Callable[[str], bytes],
    has_v2_block: bool,
) -> list[str]:
    """Problems with the v1 (JAR) signature: entry digests in MANIFEST.MF, the .SF digests of the manifest,
    the PKCS#7 signature over each .SF, and the .SF's claim that the APK was also signed with v2/v3."""
    problems: list[str] = []
    try:
        manifest = read("META-INF/MANIFEST.MF")
    except InputError as e:
        return [f"v1: META-INF/MANIFEST.MF unreadable ({e})"]
    _, sections = jar_sections(manifest)
    present = set(names)
    for name, attrs, _raw in sections:
        digests = _digests_of(attrs)
        if not digests or name not in present:
            if name not in present and digests:
                problems.append(f"v1: MANIFEST.MF lists {name}, which is not in the APK")
            continue
        try:
            data = read(name)
        except InputError as e:
            problems.append(f"v1: {name} unreadable ({e})")
            continue
        for algo, want in digests[-1:]:  # the strongest listed last by apksigner; one check suffices
            if base64.b64encode(hashlib.new(algo, data).digest()).decode() != want:
                problems.append(
                    f"v1: {name} does not match its MANIFEST.MF digest: the APK was changed after signing"
                )
    blocks = [n for n in names if re.match(r"^META-INF/[^/]+\.(RSA|DSA|EC)$", n, re.IGNORECASE)]
    if not blocks:
        problems.append("v1: no signature block file")
    for block_name in blocks:
        sf_name = block_name.rsplit(".", 1)[0] + ".SF"
        try:
            sf = read(sf_name)
            block = read(block_name)
        except InputError as e:
            problems.append(f"v1: {sf_name} or {block_name} unreadable ({e})")
            continue
        problems.extend(_verify_sf(sf_name, sf, manifest, has_v2_block))
        problems.extend(_verify_pkcs7(block_name, block, sf))
    return problems


def _verify_sf(sf_name: str, sf: bytes, manifest: bytes, has_v2_block: bool) -> list[str]:
    main, sections = jar_sections(sf)
    problems: list[str] = []
    signed_with = {s.strip() for s in main.get("X-Android-APK-Signed", "").split(",") if s.strip()}
    if signed_with & {"2", "3"} and not has_v2_block:
        problems.append(
            f"v1: {sf_name} says the APK was also signed with scheme v{'/v'.join(sorted(signed_with))}, whose block was stripped"
        )
    whole = _digests_of(main, "-Manifest")
    if whole and any(base64.b64encode(hashlib.new(a, manifest).digest()).decode() == v for a, v in whole):
        return problems
    _, mf_sections = jar_sections(manifest)
    by_name = {n: raw for n, _a, raw in mf_sections}
    if not sections:
        return [*problems, f"v1: {sf_name} digest of MANIFEST.MF does not match"]
    for name, attrs, _raw in sections:
        raw = by_name.get(name)
        ok = raw is not None and any(
            base64.b64encode(hashlib.new(a, raw).digest()).decode() == v for a, v in _digests_of(attrs)
        )
        if not ok:
            problems.append(f"v1: {sf_name} digest of the MANIFEST.MF section {name} does not match")
    return problems


def _verify_pkcs7(name: str, data: bytes, signed: bytes) -> list[str]:
    """The SignerInfo's signature over the .SF (or over its signed attributes, whose messageDigest is the .SF's)."""
    try:
        return _check_pkcs7(name, data, signed)
    except (DerError, ValueError, IndexError) as e:
        return [f"v1: {name} is not a readable PKCS#7 signature block ({e})"]


def _check_pkcs7(name: str, data: bytes, signed: bytes) -> list[str]:
    try:
        ders = pkcs7_signer_certificates(data)
        info = _signer_info(data)
    except DerError as e:
        return [f"v1: {name} is not a readable PKCS#7 signature block ({e})"]
    if not ders or info is None:
        return [f"v1: {name} has no signer certificate or SignerInfo"]
    hash_cls, attrs, signature = info
    try:
        key = x509.load_der_x509_certificate(ders[0]).public_key()
    except (ValueError, UnsupportedAlgorithm, x509.InvalidVersion) as e:
        return [f"v1: {name} signer certificate unreadable ({e})"]
    message = signed
    if attrs is not None:
        digest = hashlib.new(hash_cls().name, signed).digest()
        if _message_digest(attrs) != digest:
            return [f"v1: {name} signed attributes do not carry the .SF digest"]
        message = b"\x31" + attrs[1:]  # signed over the DER SET OF, not the [0] IMPLICIT tag
    if not _verify(key, "any", hash_cls, signature, message):
        return [f"v1: {name} signature over the .SF does not verify with the signer certificate"]
    return []


def _signer_info(data: bytes) -> tuple[Callable[[], hashes.HashAlgorithm], bytes | None, bytes] | None:
    """(hash, signed attributes element or None, signature) of the first SignerInfo."""
    tag, cs, ce, _ = _tlv(data, 0, len(data))
    explicit = [c for c in _children(data, cs, ce) if c[0] == 0xA0] if tag == 0x30 else []
    if not explicit:
        raise DerError("not a PKCS#7 ContentInfo")
    signed = _children(data, explicit[0][2], explicit[0][3])
    if not signed:
        raise DerError("no SignedData")
    parts = _children(data, signed[0][2], signed[0][3])
    if not parts or parts[-1][0] != 0x31:
        return None
    infos = _children(data, parts[-1][2], parts[-1][3])
    if not infos:
        return None
    fields = _children(data, infos[0][2], infos[0][3])
    if len(fields) < 5:
        raise DerError("short SignerInfo")
    alg = _children(data, fields[2][2], fields[2][3])
    if not alg or alg[0][0] != 0x06:
        raise DerError("no digest algorithm")
    hash_cls = _OID_HASH.get(data[alg[0][2] : alg[0][3]])
    if hash_cls is None:
        raise DerError("unsupported digest algorithm")
    rest = fields[3:]
    attrs = None
    if rest and rest[0][0] == 0xA0:
        attrs = data[rest[0][1] : rest[0][3]]
        rest = rest[1:]
    if len(rest) < 2 or rest[1][0] != 0x04:
        raise DerError("no signature")
    return hash_cls, attrs, data[rest[1][2] : rest[1][3]]


def _message_digest(attrs: bytes) -> bytes | None:
    _tag, cs, ce, _ = _tlv(attrs, 0, len(attrs))
    for _t, _s, a_cs, a_ce in _children(attrs, cs, ce):
        kids = _children(attrs, a_cs, a_ce)
        if len(kids) == 2 and kids[0][0] == 0x06 and attrs[kids[0][2] : kids[0][3]] == _OID_MESSAGE_DIGEST:
            values = _children(attrs, kids[1][2], kids[1][3])
            if values and values[0][0] == 0x04:
                return attrs[values[0][2] : values[0][3]]
    return None
