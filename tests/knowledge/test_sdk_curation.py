"""Curation quality of the SDK catalogue: categories, names and vendors that regulators read in reports.

Thresholds are the levels reached by data version 2026.11.28-3 (before: 566/892 ``other``, 113 without an
English name, 352 without a vendor, 61 Chinese SDKs without a Chinese name); they guard against regressions.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from apprights.knowledge import DATA_DIR, Knowledge
from apprights.knowledge.sdks import CATEGORIES, SdkEntry
from tests.conftest import REPO

CJK = re.compile(r"[\u4e00-\u9fff]")
SRC = REPO / "tools" / "knowledge_src"
# categories the rules read (src/apprights/rules): their meaning must not drift
RULE_CATEGORIES = {"push", "analytics", "ads", "map", "payment", "social", "crash", "identity"}
RULE_CATEGORIES |= {"ui", "devtools", "distribution"}  # T1 ignore list, T7 downloaders: present since -3


@pytest.fixture(scope="module")
def build() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_knowledge", REPO / "tools" / "build_knowledge.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules["build_knowledge"] = mod
    spec.loader.exec_module(mod)
    return mod


def _tsv(path: Path) -> list[dict[str, str]]:
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln and not ln.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))


def _raw() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA_DIR / "sdks.json").read_text(encoding="utf-8"))
    return data


def _entries(knowledge: Knowledge) -> list[SdkEntry]:
    return list(knowledge.sdks.entries)


def _documented_categories() -> list[str]:
    text = (SRC / "README.md").read_text(encoding="utf-8")
    section = text.split("## SDK categories", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `([a-z]+)` \|", section, re.M)


# ---------------------------------------------------------------- categories


def test_every_category_is_documented_and_labelled(knowledge: Knowledge) -> None:
    documented = _documented_categories()
    assert sorted(documented) == sorted(CATEGORIES)
    labels = _raw()["category_labels"]
    assert tuple(labels) == CATEGORIES
    for cat, label in labels.items():
        assert CJK.search(label["zh"]) and label["en"], cat
    used = {e.category for e in _entries(knowledge)}
    assert used <= set(documented)
    assert used >= RULE_CATEGORIES


def test_other_is_a_small_minority(knowledge: Knowledge) -> None:
    entries = _entries(knowledge)
    cn = [e for e in entries if e.country == "CN"]
    other = [e for e in entries if e.category == "other"]
    assert len(other) <= 0.12 * len(entries), len(other)  # was 566/892
    assert sum(1 for e in cn if e.category == "other") <= 0.22 * len(cn)  # was 209/411


def test_libraries_are_never_other(knowledge: Knowledge) -> None:
    bad = [e.id for e in _entries(knowledge) if e.library and e.category == "other"]
    assert not bad


def test_well_known_sdks_keep_or_get_their_category(knowledge: Knowledge) -> None:
    expect = {
        "jpush": "push",
        "tencent-x5": "webview",
        "tencent-tinker": "framework",
        "bangcle": "security",
        "easemob": "im",
        "agora": "media",
        "aliyun-oss": "cloud",
        "huawei-updatesdk": "distribution",
        "com-igexin": "push",
    }
    for sid, cat in expect.items():
        e = knowledge.sdks.get(sid)
        assert e is not None and e.category == cat, (sid, e and e.category)


def test_name_rules_take_pi_categories_first(build: ModuleType) -> None:
    def cat(name: str) -> str:
        return next((c for rx, c in build.NAME_CATEGORY if rx.search(name)), "other")

    assert cat("个推推送") == "push"
    assert cat("LivePush") == "push"  # not media
    assert cat("友盟统计") == "analytics"
    assert cat("百度地图定位") == "map"
    assert cat("网易云信即时通讯") == "im"
    assert cat("蜻蜓FM") == "media"  # Latin word right after Chinese characters
    assert cat("梆梆加固") == "security"
    assert cat("百度webkit") == "webview"
    assert cat("友盟自动更新") == "distribution"
    assert cat("miniimage") == "other"  # "im" inside a word is not IM


# ---------------------------------------------------------------- names


def test_names(knowledge: Knowledge) -> None:
    entries = _entries(knowledge)
    cn = [e for e in entries if e.country == "CN"]
    assert all(e.name_zh for e in cn), [e.id for e in cn if not e.name_zh]
    assert sum(1 for e in cn if CJK.search(e.name_zh)) >= 0.9 * len(cn)
    assert sum(1 for e in entries if not e.name_en) <= 0.01 * len(entries)  # was 113
    assert all(not CJK.search(e.name_en) for e in entries), [e.id for e in entries if CJK.search(e.name_en)]


def test_translation_keeps_only_complete_names(build: ModuleType) -> None:
    glossary = _tsv(SRC / "name_glossary.tsv")
    zh_en = {r["zh"]: r["en"] for r in glossary if r["kind"] in ("brand", "term")}
    brands = {r["en"].casefold(): r["zh"] for r in glossary if r["kind"] == "brand"}
    en_zh = brands | {r["en"].casefold(): r["zh"] for r in glossary if r["kind"] == "term_en"}
    assert build.translate_zh_en("腾讯 moai", zh_en) == "Tencent moai"
    assert build.translate_zh_en("友盟推送", zh_en) == "Umeng Push"
    assert build.translate_zh_en("腾讯云反馈", zh_en) == "Tencent Cloud Feedback"  # longest match first
    assert build.translate_zh_en("腾讯时光", zh_en) == ""  # 时光 unknown: no half-translated name
    assert build.translate_zh_en("xk_sup", zh_en) == ""
    assert build.translate_en_zh("Umeng API", en_zh, brands) == "友盟API"
    assert build.translate_en_zh("Letv Data Statistics", en_zh, brands) == "乐视数据统计"
    assert build.translate_en_zh("Data Statistics", en_zh, brands) == ""  # a brand word is required
    assert build.translate_en_zh("Tencentish", en_zh, brands) == ""  # whole words only


def test_glossary_is_well_formed() -> None:
    rows = _tsv(SRC / "name_glossary.tsv")
    assert rows
    for r in rows:
        assert r["kind"] in {"brand", "term", "term_en"}, r
        assert CJK.search(r["zh"]) and r["en"] and not CJK.search(r["en"]), r
    zh_keys = [r["zh"] for r in rows if r["kind"] != "term_en"]  # zh → en lookups
    en_keys = [r["en"].casefold() for r in rows if r["kind"] != "term"]  # en → zh lookups
    assert len(zh_keys) == len(set(zh_keys))
    assert len(en_keys) == len(set(en_keys))


# ---------------------------------------------------------------- vendors


def test_vendor_coverage(knowledge: Knowledge) -> None:
    entries = _entries(knowledge)
    assert sum(1 for e in entries if e.vendor) >= 0.65 * len(entries)  # was 540/892; the rest: open source
    sdks = [e for e in entries if not e.library]
    assert sum(1 for e in sdks if e.vendor) >= 0.94 * len(sdks)
    cn = [e for e in entries if e.country == "CN"]
    assert sum(1 for e in cn if e.vendor) >= 0.95 * len(cn)


def test_no_placeholder_vendors(knowledge: Knowledge) -> None:
    """An unknown vendor is left empty, never written as a value a reader could take for a name."""
    bad = re.compile(r"未知|不详|开源|unknown|^n/?a$|^-$|^\?$", re.I)
    assert not [(e.id, e.vendor) for e in _entries(knowledge) if bad.search(e.vendor)]


def test_every_known_namespace_gives_a_vendor(knowledge: Knowledge) -> None:
    rows = _tsv(SRC / "vendor_namespaces.tsv") + _tsv(SRC / "vendor_owners.tsv")
    table = [r["namespace"] for r in rows if r["vendor"]]
    for e in _entries(knowledge):
        if any(p == ns or p.startswith(ns + ".") for p in e.prefixes for ns in table):
            assert e.vendor, e.id


def test_vendor_tables_are_well_formed() -> None:
    for name in ("vendor_namespaces.tsv", "vendor_owners.tsv"):
        rows = _tsv(SRC / name)
        assert rows, name
        for r in rows:
            assert re.fullmatch(r"[a-z]\w*(\.\w+)*", r["namespace"]), (name, r)
            # no placeholder vendors
            assert "未知" not in r["vendor"] and "开源" not in r["vendor"], (name, r)
            assert r["vendor"] or name == "vendor_namespaces.tsv", (name, r)  # country-only rows
            assert re.fullmatch(r"[A-Z]{2}", r["country"]), (name, r)
    owners = {r["namespace"] for r in _tsv(SRC / "vendor_owners.tsv")}
    namespaces = {r["namespace"] for r in _tsv(SRC / "vendor_namespaces.tsv")}
    assert not owners & namespaces
