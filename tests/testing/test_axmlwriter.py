"""``apprights.testing.axmlwriter`` is the collector's writer, not a second copy that could drift."""

from __future__ import annotations

import ast
from pathlib import Path

import apprights.collect.axmlwriter as real
import apprights.collect.stimulus_apk as stimulus
import apprights.testing.axmlwriter as shim


def test_testing_name_is_the_collect_writer() -> None:
    assert shim.write_axml is real.write_axml
    assert shim.ANDROID_ATTR_IDS is real.ANDROID_ATTR_IDS


def test_stimulus_apk_does_not_import_testing() -> None:
    source = Path(stimulus.__file__).read_text(encoding="utf-8")
    modules = [
        node.module or "" for node in ast.walk(ast.parse(source)) if isinstance(node, ast.ImportFrom)
    ] + [
        alias.name
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Import)
        for alias in node.names
    ]
    assert not [m for m in modules if m.startswith("apprights.testing")]
