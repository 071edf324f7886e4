"""Real APKs: our extractor against androguard (reference only), the F-Droid index and apksigner."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from functools import cache
from typing import Any

import pytest

from apprights.errors import InputError
from apprights.extractors.apk import open_apk
from apprights.model.facts import ApkFacts, ManifestFacts
from tests.conftest import SHARED_DATA, shared_path

ANDROID_NS = "http://schemas.android.com/apk/res/android"
APK_DIR = SHARED_DATA / "apks"
ALL_APKS = sorted(p.name for p in APK_DIR.glob("*.apk")) if APK_DIR.is_dir() else []
WITH_MANIFEST = [n for n in ALL_APKS if n != "androguard__multidex.apk"]
DROIDBENCH = sorted(str(p.relative_to(SHARED_DATA)) for p in (SHARED_DATA / "droidbench-dev").rglob("*.apk"))
DROIDBENCH_SAMPLE = DROIDBENCH[::8]


@cache
def ours(rel: str) -> tuple[ManifestFacts, ApkFacts]:
    with open_apk(SHARED_DATA / rel) as apk:
        return apk.manifest(), apk.facts()


@cache
def reference(rel: str) -> Any:
    from loguru import logger

    logger.disable("androguard")  # androguard logs every chunk at DEBUG level
    from androguard.core.apk import APK

    return APK(str(SHARED_DATA / rel))


def _int(v: Any) -> int | None:
    return None if v in (None, "") else int(v)


def compare_with_androguard(rel: str) -> None:
    m, _ = ours(rel)
    a = reference(rel)
    assert m.package == a.get_package()
    assert m.version_code == (_int(a.get_androidversion_code()) or 0)
    version_name = a.get_androidversion_name() or ""
    if version_name.startswith("@"):  # androguard leaves references unresolved: resolve with its ARSC parser
        version_name = a.get_android_resources().get_resolved_res_configs(int(version_name[1:], 16))[0][1]
    assert m.version_name == version_name
    assert m.min_sdk == (_int(a.get_min_sdk_version()) or 1)
    assert m.target_sdk == (_int(a.get_target_sdk_version()) or 0)
    # androguard's get_permissions() leaves out <uses-permission-sdk-23>: add those from its XML tree.
    sdk23 = {
        e.get(f"{{{ANDROID_NS}}}name") for e in a.get_android_manifest_xml().iter("uses-permission-sdk-23")
    }
    assert set(m.permission_names()) == set(a.get_permissions()) | sdk23
    for kind, names in (
        ("activity", a.get_activities()),
        ("service", a.get_services()),
        ("receiver", a.get_receivers()),
        ("provider", a.get_providers()),
    ):
        assert sorted(c.name for c in m.components if c.kind == kind) == sorted(set(names)), kind
    for c in m.components:
        if c.kind == "activity-alias":
            continue
        ref = a.get_intent_filters(c.kind, c.name)
        assert sorted(set(c.actions)) == sorted(set(ref.get("action", []))), c.name
        assert sorted({x for f in c.intent_filters for x in f.categories}) == sorted(
            set(ref.get("category", []))
        )
    exported = {
        a._format_value(e.get(f"{{{ANDROID_NS}}}name")): e.get(f"{{{ANDROID_NS}}}exported")
        for tag in ("activity", "service", "receiver", "provider")
        for e in a.get_android_manifest_xml().iter(tag)
    }
    assert {
        c.name: None if c.exported is None else str(c.exported).lower()
        for c in m.components
        if c.kind != "activity-alias"
    } == exported


@pytest.mark.parametrize("name", WITH_MANIFEST)
def test_shared_apk_matches_androguard(name: str) -> None:
    shared_path("apks", name)
    compare_with_androguard(f"apks/{name}")


@pytest.mark.parametrize("rel", DROIDBENCH_SAMPLE)
def test_droidbench_sample_matches_androguard(rel: str) -> None:
    shared_path(rel)
    compare_with_androguard(rel)


@pytest.mark.parametrize("name", WITH_MANIFEST)
def test_label_matches_androguard_where_it_is_the_application_label(name: str) -> None:
    shared_path("apks", name)
    m, _ = ours(f"apks/{name}")
    a = reference(f"apks/{name}")
    if a.get_attribute_value("application", "label") is None:
        pytest.skip("no application label: androguard falls back to the main activity")
    assert m.label == a.get_app_name()


def test_label_of_bugly_demo_resolved_through_resources() -> None:
    shared_path("apks", "cn-bugly__demo.apk")
    m, _ = ours("apks/cn-bugly__demo.apk")
    assert m.label == "BuglyUpgradeDemo"
    assert m.application_class == "com.bugly.upgrade.demo.MyApplication"
    assert m.package == "com.bugly.upgrade.demo"


def test_components_of_a2dp() -> None:
    shared_path("apks", "androguard__a2dp.Vol_137.apk")
    m, facts = ours("apks/androguard__a2dp.Vol_137.apk")
    by = {c.name: c for c in m.components}
    main = by["a2dp.Vol.main"]
    assert main.kind == "activity" and main.effectively_exported
    assert "android.intent.action.MAIN" in main.actions
    assert by["a2dp.Vol.Starter"].kind == "receiver"
    assert by["a2dp.Vol.service"].kind == "service"
    assert m.application_class == "a2dp.Vol.MyApplication"
    assert facts.dex_files == ["classes.dex"]


def test_multidex_without_manifest() -> None:
    path = shared_path("apks", "androguard__multidex.apk")
    with pytest.raises(InputError, match=r"no AndroidManifest\.xml"):
        open_apk(path)
    with open_apk(path, require_manifest=False) as apk:
        dex = dict(apk.iter_dex())
        assert list(dex) == ["classes.dex", "classes2.dex"]
        assert all(d.startswith(b"dex\n") for d in dex.values())
        assert apk.facts().dex_files == ["classes.dex", "classes2.dex"]
        with pytest.raises(InputError, match=r"no AndroidManifest\.xml"):
            apk.manifest()


def test_invalid_apk_is_a_valid_package_as_android_sees_it() -> None:
    # androguard's "Invalid.apk" exercises its decompiler; the ZIP, manifest and v1 signature are sound
    # (apksigner verifies it), so Android installs it and so do we.
    shared_path("apks", "androguard__Invalid.apk")
    m, facts = ours("apks/androguard__Invalid.apk")
    assert m.package == "re.androguard.android.invalid"
    assert m.debuggable is True
    assert facts.signers and facts.signers[0].scheme == "v1"


def test_janus_apk_warns_about_data_before_the_zip() -> None:
    shared_path("apks", "fdroid__janus.apk")
    _, facts = ours("apks/fdroid__janus.apk")
    assert any("Janus" in w for w in facts.warnings)


# ---- F-Droid index ------------------------------------------------------------------------------------

# Permissions fdroidserver adds on its own because Android implies them for old target SDKs.
IMPLIED = {
    "android.permission.READ_EXTERNAL_STORAGE",
    "android.permission.READ_PHONE_STATE",
    "android.permission.WRITE_EXTERNAL_STORAGE",
}


def fdroid_entries() -> list[tuple[str, dict[str, Any]]]:
    labels = SHARED_DATA / "labels" / "fdroidserver_tests_repo_index-v1.json"
    if not labels.exists():
        return []
    index = json.loads(labels.read_text(encoding="utf-8"))
    by_hash = {v["hash"]: v for vs in index["packages"].values() for v in vs}
    out = []
    for name in ALL_APKS:
        line = next(
            (ln for ln in (APK_DIR / "MANIFEST.tsv").read_text().splitlines() if ln.startswith(name)), ""
        )
        sha = line.split("\t")[2] if line else ""
        if sha in by_hash:
            out.append((name, by_hash[sha]))
    return out


@pytest.mark.parametrize(("name", "entry"), fdroid_entries())
def test_fdroid_index_agrees(name: str, entry: dict[str, Any]) -> None:
    m, facts = ours(f"apks/{name}")
    assert m.package == entry["packageName"]
    assert m.version_code == entry["versionCode"]
    assert m.version_name == entry.get("versionName", "")
    assert m.min_sdk == int(entry.get("minSdkVersion", 1))
    assert m.target_sdk == int(entry.get("targetSdkVersion", 0))
    assert facts.sha256 == entry["hash"]
    assert facts.signer_sha256 == [entry["signer"]]
    expected = {p: mx for p, mx in entry.get("uses-permission", []) + entry.get("uses-permission-sdk-23", [])}
    got = {p.name: p.max_sdk for p in m.permissions}
    assert set(expected) - set(got) <= IMPLIED
    assert {p: mx for p, mx in expected.items() if p in got} == got


def test_fdroid_duplicate_permissions_listed_once() -> None:
    shared_path("apks", "fdroid__duplicate.permisssions_9999999.apk")
    m, facts = ours("apks/fdroid__duplicate.permisssions_9999999.apk")
    assert m.permission_names().count("android.permission.INTERNET") == 1
    assert any("more than once" in w for w in m.warnings)
    assert {s.scheme for s in facts.signers} == {"v1", "v2", "v3"}


# ---- apksigner -----------------------------------------------------------------------------------------

APKSIGNER_SAMPLE = [
    "fdroid__duplicate.permisssions_9999999.apk",  # v1 + v2 + v3
    "cn-bugly__demo.apk",  # v1 + v2
    "androguard__a2dp.Vol_137.apk",  # v1 only
    "exodus-core__instapaper.apk",
]


@pytest.mark.parametrize("name", APKSIGNER_SAMPLE)
def test_signer_hashes_equal_apksigner(name: str) -> None:
    path = shared_path("apks", name)
    tool = shutil.which("apksigner")
    if tool is None:
        pytest.skip("apksigner not installed (Debian package apksigner)")
    out = subprocess.run(
        [tool, "verify", "--print-certs", str(path)], capture_output=True, text=True, timeout=60, check=False
    ).stdout
    expected = re.findall(r"certificate SHA-256 digest: ([0-9a-f]{64})", out)
    assert expected, out
    _, facts = ours(f"apks/{name}")
    assert facts.signer_sha256 == expected
    signer = facts.signers[0]
    dn = re.search(r"certificate DN: (.*)", out)
    assert dn is not None
    assert signer.subject and signer.not_before < signer.not_after
    # Same names, in RFC 4514 order (apksigner prints them in certificate order).
    assert sorted(signer.subject.split(",")) == sorted(p.strip() for p in dn.group(1).split(","))


@pytest.mark.parametrize("name", WITH_MANIFEST)
def test_container_facts(name: str) -> None:
    path = shared_path("apks", name)
    import hashlib
    import zipfile

    _, facts = ours(f"apks/{name}")
    assert facts.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert facts.size == path.stat().st_size
    names = zipfile.ZipFile(path).namelist()
    assert facts.entries == len(set(names))
    assert set(facts.dex_files) == {n for n in names if re.fullmatch(r"classes\d*\.dex", n)}
    assert facts.native_libs == [n for n in names if re.fullmatch(r"lib/[^/]+/[^/]+\.so", n)]
    assert facts.signers, "every shared APK is signed"


# ---- resources.arsc ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [n for n in WITH_MANIFEST if not n.startswith("droidbench__")])
def test_default_strings_and_names_match_androguard(name: str) -> None:
    import zipfile

    from apprights.extractors.apk.arsc import ResourceTable

    path = shared_path("apks", name)
    with zipfile.ZipFile(path) as z:
        if "resources.arsc" not in z.namelist():
            pytest.skip("no resources.arsc")
        table = ResourceTable(z.read("resources.arsc"), [])
    arsc = reference(f"apks/{name}").get_android_resources()
    checked = 0
    for strings in arsc.get_resolved_strings().values():
        for resid, text in strings.get("DEFAULT", {}).items():
            # Without a default configuration Android picks by density etc.; any locale-free value will do.
            unlocalised = {
                v for c, v in arsc.get_resolved_res_configs(resid) if c.get_language() == "\x00\x00"
            }
            assert table.resolve_text(resid) in unlocalised | {text}, hex(resid)
            assert table.name_of(resid) == "@" + arsc.get_resource_xml_name(resid).split(":", 1)[1]
            checked += 1
    assert checked > 0


def test_every_droidbench_apk_parses() -> None:
    shared_path("droidbench-dev")
    assert len(DROIDBENCH) > 100
    for rel in DROIDBENCH:
        m, facts = ours(rel)
        assert m.package and facts.dex_files, rel
        assert facts.signers or any("unsigned" in w for w in facts.warnings), rel
        assert m.components, rel
