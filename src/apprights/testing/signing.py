"""A throw-away developer certificate and its v1 (JAR) signature block, without the platform tools.

``build_apk(..., extra={V1_BLOCK_NAME: cert.block})`` gives an APK whose signer certificate the extractor reads
(``ApkFacts.signers``); the block signs a placeholder, not the APK's contents, so a scan that verifies signatures
(``extractors/apk/verify.py``) reports it as one Android would refuse. For a real signature use
``apkbuilder.sign_apk`` (needs apksigner).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, pkcs7
from cryptography.x509.oid import NameOID

V1_BLOCK_NAME = "META-INF/CERT.EC"
_WHEN = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class DeveloperCert:
    sha256: str  # of the DER certificate, as apksigner prints it and scan reports carry it
    block: bytes  # PKCS#7 signature block for META-INF/CERT.EC


def developer_cert(common_name: str = "apprights test developer") -> DeveloperCert:
    """A fresh self-signed EC certificate and a v1 signature block carrying it."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(_WHEN)
        .not_valid_after(_WHEN + dt.timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )
    block = (
        pkcs7.PKCS7SignatureBuilder()
        .set_data(b"Signature-Version: 1.0\r\n")
        .add_signer(cert, key, hashes.SHA256())
        .sign(Encoding.DER, [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.NoCapabilities])
    )
    return DeveloperCert(hashlib.sha256(cert.public_bytes(Encoding.DER)).hexdigest(), block)
