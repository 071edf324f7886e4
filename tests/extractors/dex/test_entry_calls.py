"""Entry calls: the non-framework methods invoked from the entry classes (Application class, providers, launcher
activity) and their nested classes; checked on built dex files and against androguard's xrefs on real APKs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from apprights.extractors.dex import DexTargets, entry_classes_of, extract_code, scan_dex
from apprights.extractors.dex.strings import FRAMEWORK_PREFIXES
from apprights.model.facts import Component, IntentFilter, ManifestFacts
from apprights.testing.dexwriter import dex_with_calls
from tests.conftest import shared_path
from tests.extractors.dex.helpers import dex_blobs, dotted

UM_INIT = "Lcom/umeng/commonsdk/UMConfigure;->init(Landroid/content/Context;)V"
JPUSH_INIT = "Lcom/jpush/JPushInterface;->init(Landroid/content/Context;)V"
SUPER_ON_CREATE = "Landroid/app/Application;->onCreate()V"
HELPER = "Lcom/example/app/Util;->log()V"
NO_TARGETS = DexTargets([])


def _dex() -> bytes:
    return dex_with_calls(
        [
            ("com.example.app.App", "onCreate", SUPER_ON_CREATE),
            ("com.example.app.App", "onCreate", UM_INIT),
            ("com.example.app.App", "onCreate", UM_INIT),
            ("com.example.app.App", "onCreate", HELPER),
            ("com.example.app.App$1", "run", JPUSH_INIT),
            ("com.example.app.AppHelper", "go", JPUSH_INIT),  # shares the prefix "App" but is not nested
            ("com.example.app.Other", "start", UM_INIT),  # not an entry class
        ],
        superclasses={"com.example.app.App": "android.app.Application"},
    )


def test_records_non_framework_calls_of_entry_class_and_nested_classes() -> None:
    scan = scan_dex("classes.dex", _dex(), NO_TARGETS, entry_classes={"com.example.app.App"})
    got = {(c.caller_class, c.caller_method, c.api): c.count for c in scan.entry_calls}
    assert got == {
        ("com.example.app.App", "onCreate", "com.umeng.commonsdk.UMConfigure.init"): 2,
        ("com.example.app.App", "onCreate", "com.example.app.Util.log"): 1,
        ("com.example.app.App$1", "run", "com.jpush.JPushInterface.init"): 1,
    }
    assert all(c.dex == "classes.dex" for c in scan.entry_calls)


def test_no_entry_classes_means_no_entry_calls() -> None:
    assert scan_dex("classes.dex", _dex(), NO_TARGETS).entry_calls == []
    code = extract_code([("classes.dex", _dex())], NO_TARGETS)
    assert code.entry_calls == []


def test_entry_class_absent_from_dex() -> None:
    scan = scan_dex("classes.dex", _dex(), NO_TARGETS, entry_classes={"com.example.app.Missing", "a"})
    assert scan.entry_calls == []


def test_extract_code_merges_entry_calls_over_dex_files() -> None:
    other = dex_with_calls([("com.example.app.Provider", "onCreate", JPUSH_INIT)])
    code = extract_code(
        [("classes.dex", _dex()), ("classes2.dex", other)],
        NO_TARGETS,
        entry_classes=["com.example.app.App", "com.example.app.Provider"],
    )
    by_dex = {(c.dex, c.caller_class, c.api) for c in code.entry_calls}
    assert ("classes2.dex", "com.example.app.Provider", "com.jpush.JPushInterface.init") in by_dex
    assert ("classes.dex", "com.example.app.App", "com.umeng.commonsdk.UMConfigure.init") in by_dex


def test_entry_classes_of_manifest() -> None:
    launcher = IntentFilter(
        actions=["android.intent.action.MAIN"], categories=["android.intent.category.LAUNCHER"]
    )
    m = ManifestFacts(
        package="com.example.app",
        application_class="com.example.app.App",
        components=[
            Component("activity", "com.example.app.Main", intent_filters=[launcher]),
            Component("activity", "com.example.app.Settings"),
            Component("provider", "com.sdk.InitProvider"),
            Component("provider", "com.sdk.Off", enabled=False),
            Component("activity-alias", "com.example.app.Alias", target_activity="com.example.app.Real",
                      intent_filters=[launcher]),
        ],
    )  # fmt: skip
    assert entry_classes_of(m) == {
        "com.example.app.App",
        "com.example.app.Main",
        "com.sdk.InitProvider",
        "com.example.app.Real",
    }
    assert entry_classes_of(None) == set()


def _androguard_entry_calls(path: Path, entries: set[str]) -> set[tuple[str, str, str]] | None:
    from androguard.misc import AnalyzeAPK
    from loguru import logger

    logger.remove()
    try:
        _a, _d, dx = AnalyzeAPK(str(path))
    except Exception:
        return None
    out: set[tuple[str, str, str]] = set()
    for cls in dx.get_classes():
        name = dotted(cls.name)
        if cls.is_external() or name.split("$", 1)[0] not in entries:
            continue
        for meth in cls.get_methods():
            for callee_cls, callee, _off in meth.get_xref_to():
                target = dotted(callee_cls.name)
                if not target.startswith(FRAMEWORK_PREFIXES):
                    out.add((name, meth.name, f"{target}.{callee.name}"))
    return out


@pytest.mark.parametrize(
    "rel", ["apks/androguard__com.teleca.jamendo_35.apk", "apks/fdroid__souch.smsbypass_9.apk"]
)
def test_entry_calls_match_androguard(rel: str) -> None:
    path = shared_path(*rel.split("/"))
    from apprights.extractors.apk import open_apk

    with open_apk(path) as apk:
        entries = entry_classes_of(apk.manifest())
    assert entries
    expected = _androguard_entry_calls(path, entries)
    if expected is None:
        pytest.skip(f"androguard cannot open {path.name}")
    code = extract_code(dex_blobs(path), NO_TARGETS, entry_classes=entries)
    got = {(c.caller_class, c.caller_method, c.api) for c in code.entry_calls}
    assert got, "the real app's entry classes call some of its own methods"
    assert got == expected, f"missing {sorted(expected - got)[:5]}, extra {sorted(got - expected)[:5]}"


def test_hostile_entry_class_names_do_not_crash() -> None:
    names = {"", ".", "$", "a$b", "L;", "\x00", "com.example.app.App$", re.escape("x" * 300)}
    scan = scan_dex("classes.dex", _dex(), NO_TARGETS, entry_classes=names)
    assert scan.entry_calls == []
