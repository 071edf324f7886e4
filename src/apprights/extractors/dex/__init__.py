"""Fast DEX extractor: defined classes, referenced sensitive APIs, their call sites, and the strings that matter.

Works on the raw tables with struct + numpy and never imports androguard. The only call graph is the bounded
reverse one of ``reach.py``, built from the sensitive call sites up.

    targets = DexTargets.from_catalogue(knowledge.sensitive_apis)
    scan = scan_dex("classes.dex", data, targets)          # one dex; InputError when malformed
    code = extract_code(blobs, targets, own_package="com.example.app")   # all dex of an APK → CodeFacts
    code = extract_code(blobs, targets, entry_classes={"com.example.app.App"})  # + CodeFacts.entry_calls
    code = extract_code(blobs, targets, reach_roots=reach_roots_of(manifest))  # + CallSite.entry/startup/path
"""

from __future__ import annotations

import contextlib
import gc
import logging
import struct
from collections.abc import Iterable, Iterator, Mapping
from urllib.parse import urlsplit

from apprights.errors import InputError
from apprights.extractors.dex.reach import DEFAULT_DEPTH, CallIndex, annotate_reach
from apprights.extractors.dex.scan import DexScan, DexTargets, _Scanner, scan_dex, scan_dex_keep
from apprights.model.facts import CallSite, CodeFacts, ManifestFacts, StringRef

__all__ = [
    "MAX_ENTRY_CALLS",
    "MAX_STRINGS",
    "MAX_URLS",
    "DexScan",
    "DexTargets",
    "entry_classes_of",
    "extract_code",
    "reach_roots_of",
    "scan_dex",
]

log = logging.getLogger(__name__)

MAX_STRINGS = 5000
MAX_URLS = 5000
MAX_ENTRY_CALLS = 5000


def extract_code(
    blobs: Iterable[tuple[str, bytes]],
    targets: DexTargets,
    *,
    own_package: str | None = None,
    entry_classes: Iterable[str] | None = None,
    reach_roots: Mapping[str, bool] | None = None,
    reach_depth: int = DEFAULT_DEPTH,
) -> CodeFacts:
    """Merge the scans of all dex files of one app (``classes*.dex``, nested ``x.apk!classes.dex``).

    ``entry_classes`` (dotted names: the Application class, providers, the launcher activity …): record in
    ``CodeFacts.entry_calls`` the non-framework methods invoked from their methods and their nested classes'.
    ``reach_roots`` ({component class: runs at process start}, see ``reach_roots_of``): search the callers of
    the call sites of ``targets.reach_apis`` (non-weak reads) up to ``reach_depth`` calls deep and record the entry method reaching it
    (``CallSite.entry``/``startup``/``path``), adding the callers of platform-library wrappers as call sites.
    A malformed dex is recorded in ``warnings`` and skipped; the others are still scanned.
    """
    with _cyclic_gc_paused():
        return _extract_code(blobs, targets, own_package, entry_classes, reach_roots, reach_depth)


@contextlib.contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector during a scan. A scan builds tens of thousands of small tuples,
    lists and facts that form no reference cycles (reference counting frees them), yet each allocation burst
    triggers collections that re-traverse every live object, the loaded catalogue included: about 20
    collections and 8 % of the CPU time of a dense multi-SDK app. Left as found when it was already paused."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _extract_code(
    blobs: Iterable[tuple[str, bytes]],
    targets: DexTargets,
    own_package: str | None,
    entry_classes: Iterable[str] | None,
    reach_roots: Mapping[str, bool] | None,
    reach_depth: int,
) -> CodeFacts:
    entries = frozenset(entry_classes or ())
    scanners: list[_Scanner] = []
    facts = CodeFacts()
    classes: dict[str, None] = {}
    apis: set[str] = set()
    calls: list[CallSite] = []
    strings: dict[tuple[str, str, str, str], StringRef] = {}
    urls: dict[str, None] = {}
    for name, data in blobs:
        try:
            scan, scanner = scan_dex_keep(name, data, targets, entry_classes=entries)
        except InputError as exc:
            log.info("skipping dex: %s", exc)
            facts.warnings.append(str(exc))
            continue
        if reach_roots is not None:  # a call in one dex may be invoked from another
            scanners.append(scanner)
        facts.dex_files.append(name)
        facts.dex_bytes += scan.size
        facts.class_count += scan.class_count
        facts.method_count += scan.method_count
        classes.update(dict.fromkeys(scan.defined_classes))
        apis.update(scan.referenced_apis)
        calls.extend(scan.call_sites)
        facts.entry_calls.extend(scan.entry_calls[: MAX_ENTRY_CALLS - len(facts.entry_calls)])
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
    if reach_roots is not None and reach_depth > 0:
        wanted = targets.reach_apis
        todo = [c for c in calls if not c.reflective and (wanted is None or c.api in wanted)]
        calls.extend(_reach(scanners, todo, reach_roots, reach_depth, facts))
    facts.defined_classes = list(classes)
    facts.referenced_apis = sorted(apis)
    facts.call_sites = calls
    facts.strings = list(strings.values())
    facts.urls = list(urls)
    facts.hosts = _hosts(facts.urls)
    return facts


def _reach(
    scanners: list[_Scanner], calls: list[CallSite], roots: Mapping[str, bool], depth: int, facts: CodeFacts
) -> list[CallSite]:
    """Reachability of ``calls`` (annotated in place); the wrapper call sites to add."""
    if not calls:
        facts.reach_depth = depth
        return []
    try:
        indexes = [CallIndex(s) for s in scanners]
        if len(indexes) == 1:
            indexes[0].keep_defined_callees()
        extra = annotate_reach(indexes, calls, roots, depth)
    except (InputError, IndexError, ValueError, KeyError, OverflowError, struct.error) as exc:
        log.info("reachability search skipped: %s", exc)
        facts.warnings.append(f"reachability search skipped: {exc}")
        for c in calls:
            c.entry, c.startup, c.path = None, False, []
        return []
    facts.reach_depth = depth
    return extra


def reach_roots_of(manifest: ManifestFacts | None) -> dict[str, bool]:
    """The classes the system instantiates, for ``extract_code(reach_roots=…)``: {class: runs at process
    start}. The Application class and content providers (file providers excepted, as they only share files)
    start with the process; other enabled components run when the system delivers them an intent."""
    out: dict[str, bool] = {}
    if manifest is None:
        return out
    for c in manifest.components:
        if c.enabled:
            out[c.name] = c.kind == "provider" and not c.name.endswith("FileProvider")
    if manifest.application_class:
        out[manifest.application_class] = True
    return out


def entry_classes_of(manifest: ManifestFacts | None) -> set[str]:
    """The classes whose calls ``extract_code`` records: the Application class, the content providers (created
    before ``Application.onCreate``) and the launcher activities."""
    out: set[str] = set()
    if manifest is None:
        return out
    if manifest.application_class:
        out.add(manifest.application_class)
    for c in manifest.components:
        if not c.enabled:
            continue
        if c.kind == "provider":
            out.add(c.name)
        elif c.kind in ("activity", "activity-alias") and any(
            "android.intent.action.MAIN" in f.actions and "android.intent.category.LAUNCHER" in f.categories
            for f in c.intent_filters
        ):
            out.add(c.target_activity if c.kind == "activity-alias" and c.target_activity else c.name)
    return out


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
