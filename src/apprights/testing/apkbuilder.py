"""Pack a manifest, DEX files and extra entries into an APK (a zip), optionally signed with a throw-away key.

Unsigned APKs are enough for scanning. Signing runs the platform tools ``keytool`` (JDK) and ``apksigner``;
``signing_tools_available()`` tells a test whether it can ask for a signature.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from apprights.collect.axmlwriter import write_axml

log = logging.getLogger(__name__)

_ZIP_DATE = (2020, 1, 1, 0, 0, 0)  # fixed timestamps: the same inputs give the same bytes


def signing_tools_available() -> bool:
    return shutil.which("keytool") is not None and shutil.which("apksigner") is not None


def _dex_entries(dex: Sequence[bytes] | Mapping[str, bytes]) -> list[tuple[str, bytes]]:
    if isinstance(dex, Mapping):
        return list(dex.items())
    return [("classes.dex" if i == 0 else f"classes{i + 1}.dex", d) for i, d in enumerate(dex)]


def build_apk(
    path: str | Path,
    manifest: str | ET.Element | bytes,
    dex: Sequence[bytes] | Mapping[str, bytes] = (),
    extra: Mapping[str, bytes] | None = None,
    sign: bool = False,
    *,
    utf8_manifest: bool = False,
) -> Path:
    """Write an APK at ``path`` and return it.

    ``manifest`` is textual XML, an Element, or ready binary AXML (bytes). ``dex`` is a list (named
    classes.dex, classes2.dex …) or a name → bytes mapping. ``extra`` adds any other entries verbatim.
    With ``sign=True`` the APK is signed (v1, v2, v3; not zipaligned) with a freshly generated throw-away key.
    """
    out = Path(path)
    axml = manifest if isinstance(manifest, bytes) else write_axml(manifest, utf8=utf8_manifest)
    entries: list[tuple[str, bytes]] = [("AndroidManifest.xml", axml), *_dex_entries(dex)]
    entries += list((extra or {}).items())
    names = [n for n, _ in entries]
    if len(set(names)) != len(names):
        raise ValueError("duplicate APK entry names")
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w") as zf:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            # resources.arsc and .so files are stored uncompressed on real APKs
            stored = name == "resources.arsc" or name.endswith(".so")
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    if sign:
        sign_apk(out)
    return out


def sign_apk(
    apk: Path,
    *,
    key_dir: Path | None = None,
    timeout: float = 120.0,
    key_alg: str = "RSA",
    options: Sequence[str] = (),
) -> None:
    """Sign ``apk`` in place with a throw-away ``key_alg`` (RSA or EC) key (generated in ``key_dir`` or a
    temporary directory). ``options`` go to ``apksigner sign`` (``--v2-signing-enabled false`` …)."""
    if not signing_tools_available():
        raise RuntimeError("keytool and apksigner are needed to sign an APK")
    with tempfile.TemporaryDirectory() as tmp:
        kdir = key_dir or Path(tmp)
        ks = kdir / f"apprights-test-{key_alg.lower()}.keystore"
        if not ks.exists():
            subprocess.run(
                [
                    "keytool",
                    "-genkeypair",
                    "-keystore",
                    str(ks),
                    "-storetype",
                    "PKCS12",
                    "-storepass",
                    "apprights",
                    "-keypass",
                    "apprights",
                    "-alias",
                    "test",
                    "-keyalg",
                    key_alg,
                    "-keysize",
                    "2048" if key_alg == "RSA" else "256",
                    "-validity",
                    "3650",
                    "-dname",
                    "CN=apprights test, O=apprights, C=CN",
                ],
                check=True,
                capture_output=True,
                timeout=timeout,
            )
        subprocess.run(
            [
                "apksigner",
                "sign",
                "--ks",
                str(ks),
                "--ks-pass",
                "pass:apprights",
                "--ks-key-alias",
                "test",
                "--min-sdk-version",
                "21",
                *options,
                str(apk),
            ],
            check=True,
            capture_output=True,
            timeout=timeout,
        )
    log.debug("signed %s", apk)
