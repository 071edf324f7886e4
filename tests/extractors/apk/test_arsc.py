"""The resources.arsc reader on hand-made tables: entry encodings, configuration choice, references."""

from __future__ import annotations

import pytest

from apprights.extractors.apk import open_apk
from apprights.extractors.apk.arsc import ResourceTable
from tests.extractors.apk.factory import (
    T_INT,
    T_REF,
    T_STRING,
    Attr,
    ResEntry,
    arsc,
    axml,
    simple_manifest,
    write_apk,
)

ENCODINGS = ["offset32", "offset16", "sparse", "compact"]


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_entry_encodings(encoding: str) -> None:
    data = arsc(
        [(b"", [ResEntry(0, "app_name", T_STRING, "演示应用"), ResEntry(3, "n", T_INT, 42)])],
        encoding=encoding,
    )
    t = ResourceTable(data, [])
    assert t.resolve_text(0x7F010000) == "演示应用"
    assert t.resolve_text(0x7F010003) == "42"
    assert t.resolve(0x7F010001) is None  # a hole in the table
    assert t.resolve(0x7F010009) is None  # past the end
    assert t.resolve(0x7F020000) is None  # unknown type
    assert t.name_of(0x7F010000) == "@string/app_name"


def test_default_configuration_first_then_zh_cn() -> None:
    entries = lambda text: [ResEntry(0, "app_name", T_STRING, text)]  # noqa: E731
    t = ResourceTable(
        arsc([(b"fr", entries("Démo")), (b"zhCN", entries("演示")), (b"", entries("Demo"))]), []
    )
    assert t.resolve_text(0x7F010000) == "Demo"
    t = ResourceTable(arsc([(b"fr", entries("Démo")), (b"zhCN", entries("演示"))]), [])
    assert t.resolve_text(0x7F010000) == "演示"
    t = ResourceTable(arsc([(b"fr", entries("Démo"))]), [])
    assert t.resolve_text(0x7F010000) == "Démo"


def test_reference_chains_and_cycles_end() -> None:
    t = ResourceTable(
        arsc(
            [
                (
                    b"",
                    [
                        ResEntry(0, "a", T_REF, 0x7F010001),
                        ResEntry(1, "b", T_STRING, "final"),
                        ResEntry(2, "loop1", T_REF, 0x7F010003),
                        ResEntry(3, "loop2", T_REF, 0x7F010002),
                    ],
                )
            ]
        ),
        [],
    )
    assert t.resolve_text(0x7F010000) == "final"
    assert t.resolve_text(0x7F010002) is None


def test_label_and_meta_data_resolved_through_the_table(tmp_path) -> None:  # type: ignore[no-untyped-def]
    root = simple_manifest()
    app = root.children[2]
    app.attrs[1] = Attr("label", 0x7F010000, 0x01010001, vtype=T_REF)
    app.attrs.append(Attr("networkSecurityConfig", 0x7F020000, 0x01010527, vtype=T_REF))
    table = arsc([(b"", [ResEntry(0, "app_name", T_STRING, "微信")])])
    path = write_apk(tmp_path / "l.apk", [("AndroidManifest.xml", axml(root)), ("resources.arsc", table)])
    with open_apk(path) as apk:
        m = apk.manifest()
        assert m.label == "微信"
        assert m.network_security_config == "@0x7f020000"  # not in the table: kept as the raw id


def test_broken_table_only_loses_the_label(tmp_path) -> None:  # type: ignore[no-untyped-def]
    root = simple_manifest()
    root.children[2].attrs[1] = Attr("label", 0x7F010000, 0x01010001, vtype=T_REF)
    path = write_apk(
        tmp_path / "b.apk", [("AndroidManifest.xml", axml(root)), ("resources.arsc", b"garbage!" * 4)]
    )
    with open_apk(path) as apk:
        m = apk.manifest()
        assert m.package == "com.example.app" and m.label == "@0x7f010000"
        assert any("resources.arsc unusable" in w for w in apk.warnings)


def test_too_many_configurations_are_capped() -> None:
    many = [(b"fr", [ResEntry(0, "k", T_STRING, "x")])] * 5000 + [(b"", [ResEntry(0, "k", T_STRING, "late")])]
    warnings: list[str] = []
    t = ResourceTable(arsc(many), warnings)
    assert t.resolve_text(0x7F010000) == "x"  # the default config came after the cap: not seen
    assert any("too many configurations" in w for w in warnings)
