"""androguard as the correctness oracle: same call sites (caller class, caller method, api) and same
const-string uses, on every real APK of the shared corpus.

aandroguard's full analysis costs ~1-10 s per APK, so the whole-corpus run (~150 APKs) is marked ``slow`` and
runs only with APPRIGHTS_RUN_SLOW=1; a diverse subset runs always.
"""

from __future__ import annotations

import multiprocessing
import os
import re
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from apprights.extractors.dex import DexTargets, extract_code
from apprights.extractors.dex.strings import APK_MIME, classify_dotted
from tests.conftest import SHARED_DATA, shared_path
from tests.extractors.dex.helpers import LOCAL_TARGETS, androguard_sites, corpus, dex_blobs, dotted

FAST_SUBSET = [
    "apks/androguard__com.politedroid_4.apk",
    "apks/androguard__com.teleca.jamendo_35.apk",
    "apks/androguard__multidex.apk",
    "apks/fdroid__souch.smsbypass_9.apk",
    "apks/fdroid__org.dyndns.fules.ck_20.apk",
    "apks/droidbench__ArrayCopy1.apk",
    "apks/droidbench__PrivateDataLeak1.apk",
    "apks/androguard__a2dp.Vol_137.apk",
]


def _pairs(knowledge) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    # The packaged catalogue as loaded now (it grows while the knowledge base is filled) plus a fixed list.
    return sorted(set(LOCAL_TARGETS) | knowledge.sensitive_apis.targets())


def _check_call_sites(path: Path, pairs: list[tuple[str, str]]) -> None:
    expected = androguard_sites(path, pairs)
    if expected is None:
        pytest.skip(f"androguard cannot open {path.name}")
    code = extract_code(dex_blobs(path), DexTargets(pairs))
    got = {(c.caller_class, c.caller_method, c.api) for c in code.call_sites}
    assert got == expected, f"missing {sorted(expected - got)[:5]}, extra {sorted(got - expected)[:5]}"
    # every API with a call site is also reported as referenced
    assert {c.api for c in code.call_sites} <= set(code.referenced_apis)


@pytest.mark.parametrize("rel", FAST_SUBSET)
def test_call_sites_match_androguard_subset(rel: str, knowledge) -> None:  # type: ignore[no-untyped-def]
    _check_call_sites(shared_path(*rel.split("/")), _pairs(knowledge))


def _corpus_mismatch(path: Path, pairs: list[tuple[str, str]]) -> str | None:
    """One APK of the whole-corpus run (in a pool process): its path when the call sites differ, else None."""
    expected = androguard_sites(path, pairs)
    if expected is None:
        return None
    code = extract_code(dex_blobs(path), DexTargets(pairs))
    if {(c.caller_class, c.caller_method, c.api) for c in code.call_sites} != expected:
        return str(path.relative_to(SHARED_DATA))
    return None


@pytest.mark.slow
@pytest.mark.timeout(1800)
@pytest.mark.skipif(
    not os.environ.get("APPRIGHTS_RUN_SLOW"),
    reason="~150 androguard analyses (minutes): set APPRIGHTS_RUN_SLOW=1",
)
def test_call_sites_match_androguard_whole_corpus(knowledge) -> None:  # type: ignore[no-untyped-def]
    shared_path("apks")
    paths = corpus()
    assert len(paths) > 100
    pairs = _pairs(knowledge)
    # each APK is independent and androguard is CPU-bound: one process per core, largest APKs first
    paths.sort(key=lambda p: p.stat().st_size, reverse=True)
    workers = max(1, min(2, os.cpu_count() or 1))
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        results = list(pool.map(_corpus_mismatch, paths, [pairs] * len(paths)))
    mismatched = sorted(r for r in results if r is not None)
    assert not mismatched


def _expected_kind(value: str, names: set[str]) -> tuple[str, str] | None:
    if value in names:
        return ("reflection", value)
    m = re.search(r"""content://[^\s"'<>\\^`{|}]*""", value)
    if m is not None and "://" in value:
        return ("content_uri", m.group(0))
    if APK_MIME in value:
        return ("apk_mime", APK_MIME)
    if len(value) <= 200:
        kind = classify_dotted(value)
        if kind is not None:
            return (kind, value)
    return None


@pytest.mark.parametrize("rel", [*FAST_SUBSET[:6], "apks/cn-bugly__demo.apk"])  # bugly: const-string/jumbo
def test_string_refs_match_androguard(rel: str, knowledge) -> None:  # type: ignore[no-untyped-def]
    from androguard.misc import AnalyzeAPK
    from loguru import logger

    logger.remove()
    path = shared_path(*rel.split("/"))
    pairs = _pairs(knowledge)
    _a, _d, dx = AnalyzeAPK(str(path))
    names = {n for _, n in pairs}
    expected: set[tuple[str, str, str, str]] = set()
    for sa in dx.get_strings():
        kv = _expected_kind(sa.get_value(), names)
        if kv is None:
            continue
        for cls, meth in sa.get_xref_from():
            expected.add((kv[1], kv[0], dotted(cls.name), meth.name))
    code = extract_code(dex_blobs(path), DexTargets(pairs))
    got = {(s.value, s.kind, s.caller_class, s.caller_method) for s in code.strings}
    assert got == expected


@pytest.mark.parametrize("rel", FAST_SUBSET)
def test_urls_and_classes_match_androguard_pool(rel: str, knowledge) -> None:  # type: ignore[no-untyped-def]
    from androguard.core.dex import DEX

    path = shared_path(*rel.split("/"))
    urls: set[str] = set()
    classes: list[str] = []
    for _name, data in dex_blobs(path):
        d = DEX(data)
        for s in d.get_strings():
            urls.update(m.group(0) for m in re.finditer(r"""(?i)(?:https?|wss?)://[^\s"'<>\\^`{|}]+""", s))
        classes += [dotted(c) for c in d.get_classes_names()]
    code = extract_code(dex_blobs(path), DexTargets(_pairs(knowledge)))
    assert set(code.urls) == urls
    assert code.defined_classes == list(dict.fromkeys(classes))
    assert code.class_count == len(classes)
