"""A tiny real APK that the driver installs and removes to cause ``PACKAGE_ADDED`` / ``PACKAGE_REMOVED`` without
root (the shell user may not send those protected broadcasts, but ``adb install`` makes the system send them).

Built in Python at collect time, no platform tools needed: a binary manifest with ``android:hasCode="false"``
(no dex, no resources; the package's own binary-XML writer), packed with ``zipfile`` and signed with APK
Signature Scheme v2 (ECDSA P-256 / SHA-256, a fresh self-signed key each build). ``minSdkVersion`` 24 is the
first release that reads v2 signatures, so no v1 (JAR) signature is needed; ``targetSdkVersion`` 28 is above
the install floor of Android 14/15 and below the level whose installs need v3 or aligned resources.
``aapt dump badging`` and ``apksigner verify`` accept it (tested).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import struct
import zipfile
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from cryptography.x509.oid import NameOID

from apprights.collect.axmlwriter import write_axml

STIMULUS_PACKAGE = "com.apprights.stimulus"
_MANIFEST = f"""<manifest xmlns:android="http://schemas.android.com/apk/res/android"
    package="{STIMULUS_PACKAGE}" android:versionCode="1" android:versionName="1.0">
  <uses-sdk android:minSdkVersion="24" android:targetSdkVersion="28"/>
  <application android:hasCode="false"/>
</manifest>"""
_ZIP_DATE = (2020, 1, 1, 0, 0, 0)
_V2_BLOCK_ID = 0x7109871A
_ECDSA_SHA256 = 0x0201  # signature algorithm id of APK Signature Scheme v2
_CHUNK = 1 << 20
_MAGIC = b"APK Sig Block 42"


def _lp(data: bytes) -> bytes:
    """A uint32 little-endian length-prefixed byte string (the v2 block's only framing)."""
    return struct.pack("<I", len(data)) + data


def _content_digest(sections: list[bytes]) -> bytes:
    """SHA-256 of the 1 MiB chunks of the signed sections, as APK Signature Scheme v2 defines it."""
    chunks: list[bytes] = []
    for section in sections:
        for i in range(0, len(section), _CHUNK):
            chunk = section[i : i + _CHUNK]
            chunks.append(hashlib.sha256(b"\xa5" + struct.pack("<I", len(chunk)) + chunk).digest())
    return hashlib.sha256(b"\x5a" + struct.pack("<I", len(chunks)) + b"".join(chunks)).digest()


def _unsigned_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        info = zipfile.ZipInfo("AndroidManifest.xml", date_time=_ZIP_DATE)
        info.compress_type = zipfile.ZIP_DEFLATED
        zf.writestr(info, write_axml(_MANIFEST))
    return buf.getvalue()


def _self_signed() -> tuple[ec.EllipticCurvePrivateKey, bytes]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "apprights collect stimulus")])
    start = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=365 * 30))
        .sign(key, hashes.SHA256())
    )
    return key, cert.public_bytes(Encoding.DER)


def stimulus_apk_bytes() -> bytes:
    """The signed APK."""
    data = _unsigned_zip()
    eocd_at = data.rfind(b"PK\x05\x06")
    if eocd_at < 0 or len(data) - eocd_at != 22:  # pragma: no cover - zipfile writes no archive comment
        raise RuntimeError("unexpected zip layout")
    cd_size, cd_offset = struct.unpack_from("<II", data, eocd_at + 12)
    entries, central, eocd = data[:cd_offset], data[cd_offset : cd_offset + cd_size], data[eocd_at:]
    # The EOCD is digested with the central directory offset pointing at the signing block, i.e. where the
    # central directory starts before the block is inserted: the unsigned EOCD as it is.
    digest = _content_digest([entries, central, eocd])
    key, cert = _self_signed()
    signed_data = (
        _lp(_lp(struct.pack("<I", _ECDSA_SHA256) + _lp(digest)))  # digests
        + _lp(_lp(cert))  # certificates
        + _lp(b"")  # additional attributes
    )
    signature = key.sign(signed_data, ec.ECDSA(hashes.SHA256()))
    public_key = key.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    signer = _lp(signed_data) + _lp(_lp(struct.pack("<I", _ECDSA_SHA256) + _lp(signature))) + _lp(public_key)
    value = _lp(_lp(signer))
    pair = struct.pack("<QI", 4 + len(value), _V2_BLOCK_ID) + value
    size = len(pair) + 8 + len(_MAGIC)
    block = struct.pack("<Q", size) + pair + struct.pack("<Q", size) + _MAGIC
    new_eocd = eocd[:16] + struct.pack("<I", cd_offset + len(block)) + eocd[20:]
    return entries + block + central + new_eocd


def build_stimulus_apk(path: Path) -> Path:
    """Write the stimulus APK to ``path`` (a fresh signing key each time) and return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(stimulus_apk_bytes())
    return path
