"""APK extractor: container facts, manifest facts and the dex files of an APK, without androguard.

Usage::

    with open_apk(path) as apk:          # InputError(path, problem) for anything Android would refuse
        apk.facts()                      # ApkFacts: hashes, entries, dex, native libs, nested APKs, signers
        apk.manifest()                   # ManifestFacts from the binary AndroidManifest.xml
        for name, data in apk.iter_dex():
            ...

Nothing is extracted to disk; every read is capped by :class:`ApkLimits`.
"""

from __future__ import annotations

import hashlib
import logging
import re
import struct
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import IO

from apprights.errors import InputError
from apprights.extractors.apk.arsc import ResourceTable
from apprights.extractors.apk.axml import AxmlError, parse_axml
from apprights.extractors.apk.hidden_code import hidden_code
from apprights.extractors.apk.manifest import ManifestError, build_manifest
from apprights.extractors.apk.signing import (
    V1_SIGNATURE_RE,
    block_signers,
    find_signing_block,
    v1_signers,
    v1_unsigned_entries,
)
from apprights.extractors.apk.verify import ContentDigests, verify_jar, verify_signing_block
from apprights.extractors.apk.zipsafe import ApkLimits, SafeZip, find_central_directory, open_file
from apprights.model.facts import ApkFacts, ManifestFacts, SignerCert

__all__ = ["ApkArchive", "ApkLimits", "open_apk"]

log = logging.getLogger(__name__)

MANIFEST = "AndroidManifest.xml"
RESOURCES = "resources.arsc"
_DEX_RE = re.compile(r"^classes(\d*)\.dex$")
_NATIVE_RE = re.compile(r"^lib/[^/]+/[^/]+\.so$")
_NESTED_RE = re.compile(r"\.(apk|jar)$", re.IGNORECASE)
# Code shipped as data: loaded at run time (plugins, hot fixes, packers), so worth a look.
_CODE_ASSET_RE = re.compile(r"^assets/.+\.(dex|odex|jar|apk|zip|so)$", re.IGNORECASE)
# Bugs of ours on hostile bytes must still surface as InputError, never as a traceback to the user.
_PARSE_BUGS = (struct.error, IndexError, KeyError, ValueError, UnicodeError, OverflowError, RecursionError)


def dex_names(names: list[str]) -> list[str]:
    """Top-level ``classes.dex``, ``classes2.dex`` … in the order Android loads them."""
    found = [(int(m.group(1) or 1), n) for n in names if (m := _DEX_RE.match(n))]
    return [n for _, n in sorted(found)]


class ApkArchive:
    """An open APK. Use as a context manager; see :func:`open_apk`."""

    def __init__(self, path: Path, fp: IO[bytes], size: int, zf: SafeZip, limits: ApkLimits) -> None:
        self.path = path
        self.limits = limits
        self._fp = fp
        self._size = size
        self._zip = zf
        self._facts: ApkFacts | None = None
        self._manifest: ManifestFacts | None = None
        self._resources: ResourceTable | None = None
        self._resources_loaded = False
        self._nested: list[str] | None = None
        self.warnings: list[str] = list(zf.warnings)
        self.verify_signatures = True  # digests and signatures checked in facts() (verify.py)

    def __enter__(self) -> ApkArchive:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._zip.close()
        self._fp.close()

    @property
    def has_manifest(self) -> bool:
        return MANIFEST in self._zip

    def names(self) -> list[str]:
        return self._zip.names()

    def read(self, name: str) -> bytes:
        """One entry's bytes, capped by the limits; InputError when missing, too large or corrupt."""
        return self._zip.read(name)

    # -- manifest ---------------------------------------------------------------------------------
    def manifest(self) -> ManifestFacts:
        if self._manifest is not None:
            return self._manifest
        label = str(self.path)
        if not self.has_manifest:
            raise InputError(label, "no AndroidManifest.xml in the APK")
        data = self._zip.read(MANIFEST, cap=self.limits.max_manifest_size)
        warnings: list[str] = []
        try:
            root = parse_axml(data, warnings)
            self._manifest = build_manifest(root, self._resource_table, warnings)
        except AxmlError as e:
            raise InputError(label, f"unreadable AndroidManifest.xml: {e}") from e
        except ManifestError as e:
            raise InputError(label, f"AndroidManifest.xml rejected: {e}") from e
        except _PARSE_BUGS as e:
            log.warning("unexpected parser failure on %s", label, exc_info=True)
            raise InputError(
                label, f"malformed AndroidManifest.xml (parser fault: {type(e).__name__})"
            ) from e
        _cap(self._manifest.warnings)
        return self._manifest

    def _resource_table(self) -> ResourceTable | None:
        """resources.arsc, read only when the manifest refers to a resource."""
        if self._resources_loaded:
            return self._resources
        self._resources_loaded = True
        if RESOURCES not in self._zip:
            return None
        try:
            data = self._zip.read(RESOURCES, cap=self.limits.max_arsc_size)
            self._resources = ResourceTable(data, self.warnings)
        except (InputError, AxmlError, *_PARSE_BUGS) as e:
            self.warnings.append(f"resources.arsc unusable, references stay unresolved: {e}")
        return self._resources

    # -- container facts --------------------------------------------------------------------------
    def facts(self) -> ApkFacts:
        if self._facts is not None:
            return self._facts
        names = self._zip.names()
        facts = ApkFacts(sha256=self._sha256(), size=self._size, entries=len(names))
        facts.dex_files = dex_names(names)
        facts.native_libs = [n for n in names if _NATIVE_RE.match(n)]
        facts.nested_apks = self._nested_apks()
        facts.assets_of_interest = [n for n in names if _CODE_ASSET_RE.match(n)]
        before = len(self.warnings)
        facts.signers = self._signers()
        self._check_v1_coverage(facts, names)
        if facts.signers and len(self.warnings) > before:
            self.warnings.append(
                "signature damaged or unreadable: Android would refuse to install this if it cannot verify it "
                "(签名异常，可能无法安装)"
            )
        if not facts.signers:
            self.warnings.append(
                "no signer certificate found: Android would refuse to install this (unsigned APK; 未签名，无法安装)"
            )
        elif self.verify_signatures and len(self.warnings) == before:
            self._verify(names)
        self._check_prefix()
        self._hidden_code(facts, names)
        _cap(self.warnings)
        facts.warnings = self.warnings
        self._facts = facts
        return facts

    def _verify(self, names: list[str]) -> None:
        """Check digests and signatures as Android does (``verify.py``); a failure is a warning, never a crash."""
        problems: list[str] = []
        try:
            eocd_offset, cd_offset = find_central_directory(self._fp, self._size)
            pairs = find_signing_block(self._fp, cd_offset, self.limits.max_signing_block_size)
        except (ValueError, OSError, struct.error):
            return  # already warned by _signers
        if pairs is not None:
            block_start = cd_offset - len(pairs) - 32  # u64 size, pairs, u64 size, 16-byte magic
            digests = ContentDigests(self._fp, block_start, cd_offset, eocd_offset, self._size)
            try:
                problems += verify_signing_block(pairs, digests)
            except (ValueError, OSError) as e:
                problems.append(f"APK contents could not be digested: {e}")
        if pairs is None and self._sdk("target") >= 30:
            # Android 11 refuses an app targeting it (API 30+) that has no v2/v3 signature (apksigner too)
            problems.append(
                f"target SDK {self._sdk('target')} requires APK Signature Scheme v2 or later, found v1 only"
            )
        if self._has_v1() and (pairs is None or self._sdk("min") < 24):
            # Android 7+ (API 24) checks v2/v3 and ignores v1 when they are present; older versions check v1
            # the code scan reads the dex files next (iter_dex): they are inflated once, for both
            dex = set(dex_names(names))
            problems += verify_jar(
                names,
                lambda n: self._zip.read(n, cap=self.limits.max_entry_size, keep=n in dex),
                pairs is not None,
            )
        if problems:
            shown = "; ".join(problems[:3]) + (
                f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
            )
            self.warnings.append(
                f"signature does not verify: {shown}: Android would refuse to install this (签名校验失败，无法安装)"
            )

    def _has_v1(self) -> bool:
        return any(V1_SIGNATURE_RE.match(n) for n in self._zip.names())

    def _sdk(self, which: str) -> int:
        """The manifest's min or (effective) target SDK; 1 when there is no readable manifest."""
        if MANIFEST not in self._zip:
            return 1
        try:
            m = self.manifest()
        except InputError:
            return 1
        return m.min_sdk if which == "min" else m.effective_target_sdk

    def _check_v1_coverage(self, facts: ApkFacts, names: list[str]) -> None:
        """A v1-only signature must cover every entry (Android 7+ checks v2/v3 instead when present)."""
        schemes = {s.scheme for s in facts.signers}
        if "v1" not in schemes or schemes & {"v2", "v3", "v31"}:
            return
        try:
            mf = self._zip.read("META-INF/MANIFEST.MF", cap=self.limits.max_signature_file_size)
        except InputError:
            mf = None
        extra = v1_unsigned_entries(names, mf)
        if extra:
            shown = ", ".join(extra[:3]) + (f" and {len(extra) - 3} more" if len(extra) > 3 else "")
            self.warnings.append(f"{len(extra)} entries not covered by the v1 signature ({shown})")

    def _hidden_code(self, facts: ApkFacts, names: list[str]) -> None:
        app_class: str | None = None
        if MANIFEST in self._zip:
            try:
                app_class = self.manifest().application_class
            except InputError:
                app_class = None  # open_apk(require_manifest=False) on a manifest-less archive
        for kind, message in hidden_code(names, app_class, facts.nested_apks, self._head):
            facts.hidden_code.append(kind)
            self.warnings.append(message)

    def _head(self, name: str) -> bytes | None:
        try:
            return self._zip.read(name, cap=self.limits.max_nested_size)[:8]
        except InputError:
            return None

    def _plain_asset_dex(self) -> list[str]:
        """``assets/…/*.dex`` entries that are plain dex (loaded with DexClassLoader): scanned like classes.dex."""
        return [
            n
            for n in self._zip.names()
            if n.startswith("assets/")
            and n.lower().endswith(".dex")
            and (self._head(n) or b"").startswith(b"dex\n")
        ]

    def _check_prefix(self) -> None:
        if self._zip.prefix_size <= 0:
            return
        self._fp.seek(0)
        head = self._fp.read(4)
        if head == b"dex\n":
            self.warnings.append(
                f"a dex file sits before the ZIP data ({self._zip.prefix_size} bytes): Janus attack "
                "(CVE-2017-13156); Android < 8.1 with a v1-only signature would run it"
            )
        else:
            self.warnings.append(f"{self._zip.prefix_size} bytes of unknown data before the first ZIP entry")

    def _sha256(self) -> str:
        h = hashlib.sha256()
        self._fp.seek(0)
        while chunk := self._fp.read(1 << 20):
            h.update(chunk)
        return h.hexdigest()

    def _nested_apks(self) -> list[str]:
        """Entries ending in .apk/.jar that hold dex (one level deep, size-capped)."""
        if self._nested is not None:
            return self._nested
        self._nested = []
        candidates = [n for n in self._zip.names() if _NESTED_RE.search(n)]
        if len(candidates) > self.limits.max_nested_archives:
            self.warnings.append(
                f"{len(candidates)} nested archives; only the first {self.limits.max_nested_archives} are opened"
            )
        for name in candidates[: self.limits.max_nested_archives]:
            inner = self._open_nested(name)
            if inner is not None:
                if dex_names(inner.names()):
                    self._nested.append(name)
                inner.close()
        return self._nested

    def _open_nested(self, name: str) -> SafeZip | None:
        if self._zip.uncompressed_size(name) > self.limits.max_nested_size:
            self.warnings.append(
                f"nested archive {name} larger than {self.limits.max_nested_size} bytes skipped"
            )
            return None
        try:
            data = self._zip.read(name, cap=self.limits.max_nested_size)
            return SafeZip.from_bytes(data, f"{self.path}!{name}", self.limits)
        except InputError as e:
            self.warnings.append(f"nested archive {name} unreadable: {e.problem}")
            return None

    def _signers(self) -> list[SignerCert]:
        out: list[SignerCert] = []
        for name in self._zip.names():
            if V1_SIGNATURE_RE.match(name):
                try:
                    data = self._zip.read(name, cap=self.limits.max_signature_file_size)
                except InputError as e:
                    self.warnings.append(f"signature file {name} unreadable: {e.problem}")
                    continue
                out.extend(v1_signers(name, data, self.warnings))
        try:
            _, cd_offset = find_central_directory(self._fp, self._size)
            pairs = find_signing_block(self._fp, cd_offset, self.limits.max_signing_block_size)
        except (ValueError, OSError, struct.error) as e:
            self.warnings.append(f"APK Signing Block not readable: {e}")
            pairs = None
        if pairs is not None:
            out.extend(block_signers(pairs, self.warnings))
        return out

    # -- code -------------------------------------------------------------------------------------
    def iter_dex(self) -> Iterator[tuple[str, bytes]]:
        """Every classes*.dex, then those of nested APKs/JARs as ``"assets/x.apk!classes.dex"``, then plain
        ``assets/…/*.dex`` files.

        A dex that cannot be read (too large, corrupt) is skipped with a warning in ``self.warnings``.
        """
        for name in dex_names(self._zip.names()):
            data = self._try_read(self._zip, name, name)
            if data is not None:
                yield name, data
        for outer in self._nested_apks():
            inner = self._open_nested(outer)
            if inner is None:
                continue
            try:
                for name in dex_names(inner.names()):
                    data = self._try_read(inner, name, f"{outer}!{name}")
                    if data is not None:
                        yield f"{outer}!{name}", data
            finally:
                inner.close()
        for name in self._plain_asset_dex():
            data = self._try_read(self._zip, name, name)
            if data is not None:
                yield name, data

    def _try_read(self, zf: SafeZip, name: str, label: str) -> bytes | None:
        try:
            return zf.read(name)
        except InputError as e:
            self.warnings.append(f"dex {label} skipped: {e.problem}")
            return None


def _cap(warnings: list[str], keep: int = 100) -> None:
    """Keep a hostile file's thousands of identical anomalies from flooding the report."""
    if len(warnings) > keep:
        more = len(warnings) - keep
        del warnings[keep:]
        warnings.append(f"… and {more} more warnings")


def open_apk(
    path: Path,
    limits: ApkLimits | None = None,
    *,
    require_manifest: bool = True,
    verify_signatures: bool = True,
) -> ApkArchive:
    """Open an APK for reading. InputError(path, problem) when it is not a usable APK.

    ``require_manifest=False`` accepts an archive without AndroidManifest.xml (e.g. a bare multidex
    container) so that ``iter_dex`` still works; ``manifest()`` then raises InputError.
    ``verify_signatures=False`` skips the digest and signature checks of ``facts()`` (``verify.py``).
    """
    limits = limits or ApkLimits()
    path = Path(path)
    fp, size = open_file(path, limits)
    try:
        zf = SafeZip(fp, str(path), limits)
        if require_manifest and MANIFEST not in zf:
            zf.close()
            raise InputError(str(path), "no AndroidManifest.xml in the archive (not an installable APK)")
    except BaseException:
        fp.close()
        raise
    archive = ApkArchive(path, fp, size, zf, limits)
    archive.verify_signatures = verify_signatures
    return archive
