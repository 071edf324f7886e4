"""Binary XML and manifest building on hand-made documents: obfuscation and tolerance cases."""

from __future__ import annotations

import struct

import pytest

from apprights.extractors.apk.axml import AxmlError, parse_axml
from apprights.extractors.apk.manifest import ManifestError, build_manifest
from apprights.model.facts import ManifestFacts
from tests.extractors.apk.factory import ANDROID_NS, T_REF, T_STRING, Attr, El, axml, simple_manifest


def manifest_of(data: bytes) -> ManifestFacts:
    warnings: list[str] = []
    return build_manifest(parse_axml(data, warnings), None, warnings)


@pytest.mark.parametrize("utf8", [False, True])
def test_simple_manifest_both_string_encodings(utf8: bool) -> None:
    m = manifest_of(axml(simple_manifest(), utf8=utf8))
    assert (m.package, m.version_code, m.version_name, m.min_sdk, m.target_sdk) == (
        "com.example.app",
        7,
        "1.2.3",
        21,
        30,
    )
    assert m.label == "Demo"
    assert m.application_class == "com.example.app.App"
    assert m.permission_names() == ["android.permission.CAMERA"]
    (main,) = m.components
    assert main.name == "com.example.app.Main"
    assert main.exported is None and main.effectively_exported  # intent filter, target 30 < 31
    assert main.actions == ["android.intent.action.MAIN"]


def test_attribute_names_obfuscated_resolved_by_resource_id() -> None:
    root = simple_manifest()
    # Obfuscators rename attribute-name strings; Android goes by the resource-id map.
    root.attrs[0] = Attr("x1", 42, 0x0101021B)
    root.children[0].attrs = [Attr("ab", 23, 0x0101020C), Attr("cd", 33, 0x01010270)]
    m = manifest_of(axml(root))
    assert (m.version_code, m.min_sdk, m.target_sdk) == (42, 23, 33)


def test_decoy_name_without_resource_id_loses_to_resource_id() -> None:
    root = simple_manifest()
    # A fake "versionCode" (name only, no resource id) must not override the real one.
    root.attrs.insert(0, Attr("versionCode", 999, None, ns=ANDROID_NS))
    warnings: list[str] = []
    m = build_manifest(parse_axml(axml(root), warnings), None, warnings)
    assert m.version_code == 7
    assert any("disagrees" in w for w in warnings)


def test_name_fallback_when_no_resource_map() -> None:
    root = simple_manifest()
    root.attrs[0] = Attr("versionCode", 5, None, ns=ANDROID_NS)
    assert manifest_of(axml(root)).version_code == 5


def test_unknown_chunk_between_nodes_is_skipped() -> None:
    junk = struct.pack("<HHI", 0x7777, 8, 16) + b"\xaa" * 8
    warnings: list[str] = []
    m = build_manifest(parse_axml(axml(simple_manifest(), extra_chunks=junk), warnings), None, warnings)
    assert m.package == "com.example.app"
    assert any("unknown chunk" in w for w in warnings)


def test_tree_header_size_too_large_is_tolerated() -> None:
    data = bytearray(axml(simple_manifest()))
    struct.pack_into("<I", data, 4, len(data) + 5000)
    warnings: list[str] = []
    m = build_manifest(parse_axml(bytes(data), warnings), None, warnings)
    assert m.version_code == 7 and warnings


def test_trailing_bytes_after_tree_are_ignored() -> None:
    data = axml(simple_manifest()) + b"\xff" * 100
    assert manifest_of(data).package == "com.example.app"


def test_wrong_first_chunk_type_is_tolerated() -> None:
    data = bytearray(axml(simple_manifest()))
    struct.pack_into("<H", data, 0, 0x0000)
    assert manifest_of(bytes(data)).package == "com.example.app"


def test_string_index_out_of_range_gives_no_value() -> None:
    root = simple_manifest()
    root.attrs[1] = Attr("versionName", 0xFFFF, 0x0101021C, vtype=T_STRING)
    warnings: list[str] = []
    m = build_manifest(parse_axml(axml(root), warnings), None, warnings)
    assert m.version_name == ""
    assert any("outside the string pool" in w for w in warnings)


def test_plain_text_manifest_is_refused() -> None:
    with pytest.raises(AxmlError, match="plain-text"):
        parse_axml(b'<?xml version="1.0"?><manifest package="a.b"/>', [])


def test_root_must_be_manifest_with_package() -> None:
    with pytest.raises(ManifestError):
        manifest_of(axml(El("application")))
    with pytest.raises(ManifestError):
        manifest_of(axml(El("manifest", [Attr("versionCode", 1, 0x0101021B)])))
    with pytest.raises(ManifestError, match="invalid package"):
        manifest_of(axml(simple_manifest(package="no_dots")))


def test_elements_android_ignores_are_ignored() -> None:
    root = simple_manifest()
    app = root.children[2]
    # A permission hidden inside <application> is not requested on Android.
    app.children.append(El("uses-permission", [Attr("name", "android.permission.READ_SMS", 0x01010003)]))
    root.children.append(El("application", [Attr("name", ".Second", 0x01010003)]))
    warnings: list[str] = []
    m = build_manifest(parse_axml(axml(root), warnings), None, warnings)
    assert m.permission_names() == ["android.permission.CAMERA"]
    assert m.application_class == "com.example.app.App"
    assert any("nested" in w for w in warnings) and any("more than one <application>" in w for w in warnings)


def test_component_details_and_export_defaults() -> None:
    extra_app = [
        El(
            "service",
            [
                Attr("name", "com.other.Svc", 0x01010003),
                Attr("exported", False, 0x01010010),
                Attr("process", ":push", 0x01010011),
            ],
            [
                El(
                    "intent-filter",
                    [Attr("priority", 1000, 0x0101001C)],
                    [
                        El("action", [Attr("name", "a.b.PUSH", 0x01010003)]),
                        El(
                            "data",
                            [
                                Attr("scheme", "https", 0x01010027),
                                Attr("host", "x.cn", 0x01010028),
                                Attr("mimeType", "text/plain", 0x01010026),
                            ],
                        ),
                    ],
                )
            ],
        ),
        El(
            "receiver",
            [Attr("name", "Boot", 0x01010003), Attr("enabled", False, 0x0101000E)],
            [
                El(
                    "intent-filter",
                    [],
                    [El("action", [Attr("name", "android.intent.action.BOOT_COMPLETED", 0x01010003)])],
                )
            ],
        ),
        El(
            "provider",
            [
                Attr("name", ".Prov", 0x01010003),
                Attr("authorities", "a.one;a.two", 0x01010018),
                Attr("directBootAware", True, 0x01010505),
            ],
            [El("meta-data", [Attr("name", "k", 0x01010003), Attr("value", "v", 0x01010024)])],
        ),
        El(
            "activity-alias",
            [Attr("name", ".Alias", 0x01010003), Attr("targetActivity", ".Main", 0x01010202)],
        ),
        El("meta-data", [Attr("name", "UMENG_APPKEY", 0x01010003), Attr("value", "abc", 0x01010024)]),
        El(
            "meta-data",
            [Attr("name", "res", 0x01010003), Attr("resource", 0x7F0A0001, 0x01010025, vtype=T_REF)],
        ),
    ]
    root = simple_manifest(
        extra=[
            El("queries", [], [El("package", [Attr("name", "com.tencent.mm", 0x01010003)])]),
            El("permission", [Attr("name", "com.example.app.C2D", 0x01010003)]),
        ]
    )
    root.children[2].children.extend(extra_app)
    m = manifest_of(axml(root))
    by = {c.name: c for c in m.components}
    svc = by["com.other.Svc"]
    assert svc.exported is False and not svc.effectively_exported
    assert svc.process == "com.example.app:push"
    f = svc.intent_filters[0]
    assert (f.priority, f.data_schemes, f.data_hosts, f.data_mime_types) == (
        1000,
        ["https"],
        ["x.cn"],
        ["text/plain"],
    )
    boot = by["com.example.app.Boot"]
    assert boot.effectively_exported and not boot.enabled
    prov = by["com.example.app.Prov"]
    assert prov.authorities == ["a.one", "a.two"] and prov.direct_boot_aware
    assert not prov.effectively_exported  # target 30 >= 17: providers private by default
    assert prov.meta_data == {"k": "v"}
    assert by["com.example.app.Alias"].target_activity == "com.example.app.Main"
    assert m.meta_data == {"UMENG_APPKEY": "abc", "res": "@0x7f0a0001"}
    assert m.queries_packages == ["com.tencent.mm"]
    assert m.defined_permissions == ["com.example.app.C2D"]


def test_target_31_intent_filter_without_exported_warns() -> None:
    root = simple_manifest()
    root.children[0].attrs[1] = Attr("targetSdkVersion", 31, 0x01010270)
    warnings: list[str] = []
    m = build_manifest(parse_axml(axml(root), warnings), None, warnings)
    assert not m.components[0].effectively_exported
    assert any("Android 12+" in w for w in warnings)


def test_codename_sdk_is_preview_level() -> None:
    root = simple_manifest()
    root.children[0].attrs = [Attr("minSdkVersion", "Tiramisu", 0x0101020C)]
    assert manifest_of(axml(root)).min_sdk == 10000


def test_duplicate_permissions_kept_once_with_first_max_sdk() -> None:
    root = simple_manifest(
        extra=[
            El(
                "uses-permission",
                [
                    Attr("name", "android.permission.CAMERA", 0x01010003),
                    Attr("maxSdkVersion", 18, 0x01010271),
                ],
            ),
            El(
                "uses-permission-sdk-23",
                [
                    Attr("name", "android.permission.READ_SMS", 0x01010003),
                    Attr("maxSdkVersion", 27, 0x01010271),
                ],
            ),
        ]
    )
    m = manifest_of(axml(root))
    assert [(p.name, p.max_sdk) for p in m.permissions] == [
        ("android.permission.CAMERA", None),
        ("android.permission.READ_SMS", 27),
    ]
    assert all(p.protection_level == "unknown" for p in m.permissions)


def test_permission_name_given_as_resource_reference_is_ignored_like_android() -> None:
    root = simple_manifest(extra=[El("uses-permission", [Attr("name", 0x7F010000, 0x01010003, vtype=T_REF)])])
    warnings: list[str] = []
    m = build_manifest(parse_axml(axml(root), warnings), None, warnings)
    assert m.permission_names() == ["android.permission.CAMERA"]
    assert any("resource reference" in w for w in warnings)


def test_tree_header_size_too_small_reads_on() -> None:
    data = bytearray(axml(simple_manifest()))
    struct.pack_into("<I", data, 4, 400)  # claims the document ends inside the node stream
    warnings: list[str] = []
    m = build_manifest(parse_axml(bytes(data), warnings), None, warnings)
    assert m.components and m.version_code == 7
    assert any("cuts the document short" in w for w in warnings)
