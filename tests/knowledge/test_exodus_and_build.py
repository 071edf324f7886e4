"""Exodus trackers from a user-supplied file, and reproducibility of the generated data files."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

from apprights.errors import InputError
from apprights.knowledge import DATA_DIR, Knowledge
from apprights.knowledge.sdks import SdkCatalogue, valid_host, valid_prefix
from tests.conftest import REPO, SHARED, shared_path


def _tracker(
    tid: int, name: str, code: str, net: str = "", cats: list[str] | None = None
) -> dict[str, object]:
    return {
        "id": tid,
        "name": name,
        "code_signature": code,
        "network_signature": net,
        "categories": cats or [],
        "website": "",
    }


def _write(tmp_path: Path, trackers: object) -> Path:
    p = tmp_path / "exodus.json"
    p.write_text(json.dumps(trackers), encoding="utf-8")
    return p


def test_with_exodus_adds_new_trackers_only(knowledge: Knowledge, tmp_path: Path) -> None:
    base = knowledge.sdks
    path = _write(
        tmp_path,
        {
            "trackers": {
                "1": _tracker(
                    1, "Teemo", "com.databerries.|com.geolocstation.", r"databerries\.com", ["Analytics"]
                ),
                "2": _tracker(2, "Already there", r"com\.umeng\.analytics", "umeng\\.com"),
                "5": _tracker(5, "Under a curated SDK", r"com\.umeng\.analytics\.game\."),
                "3": _tracker(3, "Odd regex", r"^com\.example\.(a|b)$", ""),
                "4": _tracker(4, "Ads", "com.someads.sdk", r"someads\.net|.*\.bad\..*", ["Advertisement"]),
            }
        },
    )
    cat = base.with_exodus(path)
    added = [e for e in cat.entries if e.source == "exodus-file"]
    assert [e.id for e in added] == ["exodus-1", "exodus-4"]
    teemo = cat.get("exodus-1")
    assert teemo is not None
    assert teemo.prefixes == ("com.databerries", "com.geolocstation")
    assert teemo.hosts == ("databerries.com",)
    assert teemo.category == "analytics"
    assert cat.get("exodus-4").category == "ads"  # type: ignore[union-attr]
    assert cat.get("exodus-4").hosts == ("someads.net",)  # type: ignore[union-attr]
    assert cat.match_class("com.umeng.analytics.MobclickAgent").id == "umeng-analytics"  # type: ignore[union-attr]
    assert cat.match_class("com.databerries.X").id == "exodus-1"  # type: ignore[union-attr]
    assert len(cat.entries) == len(base.entries) + 2
    assert cat.version.endswith("+exodus")
    again = cat.with_exodus(path)  # applying twice adds nothing
    assert len(again.entries) == len(cat.entries)


def test_with_exodus_real_file(knowledge: Knowledge) -> None:
    path = shared_path("sdk", "exodus_trackers.json")
    cat = knowledge.sdks.with_exodus(path)
    added = [e for e in cat.entries if e.source == "exodus-file"]
    assert len(added) >= 200
    ids = [e.id for e in cat.entries]
    assert len(ids) == len(set(ids))
    owned: set[str] = set()
    for e in cat.entries:
        for p in e.prefixes:
            assert valid_prefix(p) and p not in owned, (e.id, p)
            owned.add(p)
        for h in e.hosts:
            assert valid_host(h), (e.id, h)
    # via Knowledge.load as the CLI does
    k = Knowledge.load(exodus_file=path)
    assert len(k.sdks.entries) == len(cat.entries)


@pytest.mark.parametrize(
    "content",
    [b"not json", b"[1, 2", json.dumps({"trackers": 5}).encode(), json.dumps("x").encode(), b"\xff\xfe\x00"],
)
def test_with_exodus_bad_file_is_input_error(knowledge: Knowledge, tmp_path: Path, content: bytes) -> None:
    p = tmp_path / "bad.json"
    p.write_bytes(content)
    with pytest.raises(InputError) as ei:
        knowledge.sdks.with_exodus(p)
    assert str(p) in str(ei.value)


def test_with_exodus_missing_file(knowledge: Knowledge, tmp_path: Path) -> None:
    with pytest.raises(InputError):
        knowledge.sdks.with_exodus(tmp_path / "nope.json")


def test_with_exodus_tolerates_junk_entries(knowledge: Knowledge, tmp_path: Path) -> None:
    path = _write(tmp_path, [1, "x", {"id": 9}, _tracker(10, "Ok", "net.okads.core", "okads\\.io")])
    cat = knowledge.sdks.with_exodus(path)
    assert [e.id for e in cat.entries if e.source == "exodus-file"] == ["exodus-10"]


def test_catalogue_loads_from_a_directory(tmp_path: Path) -> None:
    (tmp_path / "sdks.json").write_text(
        json.dumps({"version": "t-1", "sdks": [{"id": "a", "category": "push", "prefixes": ["com.a.b"]}]}),
        encoding="utf-8",
    )
    cat = SdkCatalogue.load(tmp_path)
    assert cat.version == "t-1" and cat.match_class("com.a.b.C").id == "a"  # type: ignore[union-attr]


def _build_module():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("build_knowledge", REPO / "tools" / "build_knowledge.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules["build_knowledge"] = mod
    spec.loader.exec_module(mod)
    return mod


def test_generated_files_are_reproducible() -> None:
    """The committed JSON equals what tools/build_knowledge.py makes from the sources."""
    shared_path("sdk", "appscan_cn_sdk_list.tsv")
    mod = _build_module()
    version = json.loads((DATA_DIR / "sdks.json").read_text(encoding="utf-8"))["version"]
    files, _dropped = mod.build_all(SHARED, version)
    for name, text in files.items():
        assert (DATA_DIR / name).read_text(encoding="utf-8") == text, (
            f"{name} is stale: run tools/build_knowledge.py"
        )
