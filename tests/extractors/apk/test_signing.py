"""Signer extraction on generated certificates and signing blocks."""

from __future__ import annotations

import datetime as dt
import hashlib
import struct
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, pkcs7
from cryptography.x509.oid import NameOID

from apprights.extractors.apk import open_apk
from apprights.extractors.apk.signing import block_signers, v1_signers
from tests.extractors.apk.factory import axml, simple_manifest, zip_bytes

WHEN = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)


def make_cert(
    cn: str,
    key: ec.EllipticCurvePrivateKey,
    issuer: x509.Name | None = None,
    issuer_key: ec.EllipticCurvePrivateKey | None = None,
    serial: int = 1,
) -> x509.Certificate:
    name = x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, cn), x509.NameAttribute(NameOID.COUNTRY_NAME, "CN")]
    )
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer or name)
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(WHEN)
        .not_valid_after(WHEN + dt.timedelta(days=3650))
        .sign(issuer_key or key, hashes.SHA256())
    )


def chain() -> tuple[x509.Certificate, x509.Certificate, ec.EllipticCurvePrivateKey]:
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = make_cert("Test CA", ca_key, serial=10)
    leaf = make_cert("Developer", key, issuer=ca.subject, issuer_key=ca_key, serial=11)
    return ca, leaf, key


def signature_block(
    leaf: x509.Certificate, key: ec.EllipticCurvePrivateKey, extra: list[x509.Certificate]
) -> bytes:
    builder = pkcs7.PKCS7SignatureBuilder().set_data(b"Signature-Version: 1.0\r\n")
    for c in extra:  # put the CA first: the signer must be found by issuer and serial, not by position
        builder = builder.add_certificate(c)
    builder = builder.add_signer(leaf, key, hashes.SHA256())
    return builder.sign(
        Encoding.DER, [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.NoCapabilities]
    )


def sha(cert: x509.Certificate) -> str:
    return hashlib.sha256(cert.public_bytes(Encoding.DER)).hexdigest()


def test_v1_picks_the_signer_out_of_a_chain() -> None:
    ca, leaf, key = chain()
    warnings: list[str] = []
    (signer,) = v1_signers("META-INF/CERT.EC", signature_block(leaf, key, [ca]), warnings)
    assert signer.sha256 == sha(leaf) and signer.scheme == "v1"
    assert "CN=Developer" in signer.subject and "CN=Test CA" in signer.issuer
    assert signer.not_before.startswith("2020-01-01")
    assert not warnings


def test_v1_reads_ber_indefinite_length() -> None:
    _, leaf, key = chain()
    der = signature_block(leaf, key, [])
    assert der[0] == 0x30 and der[1] & 0x80
    n = der[1] & 0x7F
    ber = b"\x30\x80" + der[2 + n :] + b"\x00\x00"  # the outer SEQUENCE in BER indefinite form
    (signer,) = v1_signers("META-INF/CERT.EC", ber, [])
    assert signer.sha256 == sha(leaf)


def test_v1_garbage_is_a_warning() -> None:
    warnings: list[str] = []
    assert v1_signers("META-INF/X.RSA", b"\x30\x82\xff\xff junk", warnings) == []
    assert warnings


def lp(b: bytes) -> bytes:
    return struct.pack("<I", len(b)) + b


def scheme_value(cert_der: bytes) -> bytes:
    signed_data = lp(b"") + lp(lp(cert_der)) + lp(b"")  # digests, certificates, additional attributes
    signer = lp(signed_data) + lp(b"") + lp(b"pubkey")  # signed data, signatures, public key
    return lp(lp(signer))


def pairs(*items: tuple[int, bytes]) -> bytes:
    return b"".join(struct.pack("<QI", len(v) + 4, pid) + v for pid, v in items)


def test_signing_block_schemes() -> None:
    _, leaf, _ = chain()
    der = leaf.public_bytes(Encoding.DER)
    got = block_signers(
        pairs((0x7109871A, scheme_value(der)), (0x42726577, b"\0" * 12), (0xF05368C0, scheme_value(der))), []
    )
    assert [(s.scheme, s.sha256) for s in got] == [("v2", sha(leaf)), ("v3", sha(leaf))]
    warnings: list[str] = []
    assert block_signers(struct.pack("<QI", 10**9, 0x7109871A), warnings) == [] and warnings


def test_apk_with_signing_block(tmp_path: Path) -> None:
    _, leaf, _ = chain()
    z = zip_bytes([("AndroidManifest.xml", axml(simple_manifest()))])
    eocd = z.rfind(b"PK\x05\x06")
    cd = struct.unpack_from("<I", z, eocd + 16)[0]
    body = pairs((0x1B93AD61, scheme_value(leaf.public_bytes(Encoding.DER))))
    size = len(body) + 24
    block = struct.pack("<Q", size) + body + struct.pack("<Q", size) + b"APK Sig Block 42"
    out = bytearray(z[:cd] + block + z[cd:])
    struct.pack_into("<I", out, eocd + len(block) + 16, cd + len(block))
    path = tmp_path / "v31.apk"
    path.write_bytes(bytes(out))
    with open_apk(path) as apk:
        assert [(s.scheme, s.sha256) for s in apk.facts().signers] == [("v31", sha(leaf))]
        assert apk.manifest().package == "com.example.app"
