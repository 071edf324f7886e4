"""Fast DEX extractor: defined classes, referenced sensitive APIs, their call sites, and the strings that matter.

Works on the raw tables with struct + numpy; it never builds a call graph and never imports androguard.

    targets = DexTargets.from_catalogue(knowledge.sensitive_apis)
    scan = scan_dex("classes.dex", data, targets)          # one dex; InputError when malformed
    code = extract_code(blobs, targets, own_package="com.example.app")   # all dex of an APK → CodeFacts
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from urllib.parse import urlsplit

from apprights.errors import InputError
from apprights.extractors.dex.scan import DexScan, DexTargets, scan_dex
from apprights.model.facts import CallSite, CodeFacts, StringRef

__all__ = ["MAX_STRINGS", "MAX_URLS", "DexScan", "DexTargets", "extract_code", "scan_dex"]

log = logging.getLogger(__name__)

MAX_STRINGS = 5000
MAX_URLS = 5000


def extract_code(
    blobs: Iterable[tuple[str, bytes]], targets: DexTargets, *, own_package: str | None = None
) -> CodeFacts:
    """Merge the scans of all dex files of one app (``classes*.dex``, nested ``x.apk!classes.dex``).

    A malformed dex is recorded in ``warnings`` and skipped; the others are still scanned.
    """
    facts = CodeFacts()
    classes: dict[str, None] = {}
    apis: set[str] = set()
    calls: list[CallSite] = []
    strings: dict[tuple[str, str, str, str], StringRef] = {}
    urls: dict[str, None] = {}
    for name, data in blobs:
        try:
            scan = scan_dex(name, data, targets)
        except InputError as exc:
            log.info("skipping dex: %s", exc)
            facts.warnings.append(str(exc))
            continue
        facts.dex_files.append(name)
        facts.dex_bytes += scan.size
        facts.class_count += scan.class_count
        facts.method_count += scan.method_count
        classes.update(dict.fromkeys(scan.defined_classes))
        apis.update(scan.referenced_apis)
        calls.extend(scan.call_sites)
        for ref in scan.strings:
            if len(strings) >= MAX_STRINGS:
                break
            if ref.kind == "package" and _is_own(ref.value, own_package):
                continue
            strings.setdefault((ref.value, ref.kind, ref.caller_class, ref.caller_method), ref)
        for u in scan.urls:
            if len(urls) >= MAX_URLS:
                break
            urls[u] = None
    facts.defined_classes = list(classes)
    facts.referenced_apis = sorted(apis)
    facts.call_sites = calls
    facts.strings = list(strings.values())
    facts.urls = list(urls)
    facts.hosts = _hosts(facts.urls)
    return facts


def _is_own(value: str, own_package: str | None) -> bool:
    return bool(own_package) and (value == own_package or value.startswith(f"{own_package}."))


def _hosts(urls: list[str]) -> list[str]:
    hosts: dict[str, None] = {}
    for u in urls:
        try:
            h = urlsplit(u).hostname
        except ValueError:
            continue
        if h:
            hosts[h] = None
    return list(hosts)
